"""Tests of the tensor-program engine: known limits, validation, and limit-vs-simulation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widthlimits import rmt
from widthlimits.tp import (
    Program,
    gaussian_expectation,
    mlp_program,
    nongaussian_program,
    power_program,
    power_zdot,
    simulate_many,
    wishart_program,
    zdot_coefficients,
)


def relu(z):
    return np.maximum(z, 0.0)


def arccos_kernel_step(k):
    """One ReLU layer with std^2 = 2 in closed form (Cho and Saul): K -> 2 E[relu relu]."""
    d = np.sqrt(np.diag(k))
    rho = np.clip(k / np.outer(d, d), -1, 1)
    return np.outer(d, d) * (np.sqrt(1 - rho**2) + rho * (np.pi - np.arccos(rho))) / np.pi


# -- Gaussian integrals -------------------------------------------------------------------------
def test_tanh_product_matches_fine_1d_integral():
    """E[tanh(Z1) tanh(Z2)] by the 2-D rule equals an independent computation: conditioning on
    Z1 and integrating Z2 | Z1 with a 200-point Gauss-Hermite rule in each variable (1e-10)."""
    rho = 0.6
    x, w = np.polynomial.hermite_e.hermegauss(200)
    w = w / w.sum()
    z1 = x[:, None]
    z2 = rho * z1 + np.sqrt(1 - rho**2) * x[None, :]
    ref = float(w @ (np.tanh(z1) * np.tanh(z2)) @ w)
    got = gaussian_expectation(lambda a, b: np.tanh(a) * np.tanh(b), [[1, rho], [rho, 1]])
    assert abs(got - ref) < 1e-10


@pytest.mark.parametrize("rho", [-0.9, -0.3, 0.0, 0.5, 0.99])
def test_relu_arccos_kernel_exact(rho):
    """The ReLU kernel has a closed form; the kinked integrand is still integrated to 1e-12."""
    k = np.array([[1.0, rho], [rho, 1.0]])
    got = gaussian_expectation(lambda a, b: relu(a) * relu(b), k)
    assert abs(2 * got - arccos_kernel_step(k)[0, 1]) < 1e-12


def test_three_dim_polynomial_isserlis():
    """E[Z1 Z2 Z3^2] = C12 C33 + 2 C13 C23 (Isserlis), in dimension 3, to 1e-9."""
    c = np.array([[1, 0.3, 0.2], [0.3, 2, 0.5], [0.2, 0.5, 1.5]])
    got = gaussian_expectation(lambda a, b, z: a * b * z * z, c)
    assert abs(got - (c[0, 1] * c[2, 2] + 2 * c[0, 2] * c[1, 2])) < 1e-9


def test_gaussian_expectation_rejects_bad_input():
    with pytest.raises(ValueError, match="positive semi-definite"):
        gaussian_expectation(lambda a, b: a * b, [[1, 2], [2, 1]])
    with pytest.raises(ValueError, match="NaN"):
        gaussian_expectation(lambda a: np.log(a), [[1.0]])


# -- exact limits of linear programs (random matrix theory) --------------------------------------
def test_semicircle_moments_exact_to_k10():
    """(1/n) v.W^k v -> C_{k/2} for W = (A + A^T)/sqrt 2, exactly (covariance algebra)."""
    lim = power_program(10).limit(return_error=True)
    for k in range(1, 11):
        value, se = lim[f"m{k}"]
        assert se == 0.0
        assert abs(value - rmt.semicircle_moment(k)) < 1e-9


def test_nonsymmetric_powers_vanish():
    """Without transposes there is no Zdot, so v and A^k v are independent in the limit."""
    lim = power_program(6, symmetric=False).limit()
    assert all(abs(v) < 1e-12 for v in lim.values())


def test_marchenko_pastur_moments():
    lim = wishart_program(6).limit()
    for k in range(1, 7):
        assert abs(lim[f"m{k}"] - float(rmt.marchenko_pastur_moment(k, 1))) < 1e-9


def test_catalan_simulation_agrees():
    """At n = 400 over 10 seeds, (1/n) v.W^4 v is within 5 standard errors of C_2 = 2 (the
    O(1/n) bias is far below that)."""
    out = simulate_many(power_program(4), [400], 10, np.random.default_rng(3))["m4"][0]
    se = out.std(ddof=1) / np.sqrt(out.size)
    assert abs(out.mean() - 2.0) < 5 * se


# -- Stein identities and Zdot ---------------------------------------------------------------------
@pytest.mark.parametrize(("std", "var"), [(1.0, 1.0), (1.5, 0.7)])
def test_stein_identity(std, var):
    """(1/n) x.A^T tanh(A x) -> std^2 var E[tanh'(Z)], Z ~ N(0, std^2 var): the whole limit is
    the Zdot term, computed without a user-supplied derivative."""
    p = Program()
    A = p.matrix("A", std=std)
    x = p.vector("x", var=var)
    p.moment("s", lambda a, b: a * b, x, A.T @ p.nonlin(np.tanh, A @ x))
    ref = std**2 * var * gaussian_expectation(lambda z: 1 - np.tanh(z) ** 2, [[std**2 * var]])
    value, se = p.limit(return_error=True)["s"]
    assert se == 0.0 and abs(value - ref) < 1e-10


def test_zdot_linear_backprop():
    """(1/n) u.A^T A u -> std^2 E[u^2], the first Wishart moment, for any std."""
    p = Program()
    A = p.matrix("A", std=0.7)
    u = p.vector("u", var=2.0)
    p.moment("m", lambda a, b: a * b, u, A.T @ (A @ u))
    assert abs(p.limit()["m"] - 0.49 * 2.0) < 1e-12


def test_gradient_independence_with_fresh_readout():
    """Backprop with an independent readout v: Zdot^{W^T dh} = Z^u E[Z^v tanh''(h)] = 0."""
    p = Program()
    W = p.matrix("W")
    u, v = p.vectors(["u", "v"], cov=np.eye(2))
    h = W @ u
    dh = p.nonlin(lambda a, b: a * (1 - np.tanh(b) ** 2), v, h)
    p.moment("m", lambda a, b: a * b, u, W.T @ dh)
    assert abs(p.limit()["m"]) < 1e-12


def test_nongaussian_gvar_matches_hand_recursion():
    """k = A relu(A^T tanh(A u)): by hand, Z^k = Zhat^k + tanh(Zhat^{Au}) / 2, with Var Zhat^k =
    E relu(Z^g)^2 = Var(Z^g) / 2, Cov(Zhat^k, Zhat^{Au}) = E[relu(Z^g) Z^u] = c / 2 (Stein) and
    Var Z^g = E tanh^2 + c^2, c = E tanh'. The engine's k2 and k4 equal this independent
    two-dimensional computation to 1e-9 (quadrature), and the kurtosis is not the Gaussian 3."""
    c = gaussian_expectation(lambda z: 1 - np.tanh(z) ** 2, [[1.0]])
    var_g = gaussian_expectation(lambda z: np.tanh(z) ** 2, [[1.0]]) + c * c
    cov = [[var_g / 2, c / 2], [c / 2, 1.0]]
    k2 = gaussian_expectation(lambda a, b: (a + np.tanh(b) / 2) ** 2, cov)
    k4 = gaussian_expectation(lambda a, b: (a + np.tanh(b) / 2) ** 4, cov)
    lim = nongaussian_program().limit(return_error=True)
    assert lim["k2"][1] == 0.0 and abs(lim["k2"][0] - k2) < 1e-9
    assert lim["k4"][1] == 0.0 and abs(lim["k4"][0] - k4) < 1e-9
    assert k4 / k2**2 < 2.8


def test_zdot_of_a_matmuls_after_a_transpose():
    """In x_k = A^T A x_{k-1}, the A-MatMuls from the second power on have a Zdot too (not only
    the A^T ones): Zdot^{A x_1} = Z^{A v}. Dropping it would make every Wishart moment 1."""
    p = Program()
    A = p.matrix("A")
    v = p.vector("v")
    y1 = p.matmul(A, v, name="y1")
    x1 = p.matmul(A.T, y1, name="x1")
    p.matmul(A, x1, name="y2")
    dots = zdot_coefficients(p)
    assert dots["x1"] == pytest.approx({"v": 1.0}, abs=1e-12)
    assert dots["y2"] == pytest.approx({"y1": 1.0}, abs=1e-12)
    assert "y1" not in dots


# -- deep MLP: closed form and speed --------------------------------------------------------------
def test_relu_mlp_matches_arccos_recursion():
    """Depth-10 ReLU network on 3 inputs: the limit equals the arc-cosine recursion to 1e-8."""
    k0 = np.array([[1, 0.5, 0.2], [0.5, 1, 0.3], [0.2, 0.3, 1]])
    lim = mlp_program(10, k0, phi=relu, std=np.sqrt(2)).limit(return_error=True)
    k = k0
    for _ in range(10):
        k = arccos_kernel_step(k)
    for i in range(3):
        for j in range(i + 1):
            value, se = lim[f"K{i}{j}"]
            assert se == 0.0 and abs(value - k[i, j]) < 1e-8


def test_relu_mlp_orthogonal_inputs():
    """Two independent inputs: the off-diagonal kernel needs E relu(a) relu(b) = E relu(a) E relu(b)
    for independent Gaussians, which is not 0 (the product of the means). Equal to the arc-cosine
    recursion at rho = 0 and beyond, to 1e-8."""
    k0 = np.eye(2)
    lim = mlp_program(3, k0, phi=relu, std=np.sqrt(2)).limit()
    k = k0
    for _ in range(3):
        k = arccos_kernel_step(k)
    assert abs(lim["K10"] - k[1, 0]) < 1e-8 and k[1, 0] > 0.3


def test_power_zdot_is_the_catalan_table():
    """The Zdot of W^k v is sum_i C_{(k-2-i)/2} Z^{W^i v}, against the Catalan numbers of Part III
    (an independent computation), to 1e-12."""
    c = power_zdot(8)
    for k in range(9):
        for i in range(9):
            want = rmt.catalan((k - 2 - i) // 2) if k - 2 - i >= 0 and (k - i) % 2 == 0 else 0
            assert abs(c[k, i] - want) < 1e-12


# -- moments fed back as parameters ---------------------------------------------------------------
def test_moment_parameters():
    """y = x / q with q = (1/n)|x|^2 gives (1/n) y.x = 1 both in the limit and at finite n."""
    p = Program()
    A = p.matrix("A")
    v = p.vector("v")
    x = p.nonlin(np.sin, A @ v)
    q = p.moment("q", lambda a: a * a, x)
    y = p.nonlin(lambda a, s: a / s, x, params=[q])
    p.moment("r", lambda a, b: a * b, y, x)
    assert abs(p.limit()["r"] - 1) < 1e-12
    assert abs(p.simulate(300, np.random.default_rng(0))["r"] - 1) < 1e-12


def test_monte_carlo_fallback_reports_error():
    """A 4-dimensional integral falls back to Monte Carlo; E[abcd] = 0.26 (Isserlis) is within
    4 reported standard errors, and the error is positive."""
    c = np.array([[1, 0.5, 0.3, 0.2], [0.5, 1, 0.4, 0.1], [0.3, 0.4, 1, 0.3], [0.2, 0.1, 0.3, 1]])
    p = Program()
    us = p.vectors(list("abcd"), cov=c)
    p.moment("m", lambda a, b, x, y: a * b * x * y, *us)
    value, se = p.limit(return_error=True, rng=np.random.default_rng(1))["m"]
    assert se > 0 and abs(value - 0.26) < 4 * se


# -- validation -----------------------------------------------------------------------------------
def test_bad_programs_raise():
    p, q = Program(), Program()
    A = p.matrix("A")
    B = q.matrix("B")
    v = p.vector("v")
    w = q.vector("w")
    with pytest.raises(ValueError, match="another program"):
        p.matmul(A, w)
    with pytest.raises(ValueError, match="another program"):
        p.matmul(B.T, v)
    with pytest.raises(TypeError, match="Vector"):
        p.moment("m", lambda a: a, A)
    with pytest.raises(ValueError, match="std"):
        p.matrix("C", std=-1.0)
    with pytest.raises(ValueError, match="positive semi-definite"):
        p.vectors(["a", "b"], cov=[[1, 2], [2, 1]])
    with pytest.raises(ValueError, match="shape"):
        p.nonlin(lambda a: a[:2], v)
    with pytest.raises(ValueError, match="NaN"):
        p.nonlin(lambda a: a * np.nan, v)
    with pytest.raises(ValueError, match="already used"):
        p.vector("v")
    with pytest.raises(TypeError):
        p.matmul(np.eye(3), v)


def test_nan_at_evaluation_raises():
    """A function that is fine on the probe but NaN on Gaussian inputs is caught by both runs."""
    p = Program()
    v = p.vector("v")
    x = p.nonlin(np.log, v)
    p.moment("m", lambda a: a, x)
    with pytest.raises(ValueError, match="NaN"):
        p.limit()
    with pytest.raises(ValueError, match="NaN"):
        p.simulate(100, np.random.default_rng(0))


# -- random programs: limit against simulation ----------------------------------------------------
FUNCS = [np.tanh, np.sin, relu, lambda z: z / (1 + z * z)]


@st.composite
def random_program(draw):
    p = Program()
    rho = draw(st.floats(-0.8, 0.8))
    vecs = list(p.vectors(["u", "v"], cov=[[1, rho], [rho, 1]]))
    A = p.matrix("A", std=draw(st.floats(0.5, 1.5)))
    for _ in range(draw(st.integers(2, 5))):
        op = draw(st.sampled_from(["A", "AT", "phi", "lin"]))
        x = vecs[draw(st.integers(0, len(vecs) - 1))]
        if op == "A":
            vecs.append(A @ x)
        elif op == "AT":
            vecs.append(A.T @ x)
        elif op == "phi":
            vecs.append(p.nonlin(draw(st.sampled_from(FUNCS)), x))
        else:
            y = vecs[draw(st.integers(0, len(vecs) - 1))]
            vecs.append(p.linear([draw(st.floats(-1, 1)), 1.0], [x, y]))
    last, other = vecs[-1], vecs[draw(st.integers(0, len(vecs) - 2))]
    p.moment("m", lambda a, b: np.tanh(a) * b, last, other)
    p.moment("q", lambda a: a * a, last)
    return p, last.name, other.name


def _check_against_simulation(drawn, k_fluct: float) -> float:
    """Largest |simulation - limit| / tolerance over the moments of a random program."""
    p, last, other = drawn
    n = 1500
    lim = p.limit(return_error=True, rng=np.random.default_rng(0), mc_samples=20000)
    sim, vec = p.simulate(n, np.random.default_rng(1), return_vectors=True)
    integrand = {"m": np.tanh(vec[last]) * vec[other], "q": vec[last] ** 2}
    worst = 0.0
    for name, (value, se) in lim.items():
        tol = 4 * se + k_fluct * (0.05 + np.std(integrand[name])) / np.sqrt(n)
        worst = max(worst, abs(sim[name] - value) / tol)
    return worst


@settings(max_examples=12, deadline=None)
@given(random_program())
def test_random_programs_limit_matches_simulation(drawn):
    """Master Theorem on random programs: at n = 1500, each moment is within 4 reported standard
    errors of the limit plus an allowance of 6 s / sqrt(n) for the finite-width fluctuation, s the
    spread over coordinates of the moment's integrand (+0.05): the fluctuation of a coordinate
    average is s / sqrt(n) for independent coordinates, and of the same order in a program."""
    assert _check_against_simulation(drawn, k_fluct=6.0) <= 1.0


def test_issue_api_example_runs_and_agrees():
    """The API exactly as specified: every call works, the limit has errors 0.0 (all integrals
    here are at most 2-dimensional), and one simulation at n = 2000 is within 0.15 of each
    limit (fluctuations are O(n^{-1/2}) ~ 0.02 times the integrand's spread, a few units)."""
    p = Program()
    A = p.matrix("A", std=1.0)
    u1, u2 = p.vectors(["u1", "u2"], cov=[[1, 0.5], [0.5, 1]])
    v = p.vector("v", var=1.0)
    h = p.matmul(A, u1)
    g = p.matmul(A.T, h)
    x = p.nonlin(np.tanh, h)
    y = p.nonlin(lambda a, b: a * b, x, v)
    p.moment("m", lambda a, b: a * b, x, u2)
    p.moment("back", lambda a, b: a * b, g, u1)
    p.moment("y2", lambda a: a * a, y)
    lim = p.limit()
    err = p.limit(return_error=True)
    assert set(lim) == {"m", "back", "y2"}
    assert all(se == 0.0 and err[k][0] == lim[k] for k, (_, se) in err.items())
    assert abs(lim["back"] - 1.0) < 1e-12  # (1/n) u1.A^T A u1 -> E[u1^2] = 1
    sim = p.simulate(n=2000, rng=np.random.default_rng(0))
    assert all(abs(sim[k] - lim[k]) < 0.15 for k in lim)


def test_sgd_on_linear_model_is_exact():
    """Three gradient steps on f = (1/n) v.W u with loss (f - 1)^2 / 2, written as NETSOR+ with
    moment coefficients in `linear`: the program stays linear, so the limit is exact, and it
    follows f_{k+1} = f_k - eta (f_k - 1) E[u^2] E[v^2] = 0.5, 0.75, 0.875."""
    eta = 0.5
    p = Program()
    W = p.matrix("W")
    u, v = p.vectors(["u", "v"], cov=[[1, 0.3], [0.3, 1]])
    q = p.moment("q", lambda a: a * a, u)
    y = W @ u
    for k in range(3):
        f = p.moment(f"f{k}", lambda a, b: a * b, v, y)
        c = p.moment(f"c{k}", lambda a, f, q: np.full_like(a, -eta * (f - 1) * q), u, params=[f, q])
        y = p.linear([1.0, c], [y, v])
    p.moment("f3", lambda a, b: a * b, v, y)
    lim = p.limit(return_error=True)
    for k, want in [(1, 0.5), (2, 0.75), (3, 0.875)]:
        assert lim[f"f{k}"][1] == 0.0 and abs(lim[f"f{k}"][0] - want) < 1e-12
    sim = p.simulate(800, np.random.default_rng(2))
    assert abs(sim["f3"] - 0.875) < 0.15  # O(n^{-1/2}) fluctuation, a few times 1/sqrt(800)


def test_three_dim_kinked_integrand_closed_form():
    """E[relu(U1) relu(U2) 1(U3 > 0)] for U = R^T Z with independent U_i ~ N(0, d_i) equals
    sqrt(d1 d2 / (2 pi)^2) / 2; written in the rotated, correlated coordinates Z, the kinks lie on
    oblique planes, and the 3-D rule still reaches 1e-9."""
    d = np.array([1.0, 2.0, 0.5])
    r, _ = np.linalg.qr(np.random.default_rng(7).standard_normal((3, 3)))
    cov = r @ np.diag(d) @ r.T

    def f(a, b, c):
        u = r.T @ np.stack([a, b, c])
        return relu(u[0]) * relu(u[1]) * (u[2] > 0)

    value, err = gaussian_expectation(f, cov, return_error=True)
    assert abs(value - np.sqrt(d[0] * d[1]) / (2 * np.pi) / 2) < 1e-9
    assert err < 1e-9


def test_erf_mlp_matches_arcsine_kernel():
    """Depth-5 erf network, std = 1.5: the limit equals Williams' closed form
    E[erf(a) erf(b)] = (2/pi) arcsin(2 S12 / sqrt((1 + 2 S11)(1 + 2 S22))), iterated, to 1e-10."""
    from scipy.special import erf

    k0 = np.array([[1.0, 0.4], [0.4, 2.0]])
    lim = mlp_program(5, k0, phi=erf, std=1.5).limit(return_error=True)
    k = k0
    for _ in range(5):
        d = 1 + 2 * np.diag(k)
        k = 1.5**2 * (2 / np.pi) * np.arcsin(2 * k / np.sqrt(np.outer(d, d)))
    for i in range(2):
        for j in range(i + 1):
            value, se = lim[f"K{i}{j}"]
            assert se == 0.0 and abs(value - k[i, j]) < 1e-10


def test_vector_arithmetic_builds_the_linear_combination_it_names():
    """x - y, c * x and x / c are exact linear combinations: with independent initial vectors of
    variances 1 and 2, E[(v - w) w] = -2, E[(v + w) w] = 2, E[(3 v) v] = 3, E[(w / 2) w] = 1
    (exact Gaussian moments, so the engine must give them to rounding). A sign slip in ``-``
    gives +2 for the first, a slip in ``/`` gives 4 for the last."""
    p = Program()
    v, w = p.vector("v"), p.vector("w", var=2.0)
    p.moment("diff", lambda a, b: a * b, v - w, w)
    p.moment("sum", lambda a, b: a * b, v + w, w)
    p.moment("scaled", lambda a, b: a * b, 3 * v, v)
    p.moment("halved", lambda a, b: a * b, w / 2, w)
    lim = p.limit()
    assert lim["diff"] == pytest.approx(-2.0, abs=1e-12)
    assert lim["sum"] == pytest.approx(2.0, abs=1e-12)
    assert lim["scaled"] == pytest.approx(3.0, abs=1e-12)
    assert lim["halved"] == pytest.approx(1.0, abs=1e-12)


def test_a_kink_away_from_zero_reports_an_honest_error():
    """The quadrature splits at zero only: for |x - 1.5| the rules disagree, and the reported
    error (4 times the larger difference of the fine rule from the coarse and the shifted one)
    is nonzero and covers the true error."""
    from scipy.stats import norm

    p = Program()
    v = p.vector("v")
    p.moment("m", lambda a: np.abs(a - 1.5), v)
    value, err = p.limit(return_error=True)["m"]
    exact = 2 * norm.pdf(1.5) + 1.5 * (
        2 * norm.cdf(1.5) - 1
    )  # E|Z - c| = 2 phi(c) + c (2 Phi(c) - 1)
    assert 0 < err < 1e-2
    assert abs(value - exact) <= err
