"""The transfer chapter's figures, drawn from :class:`~widthlimits.mup.results.Sweep` selections.

:func:`plot_transfer` is the classic figure (loss against learning rate, one curve per width);
:func:`plot_optimum` shows how far the best learning rate moves with width, one line per
parametrization.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_choice
from .optimum import transfer_stats
from .results import Sweep

__all__ = ["plot_optimum", "plot_transfer"]


def _setup(sweep, ax, loss, selection, axes, what):
    from .. import plotting

    if not isinstance(sweep, Sweep):
        raise TypeError(f"sweep must be a Sweep (from lr_sweep), got {type(sweep).__name__}")
    loss = check_choice("loss", loss, ("test_loss", "train_loss"))
    if ax is not None:
        plotting.check_ax(ax)
    sel = sweep.select(**selection).curves(axes, what)
    if ax is None:
        _, ax = plotting.subplots()
    return sel, ax, loss


def _label(name) -> str:
    from ..plotting import PARAMETRIZATION_LABELS

    return PARAMETRIZATION_LABELS.get(str(name).lower(), str(name))


def plot_transfer(sweep: Sweep, *, loss: str = "test_loss", ax=None, **selection):
    """The classic transfer figure: seed-mean loss against learning rate, one curve per width.

    A learning rate at which any seed of a width diverged is left out of that width's curve;
    losses above twice the panel's median are drawn at that level; a star marks each width's
    best learning rate.

    Parameters
    ----------
    sweep : Sweep
        A sweep of :func:`~widthlimits.mup.sweep.lr_sweep`, with one parametrization and one
        optimizer (select them here or before).
    loss : {"test_loss", "train_loss"}
    ax : matplotlib Axes, optional
    **selection
        Passed to :meth:`~widthlimits.mup.results.Sweep.select`, for example
        ``parametrization="mup", optimizer="sgd"``.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from widthlimits.mup import lr_sweep
    >>> out = lr_sweep([16, 32], [0.01, 0.1], seeds=(0, 1), optimizers=("sgd",), steps=2)
    >>> ax = plot_transfer(out, parametrization="mup")
    >>> ax.get_xscale(), ax.get_title()
    ('log', 'µP, SGD')
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from .. import plotting

    sel, ax, loss = _setup(sweep, ax, loss, selection, ("width", "lr", "seed"), "plot_transfer")
    vals = sel.loss(loss)  # width, lr, seed
    lrs = sel.lrs
    finite = vals[np.isfinite(vals)]
    cap = 2.0 * np.median(finite) if finite.size else 1.0
    means = np.where(np.isfinite(vals), vals, np.nan).mean(axis=2)
    plotting.per_width(ax, sel.widths, lrs, np.minimum(means, cap), marker="o-", ms=3)
    for k, m in enumerate(means):
        if np.isfinite(m).any():
            j = int(np.nanargmin(m))
            ax.plot(lrs[j], m[j], "*", ms=11, color=plotting.COLORS[k % len(plotting.COLORS)])
    ax.set_xscale("log", base=2)
    ax.set_xlabel("base learning rate η")
    ax.set_ylabel("held-out loss" if loss == "test_loss" else "training loss")
    p, o = sel.fixed.get("parametrization", ""), sel.fixed.get("optimizer", "")
    ax.set_title(f"{_label(p)}, {str(o).upper()}")
    ax.legend(fontsize=8)
    return ax


def plot_optimum(
    sweep: Sweep, *, loss: str = "train_loss", ax=None, reference: bool = True, **selection
):
    """How far the best learning rate moves from its value at the narrowest width, against
    width: one line per parametrization, mean and standard error over seeds.

    The optimum is the per-seed one of :func:`~widthlimits.mup.optimum.transfer_stats` (refined, not
    across cliffs), in octaves.

    Parameters
    ----------
    sweep : Sweep
        A sweep with one optimizer (select it here or before) and at least 3 widths and 2 seeds.
    loss : {"train_loss", "test_loss"}
    ax : matplotlib Axes, optional
    reference : bool
        Draw the asymptotic SP prediction, one octave down per doubling (dashed, "1/n").
    **selection
        Passed to :meth:`~widthlimits.mup.results.Sweep.select`, for example ``optimizer="adam"``.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from widthlimits.mup import lr_sweep
    >>> out = lr_sweep([16, 32, 64], [0.05, 0.1, 0.2], seeds=(0, 1), optimizers=("sgd",),
    ...                steps=2)
    >>> ax = plot_optimum(out)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['1/n', 'SP', 'µP']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from .. import plotting
    from .._checks import check_bool

    reference = check_bool("reference", reference)
    axes = ("parametrization", "width", "lr", "seed")
    sel, ax, loss = _setup(sweep, ax, loss, selection, axes, "plot_optimum")
    w = sel.widths
    if reference:
        ax.plot(w, -np.log2(w / w[0]), "--", color="0.6", label="1/n")
    for k, p in enumerate(sel.coords["parametrization"]):
        s = transfer_stats(sel, loss=loss, parametrization=p)
        ax.errorbar(
            w,
            s["log2_lr"] - s["log2_lr"][0],
            yerr=s["log2_lr_se"],
            fmt="o-",
            capsize=2,
            color=plotting.COLORS[k % len(plotting.COLORS)],
            label=_label(p),
        )
    ax.set_xscale("log", base=2)
    ax.set_xlabel("width n")
    ax.set_ylabel("move of best $\\log_2 \\eta$ (octaves)")
    ax.legend()
    return ax
