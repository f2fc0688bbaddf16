r"""Figures of abc-parametrizations: the exponents layer by layer, and phase grids of abc-space.

:func:`plot_exponents` draws, for several parametrizations side by side, the power of the width
in one scaling of every layer (the keys of :data:`EXPONENTS`); :func:`plot_phase_grid` draws a
:func:`~widthlimits.mup.presets.phase_grid`, the stable region shaded and the kernel and
feature-learning points marked.
"""

from __future__ import annotations

import numpy as np

from .. import plotting
from .._checks import check_array, check_choice, check_reals
from .abc import ABC, check_abcs
from .presets import CLASSES, increasing

__all__ = ["EXPONENTS", "plot_exponents", "plot_phase_grid"]


#: The quantities that :func:`plot_exponents` can draw, each the power of :math:`n` in one
#: scaling of every layer:
#:
#: - ``"a"``: the multiplier :math:`n^{-a_l}`;
#: - ``"b"``: the initial standard deviation of the trained :math:`w^l`, :math:`n^{-b_l}`;
#: - ``"init"``: the initial standard deviation of :math:`W^l`, :math:`n^{-(a_l+b_l)}`;
#: - ``"lr"``: the SGD learning rate of :math:`W^l`, :math:`n^{-(2a_l+c)}`.
#:
#: Each value is the title of that panel, in matplotlib's mathtext.
#:
#: :meta hide-value:
EXPONENTS: dict[str, str] = {
    "a": "multiplier $n^{-a_l}$",
    "b": "init. std of $w^l$, $n^{-b_l}$",
    "init": "init. std of $W^l$, $n^{-(a_l+b_l)}$",
    "lr": "SGD learning rate of $W^l$, $n^{-(2a_l+c)}$",
}


def _powers(p: ABC, quantity: str) -> tuple[float, ...]:
    init, lr = p.absorbed()
    values = {"a": p.a, "b": p.b, "init": init, "lr": lr}[quantity]
    return tuple(-x for x in values)


def plot_exponents(params, quantity, *, ax=None):
    r"""Draw, layer by layer, the power of :math:`n` in one scaling of several parametrizations.

    For each layer :math:`l = 1, \dots, L + 1` and each parametrization, a stem of height
    :math:`p` is drawn where the quantity scales like :math:`n^{p}`:

    - ``"a"``: the multiplier :math:`n^{-a_l}` (Tensor Programs IV's table), :math:`p = -a_l`;
    - ``"b"``: the initial standard deviation of the trained :math:`w^l`, :math:`p = -b_l`;
    - ``"init"``: the initial standard deviation of :math:`W^l = n^{-a_l} w^l`, which is that of
      the trained weight in the "a absorbed into c" table, :math:`p = -(a_l + b_l)`;
    - ``"lr"``: the effective SGD learning rate of :math:`W^l`, which is the per-layer learning
      rate of the absorbed table, :math:`p = -(2 a_l + c)`.

    The last two are invariant under the symmetry :math:`(a, b, c) \mapsto (a + \theta,
    b - \theta, c - 2\theta)`; the first two are not.

    Parameters
    ----------
    params : dict of str to ABC
        ``{label: parametrization}``, all with the same number ``L`` of hidden layers.
    quantity : {"a", "b", "init", "lr"}
        Which power to draw (keys of :data:`EXPONENTS`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        If ``quantity`` is unknown (names are case-insensitive), ``params`` is empty, or the
        parametrizations have different depths.
    TypeError
        If ``params`` is not a dict of :class:`~widthlimits.mup.abc.ABC`, or ``ax`` is not an
        Axes.

    Examples
    --------
    >>> from widthlimits.mup import mup, ntk
    >>> ax = plot_exponents({"µP": mup(2), "NTK": ntk(2)}, "lr")
    >>> [round(float(y), 2) for y in ax.lines[0].get_ydata()]
    [1.0, 0.0, -1.0]
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)

    References
    ----------
    G. Yang and E. J. Hu, *Tensor Programs IV*, ICML 2021, Section 3; G. Yang et al., *Tensor
    Programs V*, 2021, Table 3.
    """
    quantity = check_choice("quantity", quantity, EXPONENTS)
    L = _common_depth(params)
    ax = plotting.subplots()[1] if ax is None else plotting.check_ax(ax)
    layers = np.arange(L + 1)
    powers = {label: np.array(_powers(p, quantity)) for label, p in params.items()}
    top = max(1.0, max(float(np.abs(y).max()) for y in powers.values())) + 0.35
    k = len(params)
    width = 0.7 / k
    markers = "osD^vP"
    for j, (label, y) in enumerate(powers.items()):
        x = layers + (j - (k - 1) / 2) * width
        color = plotting.COLORS[j % len(plotting.COLORS)]
        ax.vlines(x, 0, y, color=color, lw=2.5)
        ax.plot(x, y, ls="none", marker=markers[j % len(markers)], color=color, label=label)
    ax.axhline(0, color="black", lw=0.8)
    names = ["input\n$W^1$"] + [f"hidden\n$W^{{{l}}}$" for l in range(2, L + 1)]
    ax.set_xticks(layers, names + ["readout\n$W^{L+1}$"])
    ax.set_xlabel("layer")
    ax.set_ylabel("power of $n$")
    ax.set_title(EXPONENTS[quantity], fontsize=10)
    ax.set_ylim(-top, top)
    return ax


