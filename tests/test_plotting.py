"""The figure helpers draw what their docstrings say: a density histogram integrates to one and
its overlaid curve is the given density; a fitted power law has the given slope and passes through
the data's geometric mean. Figures are drawn for the text column: never wider than it, many
narrow panels wrapped into rows, legends moved off the data, and the smallest font recorded in
the PNG for the browser tests."""

from __future__ import annotations

import io

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


# ---- figures drawn for the text column -------------------------------------------------------
# The book's column is 672 CSS px at a 1280 px window; at 100 dpi MAX_WIDTH = 6.6 in is 660 px, so
# a figure is shown at its natural size and a 7 pt label stays above 9 CSS px (7 * 100/72 = 9.7).


@pytest.mark.parametrize("ncols", [1, 2, 3, 5])
@pytest.mark.parametrize("width", [2.0, 4.2, 5.5])
def test_subplots_never_draw_wider_than_the_column_and_keep_the_panel_shape(ncols, width):
    fig, _ = plotting.subplots(ncols, width=width, height=3.0)
    w, h = fig.get_size_inches()
    assert w <= plotting.MAX_WIDTH + 1e-12
    assert w * fig.dpi <= 672
    rows = len({ax.get_subplotspec().rowspan.start for ax in fig.axes})
    cols = len({ax.get_subplotspec().colspan.start for ax in fig.axes})
    assert (w / cols) / (h / rows) == pytest.approx(width / 3.0, rel=1e-12)  # panels keep shape
    plt.close(fig)


def test_many_narrow_panels_wrap_into_rows_and_come_back_flat():
    fig, axes = plotting.subplots(4, width=3.4, height=3.0)
    assert len(axes) == 4 and len(fig.axes) == 4
    assert [ax.get_subplotspec().rowspan.start for ax in axes] == [0, 0, 1, 1]
    assert fig.get_figwidth() / 2 >= plotting.MIN_PANEL_WIDTH  # not squeezed below the minimum
    plt.close(fig)
    fig, axes = plotting.subplots(4, width=3.4, squeeze=False)  # a caller that wants the grid
    assert axes.shape == (1, 4)
    plt.close(fig)


def _draw(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def test_a_legend_on_the_data_moves_to_a_free_corner():
    fig, ax = plotting.subplots()
    x = np.linspace(0, 1, 50)
    ax.plot(x, x, label="rising")  # passes through the upper right corner
    ax.plot(x, 0.9 + 0 * x, label="high")
    ax.legend(loc="upper right")
    renderer = _draw(fig)
    leg = ax.get_legend()
    assert not plotting.legend_overlaps_data(ax, leg, renderer)
    assert leg.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))  # inside
    plt.close(fig)


def test_a_legend_with_no_free_corner_goes_outside_the_axes():
    fig, ax = plotting.subplots()
    x = np.linspace(0, 1, 200)
    for c in np.linspace(0, 1, 12):  # lines everywhere: no corner is free
        ax.plot(x, c + 0.05 * np.sin(40 * x), label=f"{c:.2f}" if c < 0.2 else None)
    ax.legend()
    renderer = _draw(fig)
    leg = ax.get_legend()
    assert not plotting.legend_overlaps_data(ax, leg, renderer)
    assert leg.get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1 - 1
    plt.close(fig)


def test_a_legend_placed_by_hand_stays_where_it_was_put():
    fig, ax = plotting.subplots()
    ax.plot([0, 1], [0, 1], label="line")
    ax.legend(loc="center", bbox_to_anchor=(0.5, 0.5))
    renderer = _draw(fig)
    assert plotting.legend_overlaps_data(ax, ax.get_legend(), renderer)  # as the author chose
    plt.close(fig)


def test_a_figure_records_its_smallest_font_in_its_png():
    from PIL import Image

    fig, ax = plotting.subplots()
    ax.plot([1, 2], [1, 2], label="a")
    ax.legend(fontsize=7.5)
    ax.set_title("title")
    assert plotting.min_font_size(fig) == 7.5
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata=plotting.style._png_metadata(fig))
    info = Image.open(io.BytesIO(buf.getvalue())).info
    assert float(info[plotting.FONT_KEY]) == 7.5
    assert float(info["WidthLimits-dpi"]) == fig.dpi
    plt.close(fig)


def test_per_width_draws_one_curve_per_width_in_palette_order():
    """One curve per width, coloured in the palette's order and labelled with its width; error
    bars when asked; x shared or per curve."""
    fig, ax = plotting.subplots()
    ys = np.arange(12.0).reshape(3, 4)
    plotting.per_width(ax, [16, 32, 64], np.arange(4), ys, label="width {n}")
    lines = ax.get_lines()
    assert [line.get_color() for line in lines] == list(plotting.COLORS[:3])
    assert [line.get_label() for line in lines] == ["width 16", "width 32", "width 64"]
    np.testing.assert_array_equal(lines[2].get_ydata(), ys[2])
    plt.close(fig)
    fig, ax = plotting.subplots()
    plotting.per_width(ax, [16, 32], np.ones((2, 4)), ys[:2], yerr=0.1 * ys[:2], label=None)
    assert len(ax.containers) == 2 and ax.get_legend_handles_labels()[1] == []
    plt.close(fig)
    with pytest.raises(ValueError, match="one row per width"):
        plotting.per_width(ax, [16], np.arange(4), ys)


def test_parametrization_labels():
    assert [plotting.parametrization_label(p) for p in ("sp", "MUP", "ntk", "mf")] == [
        "SP",
        "µP",
        "NTK",
        "MF",
    ]
    with pytest.raises(ValueError, match="'sp'"):
        plotting.parametrization_label("xyz")
    with pytest.raises(TypeError):
        plotting.parametrization_label(None)
