"""widthlimits.mup.optim: learning rates, weight decay, schedules, µP = SP at the base width,
and a coordinate check of a model built only from the library's API."""

import numpy as np
import pytest
import torch
from torch import nn

from widthlimits.mup import Readout, init_, param_groups, set_base_shapes, set_lr
from widthlimits.stats import loglog_slope, mean_se


def build(n, readout=True, seed=0, d_in=16, d_out=10):
    with torch.random.fork_rng():  # nn.Linear's init takes no generator; fork_rng restores it
        torch.manual_seed(seed)
        head = Readout(n, d_out) if readout else nn.Linear(n, d_out)
        return nn.Sequential(nn.Linear(d_in, n), nn.ReLU(), nn.Linear(n, n), nn.ReLU(), head)


def rates(model, shapes, optimizer, lr=1.0, wd=0.0):
    out = {}
    for g in param_groups(model, shapes, lr, optimizer=optimizer, weight_decay=wd):
        out.update({name: (g["lr"], g["weight_decay"]) for name in g["names"]})
    return out


def test_learning_rates_follow_the_table():
    # width 256 over base 64: rho = 4; the table of widthlimits.mup.optim, written out by hand
    model = build(256)
    shapes = set_base_shapes(model, build(64))
    sgd = {k: v[0] for k, v in rates(model, shapes, "sgd").items()}
    assert sgd == {
        "0.weight": 4.0,
        "0.bias": 4.0,
        "2.weight": 1.0,
        "2.bias": 4.0,
        "4.weight": 4.0,
        "4.bias": 1.0,
    }
    for opt in ("adam", "AdamW"):
        adam = {k: v[0] for k, v in rates(model, shapes, opt).items()}
        assert adam == {
            "0.weight": 1.0,
            "0.bias": 1.0,
            "2.weight": 0.25,
            "2.bias": 1.0,
            "4.weight": 1.0,
            "4.bias": 1.0,
        }


def test_rectangular_hidden_weights_use_the_ratio_of_multipliers():
    make = lambda n: nn.Sequential(nn.Linear(n, 2 * n), nn.Linear(2 * n, n))  # noqa: E731
    model = make(32)
    shapes = set_base_shapes(model, make(8), delta=make(16))
    sgd = {k: v[0] for k, v in rates(model, shapes, "sgd").items()}
    assert sgd["0.weight"] == sgd["1.weight"] == 1.0  # both multipliers are 4
    shapes = set_base_shapes(
        model, {"0.weight": (64, 8), "0.bias": (64,), "1.weight": (32, 64), "1.bias": (32,)}
    )
    sgd = {k: v[0] for k, v in rates(model, shapes, "sgd").items()}
    assert sgd["0.weight"] == 4.0  # fan-out 64 -> 64 finite, fan-in 8 -> 32: a readout-like
    assert shapes["0.weight"].role == "output"
    # a hidden weight whose fan-out grows 4x and fan-in 2x: SGD's rate is 4 / 2 (TP5, Table 8)
    layer = nn.Linear(32, 64)
    shapes = set_base_shapes(layer, {"weight": (16, 16), "bias": (16,)})
    entry = shapes["weight"]
    assert (entry.role, entry.fan_out_mult, entry.fan_in_mult) == ("hidden", 4.0, 2.0)
    assert rates(layer, shapes, "sgd")["weight"][0] == 2.0
    assert rates(layer, shapes, "adam")["weight"][0] == 0.5


def test_weight_decay_per_step_is_width_independent():
    for n in (64, 256, 1024):
        model = build(n)
        shapes = set_base_shapes(model, build(64), delta=build(128))
        for opt in ("sgd", "adam", "adamw"):
            products = {
                round(lr * wd, 15) for lr, wd in rates(model, shapes, opt, 1e-3, 0.1).values()
            }
            assert products == {1e-4}


