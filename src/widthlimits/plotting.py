"""The book's figure style: colour-blind-safe colours, readable sizes, labelled axes.

Every figure in the book is drawn through this module, so the chapters share one look. The palette
is Okabe and Ito's, which stays distinguishable under the common forms of colour blindness.
Functions that draw take an optional ``ax`` and return the axes, so that chapters compose them.

Alt text is attached where a figure is shown: a chapter's figure cell carries
``mystnb: image: alt:`` metadata (and a caption), which the site tests check on every page.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["COLORS", "use_book_style", "subplots", "loglog_with_fit", "density_histogram"]

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


def subplots(ncols: int = 1, nrows: int = 1, *, width: float = 4.2, height: float = 3.2, **kw):
    """Create a figure of ``nrows x ncols`` panels, each ``width x height`` inches, in book style.

    Returns ``(fig, axes)`` as :func:`matplotlib.pyplot.subplots` does.

    Examples
    --------
    >>> fig, axes = subplots(2)
    >>> len(axes)
    2
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    if not (isinstance(ncols, int) and isinstance(nrows, int)) or ncols < 1 or nrows < 1:
        raise ValueError(f"ncols and nrows must be positive integers, got {ncols!r}, {nrows!r}")
    use_book_style()
    return plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), **kw)


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
