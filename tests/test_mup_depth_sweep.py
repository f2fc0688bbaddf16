"""The residual-MLP depth sweep: its rules, its Sweep, and its errors."""

import importlib
import math

import numpy as np
import pytest
import torch

from widthlimits.mup import optimal_lr, transfer_stats
from widthlimits.mup.depth_sweep import RULES, _factors, _forward, _init, depth_sweep

SMALL = dict(seeds=(0, 1), steps=2, width=8)


def test_rules_follow_mup_depth():
    """Depth-µP: multiplier sqrt(L0/L), Adam's block lr sqrt(L0/L), SGD's 1; plain µP: 1, 1."""
    assert _factors("depth-mup", 16, 4, "adam") == pytest.approx((0.5, 0.5))
    assert _factors("depth-mup", 16, 4, "sgd") == pytest.approx((0.5, 1.0))
    assert _factors("completep", 16, 4, "adam") == pytest.approx((0.25, 1.0))
    assert _factors("mup", 16, 4, "adam") == (1.0, 1.0)
    assert set(RULES) == {"depth-mup", "completep", "mup"}


def test_forward_is_the_residual_recursion():
    """The batched forward pass equals the formula of the module docstring for one model."""
    p = _init(3, 8, 5, 4, [0], 1, torch.float64)
    with torch.no_grad():
        p["wo"].normal_(generator=torch.Generator().manual_seed(1))
    x = torch.randn(6, 5, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    h = x @ p["w0"][0].T
    for l in range(3):
        h = h + 0.5 * torch.relu(h) @ p["wb"][0, l].T
    assert torch.allclose(_forward(p, x, 0.5)[0], h @ p["wo"][0].T, atol=1e-12)


def test_init_variances():
    """Blocks have variance 1/n, the input layer 1/d (relative SE of a variance ~ sqrt(2/N))."""
    p = _init(2, 256, 64, 10, [0], 1, torch.float64)
    assert float(p["wb"].detach().var()) * 256 == pytest.approx(
        1.0, rel=5 * math.sqrt(2 / (2 * 256**2))
    )
    assert float(p["w0"].detach().var()) * 64 == pytest.approx(
        1.0, rel=5 * math.sqrt(2 / (256 * 64))
    )
    assert float(p["wo"].detach().abs().max()) == 0.0


def test_sweep_shape_and_base_depth_identity():
    out = depth_sweep([1, 2, 4], [0.01, 0.02], rules=("depth-mup", "completep", "mup"), **SMALL)
    assert out.shape == (3, 1, 3, 2, 2) and out.settings["width_axis"] == "depth"
    # at L = L0 every rule is the same network, trained on the same minibatches
    assert np.array_equal(out.train_loss[0, 0, 0], out.train_loss[2, 0, 0])
    assert np.array_equal(out.train_loss[1, 0, 0], out.train_loss[2, 0, 0])
    # deeper than L0 the rules differ
    assert not np.array_equal(out.train_loss[0, 0, 2], out.train_loss[2, 0, 2])
    assert optimal_lr(out.select(parametrization="mup", optimizer="adam", width=4))["index"] in (
        0,
        1,
    )
    s = transfer_stats(out, parametrization="mup")
    assert s["index"].shape == (3,)


def test_seeds_change_the_run_and_repeat_exactly():
    a = depth_sweep([1, 2, 3], [0.01, 0.02], rules=("mup",), **SMALL)
    b = depth_sweep([1, 2, 3], [0.01, 0.02], rules=("mup",), **SMALL)
    assert np.array_equal(a.train_loss, b.train_loss)
    assert not np.array_equal(a.train_loss[..., 0], a.train_loss[..., 1])


def test_training_lowers_the_loss_and_weight_decay_acts():
    out = depth_sweep([1, 2, 3], [1e-3, 2e-3], rules=("mup",), seeds=(0, 1), steps=10, width=8)
    assert np.all(out.train_loss < math.log(10))  # zero readout starts at log 10
    wd = depth_sweep(
        [1, 2, 3], [1e-3, 2e-3], rules=("mup",), seeds=(0, 1), steps=10, width=8, weight_decay=50.0
    )
    assert not np.array_equal(out.train_loss, wd.train_loss)


def test_sgd_runs():
    out = depth_sweep([1, 2, 3], [0.01, 0.1], optimizer="SGD", **SMALL)
    assert out.coords["optimizer"] == ("sgd",) and np.isfinite(out.train_loss).all()


@pytest.mark.parametrize(
    ("kw", "err"),
    [
        ({"depths": [2, 1]}, ValueError),
        ({"depths": [0, 1]}, ValueError),
        ({"lrs": [0.1, 0.3, 0.4]}, ValueError),
        ({"rules": ("depth-mup", "dmup")}, ValueError),
        ({"rules": "mup"}, TypeError),
        ({"rules": ("mup", "mup")}, ValueError),
        ({"optimizer": "lion"}, ValueError),
        ({"weight_decay": -1.0}, ValueError),
        ({"width": 0}, ValueError),
        ({"seeds": (0, 0)}, ValueError),
        ({"width": 10**6, "depths": [1, 2, 64]}, ValueError),
    ],
)
def test_bad_input(kw, err):
    args = {"depths": [1, 2], "lrs": [0.01, 0.02], **SMALL, **kw}
    with pytest.raises(err):
        depth_sweep(args.pop("depths"), args.pop("lrs"), **args)


def test_adam_moves_blocks_by_the_depth_rule(monkeypatch):
    """The readout starts at zero, so the first step moves only it; the second is the first
    Adam step of the other layers, which moves each entry by the same multiple of its learning
    rate (up to eps). So the blocks' largest move over the input layer's is the depth factor:
    sqrt(L0 / L) under Depth-µP, 1 under plain µP."""
    # the module, even if widthlimits.mup ever exports the function of the same name
    ds = importlib.import_module("widthlimits.mup.depth_sweep")

    kept = []

    def keep(*args):
        p = _init(*args)
        kept.append({k: v.detach().clone() for k, v in p.items()} | {"live": p})
        return p

    monkeypatch.setattr(ds, "_init", keep)
    depth_sweep([1, 4], [1e-2, 2e-2], rules=("depth-mup", "mup"), seeds=(0,), steps=2, width=8)
    for run, factor in zip(kept, (1.0, 0.5, 1.0, 1.0), strict=True):  # (rule, depth) in order
        moved = {k: float((run["live"][k].detach() - run[k])[0].abs().max()) for k in ("wb", "w0")}
        assert moved["wb"] / moved["w0"] == pytest.approx(factor, rel=1e-3)
