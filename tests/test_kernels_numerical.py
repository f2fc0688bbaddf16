"""The numerical dual (widthlimits.kernels.quadrature): its stated error covers its true error on
a family of kinked, smooth and fast-growing callables, against closed forms (relu, erf) and
scipy's adaptive quadrature; kinks are integrated exactly; bad input is refused."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import dblquad
from scipy.special import erf

from widthlimits.kernels import nngp_ntk
from widthlimits.kernels.numerical_table import lobatto_points
from widthlimits.kernels.quadrature import numerical_dual

RNG = np.random.default_rng(3)
X = RNG.standard_normal((5, 4))
X[4] = 0.0  # a zero row


def relu(x):
    return np.maximum(x, 0.0)


def adaptive(f, sa, sb, theta, kink):
    """E f(u) f(v) by scipy's adaptive 2-D quadrature, both axes split at the kink."""
    c, r = math.cos(theta), math.sin(theta)

    def g(z2, z1):
        v = sb * (c * z1 + r * z2)
        return f(sa * z1) * f(v) * math.exp(-0.5 * (z1 * z1 + z2 * z2)) / (2 * math.pi)

    def inner_kink(z1):  # where v crosses the kink, for this z1
        return min(9.0, max(-9.0, (kink / sb - c * z1) / r))

    total = 0.0
    for lo, hi in ((-9.0, kink / sa), (kink / sa, 9.0)):
        for a, b in ((-9.0, inner_kink), (inner_kink, 9.0)):
            total += dblquad(g, lo, hi, a, b, epsabs=1e-14, epsrel=1e-13)[0]
    return total


@pytest.mark.parametrize("depth", [1, 3, 10])
def test_relu_as_a_callable_is_within_its_stated_error_of_the_closed_form(depth):
    K, T = nngp_ntk(X, depth, "relu", 1.3, 0.1)
    Kn, Tn, (ek, et) = nngp_ntk(X, depth, relu, 1.3, 0.1, kinks=[0.0], return_error=True)
    assert np.abs(K - Kn).max() <= ek and np.abs(T - Tn).max() <= et
    assert ek < 1e-10 * np.abs(K).max()  # and the error is small, not just stated


def test_erf_as_a_callable_is_within_its_stated_error():
    K, T = nngp_ntk(X, 3, "erf", 1.5, 0.2)
    Kn, Tn, (ek, et) = nngp_ntk(X, 3, erf, 1.5, 0.2, kinks=[], return_error=True)
    assert np.abs(K - Kn).max() <= ek and np.abs(T - Tn).max() <= et
    assert np.abs(K - Kn).max() < 1e-9  # the true error is small; the statement is looser


def test_without_kinks_relu_is_less_accurate_and_says_so():
    # the kink not given: the rule is not split at 0, the stated error grows and still covers
    K, _ = nngp_ntk(X, 2, "relu", 1.3, 0.1)
    Kn, _, (ek, _) = nngp_ntk(X, 2, relu, 1.3, 0.1, kinks=[], return_error=True)
    assert np.abs(K - Kn).max() <= ek


FAMILY = [
    ("leaky relu", lambda x: np.where(x > 0, x, 0.1 * x), 0.0),
    ("abs", np.abs, 0.0),
    ("shifted relu", lambda x: np.maximum(x - 0.7, 0.0), 0.7),
    ("rectified square", lambda x: np.maximum(x + 0.3, 0.0) ** 2, -0.3),
    ("fast-growing", lambda x: np.exp(0.8 * x), 0.0),
    ("smooth", np.tanh, 0.0),
]


@pytest.mark.parametrize("name,f,kink", FAMILY, ids=[n for n, _, _ in FAMILY])
def test_stated_table_error_covers_adaptive_quadrature(name, f, kink):
    from widthlimits.kernels.numerical_table import _pair

    dual = numerical_dual(f, kinks=[kink] if name != "fast-growing" and name != "smooth" else [])
    sa, sb = 1.0, 1.3
    ce, _, err, _ = _pair(dual, sa, sb)
    for theta in (0.3, 1.2, 2.5):
        t = 1.0 - 2.0 * theta / math.pi
        value = np.polynomial.chebyshev.chebval(t, ce)
        truth = adaptive(f, sa, sb, theta, kink)
        assert abs(value - truth) <= err + 1e-11, (name, theta, value - truth, err)


def test_diagonal_of_leaky_relu_is_exact_with_its_kink():
    dual = numerical_dual(lambda x: np.where(x > 0, x, 0.1 * x), kinks=[0.0])
    e, d = dual.diag(np.array([1.0, 4.0]))
    assert np.allclose(e, [0.505, 2.02], atol=1e-13) and np.allclose(d, 0.505, atol=1e-12)


def test_lobatto_points_span_the_angles():
    th = lobatto_points(16)
    assert th[0] == 0.0 and th[-1] == pytest.approx(math.pi) and np.all(np.diff(th) > 0)


@pytest.mark.parametrize(
    "kinks,exc", [([0.0, 0.001], ValueError), (["a"], TypeError), ([float("nan")], ValueError)]
)
def test_bad_kinks_are_refused(kinks, exc):
    with pytest.raises(exc, match="kinks"):
        numerical_dual(relu, kinks=kinks)


def test_kinks_are_for_callables_only():
    with pytest.raises(ValueError, match="kinks"):
        nngp_ntk(X, 1, "relu", kinks=[0.0])


def test_duplicates_and_a_zero_row_without_bias_are_covered_and_not_overstated():
    # a duplicate pair: the numerical K12 is within rounding of K11, and arccos turns that into
    # an angle error ~ sqrt(1e-14) (1/2-Hoelder), which the statement must cover; a zero row
    # without bias has a zero variance, whose pairs are one-dimensional integrals
    Xd = 1.5 * np.random.default_rng(1).standard_normal((6, 4))
    Xd[3], Xd[4] = Xd[2], 0.0
    for b in (0.2, 0.0):
        K, T = nngp_ntk(Xd, 3, "relu", 1.5, b)
        Kn, Tn, (ek, et) = nngp_ntk(Xd, 3, relu, 1.5, b, kinks=[0.0], return_error=True)
        assert np.abs(K - Kn).max() <= ek < 1e-11 and np.abs(T - Tn).max() <= et < 1e-4


def test_nngp_accepts_a_nonlinearity_without_an_ntk():
    from widthlimits.kernels import nngp, ntk
    from widthlimits.kernels.duals import Sign

    Ks = nngp(X[:4], 1, Sign(), 1.0, None)
    K1 = X[:4] @ X[:4].T / 4
    s = np.sqrt(np.outer(np.diag(K1), np.diag(K1)))
    assert np.allclose(Ks, 2 / np.pi * np.arcsin(K1 / s), atol=1e-12)  # arcsin law
    with pytest.raises(ValueError, match="no NTK"):
        ntk(X[:4], 1, Sign())
