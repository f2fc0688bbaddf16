"""Tests of the mup model: conventions, muP == SP at base width, learning rates, coord check."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from widthlimits.mup import ABC, MLP, coord_check, mup, ntk
from widthlimits.stats import loglog_slope, mean_se


def gen(seed):
    return torch.Generator().manual_seed(seed)


X = torch.randn(24, 6, generator=gen(100))
Y = torch.arange(24) % 3


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("nonlinearity", ["relu", "tanh"])
def test_mup_equals_sp_at_base_width_bit_for_bit(optimizer, nonlinearity):
    """At width == base_width, muP and SP have the same initial function and the same first two
    steps, bit for bit (torch.equal, not allclose)."""
    outs = []
    for p in ("sp", "mup"):
        net = MLP(
            6, 48, 3, 3, p, base_width=48, nonlinearity=nonlinearity, bias_std=0.5, generator=gen(0)
        )
        opt = (
            torch.optim.SGD(net.param_groups(0.3))
            if optimizer == "sgd"
            else torch.optim.Adam(net.param_groups(0.01, "adam"))
        )
        traj = [net(X).detach().clone()]
        for _ in range(2):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(X), Y).backward()
            opt.step()
            traj.append(net(X).detach().clone())
        outs.append(traj)
    assert not torch.equal(outs[0][0], outs[0][1])  # training did something
    for a, b in zip(*outs, strict=True):
        assert torch.equal(a, b)


def test_mup_differs_from_sp_away_from_base_width():
    """Away from the base width the two parametrizations are different models."""
    sp = MLP(6, 96, 3, 2, "sp", base_width=48, generator=gen(0))
    mp = MLP(6, 96, 3, 2, "mup", base_width=48, generator=gen(0))
    assert not torch.allclose(sp(X), mp(X))


def test_ntk_preset_is_not_sp_at_base_width():
    """The "ntk" preset keeps sigma_w / sqrt(fan-in) as a multiplier: at the base width it is SP's
    initial function (up to float32 rounding) but not SP's training (its SGD rate on W is
    eta sigma_w^2 / fan-in); an ABC equal to ntk(L) is SP there, bit for bit."""
    trajs = {}
    for p in ("sp", "ntk", ntk(2)):
        net = MLP(6, 48, 3, 2, p, base_width=48, bias_std=0.5, generator=gen(0))
        opt = torch.optim.SGD(net.param_groups(0.3))
        f0 = net(X).detach().clone()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(X), Y).backward()
        opt.step()
        trajs[str(p)] = (f0, net(X).detach().clone())
    sp, nt, abc = trajs["sp"], trajs["ntk"], trajs[str(ntk(2))]
    assert torch.allclose(sp[0], nt[0], atol=1e-5)  # float32 rounding of (gamma W) x vs gamma (W x)
    assert (sp[1] - nt[1]).abs().max() > 1e-2
    assert torch.equal(sp[0], abc[0]) and torch.equal(sp[1], abc[1])


def test_microsoft_mup_storage_trains_the_same_network():
    """microsoft's mup stores muP with absorbed input and hidden layers and a readout rho W behind
    a multiplier 1/rho, trained by MuSGD's rates (vector-like tensors times rho, the readout bias
    at eta). In float64 that is MLP(..., "mup") at every step, to rounding."""
    n0, width, lr = 32, 96, 0.3
    rho = width / n0
    ref = MLP(
        6, width, 3, 2, "mup", base_width=n0, bias_std=0.5, generator=gen(0), dtype=torch.float64
    )
    ws = [torch.nn.Parameter(m * w.detach()) for m, w in zip(ref.w_mult, ref.weights, strict=True)]
    bs = [torch.nn.Parameter(m * b.detach()) for m, b in zip(ref.b_mult, ref.biases, strict=True)]
    ws[-1] = torch.nn.Parameter(rho * ws[-1].detach())
    rates = [rho, 1.0, rho, rho, rho, 1.0]
    opt = torch.optim.SGD(
        [{"params": [p], "lr": lr * f} for p, f in zip(ws + bs, rates, strict=True)]
    )
    ref_opt = torch.optim.SGD(ref.param_groups(lr))
    xd = X.double()

    def package_forward():
        h = torch.relu(xd @ ws[0].T + bs[0])
        h = torch.relu(h @ ws[1].T + bs[1])
        return (h / rho) @ ws[2].T + bs[2]

    for _ in range(3):
        assert torch.allclose(package_forward(), ref(xd), rtol=0, atol=1e-12)
        for o, f in ((opt, package_forward), (ref_opt, lambda: ref(xd))):
            o.zero_grad()
            torch.nn.functional.cross_entropy(f(), Y).backward()
            o.step()
    assert torch.allclose(package_forward(), ref(xd), rtol=0, atol=1e-12)


def test_param_groups_follow_the_tables():
    """muP learning rates on w at width 4 * base: SGD eta for every tensor (global c = 0), and the
    effective rates on W = multiplier * w are eta * (n, 1, 1/n) relative to the base for SGD and
    eta * (1, 1/n, 1/n) for Adam, as in the module's table."""
    n0, rho = 32, 4
    net = MLP(5, n0 * rho, 2, 3, "mup", base_width=n0, generator=gen(0), bias=False)
    sgd = [g["lr"] for g in net.param_groups(1.0, "sgd")]
    adam = [g["lr"] for g in net.param_groups(1.0, "adam")]
    assert sgd == [1.0] * 4
    # effective SGD rate on W^l is multiplier^2 * lr; effective Adam rate is multiplier * lr
    eff_sgd = [m**2 * lr for m, lr in zip(net.w_mult, sgd, strict=True)]
    eff_adam = [m * lr for m, lr in zip(net.w_mult, adam, strict=True)]
    assert eff_sgd == pytest.approx([rho, 1.0, 1.0, 1 / rho])
    assert eff_adam == pytest.approx([1.0, 1 / rho, 1 / rho, 1 / rho])
    sp = MLP(5, n0 * rho, 2, 3, "sp", base_width=n0, generator=gen(0), bias=False)
    assert [g["lr"] for g in sp.param_groups(1.0, "adam")] == [1.0] * 4