def test_bad_input_raises():
    model = build(64)
    shapes = set_base_shapes(model, build(32))
    with pytest.raises(ValueError, match="optimizer must be one of 'sgd', 'adam', 'adamw'"):
        param_groups(model, shapes, 0.1, optimizer="lion")
    with pytest.raises(ValueError, match="lr must be"):
        param_groups(model, shapes, 0.0)
    with pytest.raises(ValueError, match="weight_decay"):
        param_groups(model, shapes, 0.1, weight_decay=-1.0)
    with pytest.raises(TypeError, match="DepthRule"):
        param_groups(model, shapes, 0.1, depth=2)
    with pytest.raises(TypeError, match="Shapes of set_base_shapes"):
        init_(model, {"0.weight": (64, 16)})
    with pytest.raises(ValueError, match="same parameter names"):
        param_groups(nn.Linear(3, 3), shapes, 0.1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="no 'lr_mult'"):
        set_lr(opt, 0.1)


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_mup_equals_sp_at_the_base_width_bit_for_bit(name):
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(32, 16, generator=g), torch.randint(0, 10, (32,), generator=g)
    sp, mu = build(64, readout=False, seed=5), build(64, readout=True, seed=5)
    shapes = set_base_shapes(mu, build(64), delta=build(128))  # real roles, multipliers 1
    assert shapes["2.weight"].role == "hidden"
    init_(mu, shapes)
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[name]
    extra = {"momentum": 0.9} if name == "sgd" else {}
    opt_sp = cls(sp.parameters(), lr=0.05, weight_decay=0.01, **extra)
    opt_mu = cls(param_groups(mu, shapes, 0.05, optimizer=name, weight_decay=0.01), **extra)
    for _ in range(4):
        for model, opt in ((sp, opt_sp), (mu, opt_mu)):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
    assert torch.equal(sp(x), mu(x))
    assert all(torch.equal(a, b) for a, b in zip(sp.parameters(), mu.parameters(), strict=True))


def test_init_rescales_the_readout_and_the_biases():
    model = build(1024, seed=2)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    shapes = set_base_shapes(model, build(64))
    init_(model, shapes)
    after = dict(model.named_parameters())
    assert torch.equal(after["4.weight"], 4 * before["4.weight"])  # sqrt(1024 / 64)
    assert torch.equal(after["2.bias"], 4 * before["2.bias"])  # its layer's fan-in grows
    assert torch.equal(after["0.bias"], before["0.bias"])  # fan-in 16, finite
    assert torch.equal(after["2.weight"], before["2.weight"])
    # the readout's weights now have the base width's spread, 1/sqrt(3 * 64), not 1/sqrt(3 * 1024)
    std = float(after["4.weight"].detach().std())
    assert abs(std - (3 * 64) ** -0.5) < 0.05 * (3 * 64) ** -0.5


def test_schedulers_keep_the_multipliers():
    model = build(256)
    shapes = set_base_shapes(model, build(64))
    opt = torch.optim.Adam(param_groups(model, shapes, 1e-2, optimizer="adam"))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1.0 / (1 + t))
    for _ in range(3):
        opt.step()
        sched.step()
    assert [g["lr"] for g in opt.param_groups] == pytest.approx(
        [1e-2 / 4 * g["lr_mult"] for g in opt.param_groups]
    )
    set_lr(opt, 2e-3)
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([2e-3, 2e-3 / 4])


def _change(n, mu, seed, optimizer, lr, x, y, steps=3, base=64):
    """Mean |x_t - x_0| of the two hidden layers and the output after ``steps`` steps."""
    model = build(n, readout=mu, seed=seed)
    if mu:
        shapes = set_base_shapes(model, build(base, seed=seed))
        groups = param_groups(init_(model, shapes), shapes, lr, optimizer=optimizer)
    else:
        groups = [{"params": list(model.parameters()), "lr": lr}]
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(groups)

    def features():
        out, h = [], x
        for k, layer in enumerate(model):
            h = layer(h)
            out += [h.detach()] if k in (1, 3, 4) else []
        return out

    first = features()
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return [float((a - b).abs().mean()) for a, b in zip(features(), first, strict=True)]


@pytest.mark.parametrize(("optimizer", "lr"), [("adam", 1e-2), ("sgd", 0.1)])
def test_coordinate_check_is_flat_in_mup_and_not_in_sp(optimizer, lr):
    # Widths 64..512, 3 seeds, 3 steps. µP: every layer's change has a log-log slope within
    # 0.1 of 0 (measured about 0.02 here, standard errors about 0.02). The rival, SP with the
    # same rate: the second hidden layer and the output grow (measured slopes 0.25-0.8).
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(64, 16, generator=g), torch.randint(0, 10, (64,), generator=g)
    widths = [64, 128, 256, 512]
    slopes = {}
    for mu in (True, False):
        vals = np.array(
            [[_change(n, mu, s, optimizer, lr, x, y) for s in range(3)] for n in widths]
        )
        m, se = mean_se(vals, axis=1)
        slopes[mu] = [loglog_slope(widths, m[:, k], se[:, k])[0] for k in range(3)]
    assert all(abs(s) < 0.1 for s in slopes[True]), slopes
    assert slopes[False][1] > 0.15 and slopes[False][2] > 0.3, slopes
