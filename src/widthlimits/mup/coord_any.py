r"""The coordinate check of any PyTorch model: every chosen module's output and its change.

:func:`coord_check_model` is :func:`~widthlimits.mup.coordinates.coord_check` for a model the
book does not build: it takes a function ``make_model(width, generator)``, a list of widths and
training batches, trains each model a few steps, and records, through forward hooks, the mean
:math:`|y|` and :math:`|y_t - y_0|` of every chosen module's output on the first batch (the
statistic of :func:`~widthlimits.mup.coordinates.layer_stats`, the same as microsoft's
``get_coord_data``'s ``l1``). Its result has the shape of ``coord_check``'s, so
:func:`~widthlimits.mup.coordinates.coord_slopes` fits it and
:func:`~widthlimits.mup.coord_plots.plot_coord_check` draws it.

With ``base_width`` the check puts each model in µP itself:
:func:`~widthlimits.mup.shapes.set_base_shapes` against ``make_model(base_width, ...)``,
:func:`~widthlimits.mup.attention.bind_attention`, :func:`~widthlimits.mup.optim.init_` and
the learning rates of :func:`~widthlimits.mup.optim.param_groups`. Without it every parameter
gets ``lr`` (SP), unless ``make_model`` returns ``(model, param_groups)`` itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from .._checks import check_callable, check_choice, check_grid, check_int, check_ints, check_real
from ..sweeps import Task, check_executor, run_tasks
from .attention import bind_attention
from .coordinates import layer_stats
from .optim import OPTIMIZERS, init_, param_groups
from .shapes import set_base_shapes

__all__ = ["coord_check_model", "default_modules"]

_OPTIM = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}


def default_modules(model: nn.Module) -> list[str]:
    """The names of ``model``'s leaf modules (no children), in order: what is recorded by
    default (attention probes included; containers and the model itself are not).

    Examples
    --------
    >>> default_modules(nn.Sequential(nn.Linear(2, 3), nn.ReLU()))
    ['0', '1']
    """
    return [name for name, m in model.named_modules() if name and not any(m.children())]


def _cross_entropy(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return nn.functional.cross_entropy(out.flatten(0, -2), y.flatten())


def _check_batches(batches) -> list[tuple]:
    if isinstance(batches, tuple) and len(batches) == 2 and isinstance(batches[0], torch.Tensor):
        batches = [batches]
    if not isinstance(batches, Sequence) or len(batches) == 0:
        raise TypeError("batches must be an (x, y) pair or a non-empty list of them")
    for i, b in enumerate(batches):
        if not (isinstance(b, (tuple, list)) and len(b) == 2):
            raise TypeError(f"batches[{i}] must be an (x, y) pair, got {type(b).__name__}")
    return [tuple(b) for b in batches]


def _check_names(modules) -> list[str]:
    if isinstance(modules, str) or not isinstance(modules, Sequence) or not modules:
        raise TypeError("modules must be a non-empty sequence of module names")
    bad = [m for m in modules if not isinstance(m, str)]
    if bad:
        raise TypeError(f"modules must hold module names (str), got {bad[:3]}")
    return list(modules)


def _build(make_model, width, seed, base_width, lr, optimizer):
    """The model at ``width`` and its optimizer (µP when ``base_width`` is given)."""
    built = make_model(width, torch.Generator().manual_seed(seed))
    model, groups = built if isinstance(built, tuple) else (built, None)
    if not isinstance(model, nn.Module):
        raise TypeError(f"make_model must return an nn.Module, got {type(model).__name__}")
    if groups is None and base_width is not None:
        base = make_model(base_width, torch.Generator().manual_seed(seed))
        shapes = set_base_shapes(model, base[0] if isinstance(base, tuple) else base)
        bind_attention(model, shapes)
        init_(model, shapes)
        groups = param_groups(model, shapes, lr, optimizer=optimizer)
    if groups is None:
        groups = [{"params": list(model.parameters()), "lr": lr}]
    return model, _OPTIM[optimizer](groups, lr=lr)


def _train(model, opt, batches, steps, modules, loss_fn, width):
    """``steps`` steps; each module's output size and change (step, module), and the loss."""
    captured: dict[str, torch.Tensor] = {}
    lookup = dict(model.named_modules())
    missing = [m for m in modules if m not in lookup]
    if missing:
        raise ValueError(f"modules not in the model: {missing[:3]}")

    def hook(name):
        def f(_module, _inputs, output):
            if isinstance(output, torch.Tensor):
                captured[name] = output.detach().clone()

        return f

    handles = [lookup[m].register_forward_hook(hook(m)) for m in modules]
    size, change = np.zeros((steps + 1, len(modules))), np.zeros((steps + 1, len(modules)))
    loss, first = np.zeros(steps + 1), None
    try:
        for t in range(steps + 1):
            captured.clear()
            x0, y0 = batches[0]
            ell = loss_fn(model(x0), y0)
            loss[t] = ell.item()
            if not math.isfinite(loss[t]):
                raise ValueError(
                    f"the loss became {loss[t]} at width {width}, step {t}: the "
                    "learning rate is too large for this parametrization"
                )
            absent = [m for m in modules if m not in captured]
            if absent:
                raise ValueError(
                    f"modules without a tensor output in the forward pass: {absent[:3]}"
                )
            now = [captured[m] for m in modules]
            first = now if first is None else first
            size[t], change[t] = layer_stats(now, first)
            if t < steps:
                x, y = batches[t % len(batches)]
                opt.zero_grad()
                (ell if t % len(batches) == 0 else loss_fn(model(x), y)).backward()
                opt.step()
    finally:
        for h in handles:
            h.remove()
    return size, change, loss


