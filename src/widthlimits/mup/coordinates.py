r"""The coordinate check: train a few steps at several widths and measure every layer's change.

Under µP every layer's features and their change after a step stay :math:`\Theta(1)` per
coordinate as the width :math:`n` grows (Tensor Programs IV, Section 5; microsoft's
``mup.coord_check``). :func:`coord_check` records, for each width, seed, step and layer, the mean
absolute coordinate of the features :math:`x^l_t` and of their change :math:`x^l_t - x^l_0`;
:func:`coord_slopes` fits the log-log slope of each layer's change against the width, which is 0
in µP, :math:`-1/2` for the hidden layers in the NTK parametrization, and positive in SP with a
fixed learning rate. :func:`~widthlimits.mup.coord_plots.plot_coord_check` draws a result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from .._checks import (
    check_array,
    check_bool,
    check_choice,
    check_grid,
    check_int,
    check_ints,
    check_real,
)
from ..stats import loglog_slope, mean_se
from ..sweeps import Task, check_executor, run_tasks
from .groups import OPTIMIZERS
from .model import MLP
from .names import check_size, resolve_nonlinearity, resolve_parametrization

__all__ = [
    "QUANTITIES",
    "check_result",
    "check_step",
    "coord_check",
    "coord_slopes",
    "layer_stats",
]

#: The quantities a coordinate check records per layer: the mean ``|x|`` and the mean ``|Δx|``.
QUANTITIES: tuple[str, ...] = ("change", "size")


def _default_data(n: int = 256):
    from .data import load_digits_split

    x, y, _, _ = load_digits_split()
    return x[:n], y[:n]


def _check_batch(x, y) -> tuple[torch.Tensor, torch.Tensor]:
    """``x`` as a finite 2-D float tensor and ``y`` as integer labels, one per row of ``x``.

    A floating tensor ``x`` keeps its dtype (the networks are built in it); any other real
    ``x`` (integer tensor, numpy array, nested list) becomes ``torch.get_default_dtype()``.
    """
    if isinstance(x, torch.Tensor) and x.is_floating_point():
        if x.ndim != 2 or min(x.shape) < 1:
            raise ValueError(f"x must be a 2-D batch (batch, features), got {tuple(x.shape)}")
        if not bool(torch.isfinite(x).all()):
            raise ValueError("x contains NaN or infinite entries")
    else:
        x = torch.as_tensor(check_array("x", x, ndim=2), dtype=torch.get_default_dtype())
    raw = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else y
    labels = check_array("y", raw, ndim=1)
    if np.asarray(raw).dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class labels, got dtype {np.asarray(raw).dtype}")
    if labels.shape[0] != x.shape[0] or labels.min() < 0:
        raise ValueError(
            f"y must hold one class label >= 0 per row of x ({x.shape[0]}), got "
            f"{labels.shape[0]} labels with minimum {int(labels.min())}"
        )
    return x, torch.as_tensor(np.asarray(raw), dtype=torch.long)


def _batch(x, y, width: int, depth: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The checked batch (or the default digits), after a memory check of the widest run."""
    if (x is None) != (y is None):
        raise ValueError("give both x and y, or neither")
    x, y = _default_data() if x is None else _check_batch(x, y)
    d_out = int(y.max()) + 1
    check_size(x.shape[1], width, d_out, depth, dtype=x.dtype, copies=4)
    return x, y


def _check_seeds(seeds) -> list[int]:
    seeds = check_ints("seeds", seeds, 0)
    return [check_int(f"seeds[{i}]", s, 0, 2**63 - 1) for i, s in enumerate(seeds)]


def _diverged(what: str, width: int, t: int, lr: float) -> str:
    return (
        f"the {what} became infinite or NaN at width {width}, step {t}: the learning rate {lr} "
        "is too large for this parametrization"
    )


def layer_stats(now, first) -> tuple[np.ndarray, np.ndarray]:
    r"""Each layer's mean :math:`|x_t|` and mean :math:`|x_t - x_0|` over all its coordinates.

    The one statistic of every coordinate check (of the MLP here and of any model in
    :mod:`widthlimits.mup.coord_any`).

    Parameters
    ----------
    now, first : sequence of torch.Tensor
        Each layer's features at step :math:`t` and at step 0, the same shapes pairwise.

    Examples
    --------
    >>> import torch
    >>> layer_stats([torch.tensor([1.0, -3.0])], [torch.tensor([1.0, 1.0])])
    (array([2.]), array([2.]))
    """
    size = np.array([f.abs().mean().item() for f in now])
    change = np.array([(f - f0).abs().mean().item() for f, f0 in zip(now, first, strict=True)])
    return size, change


