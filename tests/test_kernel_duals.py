"""Tests of the closed-form duals (widthlimits.kernels.duals, duals_relu, duals_arccos,
duals_smooth) and the nonlinearity objects.

1. Every closed form, for both E[phi(u) phi(v)] and E[phi'(u) phi'(v)], against an independent
   adaptive 2-D quadrature of the correlated Gaussian, to 1e-10. The quadrature is scipy's
   adaptive `quad` (nested; the fast test: `quad_vec` over the angle and a 160-node
   Gauss-Legendre rule over the radius), in polar coordinates: with u = sqrt(K11) r cos(a) and
   v = sqrt(K22) r cos(a - theta), cos(theta) = rho, every kink of a positively homogeneous
   nonlinearity (relu family, sign, step, rectified monomials) lies on a ray a = const, so it
   is a breakpoint of the angular integral and each piece is smooth. The tolerance is relative
   to sqrt(E phi(u)^2 E phi(v)^2) (at least 1), the size of the integrand, by 1-D quadrature.
   The grid of (K11, K22, K12) includes near-diagonal (rho = 1 - 1e-9, 0.999) and
   anti-correlated (rho = -0.95, -1 + 1e-9) points.
2. The objects' derivatives against central differences, and their torch and numpy values alike.
3. Every nonlinearity against Monte Carlo of a wide finite torch network (width 4096, one hidden
   layer, where the neurons are exactly iid, so the standard error comes from the neurons): the
   readout kernel and the empirical NTK within 5 standard errors of the limit. Two hidden layers,
   over seeds, are @pytest.mark.slow.
4. Sign / step: an NNGP, and a clear error for the NTK.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import integrate

from widthlimits import kernels, mup
from widthlimits.kernels import duals

torch.set_num_threads(1)

OBJECTS = [
    duals.ABRelu(0.0, 1.0),
    duals.LeakyRelu(0.1),
    duals.Abs(),
    duals.ABRelu(-0.3, 1.2),
    duals.RectifiedMonomial(1),
    duals.RectifiedMonomial(2),
    duals.RectifiedMonomial(3),
    duals.Step(),
    duals.Sign(),
    duals.Monomial(0),
    duals.Monomial(1),
    duals.Monomial(3),
    duals.ScaledErf(),
    duals.ScaledErf(0.7, 2.0, -0.3),
    duals.SigmoidLike(),
    duals.Gelu(),
    duals.Sin(),
    duals.Sin(1.3, 0.8, 0.4),
    duals.Cos(),
    duals.Rbf(0.7),
    duals.Exp(1.0, 0.5),
    duals.Gaussian(),
    duals.Gaussian(0.8, 0.05),
]
IDS = [repr(f) for f in OBJECTS]


def _grid(rhos, variances):
    return [(k11, k22, r * math.sqrt(k11 * k22)) for (k11, k22) in variances for r in rhos]


FAST_GRID = [(1.0, 1.0, 0.3), (0.5, 2.0, 1 - 1e-9), (0.5, 2.0, -0.95), (1.0, 1.0, -1 + 1e-9)]
MORE_GRID = _grid([0.0, 0.999, -0.4], [(0.3, 3.0), (2.0, 1.5)])
SLOW_GRID = FAST_GRID + MORE_GRID


def _angle_edges(k11, k22, k12):
    """theta (cos theta = rho) and the angular breakpoints: the rays u = 0 and v = 0."""
    theta = math.acos(max(-1.0, min(1.0, k12 / math.sqrt(k11 * k22))))
    kinks = {x % (2 * math.pi) for x in (0.5 * math.pi, 1.5 * math.pi, theta + 0.5 * math.pi,
                                          theta + 1.5 * math.pi)}  # fmt: skip
    inner = sorted(k for k in kinks if 1e-12 < k < 2 * math.pi - 1e-12)
    return theta, [0.0, *inner, 2 * math.pi]


def polar_expectation(f, g, k11, k22, k12):
    """E[f(u) g(v)] by nested adaptive scipy quad in polar coordinates (module docstring)."""
    s1, s2 = math.sqrt(k11), math.sqrt(k22)
    theta, edges = _angle_edges(k11, k22, k12)

    def radial(a):
        ca, cb = s1 * math.cos(a), s2 * math.cos(a - theta)

        def h(r):
            return r * math.exp(-0.5 * r * r) * float(f(np.float64(ca * r)) * g(np.float64(cb * r)))

        return integrate.quad(h, 0.0, 14.0, epsabs=1e-13, epsrel=1e-12, limit=200)[0]

    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        if hi - lo > 1e-13:
            total += integrate.quad(radial, lo, hi, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
    return total / (2 * math.pi)


_R, _W = np.polynomial.legendre.leggauss(160)
_R, _W = 7.0 * (_R + 1.0), 7.0 * _W  # Gauss-Legendre on [0, 14] for the smooth radial integral


def second_moment(phi, k):
    """E[phi(u)^2], u ~ N(0, k), by 1-D adaptive quadrature split at the kink 0."""
    s = math.sqrt(k)

    def h(z):
        return float(phi(np.float64(s * z))) ** 2 * math.exp(-0.5 * z * z)

    parts = (integrate.quad(h, lo, hi, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
             for lo, hi in ((-14.0, 0.0), (0.0, 14.0)))  # fmt: skip
    return sum(parts) / math.sqrt(2 * math.pi)


def polar_expectations_fast(phi, k11, k22, k12):
    """(E[phi phi], E[phi' phi']) in polar coordinates: scipy's adaptive quad_vec
    over the angle, with the kinks as breakpoints, and a 160-node Gauss-Legendre rule over the
    radius, where the integrand is smooth (its error is checked against
    :func:`polar_expectation` in the slow test)."""
    s1, s2 = math.sqrt(k11), math.sqrt(k22)
    theta, edges = _angle_edges(k11, k22, k12)
    dphi = phi.derivative if phi.has_ntk else (lambda x: 0.0 * x)
    weight = _W * _R * np.exp(-0.5 * _R * _R)

    def radial(a):
        u, v = s1 * math.cos(a) * _R, s2 * math.cos(a - theta) * _R
        fu, fv = phi(u), phi(v)
        return np.array([fu * fv, dphi(u) * dphi(v)]) @ weight

    total = np.zeros(2)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        if hi - lo > 1e-13:
            total += integrate.quad_vec(radial, lo, hi, epsabs=1e-12, epsrel=1e-12, limit=400)[0]
    return total / (2 * math.pi)


def _check_against_quadrature(phi, point, slow=False):
    k11, k22, k12 = point
    e, d = (float(x) for x in phi.pair(np.array(k11), np.array(k22), np.array(k12)))
    if slow:
        want_e = polar_expectation(phi, phi, *point)
        want_d = polar_expectation(phi.derivative, phi.derivative, *point) if phi.has_ntk else 0
    else:
        want_e, want_d = polar_expectations_fast(phi, *point)
    # the size of the integrand: sqrt(E phi(u)^2 E phi(v)^2) >= |E phi(u) phi(v)|
    scale = math.sqrt(second_moment(phi, k11) * second_moment(phi, k22))
    assert abs(e - want_e) <= 1e-10 * max(1.0, scale), (e, want_e)
    if phi.has_ntk:
        assert abs(d - want_d) <= 1e-10 * max(1.0, abs(want_d)), (d, want_d)


@pytest.mark.parametrize("phi", OBJECTS, ids=IDS)
@pytest.mark.parametrize("point", FAST_GRID)
def test_closed_forms_match_adaptive_quadrature(phi, point):
    _check_against_quadrature(phi, point)


@pytest.mark.slow
@pytest.mark.parametrize("phi", OBJECTS, ids=IDS)
@pytest.mark.parametrize("point", SLOW_GRID)
def test_closed_forms_match_nested_adaptive_quadrature_on_a_wider_grid(phi, point):
    _check_against_quadrature(phi, point, slow=True)


@pytest.mark.parametrize("phi", OBJECTS, ids=IDS)
def test_diag_is_the_pair_on_the_diagonal(phi):
    q = np.array([0.3, 1.0, 2.5])
    e, d = phi.diag(q)
    e2, d2 = phi.pair(q, q, q)
    assert np.allclose(e, e2, rtol=1e-13, atol=0)
    if phi.has_ntk:
        assert np.allclose(d, d2, rtol=1e-13, atol=0)


@pytest.mark.parametrize("phi", [f for f in OBJECTS if f.has_ntk], ids=lambda f: repr(f))
def test_derivatives_are_the_central_differences_away_from_kinks(phi):
    # x avoids the kink at 0; a fourth-order difference with h = 1e-3 is accurate to ~1e-10.
    x, h = np.array([-1.7, -0.4, 0.3, 1.1]), 1e-3
    fd = (8 * (phi(x + h) - phi(x - h)) - (phi(x + 2 * h) - phi(x - 2 * h))) / (12 * h)
    assert np.allclose(phi.derivative(x), fd, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("phi", OBJECTS, ids=IDS)
def test_torch_and_numpy_values_agree(phi):
    x = np.linspace(-2.0, 2.0, 9)
    t = phi(torch.as_tensor(x, dtype=torch.float64))
    assert isinstance(t, torch.Tensor)
    assert np.allclose(t.numpy(), phi(x), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("name", ["relu", "erf", "gelu", "sin", "cos", "identity"])
def test_named_closed_forms_agree_with_the_objects(name):
    obj = {"relu": duals.ABRelu(0, 1), "erf": duals.ScaledErf(), "gelu": duals.Gelu(),
           "sin": duals.Sin(), "cos": duals.Cos(), "identity": duals.Monomial(1)}[name]  # fmt: skip
    X = np.random.default_rng(3).standard_normal((7, 4))
    K0, T0 = kernels.nngp_ntk(X, 3, name, 1.3, 0.2)
    K1, T1 = kernels.nngp_ntk(X, 3, obj, 1.3, 0.2)
    assert np.allclose(K0, K1, rtol=1e-12, atol=1e-14) and np.allclose(T0, T1, rtol=1e-12)


def test_rectified_monomial_one_is_relu_and_abs_keeps_the_norm():
    X = np.random.default_rng(4).standard_normal((6, 3))
    K0, T0 = kernels.nngp_ntk(X, 4, "relu")
    K1, T1 = kernels.nngp_ntk(X, 4, duals.RectifiedMonomial(1))
    assert np.allclose(K0, K1, rtol=1e-12) and np.allclose(T0, T1, rtol=1e-12)
    K = kernels.nngp(X, 3, duals.Abs(), weight_std=1.0)  # E|u|^2 = K: the diagonal stays |x|^2/d
    assert np.allclose(np.diag(K), (X * X).sum(1) / 3, rtol=1e-13)


@pytest.mark.parametrize("phi", [duals.Sign(), duals.Step()], ids=["sign", "step"])
def test_sign_and_step_have_no_ntk(phi):
    with pytest.raises(ValueError, match="no NTK"):
        kernels.ntk(np.eye(2), 1, phi)
    with pytest.raises(ValueError, match="no NTK"):
        duals.dual_of(phi)
    assert duals.dual_of(phi, ntk=False) is phi


def _network(phi, width, depth, seed, ws, bs):
    return mup.MLP(3, width, 1, depth, "ntk", nonlinearity=phi, weight_std=ws, bias_std=bs,
                   generator=torch.Generator().manual_seed(seed), dtype=torch.float64)  # fmt: skip


X3 = np.array([[1.0, 0.0, 0.5], [0.2, -1.0, 0.3], [-0.4, 0.4, 1.0]])


def _limit_depth_one(phi, ws, bs):
    """K^2 and Theta^2 from the dual itself (one hidden layer), for every object incl. sign."""
    K1 = ws**2 * X3 @ X3.T / 3 + bs**2
    q = np.diag(K1)
    e, d = phi.pair(q[:, None], q[None, :], K1)
    K2 = ws**2 * e + bs**2
    return K2, K2 + ws**2 * d * K1


# Degree-3 monomials are left to the quadrature tests: the variance of their per-neuron terms is
# an 8th-12th moment, whose sample estimate at 4096 neurons is itself unreliable.
MC_OBJECTS = [f for f in OBJECTS if getattr(f, "k", 0) <= 2] + [duals.Monomial(2)]


@pytest.mark.parametrize("phi", MC_OBJECTS, ids=repr)
def test_one_hidden_layer_networks_match_the_limit_within_five_standard_errors(phi):
    ws, bs, n = 1.2, 0.3, 4096
    model = _network(phi, n, 1, 7, ws, bs)
    pre = model.preactivations(torch.as_tensor(X3))[0].detach().numpy()  # shape (3, n)
    v2 = model.weights[1].detach().numpy()[0] ** 2
    K2, T2 = _limit_depth_one(phi, ws, bs)
    i, j = np.triu_indices(3)
    a, da = phi(pre), phi.derivative(pre)
    terms_k = ws**2 * a[i] * a[j]  # one row per pair, one column per neuron: iid columns
    got_k = kernels.readout_kernel(model, X3)[i, j]
    assert np.allclose(got_k, terms_k.mean(1) + bs**2, atol=1e-10)
    se_k = terms_k.std(1, ddof=1) / math.sqrt(n)
    assert np.all(np.abs(got_k - K2[i, j]) <= 5 * se_k + 1e-12)
    if phi.has_ntk:
        K1 = ws**2 * X3 @ X3.T / 3 + bs**2
        terms_t = terms_k + ws**2 * v2 * da[i] * da[j] * K1[i, j][:, None]
        got_t = kernels.empirical_ntk(model, X3)[i, j]
        assert np.allclose(got_t, terms_t.mean(1) + bs**2, rtol=1e-9, atol=1e-9)
        se_t = terms_t.std(1, ddof=1) / math.sqrt(n)
        assert np.all(np.abs(got_t - T2[i, j]) <= 5 * se_t + 1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("phi", [duals.LeakyRelu(0.1), duals.Abs(), duals.ABRelu(-0.3, 1.2),
                                 duals.Gelu(), duals.Rbf(0.7)],
                         ids=repr)  # fmt: skip
def test_two_hidden_layer_networks_match_the_limit_over_seeds(phi):
    # Over 6 seeds of width 2048 the empirical kernels scatter by O(n^-1/2) around the limit,
    # plus an O(1/n) bias; 5 standard errors of the seed mean.
    ws, bs, seeds = 1.2, 0.3, 6
    K, T = kernels.nngp_ntk(X3, 2, phi, ws, bs)
    ks = np.array(
        [kernels.readout_kernel(_network(phi, 2048, 2, s, ws, bs), X3) for s in range(seeds)]
    )
    ts = np.array(
        [kernels.empirical_ntk(_network(phi, 2048, 2, s, ws, bs), X3) for s in range(seeds)]
    )
    for got, want in ((ks, K), (ts, T)):
        se = got.std(0, ddof=1) / math.sqrt(seeds)
        assert np.all(np.abs(got.mean(0) - want) <= 5 * se + 1e-3 * np.abs(want))


@pytest.mark.parametrize(
    "make, bad",
    [(duals.ABRelu, (float("nan"), 1.0)), (duals.ABRelu, ("1", 1.0)), (duals.LeakyRelu, (None,)),
     (duals.RectifiedMonomial, (1.5,)), (duals.RectifiedMonomial, (-1,)), (duals.Monomial, (True,)),
     (duals.Monomial, (99,)), (duals.Rbf, (0.0,)), (duals.Rbf, (float("inf"),)),
     (duals.Sin, (1.0, float("nan"))), (duals.Exp, ("a",)), (duals.Gaussian, (1.0, None)),
     (duals.ScaledErf, (1.0, 1.0, float("-inf")))],
)  # fmt: skip
def test_bad_parameters_are_refused(make, bad):
    with pytest.raises((TypeError, ValueError)):
        make(*bad)
