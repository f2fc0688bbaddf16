"""The infinite-width limit of training (``widthlimits.tp.training_limit``): against hand-written
integrals, against the deep linear program of Tensor Programs IV, and against finite networks."""

from __future__ import annotations

import numpy as np
import pytest

from widthlimits.tp import gaussian_expectation, linear_mup_program
from widthlimits.tp.training import training_limit

torch = pytest.importorskip("torch")
from widthlimits.mup.full_batch import full_batch_training  # noqa: E402


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


def assert_trains_to_the_limit(depth: int) -> None:
    """Width 2048, 16 seeds: the seed mean of every output at every step is within 5 standard
    errors (plus 5 of the engine's errors) of the limit."""
    # three training inputs and one test input in R^3: every integral is 4-dimensional, by
    # quasi-Monte Carlo (fewer inputs make many 3-dimensional quadratures, slower here)
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((4, 3)), np.array([1.0, -1.0, 0.5])
    kw = {"hidden_layers": depth, "nonlinearity": "tanh", "lr": 0.5, "steps": 3}
    out = training_limit(X[:3], y, X[3:], **kw)
    fin = full_batch_training(X[:3], y, X[3:], width=2048, seeds=16, **kw)
    mean = np.hstack([fin.f_train, fin.f_test])
    se = np.hstack([fin.f_train_err, fin.f_test_err])
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
        ({"parametrization": "mean-field"}, "parametrization"),
        ({"parametrization": 1}, "parametrization"),
        ({"hidden_layers": 5}, "hidden_layers"),
        ({"steps": 21}, "steps"),
        ({"weight_std": 0.0}, "weight_std"),
        ({"base_width": 0}, "base_width"),
        ({"X_train": [[1.0, 0.0]] * 17, "y_train": [1.0] * 17}, "at most 16"),
        ({"rng": 3}, "rng"),
        ({"mc_samples": 10}, "mc_samples"),
        ({"mc_repeats": 1}, "mc_repeats"),
        ({"lr": -1.0}, "lr"),
        ({"steps": 0}, "steps"),
        ({"zero_readout": "no"}, "zero_readout"),
        ({"loss": "xent"}, "loss"),
    ],
)
@pytest.mark.parametrize("parametrization", ["mup", "ntk", "sp"])
def test_bad_input_is_a_clear_error(kwargs, match, parametrization):
    args = {"X_train": [[1.0, 0.0]], "y_train": [1.0], "parametrization": parametrization,
            **kwargs}  # fmt: skip
    with pytest.raises((ValueError, TypeError), match=match):
        training_limit(args.pop("X_train"), args.pop("y_train"), **args)


@pytest.mark.parametrize("parametrization", ["mup", "MuP", "µP", "ntk", "NTK", "sp", "standard"])
@pytest.mark.parametrize("nonlinearity", ["relu", "tanh", "erf", "gelu", "linear", "ReLU"])
def test_every_nonlinearity_and_parametrization_name_is_accepted(nonlinearity, parametrization):
    # one input, one layer, one step: exact; the step lowers the loss of a target at 1
    out = training_limit([[1.0, 0.5]], [1.0], nonlinearity=nonlinearity,
                         parametrization=parametrization, lr=0.2, steps=1)  # fmt: skip
    assert out.loss[1] < out.loss[0]
    # relu in µP: kinks off the linear forms after a step, so the quadrature error is ~1e-4
    assert out.f_train_err.max() < 1e-3 and np.isfinite(out.f_train).all()