def _record(net, x, y, steps: int, lr: float, optimizer: str):
    """Train ``net`` for ``steps`` full-batch steps; return size, change (step, layer), loss."""
    depth = net.depth
    opt_cls = torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam
    opt = opt_cls(net.param_groups(lr, optimizer))
    size = np.zeros((steps + 1, depth + 1))
    change, loss = np.zeros_like(size), np.zeros(steps + 1)
    first = None
    for t in range(steps + 1):
        feats = net.activations(x)
        if not bool(torch.isfinite(feats[-1]).all()):
            raise ValueError(_diverged("features", net.width, t, lr))
        out = net.readout(feats[-1])
        now = [f.detach() for f in (*feats, out)]
        if first is None:
            first = now
        size[t], change[t] = layer_stats(now, first)
        ell = nn.functional.cross_entropy(out, y)
        loss[t] = ell.item()
        if not math.isfinite(loss[t]):
            raise ValueError(_diverged(f"loss ({loss[t]})", net.width, t, lr))
        if t < steps:
            opt.zero_grad()
            ell.backward()
            opt.step()
    return size, change, loss


def _one_network(x, y, width, seed, net, train) -> list:
    """The record of one network of :func:`coord_check` (a task: module level, picklable)."""
    depth, parametrization, base_width, nonlinearity, zero_readout = net
    model = MLP(x.shape[1], width, int(y.max()) + 1, depth, parametrization, base_width,
                nonlinearity, zero_readout=zero_readout,
                generator=torch.Generator().manual_seed(seed), dtype=x.dtype)  # fmt: skip
    return [_record(model, x, y, *train)]


def coord_check(
    widths: Sequence[int],
    parametrization="mup",
    *,
    depth: int = 3,
    steps: int = 5,
    lr: float = 0.1,
    optimizer: str = "sgd",
    seeds: Sequence[int] = (0, 1, 2),
    base_width: int | None = None,
    nonlinearity="relu",
    x: torch.Tensor | None = None,
    y: torch.Tensor | None = None,
    zero_readout: bool = False,
    executor=None,
) -> dict:
    r"""Train a few steps at several widths and record the size of every layer and of its change.

    For each width, seed, step :math:`t = 0, \dots, T` and layer (the :math:`L` hidden layers and
    the output), it records :math:`\frac{1}{n B}\sum |x^l_t|` and :math:`\frac{1}{nB}\sum
    |x^l_t - x^l_0|` on the training batch. Training is full-batch on the cross-entropy loss.
    Under µP every entry stays :math:`\Theta(1)` as the width grows; under SP with a fixed
    learning rate the output's change grows; under NTP the hidden changes shrink.

    Parameters
    ----------
    widths : sequence of int
        The widths, strictly increasing (a list, tuple or 1-D numpy array).
    parametrization : {"sp", "ntk", "mup"} or ABC
    depth, steps : int
        Hidden layers and SGD/Adam steps, at least 1.
    lr : float
        Base learning rate, positive.
    optimizer : {"sgd", "adam"}
        Case-insensitive.
    seeds : sequence of int
        Seeds (integers in :math:`[0, 2^{63})`) of the ``torch.Generator`` that initializes
        each network.
    base_width : int, optional
        Passed to :class:`~widthlimits.mup.model.MLP`.
    nonlinearity : str or callable
    x, y : torch.Tensor, optional
        A batch of inputs and integer class labels; by default the first 256 training digits
        of ``mup.load_digits_split()``. A floating tensor ``x`` keeps its dtype;
        any other real ``x`` (numpy array, integer tensor) is converted to torch's default
        dtype. ``y`` may be a tensor, numpy array or list of integers.
    zero_readout : bool
        Passed to :class:`~widthlimits.mup.model.MLP`.
    executor : None, {"inline", "process", "ray"} or concurrent.futures.Executor
        Where the networks train, one task per width and seed
        (:func:`widthlimits.sweeps.executors.resolve_executor`); by default in this process. Every
        executor gives the same result.

    Returns
    -------
    dict
        ``widths`` (array), ``size`` and ``change``: arrays of shape
        ``(len(widths), len(seeds), steps + 1, depth + 1)``; ``loss``: shape
        ``(len(widths), len(seeds), steps + 1)``; ``layers``: the layer names.

    Raises
    ------
    TypeError, ValueError
        For any bad argument, checked before the first network is built: empty or unsorted
        widths, non-positive steps or learning rate, an unknown optimizer or parametrization,
        non-integer seeds, a flag that is not a bool, a batch that is not finite or whose
        labels are not integers, or networks too large for memory; and, during training, a
        loss that became infinite (the learning rate is too large).

    Examples
    --------
    >>> import torch
    >>> x = torch.randn(16, 4, generator=torch.Generator().manual_seed(0))
    >>> y = torch.arange(16) % 3
    >>> out = coord_check([32, 64], "mup", depth=2, steps=2, x=x, y=y, seeds=(0,))
    >>> out["change"].shape, out["layers"]
    ((2, 1, 3, 3), ['hidden 1', 'hidden 2', 'output'])
    """
    widths = check_ints("widths", widths, 1)
    check_grid("widths", widths)
    depth, steps = check_int("depth", depth, 1), check_int("steps", steps, 1)
    resolve_parametrization(parametrization, depth)
    resolve_nonlinearity(nonlinearity)
    lr = check_real("lr", lr, 0, low_open=True)
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    seeds = _check_seeds(seeds)
    if base_width is not None:
        check_int("base_width", base_width, 1)
    zero_readout = check_bool("zero_readout", zero_readout)
    check_executor(executor)
    x, y = _batch(x, y, widths[-1], depth)
    net = (depth, parametrization, base_width, nonlinearity, zero_readout)
    tasks = [Task(_one_network, (x, y, n, seed, net, (steps, lr, optimizer)),
                  ({"width": n, "seed": seed},))
             for n in widths for seed in seeds]  # fmt: skip
    out = [r[0] for r in run_tasks(tasks, executor=executor).results]
    shape = (len(widths), len(seeds))
    size = np.stack([o[0] for o in out]).reshape(*shape, steps + 1, depth + 1)
    change = np.stack([o[1] for o in out]).reshape(*shape, steps + 1, depth + 1)
    loss = np.stack([o[2] for o in out]).reshape(*shape, steps + 1)
    layers = [f"hidden {l + 1}" for l in range(depth)] + ["output"]
    return {
        "widths": np.array(widths),
        "size": size,
        "change": change,
        "loss": loss,
        "layers": layers,
    }


