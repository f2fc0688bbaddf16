"""The book's recurring charts: power laws on log-log axes, density histograms, one curve per
width, and the parametrizations' labels."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np

from .._checks import check_array, check_callable, check_choice, check_int, check_ints, check_real
from .figure import check_ax
from .layout import subplots
from .style import COLORS

__all__ = [
    "PARAMETRIZATION_LABELS",
    "check_color",
    "density_histogram",
    "loglog_with_fit",
    "parametrization_label",
    "per_width",
]


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


def check_color(name: str, color) -> str:
    """Return ``color`` if matplotlib understands it as a colour, else raise ``ValueError``."""
    if not mpl.colors.is_color_like(color):
        raise ValueError(f"{name} must be a matplotlib colour such as '#0072B2', got {color!r}")
    return color


def _check_labels(**labels) -> None:
    for name, text in labels.items():
        if text is not None and not isinstance(text, str):
            raise TypeError(f"{name} must be a string or None, got {type(text).__name__}")


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
    x, y = check_array("x", x, ndim=1), check_array("y", y, ndim=1)
    if x.shape != y.shape or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError(
            f"x and y must be 1-D arrays of the same length with positive entries, got shapes "
            f"{x.shape} and {y.shape}"
        )
    if yerr is not None:
        yerr = check_array("yerr", yerr)
        if yerr.shape not in (x.shape, (2, *x.shape)) or np.any(yerr < 0):
            raise ValueError(f"yerr must be non-negative, of shape {x.shape}, got {yerr.shape}")
    slope = None if slope is None else check_real("slope", slope)
    _check_labels(label=label, xlabel=xlabel, ylabel=ylabel)
    color = COLORS[0] if color is None else check_color("color", color)
    ax = subplots()[1] if ax is None else check_ax(ax)
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
    samples = check_array("samples", samples).ravel()
    if pdf is not None:
        check_callable("pdf", pdf)
    bins = check_int("bins", bins, 1)
    _check_labels(label=label, pdf_label=pdf_label, xlabel=xlabel)
    if support is None:
        lo, hi = samples.min(), samples.max()
        if not lo < hi:
            raise ValueError(f"samples are all equal ({lo}); give a support (low, high)")
    else:
        if isinstance(support, (str, bytes)) or np.shape(support) != (2,):
            raise TypeError(f"support must be a pair (low, high), got {support!r}")
        lo, hi = check_real("support[0]", support[0]), check_real("support[1]", support[1])
        if not lo < hi:
            raise ValueError(f"support must have low < high, got {support!r}")
    ax = subplots()[1] if ax is None else check_ax(ax)
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
            ax.errorbar(
                xs[k],
                ys[k],
                yerr=yerr[k],
                fmt=marker,
                ms=ms,
                color=color,
                label=text,
                capsize=2,
                **kw,
            )
    return ax
