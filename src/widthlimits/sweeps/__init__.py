"""Sweeps at scale: executors, a resumable results store, and the scheduler that joins them.

Every sweep of :mod:`widthlimits.mup` (:func:`~widthlimits.mup.lr_sweep`,
:func:`~widthlimits.mup.book_sweep`, :func:`~widthlimits.mup.gpt_sweep`,
:func:`~widthlimits.mup.depth_sweep`, :func:`~widthlimits.mup.coord_check`,
:func:`~widthlimits.mup.coord_check_model`) takes ``executor=``; the learning-rate sweeps also
take ``store=`` and ``resume=``.

* :mod:`widthlimits.sweeps.executors` -- :func:`resolve_executor` and :class:`RayExecutor`;
* :mod:`widthlimits.sweeps.store` -- :class:`ResultStore`, one JSON record per run;
* :mod:`widthlimits.sweeps.schedule` -- :func:`run_tasks`, one progress bar over every worker.

The book's appendix "Running sweeps at scale" shows them on one machine, a Ray cluster and SLURM.
"""

from .executors import (  # noqa: F401
    EXECUTORS,
    RayExecutor,
    check_executor,
    check_sweep_device,
    resolve_executor,
)
from .schedule import Outcome, Task, run_tasks  # noqa: F401
from .store import FORMAT, RESULTS, ResultStore, config_key, fingerprint  # noqa: F401

__all__ = [
    "EXECUTORS",
    "FORMAT",
    "RESULTS",
    "Outcome",
    "RayExecutor",
    "ResultStore",
    "Task",
    "check_executor",
    "check_sweep_device",
    "config_key",
    "fingerprint",
    "resolve_executor",
    "run_tasks",
]