def check_result(result) -> dict:
    """Return a :func:`coord_check` result if it has that shape, else raise.

    Examples
    --------
    >>> check_result({"widths": [1]})
    Traceback (most recent call last):
    ...
    ValueError: result must be the dict coord_check returns; it lacks 'change', 'layers', ...
    """
    if not isinstance(result, dict):
        raise TypeError(f"result must be the dict coord_check returns, got {type(result).__name__}")
    missing = [k for k in ("change", "layers", "loss", "size", "widths") if k not in result]
    if missing:
        raise ValueError(
            f"result must be the dict coord_check returns; it lacks {', '.join(map(repr, missing))}"
        )
    widths = check_array("result['widths']", result["widths"], ndim=1)
    for key in QUANTITIES:
        vals = check_array(f"result[{key!r}]", result[key], ndim=4)
        if vals.shape[0] != widths.shape[0] or vals.shape[3] != len(result["layers"]):
            raise ValueError(
                f"result[{key!r}] must have shape (widths, seeds, steps + 1, layers) = "
                f"({widths.shape[0]}, ..., {len(result['layers'])}), got {vals.shape}"
            )
    return result


def check_step(step, result: dict) -> int:
    """Return ``step`` as an index into the recorded steps ``0..T`` (negative counts from the
    end), or raise ``ValueError`` naming the range.

    Examples
    --------
    >>> check_step(-1, {"change": np.zeros((1, 1, 3, 2))})
    2
    """
    last = np.shape(result["change"])[2] - 1
    step = check_int("step", step, -(last + 1), last)
    return step % (last + 1)


def coord_slopes(result: dict, step: int, *, min_width: int = 1, quantity: str = "change"):
    r"""Fit :math:`\log \overline{|\Delta x^l|} = c + s \log n` for every layer of a coord check.

    Parameters
    ----------
    result : dict
        The output of :func:`coord_check` (at least 2 seeds).
    step : int
        The step whose values are fitted, ``1..T`` for the change (or ``-1`` for the last);
        the change at step 0 is zero by definition.
    min_width : int
        Fit only the widths ``>= min_width`` (at least 3 of them).
    quantity : {"change", "size"}

    Returns
    -------
    slopes, ses : numpy.ndarray
        The fitted slope of each layer (hidden layers, then the output) and its standard error,
        from a fit weighted by the standard errors of the seed means
        (:func:`widthlimits.stats.loglog_slope`).

    Raises
    ------
    TypeError, ValueError
        If ``result`` is not a coord-check result, ``step`` is out of range, fewer than 3 widths
        are ``>= min_width``, there is one seed only, ``quantity`` is unknown, or a mean is zero.

    Examples
    --------
    >>> import torch
    >>> x = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))
    >>> out = coord_check([16, 32, 64], depth=1, steps=1, x=x, y=torch.arange(8) % 2,
    ...                   seeds=(0, 1))
    >>> s, se = coord_slopes(out, 1)
    >>> s.shape
    (2,)
    """
    result = check_result(result)
    step = check_step(step, result)
    min_width = check_int("min_width", min_width, 1)
    quantity = check_choice("quantity", quantity, QUANTITIES)
    widths = np.asarray(result["widths"])
    keep = widths >= min_width
    if keep.sum() < 3:
        raise ValueError(f"need at least 3 widths >= {min_width}, got {int(keep.sum())}")
    vals = np.asarray(result[quantity])[keep][:, :, step, :]  # width, seed, layer
    if vals.shape[1] < 2:
        raise ValueError("coord_slopes needs a result with at least 2 seeds (for its errors)")
    m, se = mean_se(vals, axis=1)
    if np.any(m <= 0):
        raise ValueError(
            f"the mean {quantity} at step {step} is zero for some width and layer (the change "
            "at step 0 always is): a log-log slope needs positive values"
        )
    out = [loglog_slope(widths[keep], m[:, k], se[:, k]) for k in range(m.shape[1])]
    return np.array([s for s, _ in out]), np.array([e for _, e in out])
