"""The book's figure style: colour-blind-safe colours, readable sizes, labelled axes.

Every figure in the book is drawn through this module, so the chapters share one look. The palette
is Okabe and Ito's, which stays distinguishable under the common forms of colour blindness.
Functions that draw take an optional ``ax`` and return the axes, so that chapters compose them.

Alt text is attached where a figure is shown: a chapter's figure cell carries
``mystnb: image: alt:`` metadata (and a caption), which the site tests check on every page.

Figures are drawn for the text column. At a 1280 px window the book's column is 672 CSS px wide,
so :func:`subplots` never makes a figure wider than :data:`MAX_WIDTH` inches (660 px at the book's
100 dpi): the browser shows it at its natural size and a 9 pt label is 12.5 CSS px, a 7 pt one
9.7 px. Many narrow panels are wrapped into rows. A legend that would sit on the data is moved to
the best free corner, or outside the axes when there is none (:class:`BookFigure`). In a notebook,
each PNG records the smallest font size it uses (``WidthLimits-min-font-pt``) so that the browser
tests can measure the text as shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from ._checks import check_array, check_choice, check_ints

__all__ = [
    "COLORS",
    "MAX_WIDTH",
    "BookFigure",
    "use_book_style",
    "subplots",
    "min_font_size",
    "legend_overlaps_data",
    "loglog_with_fit",
    "density_histogram",
    "per_width",
    "parametrization_label",
]

#: The widest figure, in inches: 660 px at 100 dpi fits the 672 px text column at 1280 px.
MAX_WIDTH: float = 6.6
#: Narrower panels than this (in inches) are wrapped into rows instead of squeezed.
MIN_PANEL_WIDTH: float = 2.0
#: The PNG text chunk that records a figure's smallest font size in points.
FONT_KEY = "WidthLimits-min-font-pt"

#: Okabe-Ito colour-blind-safe palette, in the order figures use it.
COLORS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

_STYLE = {
    "axes.prop_cycle": mpl.cycler(color=COLORS),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
}


def use_book_style() -> None:
    """Apply the book's matplotlib style to the current session.

    Examples
    --------
    >>> use_book_style()
    >>> import matplotlib as mpl
    >>> mpl.rcParams["axes.prop_cycle"].by_key()["color"][0]
    '#0072B2'
    """
    mpl.rcParams.update(_STYLE)
    _register_png_formatter()


class BookFigure(Figure):
    """A matplotlib figure that keeps its legends off the data.

    Before it is drawn, every legend of its axes whose box overlaps a line, marker, bar or filled
    area is moved: to the ``"best"`` corner if that one is free, otherwise just outside the axes
    on the right (constrained layout makes room for it). A legend placed with an explicit
    ``bbox_to_anchor`` is left where it was put.

    Examples
    --------
    >>> fig, ax = subplots()
    >>> isinstance(fig, BookFigure)
    True
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """

    def draw(self, renderer):
        engine = self.get_layout_engine()
        if engine is not None:
            engine.execute(self)
        for ax in self.axes:
            leg = ax.get_legend()
            if leg is not None and leg.get_visible():
                _place_legend(ax, leg, renderer)
        super().draw(renderer)


# matplotlib writes a ``set`` method, with a docstring in its own markup, for every subclass.
BookFigure.set.__doc__ = "Set several properties at once, as :meth:`matplotlib.artist.Artist.set`."


def _place_legend(ax, leg, renderer) -> None:
    if leg.get_bbox_to_anchor() is not ax.bbox:
        return  # placed by hand, with bbox_to_anchor
    if not legend_overlaps_data(ax, leg, renderer):
        return
    leg.set_loc("best")
    if not legend_overlaps_data(ax, leg, renderer):
        return
    leg.set_loc("upper left")
    leg.set_bbox_to_anchor((1.02, 1.0), transform=ax.transAxes)


def legend_overlaps_data(ax, leg, renderer=None) -> bool:
    """Whether the legend ``leg`` of ``ax`` covers any of the axes' lines, markers or areas.

    Examples
    --------
    >>> fig, ax = subplots()
    >>> _ = ax.plot([0, 1], [0, 1], label="diagonal")
    >>> leg = ax.legend(loc="center")
    >>> legend_overlaps_data(ax, leg, fig.canvas.get_renderer())
    True
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    renderer = renderer or ax.figure.canvas.get_renderer()
    box = leg.get_window_extent(renderer).padded(-1.0)
    for line in ax.get_lines():
        if not line.get_visible() or len(line.get_xydata()) == 0:
            continue
        path = line.get_transform().transform_path(line.get_path())
        if line.get_linestyle() not in ("None", "", " ") and path.intersects_bbox(box, False):
            return True
        if line.get_marker() not in (None, "None", "", " ") and box.count_contains(path.vertices):
            return True
    for patch in ax.patches:
        if patch.get_visible() and patch.get_window_extent(renderer).overlaps(box):
            return True
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        offsets = np.asarray(coll.get_offsets())
        if offsets.size and np.any(offsets):
            if box.count_contains(coll.get_offset_transform().transform(offsets)):
                return True
            continue
        faces = np.asarray(coll.get_facecolor()).reshape(-1, 4)
        filled = bool(len(faces) and np.any(faces[:, 3] > 0))
        for path in coll.get_paths():
            if coll.get_transform().transform_path(path).intersects_bbox(box, filled):
                return True
    return False


