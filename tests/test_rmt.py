"""Tests of widthlimits.rmt: exact combinatorics by brute force, limit laws against quadrature,
random matrices against their exact expectations, and the errors raised on bad input."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from widthlimits import probability, rmt


# ----------------------------------------------------------------------------------------------
# Exact combinatorics
# ----------------------------------------------------------------------------------------------
def brute_force_matchings(m: int) -> list[tuple[tuple[int, int], ...]]:
    """Every perfect matching of range(m), found by filtering all permutations (no recursion)."""
    found = set()
    for perm in itertools.permutations(range(m)):
        pairs = tuple(sorted(tuple(sorted(perm[i : i + 2])) for i in range(0, m, 2)))
        found.add(pairs)
    return sorted(found)


def crosses(p, q) -> bool:
    (a, b), (c, d) = sorted([p, q])
    return a < c < b < d


def test_catalan_small_values_and_recursion():
    # OEIS A000108, and the recursion C_{k+1} = sum C_i C_{k-i}, for k up to 60
    assert [rmt.catalan(k) for k in range(11)] == [1, 1, 2, 5, 14, 42, 132, 429, 1430, 4862, 16796]
    for k in range(60):
        assert rmt.catalan(k + 1) == sum(rmt.catalan(i) * rmt.catalan(k - i) for i in range(k + 1))


def test_catalan_is_exact_beyond_float_range():
    # C_1000 has 598 digits; a float computation would overflow or round
    c = rmt.catalan(1000)
    assert isinstance(c, int)
    assert c * 1001 == math.comb(2000, 1000)
    assert rmt.catalan(np.int64(5)) == 42


def test_narayana_rows_sum_to_catalan_and_are_symmetric():
    for k in range(1, 40):
        row = [rmt.narayana(k, j) for j in range(1, k + 1)]
        assert sum(row) == rmt.catalan(k)
        assert row == row[::-1]
    assert rmt.narayana(0, 0) == 1 and rmt.narayana(5, 0) == 0 and rmt.narayana(5, 6) == 0


def test_pairings_is_probabilitys_function():
    # Part II defines the matchings; Part III re-exports the same object
    assert rmt.pairings is probability.pairings


@pytest.mark.parametrize("m", [0, 2, 4, 6, 8])
def test_pairings_match_brute_force(m):
    assert list(rmt.pairings(m)) == brute_force_matchings(m)


@pytest.mark.parametrize("m", [0, 2, 4, 6, 8, 10, 12])
def test_pairing_counts_are_double_factorials(m):
    assert sum(1 for _ in rmt.pairings(m)) == probability.double_factorial(m - 1)


@pytest.mark.parametrize("m", [0, 2, 4, 6, 8, 10, 12])
def test_noncrossing_pairings_are_the_noncrossing_subset(m):
    # brute force: filter all (m-1)!! matchings for crossing arcs; the count is Catalan(m/2)
    by_filter = [
        p
        for p in rmt.pairings(m)
        if not any(crosses(a, b) for a, b in itertools.combinations(p, 2))
    ]
    generated = list(rmt.noncrossing_pairings(m))
    assert generated == by_filter  # same matchings, same (lexicographic) order
    assert len(generated) == rmt.catalan(m // 2)


def test_crossings_and_noncrossing_predicate():
    assert rmt.crossing_pairs([(0, 2), (1, 3)]) == [((0, 2), (1, 3))]
    assert rmt.crossing_pairs([(1, 3), (0, 2)]) == [((0, 2), (1, 3))]  # any order of input
    assert rmt.is_noncrossing([(0, 5), (1, 2), (3, 4)])
    assert not rmt.is_noncrossing([(0, 3), (1, 4), (2, 5)])
    assert len(rmt.crossing_pairs([(0, 3), (1, 4), (2, 5)])) == 3


@pytest.mark.parametrize(
    "k, genus_counts",
    [
        # Harer-Zagier numbers: pairings of 2p points by genus g, with V = p + 1 - 2g vertices
        (2, {2: 1}),
        (4, {3: 2, 1: 1}),
        (6, {4: 5, 2: 10}),
        (8, {5: 14, 3: 70, 1: 21}),
        (10, {6: 42, 4: 420, 2: 483}),
    ],
)
def test_vertex_counts_follow_the_genus_expansion(k, genus_counts):
    counts = Counter(rmt.pairing_vertex_count(p) for p in rmt.pairings(k))
    assert dict(counts) == genus_counts


@pytest.mark.parametrize("k", [2, 4, 6, 8, 10])
def test_maximal_vertex_count_exactly_for_noncrossing(k):
    for p in rmt.pairings(k):
        assert (rmt.pairing_vertex_count(p) == k // 2 + 1) == rmt.is_noncrossing(p)


def all_twists(p):
    return [t for r in range(len(p) + 1) for t in itertools.combinations(p, r)]


def test_gluing_vertex_count_twisted_triangle():
    # review item 8: the walk 0 1 2 0 1 2 is crossing but keeps k/2 = 3 vertices when twisted
    p = ((0, 3), (1, 4), (2, 5))
    assert rmt.gluing_vertex_count(p) == rmt.pairing_vertex_count(p) == 2
    assert rmt.gluing_vertex_count(p, twisted=p) == 3
    assert rmt.gluing_vertex_count(((0, 1),), twisted=((0, 1),)) == 1  # a loop X_ii X_ii


@pytest.mark.parametrize("k", [2, 4, 6, 8])
def test_gluings_obey_euler_bounds(k):
    # any gluing: V <= k/2 + 1, equality iff non-crossing and untwisted (a sphere); a twisted
    # pair makes the surface non-orientable, so V <= k/2; untwisted gluings have V = k/2+1 mod 2
    for p in rmt.pairings(k):
        for t in all_twists(p):
            v = rmt.gluing_vertex_count(p, t)
            assert v <= k // 2 + 1
            assert (v == k // 2 + 1) == (rmt.is_noncrossing(p) and not t)
            if not t:
                assert (k // 2 + 1 - v) % 2 == 0


def brute_force_gaussian_ensemble_moment(k: int, n: int, ensemble: str) -> Fraction:
    """(1/n) E tr W^k for the GOE or GUE by summing over all n^k walks with entry moments.

    GOE: X_ij ~ N(0, 1) off the diagonal, N(0, 2) on it. GUE: X_ij standard complex Gaussian
    (E[Z^p conj(Z)^q] = p! if p == q else 0) above the diagonal, N(0, 1) on it.
    """
    total = 0
    for walk in itertools.product(range(n), repeat=k):
        steps = Counter((walk[t], walk[(t + 1) % k]) for t in range(k))
        weight = 1
        for a, b in {tuple(sorted(e)) for e in steps}:
            if a == b:
                p = steps[(a, a)]
                scale = 2 ** (p // 2) if ensemble == "goe" else 1
                weight *= 0 if p % 2 else scale * ENTRY_MOMENT["gaussian"](p)
            elif ensemble == "goe":
                weight *= ENTRY_MOMENT["gaussian"](steps[(a, b)] + steps[(b, a)])
            else:
                p, q = steps[(a, b)], steps[(b, a)]
                weight *= math.factorial(p) if p == q else 0
        total += weight
    return Fraction(total, n ** (1 + k // 2))


@pytest.mark.parametrize("ensemble", rmt.ENSEMBLES)
@pytest.mark.parametrize("k, nmax", [(2, 5), (4, 5), (6, 4)])
def test_wick_sum_matches_brute_force_walks(ensemble, k, nmax):
    for n in range(1, nmax + 1):
        assert rmt.gaussian_moment_wick(k, n, ensemble) == brute_force_gaussian_ensemble_moment(
            k, n, ensemble
        )


@pytest.mark.parametrize("k", [2, 4, 6, 8, 10])
def test_goe_wick_equals_walk_count_with_goe_diagonal(k):
    assert rmt.gaussian_moment_expansion(k, "goe") == rmt.wigner_moment_expansion(k, diagonal=2)
    gue = rmt.gaussian_moment_expansion(k, "gue")
    assert all(c == 0 for c in gue[1::2])  # the genus expansion: even powers of 1/n only
    assert gue[0] == rmt.catalan(k // 2)


def test_fourth_moments_of_the_three_diagonals_and_the_gue():
    # exact: 2 + (m4 - 6 + 4 d)/n + ... for diagonal variance d, and 2 + 1/n^2 for the GUE
    assert rmt.wigner_moment_expansion(4, diagonal=2) == (2, 5, 5)
    assert rmt.wigner_moment_expansion(4, diagonal=0) == (2, -3, 1)
    assert rmt.gaussian_moment_expansion(4, "gue") == (2, 0, 1)
    assert rmt.gaussian_moment_wick(3, 5) == 0


# ----------------------------------------------------------------------------------------------
# Exact finite-n moments by counting walks
# ----------------------------------------------------------------------------------------------
ENTRY_MOMENT = {  # E[X^p] for the two standardized entry laws, by hand
    "gaussian": lambda p: 0 if p % 2 else math.prod(range(p - 1, 0, -2)),
    "rademacher": lambda p: 0 if p % 2 else 1,
}


def brute_force_trace_moment(k: int, n: int, entries: str) -> Fraction:
    """(1/n) E tr W^k by summing over all n^k closed walks, one index tuple at a time."""
    total = 0
    for walk in itertools.product(range(n), repeat=k):
        edges = Counter(tuple(sorted((walk[t], walk[(t + 1) % k]))) for t in range(k))
        total += math.prod(ENTRY_MOMENT[entries](p) for p in edges.values())
    return Fraction(total, n ** (1 + Fraction(k, 2))) if k % 2 == 0 else Fraction(total)


@pytest.mark.parametrize("entries", rmt.ENTRIES)
@pytest.mark.parametrize("k, nmax", [(2, 6), (3, 5), (4, 6), (5, 4), (6, 4)])
def test_walk_enumeration_matches_brute_force(entries, k, nmax):
    for n in range(1, nmax + 1):
        assert rmt.wigner_moment_exact(k, n, entries) == brute_force_trace_moment(k, n, entries)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 100, 12345])
def test_fourth_moment_closed_form(n):
    # derived in the moment-method chapter: 2 + (m4 - 2)/n with the diagonal of variance 1/n
    assert rmt.wigner_moment_exact(4, n, "gaussian") == 2 + Fraction(1, n)
    assert rmt.wigner_moment_exact(4, n, "rademacher") == 2 - Fraction(1, n)


def test_second_moment_is_exactly_one():
    for n in (1, 5, 50):
        for entries in rmt.ENTRIES:
            assert rmt.wigner_moment_exact(2, n, entries) == 1


@pytest.mark.parametrize("entries", rmt.ENTRIES)
@pytest.mark.parametrize("k", [0, 2, 4, 6, 8])
def test_expansion_leading_term_is_catalan_and_sums_correctly(entries, k):
    coeffs = rmt.wigner_moment_expansion(k, entries)
    assert coeffs[0] == rmt.semicircle_moment(k)
    for n in (1, 3, 17):
        assert sum(Fraction(c, n**j) for j, c in enumerate(coeffs)) == rmt.wigner_moment_exact(
            k, n, entries
        )


def test_walk_shapes_leading_ones_are_noncrossing_pairings():
    # shapes with k/2 + 1 vertices walk each edge exactly twice, there and back, and the pairing
    # of the two steps on each edge is non-crossing: a bijection with the Catalan objects
    for k in (2, 4, 6, 8):
        top = [s for s in rmt.walk_shapes(k) if s.vertices == k // 2 + 1]
        assert len(top) == rmt.catalan(k // 2) and all(s.weight == 1 for s in top)
        pairings = {rmt.step_pairing(s.labels) for s in top}
        assert pairings == set(rmt.noncrossing_pairings(k))


def test_step_pairing_examples():
    # 0-1-2-1-0-3-0: edge 01 at steps 0 and 3, edge 12 at steps 1 and 2, edge 03 at 4 and 5
    assert rmt.step_pairing((0, 1, 2, 1, 0, 3)) == ((0, 3), (1, 2), (4, 5))
    assert rmt.step_pairing((0, 1, 2, 3, 2, 1)) == ((0, 5), (1, 4), (2, 3))
    with pytest.raises(ValueError, match="exactly twice"):
        rmt.step_pairing((0, 1, 0, 1))  # one edge walked four times


def brute_force_wishart_moment(k: int, n: int, m: int, entries: str) -> Fraction:
    """(1/n) E tr (X^T X / m)^k by summing over all column and row index walks."""
    total = 0
    for cols in itertools.product(range(n), repeat=k):
        for rows in itertools.product(range(m), repeat=k):
            edges = Counter()
            for t in range(k):
                edges[(rows[t], cols[t])] += 1
                edges[(rows[t], cols[(t + 1) % k])] += 1
            total += math.prod(ENTRY_MOMENT[entries](p) for p in edges.values())
    return Fraction(total, n * m**k)


@pytest.mark.parametrize("entries", rmt.ENTRIES)
@pytest.mark.parametrize(
    "k, n, m", [(1, 2, 3), (2, 2, 3), (2, 3, 2), (3, 2, 2), (3, 3, 2), (4, 2, 2)]
)
def test_wishart_enumeration_matches_brute_force(entries, k, n, m):
    assert rmt.wishart_moment_exact(k, n, m, entries) == brute_force_wishart_moment(
        k, n, m, entries
    )


def test_wishart_second_moment_classical_formula():
    # E tr (X^T X)^2 = m n (m + n + 1) for standard Gaussian X (Wishart's second moment)
    for n, m in [(1, 1), (3, 7), (40, 9)]:
        assert rmt.wishart_moment_exact(2, n, m) == Fraction(m * n * (m + n + 1), n * m * m)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_wishart_exact_tends_to_marchenko_pastur(k):
    # with n/m = 1/4 fixed, the finite-size error is O(1/m): below 100 k^2 / m at m = 10^6
    m = 10**6
    exact = rmt.wishart_moment_exact(k, m // 4, m)
    limit = rmt.marchenko_pastur_moment(k, Fraction(1, 4))
    assert abs(exact - limit) < Fraction(100 * k * k, m)


def test_marchenko_pastur_moment_exactness_and_catalan_link():
    assert rmt.marchenko_pastur_moment(3, Fraction(1, 2)) == Fraction(11, 4)
    assert rmt.marchenko_pastur_moment(3, 2) == 11  # 1 + 3*2 + 2^2
    assert isinstance(rmt.marchenko_pastur_moment(3, 0.5), float)
    for k in range(30):
        # x semicircular => x^2 is MP(1): the even semicircle moments
        assert rmt.marchenko_pastur_moment(k, 1) == rmt.semicircle_moment(2 * k) == rmt.catalan(k)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("ratio", [0.25, 1.0, 2.5])
def test_marchenko_pastur_moments_match_its_density(k, ratio):
    # integrate x^k against the density (plus nothing from the atom at 0); quad error < 1e-8
    a, b = rmt.marchenko_pastur_support(ratio)
    val, err = integrate.quad(lambda x: x**k * rmt.marchenko_pastur_pdf(x, ratio), a, b, limit=200)
    assert val == pytest.approx(rmt.marchenko_pastur_moment(k, ratio), rel=1e-8)


# ----------------------------------------------------------------------------------------------
# Limit laws
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("k", range(9))
def test_semicircle_moments_match_density(k):
    val, _ = integrate.quad(lambda x: x**k * rmt.semicircle_pdf(x), -2, 2)
    assert val == pytest.approx(rmt.semicircle_moment(k), abs=1e-10)


def test_semicircle_cdf_is_the_integral_of_the_pdf():
    xs = np.linspace(-2.5, 2.5, 41)
    num = [integrate.quad(rmt.semicircle_pdf, -2, x)[0] if x > -2 else 0.0 for x in xs]
    assert np.allclose(rmt.semicircle_cdf(xs), num, atol=1e-10)


@pytest.mark.parametrize("ratio", [0.1, 0.25, 1.0, 2.0, 4.0])
def test_marchenko_pastur_cdf_is_the_integral_of_the_pdf(ratio):
    a, b = rmt.marchenko_pastur_support(ratio)
    atom = max(0.0, 1 - 1 / ratio)
    xs = np.linspace(a, b, 25)
    num = [
        atom + integrate.quad(rmt.marchenko_pastur_pdf, a, x, args=(ratio,), limit=200)[0]
        for x in xs
    ]
    assert np.allclose(rmt.marchenko_pastur_cdf(xs, ratio), num, atol=1e-8)
    assert rmt.marchenko_pastur_cdf(b + 1, ratio) == 1.0
    assert rmt.marchenko_pastur_cdf(-1.0, ratio) == 0.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=1, max_size=30), st.floats(0.01, 20))
def test_cdfs_are_monotone_and_in_unit_interval(xs, ratio):
    xs = np.sort(np.array(xs))
    for f in (rmt.semicircle_cdf(xs), rmt.marchenko_pastur_cdf(xs, ratio)):
        assert np.all((f >= 0) & (f <= 1)) and np.all(np.diff(f) >= -1e-12)
    assert np.all(rmt.marchenko_pastur_pdf(xs, ratio) >= 0)


def test_limit_laws_are_vectorized_and_scalar_friendly():
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    assert rmt.semicircle_pdf(x).shape == (3, 4)
    assert rmt.marchenko_pastur_cdf(x, 0.5).shape == (3, 4)
    assert isinstance(rmt.semicircle_cdf(1.0), float)


def test_semicircle_sample_has_semicircle_moments():
    # 200k draws: the 4th moment's standard error is sqrt(Var x^4 / N) = sqrt(14 - 4)/447 < 0.01
    x = rmt.semicircle_sample(200_000, np.random.default_rng(1))
    m = rmt.esd_moments(x, 4)
    assert abs(m[2] - 1) < 5 * np.sqrt(1.0 / 200_000)  # Var x^2 = 2 - 1 = 1
    assert abs(m[4] - 2) < 5 * np.sqrt(12.0 / 200_000)  # Var x^4 = 14 - 4 = 10 < 12


# ----------------------------------------------------------------------------------------------
# Random matrices
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("entries", rmt.ENTRIES)
def test_wigner_is_symmetric_with_variance_one_over_n_everywhere(entries):
    rng = np.random.default_rng(2)
    n, reps = 30, 400
    w = rmt.wigner(n, rng, entries, size=reps)
    assert w.shape == (reps, n, n)
    assert np.array_equal(w, np.swapaxes(w, -1, -2))
    # n * W_ij^2 has mean 1 (variance 2 for Gaussian entries, 0 for signs): 5-SE tolerance
    iu = np.triu_indices(n, 1)
    off = n * w[:, iu[0], iu[1]] ** 2
    diag = n * np.diagonal(w, axis1=1, axis2=2) ** 2
    for sq in (off, diag):
        assert abs(sq.mean() - 1) <= 5 * sq.std(ddof=1) / np.sqrt(sq.size) + 1e-12


def test_wigner_goe_and_zero_diagonal():
    rng = np.random.default_rng(6)
    n, reps = 30, 2000
    d2 = n * np.diagonal(rmt.wigner(n, rng, size=reps, diagonal=2), axis1=1, axis2=2) ** 2
    # n W_ii^2 = 2 Z^2 has mean 2 and variance 8: 5-SE tolerance
    assert abs(d2.mean() - 2) <= 5 * d2.std(ddof=1) / np.sqrt(d2.size)
    assert np.all(np.diagonal(rmt.wigner(5, rng, diagonal=0)) == 0)
    w = rmt.wigner(5, rng, "rademacher", diagonal=2)
    assert np.allclose(np.abs(np.diagonal(w)) * np.sqrt(5), np.sqrt(2))


def test_goe_tridiagonal_fourth_moment_matches_wick():
    # the tridiagonal model has the GOE's eigenvalues, so (1/n) tr T^4 has mean 2 + 5/n + 5/n^2;
    # 20000 draws at n = 6, tolerance 5 standard errors, tight enough to reject the GUE value
    from scipy.linalg import eigvalsh_tridiagonal

    rng = np.random.default_rng(7)
    n = 6
    m4 = np.array(
        [np.mean(eigvalsh_tridiagonal(*rmt.goe_tridiagonal(n, rng)) ** 4) for _ in range(20_000)]
    )
    se = m4.std(ddof=1) / np.sqrt(m4.size)
    assert abs(m4.mean() - float(rmt.gaussian_moment_wick(4, n, "goe"))) < 5 * se
    assert abs(float(rmt.gaussian_moment_wick(4, n, "gue")) - m4.mean()) > 5 * se


def test_goe_largest_eigenvalue_matches_dense_goe():
    # two-sample test of the means of lambda_max, tridiagonal vs dense GOE at n = 40, 5 SE
    rng = np.random.default_rng(8)
    n, reps = 40, 3000
    tri = rmt.goe_largest_eigenvalue(n, rng, samples=reps)
    dense = np.linalg.eigvalsh(rmt.wigner(n, rng, size=reps, diagonal=2))[:, -1]
    se = np.hypot(tri.std(ddof=1), dense.std(ddof=1)) / np.sqrt(reps)
    assert abs(tri.mean() - dense.mean()) < 5 * se
    assert abs(tri.std(ddof=1) / dense.std(ddof=1) - 1) < 0.1  # SE of the ratio is about 0.02
    assert rmt.goe_largest_eigenvalue(1, rng).shape == (1,)


def test_wigner_rademacher_entries_are_signs():
    w = rmt.wigner(7, np.random.default_rng(0), "rademacher")
    assert set(np.unique(np.abs(w) * np.sqrt(7)).round(12)) == {1.0}


def test_wigner_is_reproducible_from_the_seed():
    a = rmt.wigner(5, np.random.default_rng(42))
    b = rmt.wigner(5, np.random.default_rng(42))
    assert np.array_equal(a, b)


@pytest.mark.parametrize("entries", rmt.ENTRIES)
def test_simulated_fourth_moment_matches_exact_value(entries):
    # the high-precision check of 2 +- 1/n: 40000 matrices at n = 8, tolerance 5 standard errors
    n = 8
    m = rmt.wigner_trace_moments(n, 4, np.random.default_rng(3), samples=40_000, entries=entries)[
        :, 4
    ]
    se = m.std(ddof=1) / np.sqrt(m.size)
    assert abs(m.mean() - float(rmt.wigner_moment_exact(4, n, entries))) < 5 * se
    assert 5 * se < 1 / (2 * n)  # precise enough to tell 2 + 1/n from 2 - 1/n


def test_wishart_shape_mean_and_moment():
    rng = np.random.default_rng(4)
    s = rmt.wishart(5, 3, rng)
    assert s.shape == (5, 5) and np.allclose(s, s.T)
    assert np.sum(np.linalg.eigvalsh(s) > 1e-10) == 3  # rank m when n > m
    # (1/n) tr S^2 over 2000 draws at n=4, m=6 against the exact (m+n+1)/m, 5 SE
    vals = [rmt.esd_moments(np.linalg.eigvalsh(rmt.wishart(4, 6, rng)), 2)[2] for _ in range(2000)]
    se = np.std(vals, ddof=1) / np.sqrt(len(vals))
    assert abs(np.mean(vals) - float(rmt.wishart_moment_exact(2, 4, 6))) < 5 * se


def test_esd_moments_equal_normalized_traces():
    w = rmt.wigner(40, np.random.default_rng(5))
    mom = rmt.esd_moments(np.linalg.eigvalsh(w), 6)
    traces = [np.trace(np.linalg.matrix_power(w, k)) / 40 for k in range(7)]
    assert np.allclose(mom, traces, rtol=1e-10, atol=1e-12)
    batch = rmt.esd_moments(np.ones((3, 4)), 2)
    assert batch.shape == (3, 3) and np.all(batch == 1)


def test_kolmogorov_distance_known_values():
    # one point at 0 against the semicircle: the empirical CDF jumps 0 -> 1 where F = 1/2
    assert rmt.kolmogorov_distance([0.0], rmt.semicircle_cdf) == pytest.approx(0.5)
    # the quantiles (i - 1/2)/N of the law itself are at distance exactly 1/(2N)
    from scipy.optimize import brentq

    q = [
        brentq(lambda x, p=p: rmt.semicircle_cdf(x) - p, -2, 2) for p in (np.arange(10) + 0.5) / 10
    ]
    assert rmt.kolmogorov_distance(q, rmt.semicircle_cdf) == pytest.approx(0.05, abs=1e-9)


def test_draw_pairing_colours_crossing_arcs():
    import matplotlib.pyplot as plt

    ax = rmt.draw_pairing(((0, 2), (1, 3), (4, 5)), title="demo")
    styles = [line.get_linestyle() for line in ax.lines[:3]]
    assert styles == ["--", "--", "-"]  # the two crossing arcs dashed, the free one solid
    assert ax.get_title() == "demo"
    fig, axes = plt.subplots(1, 2)
    assert rmt.draw_pairing(((0, 1),), ax=axes[1]) is axes[1]
    plt.close("all")


# ----------------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------------
RNG = np.random.default_rng(0)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: rmt.wigner(0, RNG), "n must be an integer >= 1"),
        (lambda: rmt.wigner(-3, RNG), "n must be an integer >= 1"),
        (lambda: rmt.wigner(3, RNG, "cauchy"), "entries must be one of 'gaussian', 'rademacher'"),
        (lambda: rmt.wigner(3, RNG, size=0), "size must be an integer >= 1"),
        (lambda: rmt.wishart(0, 3, RNG), "n must be an integer >= 1"),
        (lambda: rmt.wishart(3, 0, RNG), "m must be an integer >= 1"),
        (lambda: rmt.wishart(3, 3, RNG, entries="uniform"), "entries must be one of"),
        (lambda: rmt.marchenko_pastur_pdf(1.0, 0), "ratio must be a real number > 0"),
        (lambda: rmt.marchenko_pastur_pdf(1.0, -0.5), "ratio"),
        (lambda: rmt.marchenko_pastur_cdf(1.0, float("nan")), "ratio"),
        (lambda: rmt.marchenko_pastur_cdf(1.0, float("inf")), "ratio"),
        (lambda: rmt.marchenko_pastur_moment(2, 0), "ratio"),
        (lambda: rmt.marchenko_pastur_support(-1), "ratio"),
        (lambda: list(rmt.noncrossing_pairings(5)), "even number of points, got m = 5"),
        (lambda: list(rmt.pairings(7)), "even number of points"),
        (lambda: rmt.catalan(-1), "k must be an integer >= 0"),
        (lambda: rmt.semicircle_pdf([0.0, float("nan")]), "NaN"),
        (lambda: rmt.semicircle_cdf(float("nan")), "NaN"),
        (lambda: rmt.marchenko_pastur_pdf(np.nan, 0.5), "NaN"),
        (lambda: rmt.esd_moments([], 3), "at least 1 entries"),
        (lambda: rmt.esd_moments([1.0, np.nan], 3), "finite"),
        (lambda: rmt.esd_moments([1.0], -1), "kmax"),
        (lambda: rmt.kolmogorov_distance([np.nan], rmt.semicircle_cdf), "finite"),
        (lambda: rmt.kolmogorov_distance([0.0], lambda x: np.full_like(x, np.nan)), "finite"),
        (lambda: rmt.walk_shapes(11), "k <= 10"),
        (lambda: rmt.wishart_moment_exact(7, 2, 2), "k <= 6"),
        (lambda: rmt.wigner_moment_exact(4, 0), "n must be an integer >= 1"),
        (lambda: rmt.is_noncrossing([(0, 1), (1, 2)]), "exactly once"),
        (lambda: rmt.pairing_vertex_count([(0, 3)]), "exactly once"),
        (lambda: rmt.gluing_vertex_count([(0, 1), (2, 3)], [(0, 2)]), "twisted must list"),
        (
            lambda: rmt.gaussian_moment_wick(4, 5, "gse"),
            "ensemble must be one of 'goe', 'gue', got 'gse'",
        ),
        (lambda: rmt.gaussian_moment_wick(12, 5), "k <= 10"),
        (lambda: rmt.wigner(3, RNG, diagonal=3), "diagonal"),
        (lambda: rmt.wigner_moment_exact(4, 3, diagonal=5), "diagonal"),
        (lambda: rmt.goe_tridiagonal(0, RNG), "n must be an integer >= 1"),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: rmt.wigner(3.0, RNG),
        lambda: rmt.wigner(True, RNG),
        lambda: rmt.wigner(3, 0),
        lambda: rmt.wigner(3, np.random.RandomState(0)),
        lambda: rmt.catalan(2.5),
        lambda: rmt.marchenko_pastur_pdf(1.0, "1/4"),
        lambda: rmt.is_noncrossing([1, 2]),
    ],
)
def test_bad_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()


def test_no_nan_at_edges_or_far_away():
    xs = np.array([-np.inf, -2.0, 0.0, 2.0, np.inf])
    assert not np.isnan(rmt.semicircle_pdf(xs)).any()
    assert rmt.semicircle_cdf(xs).tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    for ratio in (0.5, 1.0, 3.0):
        a, b = rmt.marchenko_pastur_support(ratio)
        pts = np.array([-np.inf, 0.0, a, b, np.inf])
        assert not np.isnan(rmt.marchenko_pastur_pdf(pts, ratio)).any()
        assert not np.isnan(rmt.marchenko_pastur_cdf(pts, ratio)).any()


@pytest.mark.parametrize("k", range(9))
def test_noncrossing_partitions_brute_force_and_narayana(k):
    # a partition crosses when a < b < c < d has a, c in one block and b, d in another
    def crosses_somewhere(blocks):
        label = {i: j for j, b in enumerate(blocks) for i in b}
        return any(
            label[a] == label[c] and label[b] == label[d] and label[a] != label[b]
            for a, b, c, d in itertools.combinations(range(k), 4)
        )

    expected = [p for p in probability.set_partitions(k) if not crosses_somewhere(p)]
    found = list(rmt.noncrossing_partitions(k))
    assert found == expected
    assert len(found) == rmt.catalan(k)
    by_blocks = Counter(len(p) for p in found)
    assert all(by_blocks[j] == rmt.narayana(k, j) for j in range(k + 1))


@pytest.mark.parametrize("ratio", [1e-40, 1e40])
def test_marchenko_pastur_cdf_at_extreme_ratios_is_a_step_not_nan(ratio):
    # (1 -+ sqrt(ratio))^2 coincide in floating point: the law is one point (plus the atom)
    x = np.array([-1.0, 0.0, 0.5, 1.0, 1e50])
    f = rmt.marchenko_pastur_cdf(x, ratio)
    assert not np.isnan(f).any() and f[0] == 0.0 and f[-1] == 1.0
    assert np.all(np.diff(f) >= 0)
