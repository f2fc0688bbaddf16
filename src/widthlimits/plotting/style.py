"""The book's look: the colour-blind-safe palette, readable sizes, and the smallest font size of
each figure recorded in its PNG."""

from __future__ import annotations

import math

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.text import Text

from .figure import BookFigure

__all__ = ["COLORS", "FONT_KEY", "min_font_size", "use_book_style"]

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


def min_font_size(fig) -> float:
    """The smallest font size, in points, of the visible text in ``fig``.

    Examples
    --------
    >>> from widthlimits.plotting import subplots
    >>> fig, ax = subplots()
    >>> _ = ax.set_title("t", fontsize=11); _ = ax.text(0, 0, "small", fontsize=7)
    >>> min_font_size(fig)
    7.0
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
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
