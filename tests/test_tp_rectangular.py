"""Rectangular tensor programs: vectors of dimension d n, matrices of shape (r, c), the ratios in
the Z-recursion, and the exact treatment of linear Nonlins."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widthlimits import rmt
from widthlimits.tp import Program, wishart_program, zdot_coefficients
from widthlimits.tp.engine import linear_coefficients

RATIOS = [0.25, 0.5, 1.0, 2.0, 4.0]


# -- dimension checks ------------------------------------------------------------------------------
def test_matmul_needs_the_matrix_column_dimension():
    p = Program()
    A = p.matrix("A", shape=(2.0, 0.5))
    v, w = p.vector("v", dim=0.5), p.vector("w")
    assert (A @ v).dim == 2.0 and (A.T @ (A @ v)).dim == 0.5
    before = len(p.instructions)
    with pytest.raises(ValueError, match=r"multiplies vectors of dimension 0\.5; 'w' has"):
        A @ w
    with pytest.raises(ValueError, match=r"A\.T has shape \(0\.5, 2\.0\)"):
        A.T @ v
    assert len(p.instructions) == before  # a failed instruction adds nothing


@pytest.mark.parametrize("op", ["nonlin", "moment", "linear", "plus"])
def test_arguments_of_one_instruction_share_a_dimension(op):
    p = Program()
    a, b = p.vector("a", dim=1.0), p.vector("b", dim=2.0)
    before = len(p.instructions)
    with pytest.raises(ValueError, match="must share one dimension, got 'a': 1, 'b': 2"):
        if op == "nonlin":
            p.nonlin(lambda x, y: x * y, a, b)
        elif op == "moment":
            p.moment("m", lambda x, y: x * y, a, b)
        elif op == "linear":
            p.linear([1.0, 1.0], [a, b])
        else:
            a + b
    assert len(p.instructions) == before


@pytest.mark.parametrize("dim", [0, -1.0, np.nan, np.inf, "1", None, True])
def test_a_dimension_must_be_a_positive_number(dim):
    p = Program()
    with pytest.raises((ValueError, TypeError), match="dim"):
        p.vector("v", dim=dim)
    with pytest.raises((ValueError, TypeError), match="dim"):
        p.vectors(["u", "w"], cov=np.eye(2), dim=dim)
    assert p.instructions == ()


@pytest.mark.parametrize("shape", [(1.0,), (1, 2, 3), "ab", 2.0, (0, 1), (1, -2), (1, np.nan)])
def test_a_shape_must_be_a_pair_of_positive_numbers(shape):
    p = Program()
    with pytest.raises((ValueError, TypeError), match="shape"):
        p.matrix("A", shape=shape)
    assert p.matrices == ()


def test_shapes_accept_numpy_and_the_simulation_has_those_sizes():
    p = Program()
    A = p.matrix("A", shape=np.array([1.5, 0.5]))
    h = A @ p.vector("v", dim=np.float64(0.5))
    _, vecs = p.simulate(10, np.random.default_rng(0), return_vectors=True)
    assert vecs["v"].shape == (5,) and vecs[h.name].shape == (15,)
    q = Program()
    q.moment("m", lambda a: a, q.vector("x", dim=0.1))
    with pytest.raises(ValueError, match="has no coordinate; n must be at least 6"):
        q.simulate(5, np.random.default_rng(0))  # round(0.5) = 0 coordinates
    assert q.simulate(6, np.random.default_rng(0))["m"] != 0


# -- exactness against closed forms --------------------------------------------------------------
@pytest.mark.parametrize("ratio", RATIOS)
def test_marchenko_pastur_moments_are_the_narayana_sums(ratio):
    """The engine's moments of a rectangular Wishart program against rmt's Narayana sums (another
    code path: combinatorics), exactly: error 0.0 and agreement to 1e-12 relative."""
    lim = wishart_program(8, ratio=ratio).limit(return_error=True)
    for k in range(1, 9):
        value, err = lim[f"m{k}"]
        truth = float(rmt.marchenko_pastur_moment(k, ratio))
        assert err == 0.0
        assert abs(value - truth) <= 1e-12 * truth


def test_the_transpose_carries_the_ratio():
    """(1/(r n)) |A A^T A x|... written out: for A of shape (r, c), h = A x, g = A^T h, k = A g,
    E[Z^h Z^k] = r/c + 1 (Cov(Zhat^k, Zhat^h) = E[Z^x Z^g] = r/c, and Zdot^k = Z^h); the square
    program's value 2 is the rival."""
    r, c = 3.0, 1.5
    p = Program()
    A = p.matrix("A", shape=(r, c))
    x = p.vector("x", dim=c)
    h = A @ x
    g = A.T @ h
    k = A @ g
    p.moment("hk", lambda a, b: a * b, h, k)
    p.moment("xg", lambda a, b: a * b, x, g)
    lim = p.limit()
    assert lim["xg"] == pytest.approx(r / c, abs=1e-13)
    assert lim["hk"] == pytest.approx(r / c + 1, abs=1e-13)
    assert zdot_coefficients(p)[g.name] == {x.name: pytest.approx(r / c, abs=1e-13)}


