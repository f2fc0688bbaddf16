"""Bad input to every public callable of ``widthlimits.probability``, ``widthlimits.gaussian``
and ``widthlimits.tp`` raises ``ValueError`` or ``TypeError`` (never anything else, never a
silent result), and numpy arrays and scalars are accepted wherever lists and numbers are."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widthlimits import gaussian, tp
from widthlimits import probability as P
from widthlimits.tp.engine import Engine
from widthlimits.tp.instructions import check_output, sequence
from widthlimits.tp.simulate import check_width

RNG = np.random.default_rng(0)

# -- strategies of bad values ------------------------------------------------------------------
junk = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.booleans(),
    st.complex_numbers(allow_nan=False, allow_infinity=False).filter(lambda z: z.imag != 0),
    st.lists(st.integers(max_value=0), max_size=2),  # never a valid size or list of sizes
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)
not_finite = st.sampled_from([math.nan, math.inf, -math.inf, np.float64("nan")])


def bad_int(low: int = 1):
    return st.one_of(
        junk,
        not_finite,
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(max_value=low - 1),
        st.integers(min_value=-(2**62), max_value=low - 1).map(np.int64),
    )


def bad_real(low: float | None = None, high: float | None = None):
    out = [junk, not_finite]
    if low is not None:
        out.append(
            st.floats(max_value=low, exclude_max=True, allow_nan=False, allow_infinity=False)
        )
    if high is not None:
        out.append(
            st.floats(min_value=high, exclude_min=True, allow_nan=False, allow_infinity=False)
        )
    return st.one_of(*out)


bad_callable = st.one_of(
    st.none(), st.text(max_size=4), st.integers(), st.floats(), st.lists(st.integers(), max_size=2)
)
bad_rng = st.one_of(
    st.none(), st.integers(), st.text(max_size=3), st.just(np.random.RandomState(0))
)
bad_dist = st.one_of(
    st.none(),
    st.integers(),
    st.lists(st.integers(), max_size=2),
    st.text(max_size=8).filter(lambda s: s.strip().lower() not in P.DISTRIBUTIONS),
)
bad_array = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.just([[1.0], [1.0, 2.0]]),
    st.just([]),
    st.just([1.0, math.nan]),
    st.just([1.0, math.inf]),
    st.just([1 + 2j, 3.0]),
    st.just(["a", "b"]),
    st.just([True, False]),
)
bad_cov = st.one_of(
    bad_array,
    st.just([[1.0, 2.0], [2.0, 1.0]]),  # not PSD
    st.just([[1.0, 0.5], [0.1, 1.0]]),  # not symmetric
    st.just(np.eye(4)),  # too many dimensions for quadrature
    st.just([[1.0, 0.0, 0.0]]),  # not square
    st.floats(max_value=-1e-6, allow_nan=False, allow_infinity=False),  # a negative variance
    not_finite,
)


def prog():
    p = tp.Program()
    A = p.matrix("A")
    v = p.vector("v")
    p.moment("m", lambda a: a * a, A @ v)
    return p, A, v


def dist(b):
    return P.distribution(b)


U = P.distribution("uniform")

CASES = {
    # probability
    "distribution": (bad_dist, dist),
    "Distribution.moment": (bad_int(0), lambda b: U.moment(b)),
    "Distribution.sample size": (
        bad_int(0).filter(lambda b: not isinstance(b, list)),
        lambda b: U.sample(RNG, b),
    ),
    "Distribution.sample rng": (bad_rng, lambda b: U.sample(b, 3)),
    "moments_of dist": (
        st.one_of(bad_dist, st.just({1: 0}), st.just({1: 0, 2: "a"})),
        lambda b: P.moments_of(b, 2),
    ),
    "moments_of k": (bad_int(0), lambda b: P.moments_of("uniform", b)),
    "sample_means dist": (bad_dist, lambda b: P.sample_means(b, 3, 3, RNG)),
    "sample_means n": (bad_int(1), lambda b: P.sample_means("uniform", b, 3, RNG)),
    "sample_means reps": (bad_int(1), lambda b: P.sample_means("uniform", 3, b, RNG)),
    "sample_means rng": (bad_rng, lambda b: P.sample_means("uniform", 3, 3, b)),
    "sample_mean_rmse ns": (
        st.one_of(bad_int(1), st.just([]), st.just([3, 1.5])),
        lambda b: P.sample_mean_rmse("uniform", b, 3, RNG),
    ),
    "sample_mean_rmse reps": (bad_int(2), lambda b: P.sample_mean_rmse("uniform", [3], b, RNG)),
    "coordinate_average phi": (bad_callable, lambda b: P.coordinate_average(b, [1.0, 2.0])),
    "coordinate_average x": (bad_array, lambda b: P.coordinate_average(np.cos, b)),
    "normalized_sums n": (bad_int(1), lambda b: P.normalized_sums("uniform", b, 3, RNG)),
    "normalized_sums dist": (bad_dist, lambda b: P.normalized_sums(b, 3, 3, RNG)),
    "kolmogorov_distance samples": (bad_array, lambda b: P.kolmogorov_distance(b, np.tanh)),
    "kolmogorov_distance cdf": (bad_callable, lambda b: P.kolmogorov_distance([0.0, 1.0], b)),
    "clt_distance dist": (st.one_of(bad_dist, st.just("uniform")), lambda b: P.clt_distance(b, 3)),
    "clt_distance n": (bad_int(1), lambda b: P.clt_distance("rademacher", b)),
    "cumulants k": (bad_int(1), lambda b: P.cumulants("uniform", b)),
    "cumulants dist": (bad_dist, lambda b: P.cumulants(b, 3)),
    "edgeworth_cdf x": (bad_array, lambda b: P.edgeworth_cdf(b, 10, "exponential")),
    "edgeworth_cdf n": (bad_int(1), lambda b: P.edgeworth_cdf(0.0, b, "exponential")),
    "edgeworth_cdf terms": (
        st.one_of(bad_int(0), st.integers(4, 100)),
        lambda b: P.edgeworth_cdf(0.0, 10, "exponential", b),
    ),
    "edgeworth_distance dist": (
        st.one_of(bad_dist, st.just("rademacher"), st.just("uniform")),
        lambda b: P.edgeworth_distance(b, 10),
    ),
    "edgeworth_distance n": (bad_int(1), lambda b: P.edgeworth_distance("exponential", b)),
    "edgeworth_constant j": (
        st.one_of(bad_int(1), st.integers(4, 100)),
        lambda b: P.edgeworth_constant("exponential", b),
    ),
    "preactivation_pairs x": (bad_array, lambda b: P.preactivation_pairs(b, [1.0, 2.0], 3, RNG)),
    "preactivation_pairs y": (
        st.one_of(bad_array, st.just([1.0, 2.0, 3.0])),
        lambda b: P.preactivation_pairs([1.0, 2.0], b, 3, RNG),
    ),
    "preactivation_pairs reps": (bad_int(1), lambda b: P.preactivation_pairs([1.0], [1.0], b, RNG)),
    "preactivation_pairs weights": (
        bad_dist,
        lambda b: P.preactivation_pairs([1.0], [1.0], 3, RNG, b),
    ),
    "orthant_probability": (bad_real(-1.0, 1.0), P.orthant_probability),
    "double_factorial": (bad_int(-1), P.double_factorial),
    "gaussian_moment k": (bad_int(0), P.gaussian_moment),
    "gaussian_moment var": (bad_real(0.0), lambda b: P.gaussian_moment(2, b)),
    "set_partitions": (bad_int(0), P.set_partitions),
    "pairings": (st.one_of(bad_int(0), st.integers(0, 50).map(lambda m: 2 * m + 1)), P.pairings),
    "normalized_sum_moment k": (
        st.one_of(bad_int(0), st.integers(61, 10**6)),
        lambda b: P.normalized_sum_moment(b, 3),
    ),
    "normalized_sum_moment n": (bad_int(1), lambda b: P.normalized_sum_moment(2, b)),
    "normalized_sum_moment dist": (
        st.one_of(bad_dist, st.just({1: 1, 2: 1})),
        lambda b: P.normalized_sum_moment(2, 3, b),
    ),
    # gaussian
    "gaussian_expectation f": (bad_callable, lambda b: gaussian.gaussian_expectation(b)),
    "gaussian_expectation cov": (bad_cov, lambda b: gaussian.gaussian_expectation(np.cos, b)),
    "gaussian_expectation nodes": (
        st.one_of(bad_int(1).filter(lambda b: b is not None), st.integers(301, 10**6)),
        lambda b: gaussian.gaussian_expectation(np.cos, nodes=b),
    ),
    "gaussian_expectation return_error": (
        junk.filter(lambda b: not isinstance(b, bool)),
        lambda b: gaussian.gaussian_expectation(np.cos, return_error=b),
    ),
    "gaussian_expectation bad f output": (
        st.sampled_from(
            [
                lambda z: z * np.nan,
                lambda z: 1.0,
                lambda z: "a",
                lambda z: None,
                lambda z: z + 1j,
                lambda z: np.exp(z * z / 2),
            ]
        ),
        lambda b: gaussian.gaussian_expectation(b),
    ),
    "spherical_rule d": (st.one_of(bad_int(0), st.integers(4, 100)), gaussian.spherical_rule),
    "spherical_rule level": (
        st.one_of(
            junk, st.text(max_size=5).filter(lambda s: s.strip().lower() not in ("fine", "coarse"))
        ),
        lambda b: gaussian.spherical_rule(2, None, b),
    ),
    "spherical_rule forms": (
        st.one_of(
            st.none().map(lambda _: "x"),
            st.just([[1.0, 2.0, 3.0]]),
            st.just([[math.nan, 1.0]]),
            st.just([["a", "b"]]),
        ),
        lambda b: gaussian.spherical_rule(2, b),
    ),
    "spherical_integral evaluate": (bad_callable, lambda b: gaussian.spherical_integral(b, 1)),
    "spherical_integral d": (
        st.one_of(bad_int(0), st.integers(4, 100)),
        lambda b: gaussian.spherical_integral(lambda xi: xi[0] ** 2, b),
    ),
    # tp: writing a program
    "Program.matrix std": (bad_real(0.0), lambda b: tp.Program().matrix("A", b)),
    "Program.matrix name": (
        st.one_of(st.integers(), st.just(""), st.lists(st.integers(), max_size=1)),
        lambda b: tp.Program().matrix(b),
    ),
    "Program.vector var": (bad_real(0.0), lambda b: tp.Program().vector("v", b)),
    "Program.vectors names": (
        st.one_of(
            st.none(), st.text(max_size=3), st.just([]), st.just(["a", "a"]), st.just([1, 2])
        ),
        lambda b: tp.Program().vectors(b, np.eye(2)),
    ),
    "Program.vectors cov": (bad_cov, lambda b: tp.Program().vectors(["a", "b"], b)),
    "Program.matmul A": (st.one_of(junk, st.integers()), lambda b: prog()[0].matmul(b, prog()[2])),
    "Program.matmul x": (st.one_of(junk, st.integers()), lambda b: prog()[0].matmul(prog()[1], b)),
    "Program.linear coeffs": (
        st.one_of(
            st.none(),
            st.text(max_size=3),
            st.integers(),
            st.just([]),
            st.just([math.nan]),
            st.just([None]),
            st.just([1.0, 2.0]),
            st.just(["a"]),
        ),
        lambda b: (lambda p: p[0].linear(b, [p[2]]))(prog()),
    ),
    "Program.nonlin fn": (bad_callable, lambda b: (lambda p: p[0].nonlin(b, p[2]))(prog())),
    "Program.nonlin params": (
        st.one_of(
            st.none(),
            st.text(min_size=1, max_size=3),
            st.integers(),
            st.just([math.nan]),
            st.just(["a"]),
            st.just([[1.0]]),
        ),
        lambda b: (lambda p: p[0].nonlin(lambda a, *s: a, p[2], params=b))(prog()),
    ),
    "Program.nonlin arity": (
        st.sampled_from(
            [lambda: 0, lambda a, b: a, lambda a, b, c: a, lambda a: 1 / 0, lambda a: [][1]]
        ),
        lambda b: (lambda p: p[0].nonlin(b, p[2]))(prog()),
    ),
    "Program.moment name": (
        st.one_of(st.none(), st.integers(), st.just(""), st.just("m")),
        lambda b: (lambda p: p[0].moment(b, np.cos, p[2]))(prog()),
    ),
    "Program.moment fn": (bad_callable, lambda b: (lambda p: p[0].moment("q", b, p[2]))(prog())),
    "Program.index": (
        st.one_of(
            st.text(max_size=3).filter(lambda s: s not in ("v", "m")), st.integers(), st.none()
        ),
        lambda b: prog()[0].index(b),
    ),
    "Vector / c": (st.one_of(junk, st.just(0), st.just(0.0), not_finite), lambda b: prog()[2] / b),
    "Vector * c": (st.one_of(st.text(max_size=2), st.none(), not_finite), lambda b: prog()[2] * b),
    # tp: reading it
    "Program.simulate n": (
        st.one_of(bad_int(1), st.just(10**7)),
        lambda b: prog()[0].simulate(b, RNG),
    ),
    "Program.simulate rng": (bad_rng, lambda b: prog()[0].simulate(10, b)),
    "Program.simulate return_vectors": (
        junk.filter(lambda b: not isinstance(b, bool)),
        lambda b: prog()[0].simulate(10, RNG, return_vectors=b),
    ),
    "simulate prog": (junk, lambda b: tp.simulate(b, 10, RNG)),
    "check_width": (st.one_of(bad_int(1), st.just(10**7)), lambda b: check_width(prog()[0], b)),
    "Program.limit return_error": (
        junk.filter(lambda b: not isinstance(b, bool)),
        lambda b: prog()[0].limit(b),
    ),
    "Program.limit rng": (
        st.one_of(st.integers(), st.text(max_size=3), st.just(np.random.RandomState(0))),
        lambda b: prog()[0].limit(rng=b),
    ),
    "Program.limit mc_samples": (
        st.one_of(bad_int(100), st.just(10**12)),
        lambda b: prog()[0].limit(mc_samples=b),
    ),
    "Program.limit mc_repeats": (bad_int(2), lambda b: prog()[0].limit(mc_repeats=b)),
    "master_limit prog": (junk, lambda b: tp.master_limit(b)),
    "zdot_coefficients": (junk, tp.zdot_coefficients),
    "Engine": (junk, lambda b: Engine(b, RNG, 1000)),
    "check_output": (
        st.one_of(
            st.none(),
            st.text(max_size=3),
            st.just([1.0, math.nan]),
            st.just([1.0]),
            st.just([1j, 2j]),
        ),
        lambda b: check_output(b, (2,), "nonlin"),
    ),
    "sequence": (
        st.one_of(st.none(), st.text(max_size=3), st.integers(), st.just([])),
        lambda b: sequence("xs", b),
    ),
    # tp: ready-made programs
    "power_program k": (bad_int(1), tp.power_program),
    "power_program symmetric": (
        junk.filter(lambda b: not isinstance(b, bool)),
        lambda b: tp.power_program(2, b),
    ),
    "power_program std": (bad_real(0.0), lambda b: tp.power_program(2, True, b)),
    "power_zdot": (bad_int(1), tp.power_zdot),
    "wishart_program": (bad_int(1), tp.wishart_program),
    "mlp_program depth": (bad_int(1), lambda b: tp.mlp_program(b, [[1.0]])),
    "mlp_program input_cov": (
        st.one_of(bad_array, st.just([[1.0, 2.0], [2.0, 1.0]]), st.just([[1.0, 0.5], [0.1, 1.0]])),
        lambda b: tp.mlp_program(1, b),
    ),
    "mlp_program phi": (bad_callable, lambda b: tp.mlp_program(1, [[1.0]], b)),
    "mlp_program std": (bad_real(0.0), lambda b: tp.mlp_program(1, [[1.0]], np.tanh, b)),
    "nongaussian_program": (bad_real(0.0), tp.nongaussian_program),
    "simulate_many program": (junk, lambda b: tp.simulate_many(b, [10], 1, RNG)),
    "simulate_many ns": (
        st.one_of(
            junk,
            st.just([10, 0]),
            st.just([10.5]),
            st.just([10**7]),
        ),
        lambda b: tp.simulate_many(prog()[0], b, 1, RNG),
    ),
    "simulate_many seeds": (bad_int(1), lambda b: tp.simulate_many(prog()[0], [10], b, RNG)),
    "simulate_many rng": (bad_rng, lambda b: tp.simulate_many(prog()[0], [10], 1, b)),
    "linear_mup_program lr": (bad_real(), lambda b: tp.linear_mup_program(b, 1.0, 1)),
    "linear_mup_program target": (bad_real(), lambda b: tp.linear_mup_program(0.1, b, 1)),
    "linear_mup_program steps": (bad_int(1), lambda b: tp.linear_mup_program(0.1, 1.0, b)),
}


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_bad_input_raises_a_clear_error(case, data):
    strategy, call = CASES[case]
    bad = data.draw(strategy, label="bad input")
    with pytest.raises((ValueError, TypeError)) as err:
        out = call(bad)
        if hasattr(out, "__next__"):  # a generator must have refused already
            pytest.fail(f"{case} returned a generator for {bad!r}")
    assert str(err.value), "an error needs a sentence"


# -- the inputs.md cases, one by one -----------------------------------------------------------
def test_an_infinite_integral_is_refused_not_reported_exact():
    p = tp.Program()
    v = p.vector("v")
    p.moment("m", lambda a: np.exp(a * a / 2), v)
    with pytest.raises(ValueError, match="does not converge"):
        p.limit(return_error=True)


def test_a_wide_integrand_gets_its_tail():
    p = tp.Program()
    v = p.vector("v", var=49.0)
    p.moment("m", np.exp, v)
    value, err = p.limit(return_error=True)["m"]
    assert abs(value / math.exp(24.5) - 1) <= max(1e-9, err / value)
    assert gaussian.gaussian_expectation(lambda z: np.exp(0.4 * z * z)) == pytest.approx(
        1 / math.sqrt(0.2), rel=1e-10
    )


def test_a_failed_vectors_call_adds_nothing():
    p = tp.Program()
    p.vector("v")
    before = p.instructions
    for names in (["a", "v"], ["a", "a"]):
        with pytest.raises(ValueError):
            p.vectors(names, np.eye(2))
    with pytest.raises(ValueError):
        p.vectors(["a", "b"], [[1.0, 2.0], [2.0, 1.0]])
    assert p.instructions == before and len(p.covariances) == 1
    a, b = p.vectors(["a", "b"], np.eye(2))  # the names are still free
    assert (a.name, b.name) == ("a", "b")


def test_a_parameterized_nonlinearity_is_probed_at_its_real_parameters():
    p = tp.Program()
    v = p.vector("v", 4.0)
    q = p.moment("q", lambda a: a * a, v)  # -> 4, so sqrt(q - 1) is fine; at 0.5 it is NaN
    y = p.nonlin(lambda a, s: a * np.sqrt(s - 1), v, params=[q])
    p.moment("y2", lambda a: a * a, y)
    assert p.limit()["y2"] == pytest.approx(12.0, rel=1e-12)
    with pytest.raises(ValueError, match="NaN"):  # a fixed parameter is probed at its value
        p.nonlin(lambda a, s: a * np.sqrt(s - 1), v, params=[0.5])


def test_sizes_that_cannot_fit_are_refused_with_the_estimate():
    p, _, _ = prog()
    with pytest.raises(ValueError, match="GB"):
        p.simulate(10**7, RNG)
    with pytest.raises(ValueError, match="GB"):
        p.limit(mc_samples=10**12)
    with pytest.raises(ValueError, match="60"):
        P.normalized_sum_moment(150, 3)


def test_the_one_gaussian_expectation_is_shared():
    assert P.gaussian_expectation is tp.gaussian_expectation is gaussian.gaussian_expectation
    relu = lambda z: np.maximum(z, 0)  # noqa: E731
    assert gaussian.gaussian_expectation(relu) == pytest.approx(
        1 / math.sqrt(2 * math.pi), abs=1e-13
    )
    gh, err = gaussian.gaussian_expectation(relu, 1.0, nodes=40, return_error=True)
    assert abs(gh - 1 / math.sqrt(2 * math.pi)) > 1e-5 and err > 0  # a kink: Gauss-Hermite is slow
    assert gaussian.gaussian_expectation(np.cos, 2.0) == pytest.approx(math.exp(-1.0), rel=1e-12)
    assert gaussian.gaussian_expectation(np.cos, [[2.0]]) == gaussian.gaussian_expectation(
        np.cos, 2.0
    )


# -- numpy arrays and scalars are numbers and sequences -------------------------------------------
def test_numpy_scalars_and_arrays_are_accepted():
    i, f = np.int64, np.float32
    assert P.normalized_sum_moment(i(4), i(10)) == Fraction(14, 5)
    assert P.gaussian_moment(i(4), f(2.0)) == 12.0
    assert P.double_factorial(i(5)) == 15
    assert len(list(P.pairings(i(4)))) == 3 and len(list(P.set_partitions(i(3)))) == 5
    assert P.orthant_probability(f(0.0)) == 0.25
    assert P.sample_means("Uniform", i(10), i(4), np.random.default_rng(0)).shape == (4,)
    assert P.sample_mean_rmse("uniform", np.array([10, 20]), i(4), np.random.default_rng(0))[
        0
    ].shape == (2,)
    assert P.edgeworth_cdf(np.array([0.0, 1.0]), i(100), "exponential", i(1)).shape == (2,)
    assert P.cumulants({1: 0, 2: np.float64(1.0), 3: i(2)}, i(3))[2] == 2
    assert P.gaussian_expectation(np.cos, f(2.0), nodes=i(40)) == pytest.approx(
        math.exp(-1), rel=1e-10
    )
    assert gaussian.spherical_rule(i(2), np.eye(2))[0].shape[0] == 2
    p = tp.Program()
    A = p.matrix("A", f(2.0))
    u, w = p.vectors(np.array(["u", "w"]), np.eye(2))
    v = p.vector("v", i(2))
    x = p.linear(np.array([1.0, 2.0]), [u, w])
    y = p.nonlin(lambda a, s: a * s, v, params=np.array([2.0]))
    p.moment("m", lambda a, b, c: a * b + c, A @ x, A @ x, y)
    assert p.limit()["m"] == pytest.approx(4.0 * 5.0, rel=1e-12)
    assert p.simulate(i(20), np.random.default_rng(0)).keys() == {"m"}
    assert tp.simulate_many(tp.power_program(i(2)), np.array([10, 20]), i(2), RNG)["m2"].shape == (
        2,
        2,
    )
    assert (x / f(2.0)).name and (x * i(3)).name
