"""Part II's combinatorics are exact, its estimators are right on known cases, bad input fails."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from widthlimits import probability as P

BELL = [1, 1, 2, 5, 15, 52, 203, 877, 4140]


@pytest.mark.parametrize("k", range(9))
def test_set_partitions_are_bell_many_and_distinct(k):
    parts = list(P.set_partitions(k))
    assert len(parts) == BELL[k]
    assert len({frozenset(map(frozenset, p)) for p in parts}) == BELL[k]
    for p in parts:
        assert sorted(i for b in p for i in b) == list(range(k))


@pytest.mark.parametrize("m", range(0, 13, 2))
def test_pairings_count_is_double_factorial_by_brute_force(m):
    found = list(P.pairings(m))
    assert len(found) == P.double_factorial(m - 1)
    # brute force: every permutation read as consecutive pairs, canonicalized
    if m <= 8:
        brute = {
            tuple(sorted(tuple(sorted(perm[i : i + 2])) for i in range(0, m, 2)))
            for perm in itertools.permutations(range(m))
        }
        assert set(found) == brute


def test_pairings_rejects_odd_and_negative():
    with pytest.raises(ValueError, match="even"):
        list(P.pairings(5))
    with pytest.raises(ValueError):
        list(P.pairings(-2))
    with pytest.raises(TypeError):
        list(P.pairings(2.0))


def _moment_by_set_partitions(k, n, m):
    """E[(sum X_i)^k] / n^(k/2) by direct enumeration of set partitions (the definition)."""
    total = Fraction(0)
    for p in P.set_partitions(k):
        term = Fraction(math.prod(range(n, n - len(p), -1)))
        for b in p:
            term *= m[len(b)]
        total += term
    return total / Fraction(n ** (k // 2))


@pytest.mark.parametrize("dist", ["rademacher", "uniform", "exponential", "gaussian"])
@pytest.mark.parametrize("k", [2, 4, 6, 8])
@pytest.mark.parametrize("n", [1, 2, 5, 30])
def test_grouped_formula_equals_set_partition_enumeration(dist, k, n):
    d = P.distribution(dist)
    m = {j: d.moment(j) for j in range(1, k + 1)}
    assert P.normalized_sum_moment(k, n, dist) == _moment_by_set_partitions(k, n, m)


def test_normalized_sum_moment_brute_force_over_signs():
    n, k = 6, 4
    vals = [sum(s) ** k for s in itertools.product([-1, 1], repeat=n)]
    assert P.normalized_sum_moment(k, n) == Fraction(sum(vals), 2**n * n ** (k // 2))


def test_moments_tend_to_gaussian_moments():
    for k in (2, 4, 6, 8):
        err = abs(float(P.normalized_sum_moment(k, 10**6, "exponential")) - P.gaussian_moment(k))
        assert err < 1e-3 * P.gaussian_moment(k)


def test_exact_distribution_moments():
    d = P.distribution("exponential")  # X = E - 1: subfactorials 1, 0, 1, 2, 9, 44
    assert [d.moment(j) for j in range(6)] == [1, 0, 1, 2, 9, 44]
    u = P.distribution("uniform")
    assert u.moment(2) == 1 and u.moment(4) == Fraction(9, 5)


def test_normalized_sum_moment_rejects_nonzero_mean_and_bad_input():
    with pytest.raises(ValueError, match="mean zero"):
        P.normalized_sum_moment(4, 3, {1: 1, 2: 1, 3: 1, 4: 1})
    with pytest.raises(ValueError, match="missing"):
        P.normalized_sum_moment(4, 3, {1: 0, 2: 1})
    with pytest.raises(ValueError):
        P.normalized_sum_moment(-1, 3)
    with pytest.raises(ValueError):
        P.normalized_sum_moment(2, 0)
    with pytest.raises(ValueError, match="distribution must be one of"):
        P.normalized_sum_moment(2, 3, "cauchy")
    with pytest.raises(ValueError, match="at most|between 0 and 60"):
        P.normalized_sum_moment(150, 3)  # the number of block types would be about 10^10


def test_gaussian_expectation_is_exact_on_polynomials():
    for k in range(0, 12):
        for nodes in (None, 200):
            assert P.gaussian_expectation(lambda z, k=k: z**k, 1.7, nodes=nodes) == pytest.approx(
                P.gaussian_moment(k, 1.7), rel=1e-12, abs=1e-12
            )
    with pytest.raises(ValueError):
        P.gaussian_expectation(np.cos, -1.0)
    with pytest.raises(ValueError):
        P.gaussian_expectation(lambda z: z * np.nan)


def test_kolmogorov_distance_exact_small_cases():
    assert P.kolmogorov_distance([0.0], stats.norm.cdf) == pytest.approx(0.5)
    x = np.array([-1.0, 1.0])
    expected = max(0.5 - stats.norm.cdf(-1), stats.norm.cdf(1) - 0.5, stats.norm.cdf(-1))
    assert P.kolmogorov_distance(x, stats.norm.cdf) == pytest.approx(expected)
    with pytest.raises(ValueError):
        P.kolmogorov_distance([], stats.norm.cdf)


def test_clt_distance_agrees_with_sampling_within_dkw():
    rng = np.random.default_rng(3)
    R = 100_000
    eps = math.sqrt(math.log(2 / 1e-6) / (2 * R))
    for dist, n in (("rademacher", 9), ("exponential", 16)):
        emp = P.kolmogorov_distance(P.normalized_sums(dist, n, R, rng), stats.norm.cdf)
        assert abs(emp - P.clt_distance(dist, n)) <= eps
    with pytest.raises(ValueError, match="no closed form"):
        P.clt_distance("uniform", 3)


def test_sampling_is_seeded_and_validates_rng():
    a = P.sample_means("uniform", 50, 10, np.random.default_rng(7))
    b = P.sample_means("uniform", 50, 10, np.random.default_rng(7))
    assert np.array_equal(a, b)
    with pytest.raises(TypeError, match="Generator"):
        P.sample_means("uniform", 50, 10, 7)
    with pytest.raises(ValueError):
        P.sample_means("uniform", 0, 10, np.random.default_rng(0))


def test_coordinate_average_validates_phi():
    with pytest.raises(ValueError, match="coordinatewise"):
        P.coordinate_average(lambda x: x.sum(), np.ones(3))
    with pytest.raises(ValueError, match="NaN or infinity"):
        P.coordinate_average(np.log, np.zeros(3))


def test_cumulants_exact_on_known_laws():
    # Exp(1) - 1 has kappa_j = (j-1)! for j >= 2; a Gaussian has no cumulants beyond the second.
    assert P.cumulants("exponential", 7) == [0, 1, 2, 6, 24, 120, 720]
    assert P.cumulants("gaussian", 8) == [0, 1, 0, 0, 0, 0, 0, 0]
    # random signs: log cosh t = t^2/2 - t^4/12 + t^6/45 - ..., so kappa_4 = -2, kappa_6 = 16
    assert P.cumulants("rademacher", 6) == [0, 1, 0, -2, 0, 16]
    with pytest.raises(ValueError):
        P.cumulants("uniform", 0)


@pytest.mark.parametrize("dist", ["rademacher", "uniform", "exponential"])
@pytest.mark.parametrize("n", [1, 3, 20])
def test_sixth_moment_equals_cumulant_formula(dist, n):
    # E S_n^6 = 15 + (15 k4 + 10 k3^2)/n + k6/n^2: cumulants against the set-partition sum.
    k = P.cumulants(dist, 6)
    formula = 15 + Fraction(15 * k[3] + 10 * k[2] ** 2, n) + Fraction(k[5], n * n)
    assert P.normalized_sum_moment(6, n, dist) == formula


def test_edgeworth_cdf_at_zero_and_for_gaussian():
    n = 49
    expected = 0.5 + 2 * stats.norm.pdf(0) / (6 * 7)  # kappa_3 = 2, He_2(0) = -1
    assert float(P.edgeworth_cdf(0.0, n, "exponential")) == pytest.approx(expected, rel=1e-14)
    x = np.linspace(-3, 3, 7)
    assert np.allclose(P.edgeworth_cdf(x, n, "gaussian", terms=3), stats.norm.cdf(x), atol=1e-15)
    with pytest.raises(ValueError):
        P.edgeworth_cdf(0.0, n, "exponential", terms=4)


def test_edgeworth_distance_rates():
    # The remainder after j terms is of order n^(-(j+1)/2) with the constant of the next term:
    # quadrupling n divides it by 2, 4 and 8 (to within the next order's relative n^(-1/2)).
    for terms in (0, 1, 2):
        a, b = (P.edgeworth_distance("exponential", n, terms) for n in (1024, 4096))
        assert a / b == pytest.approx(2 ** (terms + 1), rel=0.05)
        c = P.edgeworth_constant("exponential", terms + 1)
        assert 4096 ** ((terms + 1) / 2) * b == pytest.approx(c, rel=0.05)
    assert P.edgeworth_distance("exponential", 64, 0) == P.clt_distance("exponential", 64)
    with pytest.raises(ValueError, match="lattice"):
        P.edgeworth_distance("rademacher", 10)
    with pytest.raises(ValueError, match="closed form"):
        P.edgeworth_distance("uniform", 10)


def test_rademacher_clt_constant_has_stirling_correction():
    # For even n the sup is the half atom at 0: sqrt(n) D_n = phi(0) (1 - 1/(4n) + O(n^-2)).
    n = 2048
    rel = math.sqrt(n) * P.clt_distance("rademacher", n) * math.sqrt(2 * math.pi) - 1
    assert n * rel == pytest.approx(-0.25, abs=1e-3)


def test_preactivation_pairs_covariance_and_orthant():
    rng = np.random.default_rng(11)
    n = 16
    x = rng.standard_normal(n)
    y = -0.5 * x + rng.standard_normal(n)
    hg = P.preactivation_pairs(x, y, 100_000, rng, weights="uniform")
    cov = np.array([[x @ x, x @ y], [x @ y, y @ y]]) / n
    # 5 standard errors of a sample covariance of ~1e5 draws with entries of order 1
    assert np.allclose(np.cov(hg.T), cov, atol=5 * 2 / math.sqrt(1e5))
    assert P.orthant_probability(-1.0) == 0.0
    assert P.orthant_probability(0.5) == pytest.approx(1 / 3)  # arcsin(1/2) = pi/6
    with pytest.raises(ValueError):
        P.orthant_probability(1.5)
    with pytest.raises(ValueError):
        P.preactivation_pairs(x, y[:-1], 10, rng)
