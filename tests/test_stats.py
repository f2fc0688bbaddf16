"""Standard errors and power-law fits, on cases with known answers."""

import numpy as np
import pytest

from widthlimits.stats import loglog_slope, mean_se, pooled, rms_se


def test_mean_se_matches_formula():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    m, se = mean_se(x)
    assert m == pytest.approx(3.5)
    assert se == pytest.approx(np.std(x, ddof=1) / 2)


def test_exact_power_law_has_exact_slope():
    x = np.array([1.0, 10.0, 100.0, 1000.0])
    s, se = loglog_slope(x, 3 * x**-0.5)
    assert s == pytest.approx(-0.5, abs=1e-12) and se == pytest.approx(0.0, abs=1e-12)


def test_weighted_slope_error_covers_the_truth_at_the_stated_rate():
    # 400 noisy fits: the true slope lies within 2 standard errors in about 95% of them.
    rng = np.random.default_rng(0)
    x = np.geomspace(10, 1e4, 6)
    rel = 0.05
    hits = 0
    for _ in range(400):
        y = x**-0.5 * (1 + rel * rng.standard_normal(x.size))
        s, se = loglog_slope(x, y, rel * x**-0.5)
        hits += abs(s + 0.5) <= 2 * se
    assert 0.90 <= hits / 400 <= 0.99


def test_rms_se():
    r, se = rms_se(np.array([[1.0, -1.0, 1.0, -1.0], [2.0, 0.0, 2.0, 0.0]]), axis=1)
    assert r == pytest.approx([1.0, np.sqrt(2.0)])
    assert se[0] == 0.0 and se[1] > 0


@pytest.mark.parametrize(
    "x, y", [([1, 2], [1, -1]), ([0, 1, 2], [1, 1, 1]), ([1, 2, 3], [1, 2]), ([1, 2], [1, 2])]
)
def test_bad_fits_raise(x, y):
    with pytest.raises(ValueError):
        loglog_slope(x, y)


def test_mean_se_needs_two_samples():
    with pytest.raises(ValueError):
        mean_se([1.0])


def test_pooled_is_inverse_variance_weighted():
    m, se = pooled([1.0, 4.0], [1.0, 2.0])  # weights 1 and 1/4
    assert m == pytest.approx((1.0 + 4.0 / 4) / 1.25)
    assert se == pytest.approx(1 / np.sqrt(1.25))
    with pytest.raises(ValueError):
        pooled([1.0], [0.0])
    with pytest.raises(ValueError):
        pooled([1.0, 2.0], [1.0])