def test_ntk_convention_multipliers():
    """NTK parameterization: multipliers weight_std / sqrt(fan_in) (input: sqrt(d_in)), N(0,1)
    weights, bias multiplier bias_std."""
    net = MLP(9, 100, 1, 2, "ntk", weight_std=1.5, bias_std=0.3, generator=gen(0))
    assert net.w_mult == pytest.approx([1.5 / 3, 1.5 / 10, 1.5 / 10])
    assert net.b_mult == pytest.approx([0.3, 0.3, 0.3])
    w = torch.cat([p.detach().ravel() for p in net.weights])
    assert float(w.std()) == pytest.approx(1.0, abs=0.02)  # 10,990 N(0,1) draws: se 0.007


def test_ntk_linear_network_output_variance_is_the_nngp():
    """For a linear NTK-parametrized network the NNGP kernel is sigma_w^{2(L+1)} |x|^2 / d, plus
    bias terms; the output variance over 400 networks must match within 5 standard errors."""
    sw, sb, d, L = 1.3, 0.4, 7, 2
    x = torch.randn(1, d, generator=gen(1))
    k = float((x**2).sum()) / d
    for _ in range(L + 1):
        k = sw**2 * k + sb**2
    with torch.no_grad():
        outs = np.array(
            [
                float(
                    MLP(
                        d,
                        256,
                        1,
                        L,
                        "ntk",
                        nonlinearity="linear",
                        weight_std=sw,
                        bias_std=sb,
                        generator=gen(s),
                    )(x)
                )
                for s in range(400)
            ]
        )
    m, se = mean_se(outs**2)
    assert abs(float(m) - k) <= 5 * float(se)


def test_activations_apply_multipliers():
    """activations() returns phi(h^l) with multipliers, and the forward pass reads the last one."""
    net = MLP(6, 32, 3, 3, "mup", generator=gen(0), bias=False)
    acts = net.activations(X)
    h1 = torch.relu(X @ net.weights[0].T * net.w_mult[0])
    assert torch.allclose(acts[0], h1)
    out = acts[-1] @ net.weights[-1].T * net.w_mult[-1]
    assert torch.allclose(net(X), out)


def test_zero_readout():
    """A zero readout gives a zero output at init and leaves the hidden layers as drawn."""
    a = MLP(6, 32, 3, 2, "mup", generator=gen(0), zero_readout=True)
    b = MLP(6, 32, 3, 2, "mup", generator=gen(0))
    assert torch.all(a(X) == 0)
    assert torch.equal(a.activations(X)[-1], b.activations(X)[-1])


def test_generator_is_the_only_randomness():
    """Same generator seed, same network; different seed, different network."""
    a = MLP(6, 16, 2, 2, generator=gen(3))(X)
    b = MLP(6, 16, 2, 2, generator=gen(3))(X)
    c = MLP(6, 16, 2, 2, generator=gen(4))(X)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_abc_instance():
    """An ABC instance with n0 = 1 uses multipliers n^{-a_l} exactly."""
    p = ABC([-0.5, 0.5], [0.5, 0.5], 0.0)
    net = MLP(3, 64, 1, 1, p, generator=gen(0))
    assert net.w_mult == pytest.approx([8.0, 1 / 8])
    assert [g["lr"] for g in net.param_groups(0.5)][0] == 0.5


@pytest.mark.parametrize(
    ("kwargs", "err"),
    [
        ({"width": 0}, ValueError),
        ({"width": 2.5}, TypeError),
        ({"depth": 0}, ValueError),
        ({"parametrization": "spp"}, ValueError),
        ({"parametrization": 3}, TypeError),
        ({"parametrization": mup(3)}, ValueError),  # wrong number of layers
        ({"nonlinearity": "sigmoidish"}, ValueError),
        ({"nonlinearity": 3}, TypeError),
        ({"weight_std": -1.0}, ValueError),
        ({"bias_std": math.nan}, ValueError),
        ({"generator": 0}, TypeError),
        ({"base_width": 0}, ValueError),
    ],
)
def test_bad_construction(kwargs, err):
    args = {"d_in": 3, "width": 8, "d_out": 1, "depth": 2, **kwargs}
    with pytest.raises(err):
        MLP(**args)


