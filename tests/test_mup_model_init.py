"""The MLP's base initializations: He-normal (the default, unchanged) and PyTorch's default."""

import math

import numpy as np
import pytest
import torch

from widthlimits.mup import MLP
from widthlimits.mup.data import load_digits_split


def _net(width=256, **kw):
    return MLP(
        64, width, 10, 2, "mup", base_width=128, generator=torch.Generator().manual_seed(3), **kw
    )


def test_default_is_he_normal_bit_for_bit():
    """The default draws exactly what the book's claims were computed with: N(0, 2/fan-in) at
    the base width (times µP's width factor), in the same generator order, and zero biases."""
    g = torch.Generator().manual_seed(3)
    net = MLP(64, 128, 10, 2, "sp", generator=torch.Generator().manual_seed(3))
    first = torch.randn((128, 64), generator=g) * math.sqrt(2 / 64)
    assert torch.equal(net.weights[0].detach(), first)
    assert all(float(b.detach().abs().max()) == 0.0 for b in net.biases)
    assert net.init == "he"
    assert torch.equal(_net().weights[1], _net(init="HE", weight_std=math.sqrt(2)).weights[1])


def test_torch_init_matches_nn_linear_distribution():
    """At the base width (here the width), init="torch" has nn.Linear's support and variance:
    weights uniform on +-1/sqrt(fan-in), variance 1/(3 fan-in); biases on +-1/sqrt(fan-in)."""
    net = MLP(64, 512, 10, 2, "sp", 512, init="torch", generator=torch.Generator().manual_seed(0))
    ref = torch.nn.Linear(512, 512)
    w, b = net.weights[1].detach(), net.biases[1].detach()
    bound = 1 / math.sqrt(512)
    assert float(w.abs().max()) <= bound and float(ref.weight.detach().abs().max()) <= bound
    assert float(w.abs().max()) > 0.99 * bound  # uniform up to the edge, not Gaussian
    # variance of 512**2 uniform entries: relative standard error sqrt(0.8 / 512**2) = 0.0017
    assert float(w.var()) == pytest.approx(1 / (3 * 512), rel=5 * 0.0017)
    assert float(b.abs().max()) <= bound and float(b.abs().max()) > 0.9 * bound
    assert float(net.weights[0].detach().abs().max()) <= 1 / math.sqrt(64)


def test_torch_init_scales_with_width_under_mup():
    """Under µP the hidden weights' std scales like (n/n0)^(-1/2) whichever init is used."""
    sd = [float(_net(w, init="torch").weights[1].detach().std()) for w in (128, 512)]
    assert sd[0] / sd[1] == pytest.approx(2.0, rel=0.02)  # rel. SE of a std ~ 0.003


def _slope(**kw):
    x, y, _, _ = load_digits_split()
    xb, yb = x[:128], y[:128]
    widths = [128, 512, 2048]
    moves = []
    for n in widths:
        net = MLP(
            64, n, 10, 2, "mup", base_width=128, generator=torch.Generator().manual_seed(0), **kw
        )
        opt = torch.optim.SGD(net.param_groups(0.1, "sgd"))
        f0 = net(xb).detach()
        torch.nn.functional.cross_entropy(net(xb), yb).backward()
        opt.step()
        moves.append(float((net(xb).detach() - f0).abs().mean()))
    return np.polyfit(np.log(widths), np.log(moves), 1)[0]


def test_coordinate_check_slope_and_its_fix():
    """The module docstring's statement: with base width 128 and He's sigma_w the one-step output
    update of µP slopes (about -0.3 over 128-2048); PyTorch's variance or a zero readout makes it
    flat (within 0.05), a width-independent exponent."""
    assert _slope() < -0.2
    assert abs(_slope(weight_std=3**-0.5)) < 0.05
    assert abs(_slope(zero_readout=True)) < 0.05


@pytest.mark.parametrize(
    ("kw", "err"),
    [
        ({"init": "xavier"}, ValueError),
        ({"init": 3}, TypeError),
        ({"init": "torch", "bias_std": -1.0}, ValueError),
        ({"weight_std": float("nan")}, ValueError),
    ],
)
def test_bad_init_arguments(kw, err):
    with pytest.raises(err):
        MLP(4, 8, 1, 1, **kw)
