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

from .charts import (
    PARAMETRIZATION_LABELS,
    check_color,
    density_histogram,
    loglog_with_fit,
    parametrization_label,
    per_width,
)
from .figure import BookFigure, check_ax, legend_overlaps_data
from .layout import MAX_WIDTH, MIN_PANEL_WIDTH, subplots
from .style import COLORS, FONT_KEY, min_font_size, use_book_style

__all__ = [
    "COLORS",
    "MAX_WIDTH",
    "MIN_PANEL_WIDTH",
    "FONT_KEY",
    "PARAMETRIZATION_LABELS",
    "BookFigure",
    "use_book_style",
    "subplots",
    "min_font_size",
    "legend_overlaps_data",
    "loglog_with_fit",
    "density_histogram",
    "per_width",
    "parametrization_label",
    "check_ax",
    "check_color",
]
