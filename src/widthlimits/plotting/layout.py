"""Figures sized for the book's text column: :func:`subplots`."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .._checks import check_int, check_real
from .figure import BookFigure
from .style import use_book_style

__all__ = ["MAX_WIDTH", "MIN_PANEL_WIDTH", "subplots"]

#: The widest figure, in inches: 660 px at 100 dpi fits the 672 px text column at 1280 px.
MAX_WIDTH: float = 6.6
#: Narrower panels than this (in inches) are wrapped into rows instead of squeezed.
MIN_PANEL_WIDTH: float = 2.0


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
    ncols, nrows = check_int("ncols", ncols, 1), check_int("nrows", nrows, 1)
    width = check_real("width", width, 0, low_open=True)
    height = check_real("height", height, 0, low_open=True)
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
