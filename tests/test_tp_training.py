"""The infinite-width limit of training (``widthlimits.tp.training_limit``): against hand-written
integrals, against the deep linear program of Tensor Programs IV, and against finite networks."""

from __future__ import annotations

import numpy as np
import pytest

from widthlimits.tp import gaussian_expectation, linear_mup_program
from widthlimits.tp.training import training_limit

torch = pytest.importorskip("torch")


def test_one_step_of_one_input_matches_the_integral_written_by_hand():
    # f_1 = E[(v + eta n0 y phi(h)) phi(h + (eta/n0)|xi|^2 y v phi'(h))], h ~ N(0, s^2|xi|^2/d),
    # v ~ N(0, s^2 n0) independent, since f_0 = 0 and chi_0 = -y
    xi, y, eta, n0, s = np.array([0.6, -1.2]), 0.7, 0.4, 2, 1.3
    q = s**2 * xi @ xi / 2

    def f1(h, v):
        dphi = 1 - np.tanh(h) ** 2
        return (v + eta * n0 * y * np.tanh(h)) * np.tanh(h + eta / n0 * (xi @ xi) * y * v * dphi)

    hand = gaussian_expectation(f1, [[q, 0.0], [0.0, s**2 * n0]])
    out = training_limit([xi], [y], nonlinearity="tanh", lr=eta, steps=1, base_width=n0,
                         weight_std=s)  # fmt: skip
    assert out.f_train[0, 0] == pytest.approx(0.0, abs=1e-15)
    assert out.f_train[1, 0] == pytest.approx(hand, abs=1e-9)
    assert out.loss[1] == pytest.approx(0.5 * (hand - y) ** 2, abs=1e-9)


def test_one_step_of_a_deep_linear_network_is_three_eta_y():
    # f_1 = eta y (|xi|^2 + |h|^2 + |v|^2 terms) = 3 eta y at xi = 1, unit variances
    out = training_limit([[1.0]], [0.5], hidden_layers=2, nonlinearity="identity", lr=0.1,
                         steps=1)  # fmt: skip
    assert out.f_train[1, 0] == pytest.approx(3 * 0.1 * 0.5, abs=1e-9)


@pytest.mark.slow
def test_two_linear_layers_agree_with_the_deep_linear_program_of_tp4():
    # the same network, written independently (widthlimits.tp.linear_mup_program); both limits
    # use quasi-Monte Carlo past step 1, so they agree within 5 of their combined errors
    lr, target, steps = 0.2, 1.0, 2
    exact = linear_mup_program(lr, target, steps).limit(return_error=True)
    out = training_limit([[1.0]], [target], hidden_layers=2, nonlinearity="linear", lr=lr,
                         steps=steps)  # fmt: skip
    want = np.array([exact[f"f{t}"][0] for t in range(steps + 1)])
    want_err = np.array([exact[f"f{t}"][1] for t in range(steps + 1)])
    tol = 5 * np.hypot(want_err, out.f_train_err[:, 0]) + 1e-9
    assert np.all(np.abs(out.f_train[:, 0] - want) <= tol), (out.f_train[:, 0], want, tol)


def finite_outputs(X, y, n_train, depth, lr, steps, width, seeds, act="tanh"):
    """Outputs of the finite torch MLP trained the way training_limit's docstring says."""
    from widthlimits.mup import MLP

    runs = []
    for seed in range(seeds):
        net = MLP(X.shape[1], width, 1, depth, "mup", base_width=1, bias=False, weight_std=1.0,
                  nonlinearity=act, generator=torch.Generator().manual_seed(seed),
                  dtype=torch.float64)  # fmt: skip
        opt = torch.optim.SGD(net.param_groups(lr))
        xi, yt = torch.tensor(X), torch.tensor(y)
        fs = []
        for t in range(steps + 1):
            f = net(xi)[:, 0]
            fs.append(f.detach().numpy().copy())
            if t < steps:
                opt.zero_grad()
                (0.5 * ((f[:n_train] - yt) ** 2).mean()).backward()
                opt.step()
        runs.append(fs)
    return np.array(runs)  # seed, step, input


def assert_trains_to_the_limit(depth: int) -> None:
    """Width 2048, 16 seeds: the seed mean of every output at every step is within 5 standard
    errors (plus 5 of the engine's errors) of the limit."""
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((3, 3)), np.array([1.0, -1.0])
    out = training_limit(X[:2], y, X[2:], hidden_layers=depth, nonlinearity="tanh", lr=0.5,
                         steps=3)  # fmt: skip
    runs = finite_outputs(X, y, 2, depth, 0.5, 3, 2048, 16)
    mean, se = runs.mean(0), runs.std(0, ddof=1) / 4
    lim = np.hstack([out.f_train, out.f_test])
    err = np.hstack([out.f_train_err, out.f_test_err])
    assert np.all(np.abs(mean - lim) <= 5 * se + 5 * err), (mean, lim, se)
    # the limit moved: a bug that froze training (f stays at its initial 0) would fail above
    assert np.all(np.abs(lim[1:]) > 10 * se[1:])


def test_a_wide_finite_network_trains_to_the_limit():
    assert_trains_to_the_limit(1)


@pytest.mark.slow
def test_two_hidden_layers_train_to_the_limit():
    assert_trains_to_the_limit(2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X_train": [[1.0, np.nan]]}, "X_train"),
        ({"y_train": [1.0, 2.0]}, "one label per row"),
        ({"X_test": [[1.0]]}, "X_test must have 2 columns"),
        ({"hidden_layers": 0}, "hidden_layers"),
        ({"hidden_layers": 1.0}, "hidden_layers"),
        ({"nonlinearity": "swish"}, "nonlinearity"),
        ({"parametrization": "ntk"}, "parametrization"),
        ({"lr": -1.0}, "lr"),
        ({"steps": 0}, "steps"),
        ({"zero_readout": "no"}, "zero_readout"),
        ({"loss": "xent"}, "loss"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, match):
    args = {"X_train": [[1.0, 0.0]], "y_train": [1.0], **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        training_limit(args.pop("X_train"), args.pop("y_train"), **args)