def test_catalan_moments_written_the_natural_way_are_exact_and_fast():
    """(A x + A^T x)/sqrt 2 written as a Nonlin is recognized as linear: the 2k-th moment is the
    Catalan number exactly (error 0.0) for k <= 5 (powers up to 10), in well under a second."""
    start = time.perf_counter()
    p = Program()
    A = p.matrix("A")
    v = p.vector("v")
    x = v
    for j in range(1, 11):
        x = p.nonlin(lambda a, b: (a + b) / np.sqrt(2), A @ x, A.T @ x)
        p.moment(f"m{j}", lambda a, b: a * b, v, x)
    lim = p.limit(return_error=True)
    elapsed = time.perf_counter() - start
    for j in range(1, 11):
        value, err = lim[f"m{j}"]
        assert err == 0.0
        assert value == pytest.approx(float(rmt.semicircle_moment(j)), abs=1e-11)
    assert elapsed < 1.0


def test_linear_recognition_accepts_linear_functions_only():
    assert linear_coefficients(lambda a, b: 2 * a - b, 2, []) == pytest.approx([2, -1])
    assert linear_coefficients(lambda a, s: a * s, 1, [0.5]) == pytest.approx([0.5])
    for fn in (np.tanh, np.abs, lambda a: np.maximum(a, 0), lambda a: a + 1.0, np.sinh):
        assert linear_coefficients(fn, 1, []) is None
    assert linear_coefficients(lambda a, b: a * b, 2, []) is None
    assert linear_coefficients(lambda a: np.where(a > 1e-2, a, 0.0), 1, []) is None
    assert linear_coefficients(lambda a: a[:2], 1, []) is None  # wrong shape: not linear


def test_a_linear_nonlin_with_a_moment_parameter_stays_linear():
    """y = q * x with q = E x^2 = 2 a moment, so y ~ N(0, 8) and E y^4 = 3 * 64 exactly (0.0
    error); a Nonlin kept nonlinear would also give 192, but through quadrature with a nonzero
    coarse-fine difference, and test_linear_recognition rules out the rest."""
    p = Program()
    x = p.vector("x", var=2.0)
    q = p.moment("q", lambda a: a * a, x)
    y = p.nonlin(lambda a, s: s * a, x, params=[q])
    p.moment("y4", lambda a: a**4, y)
    lim = p.limit(return_error=True)
    assert lim["y4"] == (pytest.approx(3 * 8.0**2, abs=1e-9), 0.0)


# -- random rectangular programs: limit against large-n simulation ---------------------------
SHAPES = [0.5, 1.0, 2.0]
FUNCS = [np.tanh, np.sin, lambda z: np.maximum(z, 0.0)]


@st.composite
def rectangular_program(draw):
    p = Program()
    c, r = draw(st.sampled_from(SHAPES)), draw(st.sampled_from(SHAPES))
    A = p.matrix("A", std=draw(st.floats(0.6, 1.4)), shape=(r, c))
    rho = draw(st.floats(-0.7, 0.7))
    vecs = list(p.vectors(["u", "v"], cov=[[1, rho], [rho, 1]], dim=c))
    for _ in range(draw(st.integers(2, 5))):
        op = draw(st.sampled_from(["A", "AT", "phi", "lin"]))
        x = vecs[draw(st.integers(0, len(vecs) - 1))]
        same = [y for y in vecs if y.dim == x.dim]
        if op == "A" and x.dim == c:
            vecs.append(A @ x)
        elif op == "AT" and x.dim == r:
            vecs.append(A.T @ x)
        elif op == "lin":
            y = same[draw(st.integers(0, len(same) - 1))]
            vecs.append(p.linear([draw(st.floats(-1, 1)), 1.0], [x, y]))
        else:
            vecs.append(p.nonlin(draw(st.sampled_from(FUNCS)), x))
    last = vecs[-1]
    same = [y for y in vecs if y.dim == last.dim]
    other = same[draw(st.integers(0, len(same) - 1))]
    p.moment("m", lambda a, b: np.tanh(a) * b, last, other)
    p.moment("q", lambda a: a * a, last)
    return p


@settings(max_examples=15, deadline=None)
@given(rectangular_program())
def test_random_rectangular_programs_limit_matches_simulation(p):
    """At n = 600 over 16 seeds, each moment's seed mean is within 5 combined standard errors
    (the seeds' and the limit's own) of the limit, plus 2/n for the O(1/n) finite-width bias
    (about 0.003, against seed standard errors of about 0.01)."""
    n, seeds = 600, 16
    lim = p.limit(return_error=True, rng=np.random.default_rng(0), mc_samples=20000)
    runs = [p.simulate(n, np.random.default_rng(s)) for s in range(seeds)]
    for name, (value, err) in lim.items():
        xs = np.array([r[name] for r in runs])
        se = xs.std(ddof=1) / np.sqrt(seeds)
        assert abs(xs.mean() - value) <= 5 * np.hypot(se, err) + 2 / n, (name, value, xs.mean(), se)
