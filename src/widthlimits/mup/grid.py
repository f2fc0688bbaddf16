r"""A learning-rate sweep's grid as tasks for the scheduler, and the tasks' results as a Sweep.

The three learning-rate sweeps (:func:`~widthlimits.mup.sweep.lr_sweep` for the MLP,
:func:`~widthlimits.mup.gpt_sweep.gpt_sweep`, :func:`~widthlimits.mup.depth_sweep.depth_sweep`)
train every learning rate and seed of one *cell* (a parametrization, optimizer and width) as one
vectorized model. :func:`run_grids` makes each cell a
:class:`~widthlimits.sweeps.schedule.Task` whose runs are the cell's (learning rate, seed)
pairs, learning rate first, each with its full configuration (the sweep's ``settings`` and the
run's axis values: what the results store keys on); runs them on the executor; and fills a
:class:`~widthlimits.mup.results.Sweep` per grid.

A cell's trainer returns ``(train_loss, test_loss, test_acc)``, arrays of shape ``(lrs,
seeds)``. A run with a non-finite training or held-out loss is recorded as diverged: infinite
losses and accuracy 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..sweeps import Task, run_tasks
from .results import AXES, LOSSES, Sweep

__all__ = ["Grid", "run_grids"]


@dataclass(frozen=True)
class Grid:
    """One sweep's cells.

    ``cells`` is a list of ``((i, j, k), args)``: the cell at parametrization ``i``, optimizer
    ``j`` and width ``k`` of ``coords`` is trained by ``fn(*args)``. ``settings`` (every setting
    that decides a result, the same for all runs) become the Sweep's settings; ``fields`` names
    the configuration field of an axis when it is not the axis' own name (the depth sweep
    stores its depths as ``"blocks"``)."""

    fn: Callable
    cells: list
    coords: Mapping[str, tuple]
    settings: Mapping[str, object]
    fields: Mapping[str, str] = field(default_factory=dict)

    def names(self) -> dict[str, str]:
        names = {a: a for a in AXES} | dict(self.fields)
        clash = set(names.values()) & set(self.settings)
        if clash:
            raise ValueError(f"settings {sorted(clash)} clash with the axes' field names")
        return names

    def tasks(self) -> list[Task]:
        f, c = self.names(), self.coords
        out = []
        for (i, j, k), args in self.cells:
            cell = {f["parametrization"]: c["parametrization"][i],
                    f["optimizer"]: c["optimizer"][j], f["width"]: c["width"][k]}  # fmt: skip
            runs = tuple(
                {**self.settings, **cell, f["lr"]: lr, f["seed"]: seed}
                for lr in c["lr"]
                for seed in c["seed"]
            )
            out.append(Task(_cell, (self.fn, args), runs))
        return out


def _cell(fn, args) -> list[dict]:
    """Train one cell and return one results dict per (learning rate, seed), lr first."""
    train, test, acc = (np.asarray(a, dtype=float) for a in fn(*args))
    out = []
    for t, v, a in zip(train.ravel(), test.ravel(), acc.ravel(), strict=True):
        bad = not (math.isfinite(t) and math.isfinite(v))
        out.append({"train_loss": math.inf if bad else float(t),
                    "test_loss": math.inf if bad else float(v),
                    "test_acc": 0.0 if bad else float(a), "diverged": bad})  # fmt: skip
    return out


def run_grids(grids, *, executor=None, store=None, resume=False, progress=False,
              desc="lr sweep") -> list[Sweep]:  # fmt: skip
    """Run the cells of every grid in one :func:`~widthlimits.sweeps.schedule.run_tasks` call (one
    progress bar, one executor) and return one Sweep per grid, in order."""
    grids = list(grids)
    tasks = [g.tasks() for g in grids]
    fields = {tuple(sorted(g.names().items())) for g in grids}
    if len(fields) != 1:
        raise ValueError("the grids of one run_grids call must name their axes' fields alike")
    axes = dict(fields.pop())
    outcome = run_tasks([t for ts in tasks for t in ts], executor=executor, store=store,
                        resume=resume, progress=progress, desc=desc, axes=axes)  # fmt: skip
    sweeps, at = [], 0
    for g, ts in zip(grids, tasks, strict=True):
        shape = tuple(len(g.coords[a]) for a in AXES)
        arrays = {n: np.empty(shape) for n in LOSSES}
        part = slice(at, at + len(ts))
        at += len(ts)
        for ((i, j, k), _), res in zip(g.cells, outcome.results[part], strict=True):
            for n in LOSSES:
                arrays[n][i, j, k] = np.reshape([r[n] for r in res], shape[3:])
        reused = sum(
            len(r) for r, s in zip(outcome.results[part], outcome.stored[part], strict=True) if s
        )
        seconds = float(sum(outcome.seconds[part]))
        sweeps.append(Sweep(**arrays, axes=AXES, coords=g.coords, settings=g.settings,
                            seconds=seconds, reused=reused))  # fmt: skip
    return sweeps