def subplots(ncols: int = 1, nrows: int = 1, *, width: float = 4.2, height: float = 3.2, **kw):
    """Create a figure of ``nrows x ncols`` panels, each about ``width x height`` inches, in book
    style, that fits the text column.

    A figure wider than :data:`MAX_WIDTH` is scaled down to it, panels keeping their shape. A
    single row of panels that would become narrower than :data:`MIN_PANEL_WIDTH` is wrapped into
    rows instead; the axes are still returned as one flat array of ``ncols`` (unless
    ``squeeze=False``, which keeps the requested grid). The figure is a :class:`BookFigure`.

    Returns ``(fig, axes)`` as :func:`matplotlib.pyplot.subplots` does.

    Examples
    --------
    >>> fig, axes = subplots(2)
    >>> len(axes), bool(fig.get_figwidth() <= MAX_WIDTH)
    (2, True)
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    >>> fig, axes = subplots(4, width=3.4)
    >>> len(axes), axes[2].get_subplotspec().rowspan.start
    (4, 1)
    >>> plt.close(fig)
    """
    if not (isinstance(ncols, int) and isinstance(nrows, int)) or ncols < 1 or nrows < 1:
        raise ValueError(f"ncols and nrows must be positive integers, got {ncols!r}, {nrows!r}")
    if not (width > 0 and height > 0):
        raise ValueError(f"width and height must be positive inches, got {width!r}, {height!r}")
    use_book_style()
    n = ncols
    rows, cols = nrows, ncols
    if nrows == 1 and ncols > 1 and kw.get("squeeze", True):
        per_row = max(1, int(MAX_WIDTH // MIN_PANEL_WIDTH))
        if ncols * min(width, MIN_PANEL_WIDTH) > MAX_WIDTH and ncols > per_row:
            rows = math.ceil(ncols / per_row)
            cols = math.ceil(ncols / rows)
    scale = min(1.0, MAX_WIDTH / (width * cols))
    kw.setdefault("FigureClass", BookFigure)
    fig, axes = plt.subplots(
        rows, cols, figsize=(width * cols * scale, height * rows * scale), **kw
    )
    if (rows, cols) != (nrows, ncols):
        flat = np.asarray(axes).ravel()
        for ax in flat[n:]:
            fig.delaxes(ax)
        axes = flat[:n]
    return fig, axes


def min_font_size(fig) -> float:
    """The smallest font size, in points, of the visible text in ``fig``.

    Examples
    --------
    >>> fig, ax = subplots()
    >>> _ = ax.set_title("t", fontsize=11); _ = ax.text(0, 0, "small", fontsize=7)
    >>> min_font_size(fig)
    7.0
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    sizes = [
        t.get_fontsize()
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_figure(root=True) is fig
    ]
    return float(min(sizes)) if sizes else math.inf


def _png_metadata(fig) -> dict:
    return {FONT_KEY: f"{min_font_size(fig):g}", "WidthLimits-dpi": f"{fig.dpi:g}"}


def _register_png_formatter() -> None:
    """In IPython, print book figures through the inline backend's PNG printer, adding the
    figure's smallest font size to the PNG's metadata."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is optional outside the book
        return
    ip = get_ipython()
    if ip is None:
        return
    png = ip.display_formatter.formatters["image/png"]

    def printer(fig):
        base = png.lookup_by_type(Figure) if Figure in png.type_printers else None
        if base is None:
            return None
        return base(fig, metadata=_png_metadata(fig))

    png.for_type(BookFigure, printer)


def loglog_with_fit(
    x: Sequence[float],
    y: Sequence[float],
    *,
    yerr: Sequence[float] | None = None,
    slope: float | None = None,
    ax=None,
    label: str | None = None,
    color: str | None = None,
    xlabel: str = "",
    ylabel: str = "",
):
    """Plot ``y`` against ``x`` on log-log axes, optionally with error bars and a fitted power law.

    If ``slope`` is given, a dashed line with that slope through the geometric mean of the data is
    drawn and labelled with it. Returns the axes.

    Examples
    --------
    >>> ax = loglog_with_fit([10, 100, 1000], [1.0, 0.31, 0.1], slope=-0.5, xlabel="n")
    >>> ax.get_xscale(), ax.get_xlabel()
    ('log', 'n')
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be 1-D arrays of the same length with positive entries")
    if ax is None:
        _, ax = subplots()
    color = color or COLORS[0]
    ax.errorbar(x, y, yerr=yerr, fmt="o", color=color, label=label, capsize=2, ms=4)
    if slope is not None:
        lx, ly = np.log(x), np.log(y)
        xs = np.geomspace(x.min(), x.max(), 50)
        ax.plot(
            xs,
            np.exp(ly.mean() + slope * (np.log(xs) - lx.mean())),
            "--",
            color=color,
            alpha=0.8,
            label=f"slope {slope:.2f}",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def density_histogram(
    samples,
    pdf=None,
    *,
    bins: int = 60,
    support=None,
    ax=None,
    label: str | None = None,
    pdf_label: str | None = None,
    xlabel: str = "x",
):
    """Histogram ``samples`` as a density and overlay a limiting density ``pdf`` if given.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> ax = density_histogram(rng.standard_normal(1000), pdf=lambda x: np.exp(-x**2/2)/2.5066)
    >>> ax.get_ylabel()
    'density'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    samples = np.asarray(samples, dtype=float).ravel()
    if samples.size == 0 or not np.all(np.isfinite(samples)):
        raise ValueError("samples must be a non-empty array of finite numbers")
    if ax is None:
        _, ax = subplots()
    lo, hi = support if support is not None else (samples.min(), samples.max())
    ax.hist(
        samples,
        bins=bins,
        range=(lo, hi),
        density=True,
        color=COLORS[5],
        alpha=0.7,
        label=label,
        edgecolor="white",
        linewidth=0.3,
    )
    if pdf is not None:
        xs = np.linspace(lo, hi, 400)
        ax.plot(xs, pdf(xs), color=COLORS[1], label=pdf_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    return ax


#: The book's names of the parametrizations, as figure labels.
PARAMETRIZATION_LABELS: dict[str, str] = {"sp": "SP", "mup": "µP", "ntk": "NTK", "mf": "MF"}
_PARAMETRIZATION_ALIASES = {"µp": "mup", "mean_field": "mf", "mean-field": "mf", "standard": "sp"}


def parametrization_label(name: str) -> str:
    """The book's label of a parametrization: ``"sp"`` -> SP, ``"mup"`` -> µP, ``"ntk"`` ->
    NTK, ``"mf"`` -> MF (case-insensitive).

    Raises
    ------
    TypeError, ValueError
        For a name that is not a string, or an unknown one.

    Examples
    --------
    >>> parametrization_label("muP"), parametrization_label("sp")
    ('µP', 'SP')
    """
    key = check_choice("parametrization", name, PARAMETRIZATION_LABELS, _PARAMETRIZATION_ALIASES)
    return PARAMETRIZATION_LABELS[key]


def check_ax(ax, name: str = "ax"):
    """Return ``ax`` if it is a matplotlib ``Axes``, else raise ``TypeError``."""
    if not isinstance(ax, Axes):
        raise TypeError(f"{name} must be a matplotlib Axes (from subplots()), got {type(ax).__name__}")
    return ax


def per_width(
    ax,
    widths,
    x,
    ys,
    *,
    yerr=None,
    marker: str = "o-",
    label: str | None = "n = {n}",
    ms: float = 3,
    **kw,
):
    """Draw one curve per width, each in its colour of the book's palette (:data:`COLORS`).

    Parameters
    ----------
    ax : matplotlib Axes
    widths : sequence of int
        One width per curve, in the order of the rows of ``ys``.
    x : array of shape ``(m,)`` or ``(len(widths), m)``
        The abscissae, shared or per curve.
    ys : array of shape ``(len(widths), m)``
        The curves (NaN leaves a gap).
    yerr : array like ``ys``, optional
        Error bars.
    marker : str
        A matplotlib format string such as ``"o-"``.
    label : str or None
        A format string with ``{n}`` for the width, or None for no legend entries.
    ms : float
        Marker size.
    **kw
        Passed on to :meth:`~matplotlib.axes.Axes.plot` (or ``errorbar``).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> fig, ax = subplots()
    >>> ax = per_width(ax, [16, 32], [1, 2, 3], [[1, 2, 3], [2, 3, 4]])
    >>> [line.get_label() for line in ax.get_lines()], ax.get_lines()[1].get_color()
    (['n = 16', 'n = 32'], '#D55E00')
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    check_ax(ax)
    widths = check_ints("widths", widths, 1)
    ys = check_array("ys", ys, ndim=2, finite=False)
    x = check_array("x", x, ndim=(1, 2))
    if ys.shape[0] != len(widths):
        raise ValueError(f"ys must have one row per width ({len(widths)}), got shape {ys.shape}")
    xs = np.broadcast_to(x, ys.shape) if x.shape in (ys.shape[1:], ys.shape) else None
    if xs is None:
        raise ValueError(f"x must have shape {ys.shape[1:]} or {ys.shape}, got {x.shape}")
    if yerr is not None:
        yerr = check_array("yerr", yerr, finite=False)
        if yerr.shape != ys.shape:
            raise ValueError(f"yerr must have the shape of ys {ys.shape}, got {yerr.shape}")
    if not isinstance(marker, str):
        raise TypeError(f"marker must be a format string such as 'o-', got {marker!r}")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a format string with {{n}} or None, got {label!r}")
    for k, n in enumerate(widths):
        color = COLORS[k % len(COLORS)]
        text = None if label is None else label.format(n=n)
        if yerr is None:
            ax.plot(xs[k], ys[k], marker, ms=ms, color=color, label=text, **kw)
        else:
            ax.errorbar(xs[k], ys[k], yerr=yerr[k], fmt=marker, ms=ms, color=color, label=text,
                        capsize=2, **kw)
    return ax
