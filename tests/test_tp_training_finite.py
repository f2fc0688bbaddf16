"""``widthlimits.mup.full_batch.full_batch_training``: the vectorized finite-width training that
``training_limit`` is the limit of; its conventions, its checks, and the n^(-1/2) rate."""

from __future__ import annotations

import numpy as np
import pytest

from widthlimits.stats import loglog_slope, mean_se
from widthlimits.tp.training import training_limit

torch = pytest.importorskip("torch")
from widthlimits.mup import MLP  # noqa: E402
from widthlimits.mup.full_batch import full_batch_training  # noqa: E402

RNG = np.random.default_rng(11)
X = RNG.standard_normal((4, 3))
Y = np.array([0.7, -0.4, 1.1])


def sgd_reference(par, width, seed, depth, lr, steps, n0):
    """One network trained with torch.optim.SGD on its own param_groups: the definition that
    full_batch_training vectorizes (SP's rate scaled by n0 / width)."""
    net = MLP(3, width, 1, depth, par, n0, "tanh", weight_std=1.0, bias=False,
              generator=torch.Generator().manual_seed(seed), dtype=torch.float64)  # fmt: skip
    opt = torch.optim.SGD(net.param_groups(lr * n0 / width if par == "sp" else lr))
    xs, ys = torch.tensor(X), torch.tensor(Y)
    fs = []
    for t in range(steps + 1):
        f = net(xs)[:, 0]
        fs.append(f.detach().numpy().copy())
        if t < steps:
            opt.zero_grad()
            (0.5 * ((f[:3] - ys) ** 2).mean()).backward()
            opt.step()
    acts = net.activations(xs)
    return np.array(fs), [(a @ a.T / width).detach().numpy() for a in acts]


@pytest.mark.parametrize("par", ["mup", "ntk", "sp"])
def test_vectorized_training_is_sgd_on_each_network(par):
    out = full_batch_training(X[:3], Y, X[3:], width=48, seeds=[3, 0], hidden_layers=2,
                              parametrization=par, lr=0.7, steps=3, base_width=4)  # fmt: skip
    for k, seed in enumerate([3, 0]):
        fs, kernels = sgd_reference(par, 48, seed, 2, 0.7, 3, 4)
        assert np.allclose(out.f_train_seeds[k], fs[:, :3], rtol=0, atol=1e-12)
        assert np.allclose(out.f_test_seeds[k], fs[:, 3:], rtol=0, atol=1e-12)
        want = 0.5 * ((fs[:, :3] - Y) ** 2).mean(1)
        assert np.allclose(out.loss_seeds[k], want, rtol=0, atol=1e-12)
    # seed means and errors of the two seeds, and the final kernels of the last seed
    assert np.allclose(out.f_train, out.f_train_seeds.mean(0))
    assert np.allclose(out.f_train_err, out.f_train_seeds.std(0, ddof=1) / np.sqrt(2))
    assert out.kernels[2][1].shape == (4, 4) and out.width == 48
    k_mean = (sgd_reference(par, 48, 3, 2, 0.7, 3, 4)[1][1] + kernels[1]) / 2
    assert np.allclose(out.kernels[2][1], k_mean, rtol=0, atol=1e-12)


def test_seeds_as_a_count_are_zero_to_count_minus_one():
    a = full_batch_training(X[:3], Y, width=16, seeds=3, steps=1)
    b = full_batch_training(X[:3], Y, width=16, seeds=np.array([0, 1, 2]), steps=1)
    assert np.array_equal(a.f_train_seeds, b.f_train_seeds)
    assert a.f_test.shape == (2, 0) and not np.array_equal(a.f_train_seeds[0], a.f_train_seeds[1])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"width": 0}, "width"),
        ({"width": 2.5}, "width"),
        ({"seeds": 1}, "seeds"),
        ({"seeds": [1, 1]}, "seeds"),
        ({"seeds": [-1, 2]}, "seeds"),
        ({"seeds": "ab"}, "seeds"),
        ({"parametrization": "mf"}, "parametrization"),
        ({"nonlinearity": "swish"}, "nonlinearity"),
        ({"lr": 0.0}, "lr"),
        ({"steps": 0}, "steps"),
        ({"loss": "xent"}, "loss"),
        ({"device": "tpu"}, "device"),
        ({"dtype": torch.int64}, "dtype"),
        ({"zero_readout": 1}, "zero_readout"),
        ({"X_test": [[1.0]]}, "X_test"),
        ({"y_train": [1.0]}, "one label per row"),
        ({"width": 10**7, "hidden_layers": 3}, "GB"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, match):
    args = {"X_train": X[:2], "y_train": [1.0, 0.0], "width": 8, "seeds": 2, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        full_batch_training(args.pop("X_train"), args.pop("y_train"), **args)


def per_seed_limit(par, lim, fin):
    """The limit each seed converges to: in µP the deterministic limit; in NTK and SP kernel
    gradient descent from the seed's own f_0 (the limit is affine in f_0)."""
    f = np.concatenate([fin.f_train_seeds, fin.f_test_seeds], axis=2)
    mean = np.hstack([lim.f_train, lim.f_test])
    if par == "mup":
        return f, np.broadcast_to(mean, f.shape)
    return f, mean + np.einsum("tij,sj->sti", lim.output_maps, f[:, 0])


@pytest.mark.slow
@pytest.mark.parametrize("par", ["mup", "ntk", "sp"])
def test_finite_networks_approach_the_limit_at_rate_n_to_the_minus_half(par):
    # per seed, the mean square deviation over steps >= 1 and inputs is ~ C / n; its root mean
    # over 32 seeds has a delta-method standard error; the fitted slope is within 5 standard
    # errors of -1/2 and its rival 0 (no convergence) is outside (one training and one test
    # input, one hidden layer: every integral of the limit is exact)
    Xr, steps, widths = X[:2], 3, 2 ** np.arange(8, 15)
    kw = {"parametrization": par, "lr": 0.8, "steps": steps, "base_width": 2}
    lim = training_limit(Xr[:1], Y[:1], Xr[1:], **kw)
    rms, rms_se = [], []
    for width in widths:
        fin = full_batch_training(Xr[:1], Y[:1], Xr[1:], width=int(width), seeds=32, **kw)
        f, target = per_seed_limit(par, lim, fin)
        ms = ((f - target)[:, 1:] ** 2).mean(axis=(1, 2))
        m, se = mean_se(ms)
        rms.append(np.sqrt(m))
        rms_se.append(se / (2 * np.sqrt(m)))
    slope, se = loglog_slope(widths, rms, rms_se)
    assert abs(slope + 0.5) <= 5 * se, (slope, se)
    assert abs(slope) > 5 * se, (slope, se)
