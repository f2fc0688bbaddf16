"""Tests of the limit kernels (widthlimits.kernels.recursion, duals, quadrature, regression):
hand-computed values, a naive reference, Monte Carlo, bad input.

Tolerances: closed forms are compared at 1e-12 (a few hundred float64 roundings); quadrature at
1e-8 (its documented accuracy is about 1e-9); Monte Carlo at 5 standard errors of the sample
mean, computed from the same samples.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import erf

from widthlimits import kernels
from widthlimits.kernels import kernel_regression, nngp, nngp_ntk, ntk, recursion


def reference(X, depth, w, b, phi="relu"):
    """The recursion written naively on full matrices, for relu or erf."""
    d = X.shape[1]
    K = w * w * X @ X.T / d + b * b
    T = K.copy()
    for _ in range(depth):
        q = np.diag(K)
        if phi == "relu":
            s = np.sqrt(np.outer(q, q))
            th = np.arccos(np.clip(K / s, -1, 1))
            e = s / (2 * np.pi) * (np.sin(th) + (np.pi - th) * np.cos(th))
            dd = (np.pi - th) / (2 * np.pi)
        else:
            a = np.outer(1 + 2 * q, 1 + 2 * q)
            e = 2 / np.pi * np.arcsin(2 * K / np.sqrt(a))
            dd = 4 / np.pi / np.sqrt(a - 4 * K * K)
        K = w * w * e + b * b
        T = K + w * w * dd * T
    return K, T


def test_hand_computed_relu_sixty_degrees():
    # K^1 = [[1, 1/2], [1/2, 1]]: theta = pi/3, so K^2_12 = 2/(2 pi) (sin(pi/3) + (2 pi/3) / 2)
    # and E[phi' phi'] = (pi - pi/3) / (2 pi) = 1/3, so Theta^2_12 = K^2_12 + 2 * 1/3 * 1/2.
    X = np.array([[1.0, 0.0], [0.5, math.sqrt(3) / 2]])
    K, T = nngp_ntk(X, depth=1)
    k12 = (math.sqrt(3) / 2 + math.pi / 3) / math.pi
    assert K[0, 1] == pytest.approx(k12, abs=1e-14)
    assert T[0, 1] == pytest.approx(k12 + 1 / 3, abs=1e-14)
    assert np.allclose(np.diag(K), 1.0, atol=1e-15) and np.allclose(np.diag(T), 2.0, atol=1e-15)


def test_hand_computed_erf_diagonal_and_identity_network():
    # erf, one input x with |x|^2/d = 1, w = 1, b = 0: K^1 = 1, K^2 = (2/pi) arcsin(2/3),
    # Theta^2 = K^2 + (4/pi) / sqrt(1 + 4) * 1.
    K, T = nngp_ntk(np.ones((1, 3)), 1, "erf", 1.0, 0.0)
    assert K[0, 0] == pytest.approx(2 / math.pi * math.asin(2 / 3), abs=1e-14)
    assert T[0, 0] == pytest.approx(K[0, 0] + 4 / math.pi / math.sqrt(5), abs=1e-14)
    # A linear network: K^{L+1} = w^{2(L+1)} X X^T / d + b^2 (1 + w^2 + ... + w^{2L}).
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    w, b, L = 1.3, 0.4, 3
    K = nngp(X, L, "identity", w, b)
    geo = sum(w ** (2 * k) for k in range(L + 1))
    assert np.allclose(K, w ** (2 * L + 2) * X @ X.T / 2 + b * b * geo, atol=1e-12)


def test_ntk_diagonal_relu_grows_linearly_with_depth():
    # sigma_w^2 = 2, no bias: each of the L + 1 layers adds 2 |x|^2 / d on the diagonal.
    X = np.array([[3.0, 4.0]])
    for L in (1, 4, 9):
        assert ntk(X, L)[0, 0] == pytest.approx(2 * (L + 1) * 25 / 2, rel=1e-14)


@pytest.mark.parametrize("phi", ["relu", "erf"])
@pytest.mark.parametrize("b", [0.0, 0.7])
def test_matches_naive_reference_across_tiles(phi, b):
    # N = 450 spans several 192-wide tiles, so tiling, mirroring and the diagonal are exercised.
    X = np.random.default_rng(3).standard_normal((450, 7))
    K, T = nngp_ntk(X, 6, phi, 1.4, b)
    K0, T0 = reference(X, 6, 1.4, b, phi)
    assert np.abs(K - K0).max() <= 1e-12 * np.abs(K0).max()
    assert np.abs(T - T0).max() <= 1e-12 * np.abs(T0).max()
    assert np.array_equal(K, K.T) and np.array_equal(T, T.T)


def test_tile_size_does_not_change_the_result(monkeypatch):
    X = np.random.default_rng(4).standard_normal((100, 3))
    K, T = nngp_ntk(X, 4, bias_std=0.2)
    monkeypatch.setattr(recursion, "_TILE", 17)
    K2, T2 = nngp_ntk(X, 4, bias_std=0.2)
    assert np.allclose(K, K2, rtol=0, atol=1e-13) and np.allclose(T, T2, rtol=0, atol=1e-13)


def test_kernels_are_positive_semidefinite():
    X = np.random.default_rng(5).standard_normal((60, 4))
    for phi in ("relu", "erf"):
        K, T = nngp_ntk(X, 5, phi, 1.2, 0.1)
        for M in (K, T):
            assert np.linalg.eigvalsh(M).min() >= -1e-10 * np.abs(M).max()


@settings(max_examples=25, deadline=None)
@given(c=st.floats(0.1, 10.0), depth=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_relu_without_bias_is_positively_homogeneous(c, depth, seed):
    # relu(c u) = c relu(u) and relu'(c u) = relu'(u) for c > 0, so both kernels scale like c^2.
    X = np.random.default_rng(seed).standard_normal((5, 3))
    K, T = nngp_ntk(X, depth)
    Kc, Tc = nngp_ntk(c * X, depth)
    assert np.allclose(Kc, c * c * K, rtol=1e-9, atol=1e-12)
    assert np.allclose(Tc, c * c * T, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# Quadrature
# ----------------------------------------------------------------------------------------------
@pytest.fixture
def small_inputs():
    X = 1.5 * np.random.default_rng(1).standard_normal((6, 4))
    X[3] = X[2]  # a duplicate (rho = 1) and a zero row
    X[4] = 0.0
    return X


def test_quadrature_reproduces_the_erf_closed_form(small_inputs):
    K, T = nngp_ntk(small_inputs, 3, "erf", 1.5, 0.2)
    Kq, Tq = nngp_ntk(small_inputs, 3, erf, 1.5, 0.2)  # a callable: quadrature + differences
    assert np.abs(K - Kq).max() < 1e-8 * np.abs(K).max()
    assert np.abs(T - Tq).max() < 1e-8 * np.abs(T).max()


def test_named_and_callable_tanh_agree_and_match_adaptive_quadrature(small_inputs):
    K, T = nngp_ntk(small_inputs, 2, "tanh", 1.5, 0.2)
    Kc, Tc = nngp_ntk(small_inputs, 2, np.tanh, 1.5, 0.2)
    assert np.abs(K - Kc).max() < 1e-9 and np.abs(T - Tc).max() < 1e-8
    # one hidden layer's diagonal, by scipy's adaptive quadrature
    q = 1.5**2 * small_inputs[0] @ small_inputs[0] / 4 + 0.04
    e = quad(lambda z: np.tanh(math.sqrt(q) * z) ** 2 * np.exp(-z * z / 2), -12, 12,
             epsabs=1e-13, limit=400)[0] / math.sqrt(2 * math.pi)  # fmt: skip
    assert nngp(small_inputs[:1], 1, "tanh", 1.5, 0.2)[0, 0] == pytest.approx(
        2.25 * e + 0.04, abs=1e-9
    )


def test_identity_by_quadrature(small_inputs):
    K, T = nngp_ntk(small_inputs, 2, "identity", 1.1, 0.3)
    Kq, Tq = nngp_ntk(small_inputs, 2, lambda x: 1.0 * x, 1.1, 0.3)
    assert np.allclose(K, Kq, atol=1e-10) and np.allclose(T, Tq, atol=1e-9)


# ----------------------------------------------------------------------------------------------
# Monte Carlo: at depth 1 the hidden preactivations are exactly Gaussian, so the expected output
# covariance and the expected empirical NTK equal the limit kernels at ANY width: the only error
# is sampling error, and 5 standard errors is a fair tolerance.
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("phi", ["relu", "erf", "tanh"])
def test_depth_one_monte_carlo(phi):
    rng = np.random.default_rng(11)
    act = {"relu": lambda h: np.maximum(h, 0), "erf": erf, "tanh": np.tanh}[phi]
    dact = {"relu": lambda h: (h > 0) * 1.0, "erf": lambda h: 2 / math.sqrt(math.pi)
            * np.exp(-h * h), "tanh": lambda h: 1 - np.tanh(h) ** 2}[phi]  # fmt: skip
    X = np.array([[1.0, 0.0, 1.0], [0.3, -1.2, 0.4], [0.0, 0.0, 0.0]])
    w, b, n, m = 1.3, 0.5, 64, 4000
    W = rng.standard_normal((m, n, 3))
    b1 = rng.standard_normal((m, n, 1))
    v = rng.standard_normal((m, n))
    h = w / math.sqrt(3) * W @ X.T + b * b1  # (m, n, 3)
    f = w / math.sqrt(n) * np.einsum("mn,mni->mi", v, act(h)) + b * rng.standard_normal((m, 1))
    i, j = np.triu_indices(3)
    prods = f[:, i] * f[:, j]
    # empirical NTK of each sampled network, from the hand-derived gradients of a 1-layer net
    dh = (v**2)[..., None, None] * (dact(h)[..., :, None] * dact(h)[..., None, :])
    k1 = w * w * X @ X.T / 3 + b * b
    emp = w * w / n * (np.einsum("mni,mnj->mij", act(h), act(h)) + dh.sum(1) * k1) + b * b
    for samples, target in ((prods, nngp(X, 1, phi, w, b)), (emp[:, i, j], ntk(X, 1, phi, w, b))):
        mean, se = samples.mean(0), samples.std(0, ddof=1) / math.sqrt(m)
        assert np.all(np.abs(mean - target[i, j]) <= 5 * se + 1e-12), (mean, target[i, j], se)


def test_zero_rows_give_no_nan():
    X = np.zeros((3, 4))
    X[1] = 1.0
    for phi in ("relu", "erf", "identity", "tanh"):
        for b in (0.0, 0.5):
            K, T = nngp_ntk(X, 3, phi, 1.5, b)
            assert np.isfinite(K).all() and np.isfinite(T).all()
    K, T = nngp_ntk(X, 3)  # relu, no bias: a zero input has output exactly 0, so zero kernels
    assert K[0].tolist() == [0.0, 0.0, 0.0] and T[0].tolist() == [0.0, 0.0, 0.0]


# ----------------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"X": np.ones(3)}, ValueError, "2-D"),
        ({"X": np.ones((2, 2, 2))}, ValueError, "2-D"),
        ({"X": np.array([[1.0, np.nan]])}, ValueError, "NaN"),
        ({"X": np.array([[1.0, np.inf]])}, ValueError, "NaN or infinite"),
        ({"X": np.ones((0, 3))}, ValueError, "at least 1"),
        ({"X": np.ones((3, 0))}, ValueError, "at least 1"),
        ({"X": [[1.0, 2.0], [3.0]]}, TypeError, "ragged"),
        ({"X": np.ones((2, 2)) * 1j}, TypeError, "complex"),
        ({"X": None}, TypeError, "real numbers"),
        ({"X": [["a", "b"]]}, TypeError, "real numbers"),
        ({"depth": 0}, ValueError, "between 1 and"),
        ({"depth": 10**7}, ValueError, "between 1 and 10000"),
        ({"depth": float("inf")}, TypeError, "integer"),
        ({"depth": 2.0}, TypeError, "integer"),
        ({"depth": True}, TypeError, "integer"),
        ({"weight_std": -1.0}, ValueError, ">= 0"),
        ({"bias_std": -0.1}, ValueError, ">= 0"),
        ({"bias_std": float("nan")}, ValueError, "finite"),
        ({"weight_std": "2"}, TypeError, "real number"),
        ({"nonlinearity": "swish-ish"}, ValueError, "must be one of"),
        ({"nonlinearity": 3}, TypeError, "must be one of"),
        ({"nonlinearity": None}, TypeError, "must be one of"),
        ({"weight_std": float("inf")}, ValueError, "finite"),
        ({"nonlinearity": lambda x: float(x)}, TypeError, "vectorized|accept a numpy array"),
        ({"nonlinearity": lambda x: x.sum()}, ValueError, "vectorized"),
        ({"nonlinearity": np.log}, ValueError, "NaN"),
    ],
)
def test_bad_input(kwargs, err, match):
    args = {"X": np.ones((2, 3)), "depth": 2, "nonlinearity": "relu", "weight_std": 1.0,
            "bias_std": 0.0} | kwargs  # fmt: skip
    for fn in (nngp, ntk, nngp_ntk):
        with pytest.raises(err, match=match):
            fn(**args)


def test_overflow_is_reported_not_returned_as_nan():
    with pytest.raises(ValueError, match="overflowed"):
        nngp(np.ones((2, 2)) * 1e150, 3, "identity", 1e100)


def test_kernel_regression_interpolates_and_checks_input():
    X = np.random.default_rng(2).standard_normal((8, 3))
    y = np.sin(X[:, 0])
    K = nngp(X, 2, bias_std=0.1)
    assert np.allclose(kernel_regression(K, K, y), y, atol=1e-8)
    # with a ridge the prediction shrinks towards zero
    assert np.linalg.norm(kernel_regression(K, K, y, ridge=10.0)) < np.linalg.norm(y)
    with pytest.raises(ValueError, match="square"):
        kernel_regression(K[:3], K, y)
    with pytest.raises(ValueError, match="k_test_train"):
        kernel_regression(K, K[:, :3], y)
    with pytest.raises(ValueError, match="rows"):
        kernel_regression(K, K, y[:3])
    with pytest.raises(ValueError, match="ridge"):
        kernel_regression(K, K, y, ridge=-1.0)
    with pytest.raises(ValueError, match="singular"):
        kernel_regression(np.ones((2, 2)), np.ones((1, 2)), [1.0, 2.0])


def test_nonlinearity_names_are_case_insensitive_and_shared_with_the_model():
    from widthlimits import nonlinearities

    X = np.random.default_rng(6).standard_normal((4, 3))
    X *= math.sqrt(3) / np.linalg.norm(X, axis=1, keepdims=True)  # one variance: one table a layer
    assert kernels.NONLINEARITIES == nonlinearities.NAMES
    assert np.array_equal(nngp(X, 2, "ReLU"), nngp(X, 2, "relu"))
    assert np.array_equal(nngp(X, 2, " Linear"), nngp(X, 2, "identity"))
    for name in ("sigmoid", "silu", "softplus", "sin", "cos", "gelu"):
        phi, _ = nonlinearities.numpy_pair(name)
        K, T = nngp_ntk(X, 2, name.upper(), 1.2, 0.1)
        Kc, Tc = nngp_ntk(X, 2, phi, 1.2, 0.1)  # the same phi with a finite-difference phi'
        assert np.abs(K - Kc).max() < 1e-9 and np.abs(T - Tc).max() < 1e-8, name


def test_the_quadrature_refuses_a_grid_that_grows_with_the_input_scale():
    # nngp(X * 1e6, "tanh") used to build a grid of 5e7 nodes per axis and hang
    X = np.random.default_rng(7).standard_normal((3, 4))
    with pytest.raises(ValueError, match="nodes per axis"):
        nngp(X * 1e6, 2, "tanh")
    # eight or more distinct variances near the largest allowed one: too many tables to build
    big = np.random.default_rng(8).standard_normal((20, 2))
    big *= (np.linspace(20.0, 35.0, 20) / np.linalg.norm(big, axis=1))[:, None]
    with pytest.raises(ValueError, match="evaluations"):
        nngp(big, 1, "tanh")
    assert np.isfinite(nngp(X * 1e6, 2, "erf")).all()  # the closed form has no grid


def test_sizes_that_do_not_fit_are_refused_before_allocation():
    with pytest.raises(ValueError, match="GB of memory"):
        nngp(np.ones((10**6, 1)), 1)


def test_kernel_regression_refuses_kernels_it_would_have_to_repair():
    K = np.array([[2.0, 1.0], [1.0, 2.0]])
    with pytest.raises(ValueError, match="symmetric"):
        kernel_regression(K + np.array([[0.0, 0.1], [0.0, 0.0]]), K, [1.0, 0.0])
    with pytest.raises(ValueError, match="positive semi-definite"):
        kernel_regression(np.array([[1.0, 2.0], [2.0, 1.0]]), K, [1.0, 0.0])
    with pytest.raises(ValueError, match="finite"):
        kernel_regression(K, K, [1.0, 0.0], ridge=float("inf"))
    with pytest.raises(TypeError, match="ridge"):
        kernel_regression(K, K, [1.0, 0.0], ridge="1")
    # numpy scalars and arrays are numbers and sequences like any other
    assert np.allclose(kernel_regression(K, K, np.array([1.0, 0.0]), ridge=np.float32(0.0)),
                       [1.0, 0.0])  # fmt: skip
