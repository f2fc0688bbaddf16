r"""Where the best learning rate sits, and how it moves with width.

:func:`optimal_lr` reads off the best learning rate of each width, by grid index of the seed-mean
loss and, per seed, by a parabola through the best grid point and its neighbours in
:math:`\log_2 \eta` (not across a divergence cliff). :func:`transfer_stats` turns that into the
numbers the transfer chapter claims: the drift of the optimum across the widths and whether the
widest network is better at the narrowest width's optimum, with standard errors over seeds.
Both take a :class:`~widthlimits.mup.results.Sweep` selection; :func:`optimal_lr` also takes a
bare array.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_array, check_choice, check_grid, check_real
from .results import Sweep

__all__ = ["optimal_lr", "transfer_stats"]


def _loss_grid(losses, lrs, loss):
    """The loss array (..., n_lrs, n_seeds) and the learning-rate grid, checked."""
    if isinstance(losses, Sweep):
        if lrs is not None:
            raise ValueError("give lrs only with a bare loss array; a Sweep carries its own")
        if tuple(losses.axes[-2:]) != ("lr", "seed"):
            raise ValueError(
                f"optimal_lr needs a sweep whose last axes are ('lr', 'seed'), got {losses.axes}"
            )
        check_choice("loss", loss, ("train_loss", "test_loss"))
        arr, grid = losses.loss(loss), list(losses.lrs)
    else:
        if lrs is None:
            raise TypeError("optimal_lr needs lrs, the learning-rate grid, with a bare loss array")
        arr = check_array("losses", losses, finite=False)
        grid = lrs
    grid = check_grid("lrs", grid, geometric=True)
    arr = np.asarray(arr, dtype=float)
    if arr.ndim < 2 or arr.shape[-2] != len(grid):
        raise ValueError(f"losses must have shape (..., {len(grid)}, n_seeds), got {arr.shape}")
    if np.isnan(arr).any() or np.isneginf(arr).any():
        raise ValueError("losses must not contain NaN or -inf (diverged runs are +inf)")
    return arr, np.log2(np.asarray(grid))


def _refuse_all_diverged(losses: np.ndarray, mean: np.ndarray) -> None:
    """Raise if, somewhere, no learning rate has a finite (seed-mean) loss: no optimum there."""
    dead = ~np.isfinite(losses).any(axis=-2)  # (..., n_seeds)
    if dead.any():
        where = tuple(int(i) for i in np.argwhere(dead)[0])
        raise ValueError(
            f"every learning rate diverged (infinite loss) at index {where} of the (..., seed) "
            "axes, so there is no optimum; extend the grid to smaller learning rates"
        )
    dead = ~np.isfinite(mean).any(axis=-1)
    if dead.any():
        where = tuple(int(i) for i in np.argwhere(dead)[0])
        raise ValueError(
            f"at index {where} some seed diverged at every learning rate, so the seed-mean loss "
            "is infinite everywhere and names no optimum; extend the grid or drop the seed"
        )


def optimal_lr(losses, lrs=None, *, cliff: float = 2.0, loss: str = "train_loss") -> dict:
    r"""The best learning rate of each width: grid index of the seed-mean, and per-seed refined.

    The per-seed optimum of :math:`\log_2 \eta` is refined between grid points by the vertex of
    the parabola through the per-seed best grid point and its two neighbours, **but not across a
    cliff**: when a neighbour diverged (infinite loss) or its loss exceeds ``cliff`` times the best
    one, the minimum is narrower than the grid resolves (or sits at the edge of divergence, as
    SGD's often does) and a parabola through it would be dragged towards the smooth side by up to
    half a grid step; the optimum is then left at the grid point. It is also left there at an edge
    of the grid.

    Parameters
    ----------
    losses : Sweep or array of shape ``(..., n_lrs, n_seeds)``
        A :class:`~widthlimits.mup.results.Sweep` whose last axes are ``("lr", "seed")``, for
        example ``sweep.select(parametrization="mup", optimizer="sgd")``, or a bare array.
    lrs : sequence of float, optional
        The geometric grid of learning rates, increasing; only with a bare array.
    cliff : float
        A neighbour whose loss is more than ``cliff`` times the best loss counts as across a
        cliff; at least 1.
    loss : {"train_loss", "test_loss"}
        Which loss of a Sweep.

    Returns
    -------
    dict
        ``index``: grid index of the minimum of the seed-mean loss, shape ``(...)``;
        ``log2_lr``: per-seed optimum of :math:`\log_2 \eta`, shape ``(..., n_seeds)``;
        ``refined``: whether that optimum was refined (boolean, same shape).

    Raises
    ------
    ValueError, TypeError
        For a shape that does not match the grid, an unsorted or non-geometric grid, NaN losses,
        ``cliff < 1``, or a width where every learning rate diverged (there is no optimum).

    Examples
    --------
    >>> lrs = [0.25, 0.5, 1.0, 2.0]
    >>> loss = np.array([[3.0], [2.0], [2.0], [3.0]])[None]  # one width, one seed
    >>> out = optimal_lr(np.repeat(loss, 2, axis=-1), lrs)
    >>> int(out["index"][0]), float(out["log2_lr"][0, 0])
    (1, -0.5)

    Next to a diverged learning rate the optimum stays on the grid:

    >>> edge = np.array([[0.5], [0.3], [0.2], [np.inf]])[None]
    >>> float(optimal_lr(np.repeat(edge, 2, axis=-1), lrs)["log2_lr"][0, 0])
    0.0
    """
    losses, u = _loss_grid(losses, lrs, loss)
    cliff = check_real("cliff", cliff, 1)
    mean = losses.mean(axis=-1)
    _refuse_all_diverged(losses, mean)
    index = np.argmin(mean, axis=-1)
    best = np.argmin(losses, axis=-2)  # (..., n_seeds)
    refined = u[best].astype(float)
    lo, hi = np.clip(best - 1, 0, u.size - 1), np.clip(best + 1, 0, u.size - 1)
    take = np.take_along_axis
    fl = take(losses, lo[..., None, :], axis=-2)[..., 0, :]
    f0 = take(losses, best[..., None, :], axis=-2)[..., 0, :]
    fh = take(losses, hi[..., None, :], axis=-2)[..., 0, :]
    ok = (best > 0) & (best < u.size - 1) & np.isfinite(fl) & np.isfinite(fh) & np.isfinite(f0)
    with np.errstate(invalid="ignore", over="ignore"):
        ok &= (fl <= cliff * f0) & (fh <= cliff * f0)
    step = u[1] - u[0] if u.size > 1 else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        curv = fl - 2 * f0 + fh
        shift = 0.5 * step * (fl - fh) / curv
    ok &= curv > 0
    refined = np.where(ok, refined + np.clip(np.nan_to_num(shift), -step / 2, step / 2), refined)
    return {"index": index, "log2_lr": refined, "refined": ok}


def transfer_stats(sweep: Sweep, *, loss: str = "train_loss", **selection) -> dict:
    r"""Summarize one sweep: where the optimum sits and how it moves with width.

    Every standard error is over seeds: each seed is one independent replicate of the whole
    experiment (its own initializations and minibatch order at every width).

    Parameters
    ----------
    sweep : Sweep
        A sweep of :func:`~widthlimits.mup.sweep.lr_sweep` with one parametrization and one
        optimizer (select them here or before; an axis with a single coordinate needs no
        selection), at
        least 2 seeds and 3 widths.
    loss : {"train_loss", "test_loss"}
    **selection
        Passed to :meth:`~widthlimits.mup.results.Sweep.select`, for example
        ``parametrization="mup", optimizer="adam"``.

    Returns
    -------
    dict
        ``index``: grid index of the best seed-mean loss per width; ``spread``: its max minus
        min; ``shift``: its value at the narrowest width minus at the widest (grid steps, > 0
        when the optimum moves to smaller learning rates);
        ``log2_lr``, ``log2_lr_se``: the per-seed optimum of :func:`optimal_lr` (refined, not
        across cliffs) per width, mean and standard error;
        ``slope``, ``slope_se``: the least-squares slope of the per-seed optimum
        :math:`\log_2 \eta^*` against :math:`\log_2 n` (octaves per doubling of the width), mean
        and standard error of the per-seed slopes;
        ``drift``, ``drift_se``: that slope times :math:`\log_2 (n_{\max} / n_{\min})`, the
        fitted move of the optimum across the widths, in octaves (grid steps of a factor 2);
        ``log_ratio``, ``log_ratio_se``: at the narrowest width's best grid learning rate,
        :math:`\log` (widest width's loss / narrowest width's loss) per seed, mean and standard
        error (> 0 when the wider network is worse; ``inf`` and 0 if a widest run diverged).

    Raises
    ------
    ValueError, TypeError
        For a sweep that is not a Sweep, axes left to select, fewer than 2 seeds or 3 widths,
        an unknown ``loss``, or a width where every learning rate diverged.

    Examples
    --------
    >>> from widthlimits.mup import lr_sweep
    >>> out = lr_sweep([16, 32, 64], [0.05, 0.1, 0.2], seeds=(0, 1), optimizers=("sgd",),
    ...                parametrizations=("mup",), steps=3)
    >>> s = transfer_stats(out, parametrization="mup")
    >>> s["index"].shape, s["spread"] >= 0, s["log_ratio"] < 0  # wider trains faster here
    ((3,), True, True)
    """
    from ..stats import mean_se

    if not isinstance(sweep, Sweep):
        raise TypeError(f"sweep must be a Sweep (from lr_sweep), got {type(sweep).__name__}")
    loss = check_choice("loss", loss, ("train_loss", "test_loss"))
    sel = sweep.select(**selection).curves(("width", "lr", "seed"), "transfer_stats")
    vals = sel.loss(loss)  # width, lr, seed
    widths = sel.widths.astype(float)
    if vals.shape[-1] < 2 or widths.size < 3:
        raise ValueError(
            f"transfer_stats needs at least 2 seeds and 3 widths, got {vals.shape[-1]} seeds "
            f"and {widths.size} widths"
        )
    opt = optimal_lr(sel, loss=loss)
    idx = opt["index"]
    u = opt["log2_lr"]  # width, seed
    m, se = mean_se(u, axis=1)
    lw = np.log2(widths)
    lwc = lw - lw.mean()
    per_seed = (lwc @ (u - u.mean(axis=0))) / (lwc @ lwc)
    slope, slope_se = mean_se(per_seed)
    span = float(lw[-1] - lw[0])
    j = int(idx[0])
    ratio = vals[-1, j] / vals[0, j]
    if np.all(np.isfinite(ratio)):
        log_ratio, log_ratio_se = mean_se(np.log(ratio))
    else:
        log_ratio, log_ratio_se = np.inf, 0.0
    return {
        "index": idx,
        "spread": int(idx.max() - idx.min()),
        "shift": int(idx[0] - idx[-1]),
        "log2_lr": m,
        "log2_lr_se": se,
        "refined": opt["refined"],
        "slope": float(slope),
        "slope_se": float(slope_se),
        "drift": float(slope) * span,
        "drift_se": float(slope_se) * span,
        "log_ratio": float(log_ratio),
        "log_ratio_se": float(log_ratio_se),
    }
