r"""Run a sweep's tasks on an executor, with one progress bar and a results store.

A sweep is cut into :class:`Task` objects: a module-level function, its arguments, and the
configurations of the runs it trains (for a learning-rate sweep, every learning rate and seed of
one parametrization, optimizer and width, trained together as one vectorized model). The task
returns one results dict per run, in the order of its ``runs``. :func:`run_tasks`

1. opens the store, if there is one, and finds the runs it already holds: a task whose runs
   are all there is not run again; a store that holds some of them and ``resume=False`` is an
   error, before anything is trained;
2. resolves the executor (:func:`~widthlimits.sweeps.executors.resolve_executor`) and submits
   every remaining task (in this process, one after another, when there is none);
3. as each task finishes, on whichever worker, writes its runs' records and advances one
   ``tqdm`` bar that counts runs over the whole sweep;
4. if a task raises, cancels the tasks not yet started and raises that error.
"""

from __future__ import annotations

import concurrent.futures as cf
import pickle
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .._checks import check_bool
from .executors import check_executor, resolve_executor
from .store import ResultStore

__all__ = ["Outcome", "StoreConflict", "Task", "run_tasks"]


class StoreConflict(ValueError):
    """The store already holds ``held`` of a sweep's runs and ``resume`` was not asked for."""

    def __init__(self, message: str, held: int):
        super().__init__(message)
        self.held = held


@dataclass(frozen=True)
class Task:
    """One unit of work: ``fn(*args)`` returns a list of results dicts, one per entry of
    ``runs`` (the runs' configurations), in that order. ``fn`` must be a module-level function
    (and ``args`` picklable) for executors in other processes."""

    fn: Callable
    args: tuple
    runs: tuple[Mapping, ...]


@dataclass(frozen=True)
class Outcome:
    """What :func:`run_tasks` returns: ``results[i][j]`` is the results dict of run ``j`` of
    task ``i``; ``stored[i]`` says whether task ``i`` was read from the store instead of run;
    ``seconds[i]`` is the time task ``i`` took, measured on the worker that ran it (0 for a task
    read from the store)."""

    results: list
    stored: list
    seconds: list

    @property
    def reused(self) -> int:
        """How many runs were read from the store."""
        return sum(len(r) for r, s in zip(self.results, self.stored, strict=True) if s)


def _timed(fn, args) -> tuple[float, list]:
    """``fn(*args)`` and the seconds it took, measured where it ran."""
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def _picklable(tasks: list[Task]) -> None:
    for task in tasks[:1]:
        try:
            pickle.dumps((task.fn, task.args))
        except (pickle.PicklingError, TypeError, AttributeError) as err:
            raise TypeError(
                "a sweep on a process pool sends its tasks to other processes, and this one "
                f"cannot be pickled ({err}): define functions such as make_model at module "
                "level (or use functools.partial), not as lambdas or local functions"
            ) from None


def _bar(total: int, initial: int, desc: str, show: bool):
    if not show:
        return None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=initial, desc=desc, unit="run")
    if initial:
        bar.set_postfix_str(f"{initial} from the store")
    return bar


def run_tasks(
    tasks,
    *,
    executor=None,
    store=None,
    resume: bool = False,
    progress: bool = False,
    desc: str = "sweep",
    axes: Mapping | None = None,
) -> Outcome:
    """Run ``tasks`` (module docstring) and return their results.

    Parameters
    ----------
    tasks : sequence of Task
    executor : None, str or concurrent.futures.Executor
        See :func:`~widthlimits.sweeps.executors.resolve_executor`.
    store : str, os.PathLike or ResultStore, optional
        The folder of run records; without one nothing is written and nothing reused.
    resume : bool
        Reuse the store's records of these runs. Without it, a store that already holds any
        of them is an error (run again with ``resume=True``, or choose an empty folder).
    progress : bool
        One ``tqdm`` bar over all the runs, labelled ``desc``.
    axes : dict, optional
        Written into each record (:meth:`~widthlimits.sweeps.store.ResultStore.put`).

    Returns
    -------
    Outcome

    Examples
    --------
    >>> import tempfile, operator
    >>> t = [Task(operator.add, ([{"train_loss": 1.0}], [{"train_loss": 2.0}]),
    ...           ({"seed": 0}, {"seed": 1}))]
    >>> folder = tempfile.mkdtemp()
    >>> out = run_tasks(t, store=folder)
    >>> out.results, out.reused
    ([[{'train_loss': 1.0}, {'train_loss': 2.0}]], 0)
    >>> run_tasks(t, store=folder, resume=True).reused  # nothing trained again
    2
    >>> run_tasks(t, store=folder)
    Traceback (most recent call last):
    ...
    widthlimits.sweeps.schedule.StoreConflict: store ... already holds 2 of this sweep's 2 runs...
    """
    tasks = list(tasks)
    check_executor(executor)
    resume, progress = check_bool("resume", resume), check_bool("progress", progress)
    if resume and store is None:
        raise ValueError("resume=True needs a store to resume from (store=folder)")
    store = None if store is None else ResultStore(store)
    results, todo = _plan(tasks, store, resume)
    stored = [r is not None for r in results]
    bar = _bar(sum(len(t.runs) for t in tasks), sum(len(t.runs) for t, s in
               zip(tasks, stored, strict=True) if s), desc, progress)  # fmt: skip
    spent = [0.0] * len(tasks)

    def finish(i: int, timed) -> None:
        spent[i], out = timed
        if not isinstance(out, list) or len(out) != len(tasks[i].runs):
            raise RuntimeError(f"task {i} returned {type(out).__name__}, not one result per run")
        if store is not None:
            for cfg, res in zip(tasks[i].runs, out, strict=True):
                store.put(cfg, res, axes)
        results[i] = out
        if bar is not None:
            bar.update(len(out))

    pool, owned = resolve_executor(executor) if todo else (None, False)
    try:
        _submit(pool, [(i, tasks[i]) for i in todo], finish)
    finally:
        if owned:
            pool.shutdown(wait=True, cancel_futures=True)
        if bar is not None:
            bar.close()
    return Outcome(results, stored, spent)


def _plan(tasks: list[Task], store, resume: bool) -> tuple[list, list[int]]:
    """The results read from the store (None for a task to run) and the tasks to run. A task
    runs unless all its runs are stored; a store holding any run without ``resume`` raises."""
    results: list = [None] * len(tasks)
    if store is None:
        return results, list(range(len(tasks)))
    stored = [[store.get(cfg) for cfg in t.runs] for t in tasks]
    held, total = sum(r is not None for rs in stored for r in rs), sum(map(len, stored))
    if held and not resume:
        raise StoreConflict(
            f"store {store.path} already holds {held} of this sweep's {total} runs: pass "
            "resume=True to reuse them, or choose an empty folder",
            held,
        )
    todo = []
    for i, rs in enumerate(stored):
        if all(r is not None for r in rs):
            results[i] = rs
        else:
            todo.append(i)
    return results, todo


def _submit(pool, todo: list, finish) -> None:
    """Run ``todo`` (pairs of index and task) in this process (``pool`` None) or on ``pool``,
    calling ``finish(index, (seconds, results))`` as each ends; on an error, cancel the rest."""
    if pool is None:
        for i, task in todo:
            finish(i, _timed(task.fn, task.args))
        return
    if isinstance(pool, cf.ProcessPoolExecutor):
        _picklable([task for _, task in todo])
    futures = {pool.submit(_timed, task.fn, task.args): i for i, task in todo}
    try:
        for future in cf.as_completed(futures):
            finish(futures[future], future.result())
    except BaseException:
        for future in futures:
            future.cancel()
        raise