def plot_phase_grid(codes, xs, ys, *, named=None, ax=None, xlabel="", ylabel=""):
    """Draw a :func:`phase_grid`: the stable region shaded, nontrivial points marked, named points.

    Parameters
    ----------
    codes : numpy.ndarray
        From :func:`~widthlimits.mup.presets.phase_grid`.
    xs, ys : sequence of float
        The grid's coordinates, strictly increasing.
    named : dict, optional
        ``{label: (x, y)}`` points to annotate.
    ax : matplotlib Axes, optional
    xlabel, ylabel : str

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    TypeError, ValueError
        If ``codes`` is not an integer array of shape ``(len(ys), len(xs))`` with codes 0 to 3,
        ``xs`` or ``ys`` is not strictly increasing, ``named`` is not a dict of label to an
        ``(x, y)`` pair of reals, a label is not a string, or ``ax`` is not an Axes.

    Examples
    --------
    >>> from widthlimits.mup import ABC, phase_grid
    >>> codes, _ = phase_grid(lambda a, c: ABC([0, a], [0, 0], c), [0.5, 1.0], [-1.0, 0.0])
    >>> ax = plot_phase_grid(codes, [0.5, 1.0], [-1.0, 0.0], named={"MF": (1.0, -1.0)})
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from matplotlib.colors import ListedColormap

    codes, xs, ys = _check_phase_grid(codes, xs, ys)
    named = _check_named(named)
    for key, text in (("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(text, str):
            raise TypeError(f"{key} must be a string, got {type(text).__name__}")
    ax = plotting.subplots()[1] if ax is None else plotting.check_ax(ax)
    stable = (codes >= 1).astype(float)
    ax.pcolormesh(
        xs,
        ys,
        stable,
        shading="nearest",
        cmap=ListedColormap(["#f2f2f2", "#cfe3f3"]),
        vmin=0,
        vmax=1,
    )
    xx, yy = np.meshgrid(xs, ys)
    for code, color, marker, label in (
        (2, plotting.COLORS[0], "s", "kernel regime"),
        (3, plotting.COLORS[1], "D", "feature learning"),
    ):
        mask = codes == code
        ax.scatter(xx[mask], yy[mask], s=14, color=color, marker=marker, label=label, zorder=3)
    for label, (x, y) in (named or {}).items():
        ax.plot(x, y, "o", ms=9, mfc="none", mec="black", zorder=4)
        ax.annotate(label, (x, y), xytext=(6, 6), textcoords="offset points", fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def _common_depth(params) -> int:
    check_abcs("params", params)
    depths = {p.L for p in params.values()}
    if len(depths) != 1:
        raise ValueError(f"all parametrizations need the same L, got {sorted(depths)}")
    return depths.pop()


def _check_phase_grid(codes, xs, ys):
    xs, ys = increasing("xs", xs), increasing("ys", ys)
    codes = check_array("codes", codes, ndim=2)
    if codes.shape != (len(ys), len(xs)):
        raise ValueError(f"codes must have shape ({len(ys)}, {len(xs)}), got {codes.shape}")
    if not np.all(np.isin(codes, np.arange(len(CLASSES)))):
        raise ValueError(f"codes must be classify() codes 0 to {len(CLASSES) - 1}")
    return codes.astype(int), xs, ys


def _check_named(named) -> dict:
    if named is None:
        return {}
    if not isinstance(named, dict):
        raise TypeError(f"named must be a dict of label -> (x, y), got {type(named).__name__}")
    out = {}
    for label, point in named.items():
        if not isinstance(label, str):
            raise TypeError(f"named's labels must be strings, got {type(label).__name__}")
        xy = check_reals(f"named[{label!r}]", point)
        if len(xy) != 2:
            raise ValueError(f"named[{label!r}] must be an (x, y) pair, got {len(xy)} numbers")
        out[label] = tuple(xy)
    return out
