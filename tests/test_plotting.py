"""The figure helpers draw what their docstrings say: a density histogram integrates to one and
its overlaid curve is the given density; a fitted power law has the given slope and passes through
the data's geometric mean."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests only: the book never selects a backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from widthlimits import plotting  # noqa: E402


def test_density_histogram_integrates_to_one_and_overlays_the_pdf():
    rng = np.random.default_rng(0)
    samples = rng.standard_normal(2000)
    pdf = lambda x: np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    ax = plotting.density_histogram(samples, pdf=pdf, bins=40, support=(-4, 4))
    heights = np.array([p.get_height() for p in ax.patches])
    widths = np.array([p.get_width() for p in ax.patches])
    inside = np.mean(np.abs(samples) <= 4)
    assert np.sum(heights * widths) == pytest.approx(inside, rel=1e-12)
    (line,) = ax.get_lines()
    xs, ys = line.get_data()
    assert xs[0] == -4 and xs[-1] == 4
    np.testing.assert_allclose(ys, pdf(xs), rtol=1e-14)
    plt.close(ax.figure)


def test_loglog_fit_line_has_the_slope_and_passes_through_the_geometric_mean():
    x, y = np.array([10.0, 100.0, 1000.0]), np.array([2.0, 0.5, 0.07])
    ax = plotting.loglog_with_fit(x, y, slope=-0.5)
    fit = ax.get_lines()[-1]
    xs, ys = (np.asarray(v) for v in fit.get_data())
    slopes = np.diff(np.log(ys)) / np.diff(np.log(xs))
    np.testing.assert_allclose(slopes, -0.5, rtol=1e-12)
    at_mean = np.exp(np.interp(np.log(x).mean(), np.log(xs), np.log(ys)))
    assert at_mean == pytest.approx(np.exp(np.log(y).mean()), rel=1e-9)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    plt.close(ax.figure)
