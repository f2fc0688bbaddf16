"""Sweeps at scale: executors, a resumable results store, and the scheduler that joins them.

Every sweep of ``widthlimits.mup`` (:func:`~widthlimits.mup.sweep.lr_sweep`,
:func:`~widthlimits.mup.sweep.book_sweep`, :func:`~widthlimits.mup.gpt_sweep.gpt_sweep`,
:func:`~widthlimits.mup.depth_sweep.depth_sweep`, :func:`~widthlimits.mup.coordinates.coord_check`,
:func:`~widthlimits.mup.coord_any.coord_check_model`) takes ``executor=``; the learning-rate
sweeps also take ``store=`` and ``resume=``.

* :mod:`widthlimits.sweeps.executors` -- :func:`resolve_executor` and :class:`RayExecutor`;
* :mod:`widthlimits.sweeps.store` -- :class:`~.store.ResultStore`, one JSON record per run;
* :mod:`widthlimits.sweeps.schedule` -- :func:`run_tasks`, one progress bar over every worker.

The book's appendix "Running sweeps at scale" shows them on one machine, a Ray cluster and SLURM.
"""

from .executors import (  # noqa: F401
    EXECUTORS,
    RayExecutor,
    check_executor,
    check_sweep_device,
    executor_from_options,
    resolve_executor,
)
from .schedule import Outcome, StoreConflict, Task, run_tasks  # noqa: F401
from .store import FORMAT, ResultStore, config_key, fingerprint  # noqa: F401

__all__ = [
    "EXECUTORS",
    "FORMAT",
    "Outcome",
    "RayExecutor",
    "ResultStore",
    "StoreConflict",
    "Task",
    "check_executor",
    "check_sweep_device",
    "config_key",
    "executor_from_options",
    "fingerprint",
    "resolve_executor",
    "run_tasks",
]