def test_bad_calls():
    net = MLP(3, 8, 1, 2, generator=gen(0))
    with pytest.raises(ValueError):
        net(torch.zeros(4, 5))
    with pytest.raises(TypeError):
        net.activations(torch.zeros(4, 3, dtype=torch.bool))
    with pytest.raises(ValueError):
        net.param_groups(-1.0)
    with pytest.raises(ValueError):
        net.param_groups(0.1, "rmsprop")


def _slopes(parametrization, lr, *, steps=1, zero_readout=False):
    widths = [256, 512, 1024, 2048]
    out = coord_check(
        widths,
        parametrization,
        depth=2,
        steps=steps,
        lr=lr,
        x=X,
        y=Y,
        seeds=(0, 1, 2, 3),
        base_width=64,
        zero_readout=zero_readout,
    )
    change = out["change"][:, :, steps, :]  # width, seed, layer after the last step
    m, se = change.mean(axis=1), change.std(axis=1, ddof=1) / 2
    return [loglog_slope(widths, m[:, k], se[:, k]) for k in range(3)]


def test_coord_check_slopes():
    """TP4's scalings of the change of every layer, measured by weighted log-log fits over 4 seeds
    at widths 256..2048, each within 5 standard errors of theory. muP (zero readout, two steps:
    the first step only moves the readout): every layer's change is Theta(1), slope 0. NTP after
    one step: hidden changes Theta(n^{-1/2}), output change Theta(1). SP with a fixed learning rate
    after one step: the output's change grows at least like n (the readout's own update)."""
    for s, se in _slopes("mup", 0.5, steps=2, zero_readout=True):
        assert abs(s) <= 5 * se
    ntk = _slopes("ntk", 0.5)
    for s, se in ntk[:2]:
        assert abs(s + 0.5) <= 5 * se
    assert abs(ntk[2][0]) <= 5 * ntk[2][1]
    out_slope, out_se = _slopes("sp", 0.5)[2]
    assert out_slope >= 1 - 5 * out_se


def test_zero_readout_freezes_the_first_step():
    """With a zero readout the backpropagated signal is zero at initialization, so one SGD step
    moves only the readout: every hidden layer's change after step 1 is exactly zero."""
    out = coord_check([32, 64], "mup", depth=2, steps=1, x=X, y=Y, seeds=(0,), zero_readout=True)
    assert np.all(out["change"][:, :, 1, :2] == 0)
    assert np.all(out["change"][:, :, 1, 2] > 0)


def test_coord_check_shapes_and_errors():
    out = coord_check([16, 32], "sp", depth=2, steps=2, x=X, y=Y, seeds=(0,))
    assert out["size"].shape == (2, 1, 3, 3)
    assert np.all(out["change"][:, :, 0, :] == 0)  # no change before the first step
    with pytest.raises(ValueError):
        coord_check([], x=X, y=Y)
    with pytest.raises(ValueError):
        coord_check([16], x=X)
    with pytest.raises(ValueError):
        coord_check([16, 32], "sp", lr=1e6, x=X * 100, y=Y, seeds=(0,), steps=3)


def test_plot_coord_check_draws_the_seed_means_at_the_step_asked():
    """Each layer's curve is the mean over seeds of the chosen quantity at the chosen step (the
    default is the last step), against the widths."""
    import matplotlib.pyplot as plt

    from widthlimits.mup import plot_coord_check

    out = coord_check([16, 32], "mup", depth=1, steps=2, x=X, y=Y, seeds=(0, 1))
    for step, quantity in ((1, "change"), (-1, "change"), (0, "size")):
        ax = plot_coord_check(out, step=step, quantity=quantity)
        for k, line in enumerate(ax.get_lines()):
            assert list(line.get_xdata()) == [16, 32]
            assert np.allclose(line.get_ydata(), out[quantity][:, :, step, k].mean(axis=1))
        plt.close(ax.figure)


def test_linear_mup_first_step_approaches_the_tensor_program_limit():
    """The first SGD step of the linear µP network tends to f_1 = 3 η y (the chapter's
    proposition): at width 1024 the mean over 8 seeds is within 5 standard errors plus the
    O(1/n) bias allowance 0.05 of 0.3 (the seed s.e. is about 0.01); a loss without its 1/2 would
    give 0.6."""
    from widthlimits.mup import train_linear_mup

    f1 = np.array([train_linear_mup(1024, 0.1, 1.0, 1, gen(s))[1] for s in range(8)])
    m, se = mean_se(f1)
    assert abs(m - 0.3) <= 5 * se + 0.05