def _one_model(make_model, width, seed, train) -> list:
    """The record of one model of :func:`coord_check_model` (a task: module level) and the
    names of the modules recorded (by default the model's leaf modules)."""
    base_width, lr, optimizer, batches, steps, names, loss = train
    model, opt = _build(make_model, width, seed, base_width, lr, optimizer)
    names = default_modules(model) if names is None else names
    return [(*_train(model, opt, batches, steps, names, loss, width), names)]


def coord_check_model(
    make_model: Callable,
    widths: Sequence[int],
    batches,
    *,
    steps: int = 3,
    optimizer: str = "adam",
    lr: float = 1e-2,
    seeds: Sequence[int] = (0, 1),
    base_width: int | None = None,
    modules: Sequence[str] | None = None,
    loss: Callable | None = None,
    executor=None,
) -> dict:
    r"""Train any model a few steps at several widths; record each module's output and change.

    Parameters
    ----------
    make_model : callable
        ``make_model(width, generator) -> nn.Module`` (or ``-> (model, param_groups)``), the
        generator seeded with each of ``seeds``; the model's randomness must come from it.
    widths : sequence of int
        Strictly increasing widths.
    batches : (x, y) or sequence of (x, y)
        Step :math:`t` trains on ``batches[t % len(batches)]``; the records are on
        ``batches[0]``.
    steps : int
        Optimizer steps, at least 1.
    optimizer : {"sgd", "adam", "adamw"}
    lr : float
        The base learning rate, positive.
    seeds : sequence of int
        One model per width and seed.
    base_width : int, optional
        Put every model in µP against ``make_model(base_width, ...)`` (module docstring).
    modules : sequence of str, optional
        Names (``model.named_modules()``) of the modules to record; default
        :func:`default_modules` of the first model.
    loss : callable, optional
        ``loss(output, y)``; default the cross-entropy over the last axis.
    executor : None, {"inline", "process", "ray"} or concurrent.futures.Executor
        Where the models train, one task per width and seed
        (:func:`widthlimits.sweeps.executors.resolve_executor`); by default in this process.
        A process pool needs ``make_model`` and ``loss`` picklable: functions defined at
        module level or ``functools.partial`` of them, not lambdas.

    Returns
    -------
    dict
        As :func:`~widthlimits.mup.coordinates.coord_check`: ``widths``; ``size`` and
        ``change`` of shape ``(widths, seeds, steps + 1, modules)``; ``loss`` of shape
        ``(widths, seeds, steps + 1)``; ``layers``: the module names.

    Raises
    ------
    TypeError, ValueError
        For a ``make_model`` or ``loss`` that is not callable, bad widths, steps, learning
        rate or seeds, an unknown optimizer, malformed batches, module names the model lacks,
        and (in training) a loss that became infinite.

    Examples
    --------
    >>> from widthlimits.mup import Readout
    >>> def make(n, g):
    ...     net = nn.Sequential(nn.Linear(4, n), nn.ReLU(), Readout(n, 3))
    ...     for p in net.parameters():
    ...         nn.init.normal_(p, std=0.5, generator=g)
    ...     return net
    >>> x = torch.randn(16, 4, generator=torch.Generator().manual_seed(0))
    >>> out = coord_check_model(make, [32, 64, 128], (x, torch.arange(16) % 3), base_width=32)
    >>> out["change"].shape, out["layers"]
    ((3, 2, 4, 3), ['0', '1', '2'])
    """
    make_model = check_callable("make_model", make_model)
    widths = check_ints("widths", widths, 1)
    check_grid("widths", widths)
    steps, lr = check_int("steps", steps, 1), check_real("lr", lr, 0, low_open=True)
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    seeds = [
        check_int(f"seeds[{i}]", s, 0, 2**63 - 1)
        for i, s in enumerate(check_ints("seeds", seeds, 0))
    ]
    base_width = None if base_width is None else check_int("base_width", base_width, 1)
    loss = _cross_entropy if loss is None else check_callable("loss", loss)
    batches = _check_batches(batches)
    check_executor(executor)
    names = None if modules is None else _check_names(modules)
    train = (base_width, lr, optimizer, batches, steps, names, loss)
    tasks = [Task(_one_model, (make_model, n, seed, train), ({"width": n, "seed": seed},))
             for n in widths for seed in seeds]  # fmt: skip
    out = [r[0] for r in run_tasks(tasks, executor=executor).results]
    names = out[0][3]  # the first model's modules, as without an executor
    if any(o[3] != names for o in out):
        raise ValueError(
            "the models of different widths have different leaf modules; pass modules= to "
            "name the ones to record"
        )
    shape = (len(widths), len(seeds), steps + 1)
    size = np.stack([o[0] for o in out]).reshape(*shape, len(names))
    change = np.stack([o[1] for o in out]).reshape(*shape, len(names))
    losses = np.stack([o[2] for o in out]).reshape(shape)
    return {"widths": np.array(widths), "size": size, "change": change, "loss": losses,
            "layers": names}  # fmt: skip
