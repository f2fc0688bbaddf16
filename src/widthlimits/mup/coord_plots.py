r"""The figure of a coordinate check: each layer's mean :math:`|x|` or :math:`|\Delta x|` against
the width, one curve per layer, on log-log axes (flat curves are µP's :math:`\Theta(1)`)."""

from __future__ import annotations

from .. import plotting
from .._checks import check_choice
from .coordinates import QUANTITIES, check_result, check_step

__all__ = ["plot_coord_check"]


def plot_coord_check(result: dict, *, step: int = -1, quantity: str = "change", ax=None):
    """Plot a :func:`~widthlimits.mup.coordinates.coord_check` result: each layer's mean ``|x|``
    or ``|Δx|`` against width.

    Parameters
    ----------
    result : dict
        The output of :func:`~widthlimits.mup.coordinates.coord_check`.
    step : int
        Which step to show, ``0..T`` or negative from the end (default: the last).
    quantity : {"change", "size"}
        Case-insensitive.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    TypeError, ValueError
        If ``result`` is not a coord-check result, ``step`` is out of range, ``quantity`` is
        unknown, or ``ax`` is not an Axes.

    Examples
    --------
    >>> import torch
    >>> from widthlimits.mup import coord_check
    >>> x = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))
    >>> out = coord_check([16, 32, 64], depth=1, steps=1, x=x, y=torch.arange(8) % 2, seeds=(0,))
    >>> ax = plot_coord_check(out)
    >>> ax.get_xscale()
    'log'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    result = check_result(result)
    step_index = check_step(step, result)
    shown = "T" if int(step) < 0 else step_index
    quantity = check_choice("quantity", quantity, QUANTITIES)
    ax = plotting.subplots()[1] if ax is None else plotting.check_ax(ax)
    vals = result[quantity][:, :, step_index, :]  # width, seed, layer
    for k, name in enumerate(result["layers"]):
        m = vals[:, :, k].mean(axis=1)
        ax.plot(
            result["widths"], m, "o-", color=plotting.COLORS[k % len(plotting.COLORS)], label=name
        )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("width n")
    sym = "|Δx|" if quantity == "change" else "|x|"
    ax.set_ylabel(f"mean {sym} after step {shown}")
    ax.legend()
    return ax
