r"""Where a sweep's trainings run: in this process, in a ``concurrent.futures`` executor, on Ray.

Every sweep of the library takes ``executor=``, resolved by :func:`resolve_executor`:

* ``None`` or ``"inline"`` (the default): in this process, one task after another, each task
  vectorized over its learning rates and seeds (the library's behaviour without an executor);
* ``"process"``: a :class:`~concurrent.futures.ProcessPoolExecutor` with one worker per core,
  started with ``spawn`` (forking a process that has started torch's threads can deadlock), each
  worker with one torch thread; it is shut down when the sweep ends;
* ``"ray"``: a :class:`RayExecutor` on the cluster at ``$RAY_ADDRESS``, or a local one;
* any :class:`concurrent.futures.Executor`, such as your own ``ProcessPoolExecutor`` or a
  :class:`RayExecutor` with the resources of one task set (``num_cpus``, and a fraction of a
  GPU in ``num_gpus`` so that several small models share one GPU). The sweep does not shut down
  an executor it was given.

A task is the same computation under every executor, so the same seeds give the same results
whichever runs them (bit for bit on a CPU: the tests check it).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import socket

from .._checks import check_int, check_real

__all__ = [
    "EXECUTORS",
    "RayExecutor",
    "check_executor",
    "check_sweep_device",
    "executor_from_options",
    "resolve_executor",
]

#: The executors a sweep accepts by name.
EXECUTORS: tuple[str, ...] = ("inline", "process", "ray")

_RAY_MISSING = "executor='ray' needs Ray: pip install 'widthlimits[ray]'"


def _one_thread() -> None:
    """Initializer of the process pool's workers: one torch thread each (a worker per core)."""
    import torch

    torch.set_num_threads(1)


def _address(address: str) -> tuple[str, int]:
    """Host and port of a Ray address ``host:port`` or ``ray://host:port``."""
    rest = address[len("ray://") :] if address.startswith("ray://") else address
    host, sep, port = rest.rpartition(":")
    if not sep:
        host, port = rest, "10001" if address.startswith("ray://") else "6379"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(
            f"address must be 'host:port', 'ray://host:port', 'auto' or None, got {address!r}"
        )
    return host.strip("[]"), int(port)


def _reachable(address: str, timeout: float) -> None:
    """Raise ConnectionError unless something accepts a TCP connection at ``address``."""
    host, port = _address(address)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as err:
        raise ConnectionError(
            f"no Ray cluster answers at {address!r} ({err.strerror or err} after at most "
            f"{timeout:g} s): start one there with `ray start --head`, or pass address=None "
            "to start a local one"
        ) from None


class RayExecutor(cf.Executor):
    r"""A :class:`concurrent.futures.Executor` that runs each task as a Ray task.

    Parameters
    ----------
    address : str, optional
        A running cluster, ``"host:port"`` (a cluster's head) or ``"ray://host:port"`` (Ray
        Client), or ``"auto"``; by default ``$RAY_ADDRESS`` if it is set, else a new local Ray
        on this machine. An explicit host is probed with a TCP connection first, so an address
        where nothing listens fails within ``timeout`` seconds, with one ``ConnectionError``.
    num_cpus : float
        CPUs one task reserves (positive).
    num_gpus : float
        GPUs one task reserves, at least 0: a fraction such as 0.25 packs four tasks on one
        GPU (their models must fit in its memory together).
    timeout : float
        Seconds to wait for the address to answer (positive).
    **init_kwargs
        Passed to ``ray.init`` when this executor starts or joins Ray (``num_cpus=2`` for a
        local cluster of two CPUs, ``runtime_env=...``).

    Notes
    -----
    The constructor checks the arguments and probes the address; Ray itself is joined or
    started by :meth:`start`, which the first :meth:`submit` calls. If Ray is already
    initialized in this process, the executor uses it as it is and leaves it running; otherwise
    :meth:`shutdown` disconnects (and stops a local Ray it started).

    Raises
    ------
    TypeError, ValueError
        For a malformed address or resources, or resources no node of the cluster has (a task
        that asks for a GPU on a cluster without one would wait forever).
    ConnectionError
        If nothing answers at ``address``.
    ImportError
        If Ray is not installed (``pip install 'widthlimits[ray]'``).

    Examples
    --------
    Nothing listens on port 1, so this fails at once, without Ray:

    >>> RayExecutor("127.0.0.1:1", timeout=1.0)
    Traceback (most recent call last):
    ...
    ConnectionError: no Ray cluster answers at '127.0.0.1:1' (Connection refused after ...
    >>> RayExecutor(num_gpus=-1)
    Traceback (most recent call last):
    ...
    ValueError: num_gpus must be a real number >= 0, got -1.0
    """

    def __init__(self, address: str | None = None, *, num_cpus: float = 1.0,
                 num_gpus: float = 0.0, timeout: float = 10.0, **init_kwargs):  # fmt: skip
        if address is not None and (not isinstance(address, str) or not address.strip()):
            raise TypeError(f"address must be a non-empty string or None, got {address!r}")
        self.num_cpus = check_real("num_cpus", num_cpus, 0, low_open=True)
        self.num_gpus = check_real("num_gpus", num_gpus, 0)
        timeout = check_real("timeout", timeout, 0, low_open=True)
        address = address.strip() if address else os.environ.get("RAY_ADDRESS") or None
        if address not in (None, "auto", "local"):
            _reachable(address, timeout)
        try:
            import ray
        except ImportError:
            raise ImportError(_RAY_MISSING) from None
        self._ray, self._remote, self._closed, self._started = ray, {}, False, False
        self._address, self._init_kwargs, self._owner = address, init_kwargs, False

    def start(self) -> RayExecutor:
        """Join (or start) Ray and check that a task's resources exist in the cluster; done by
        the first :meth:`submit`, so a sweep with nothing left to train never starts Ray."""
        if self._started:
            return self
        ray = self._ray
        self._owner = not ray.is_initialized()
        if self._owner:
            kwargs = {"include_dashboard": False, "log_to_driver": False} | self._init_kwargs
            ray.init(address=self._address, **kwargs)
        self._started = True
        have = ray.cluster_resources()
        for key, want in (("CPU", self.num_cpus), ("GPU", self.num_gpus)):
            if want > have.get(key, 0.0):
                self.shutdown()
                raise ValueError(
                    f"num_{key.lower()}s={want:g} per task, but the Ray cluster has "
                    f"{have.get(key, 0.0):g} {key}s in all"
                )
        return self

    def __repr__(self) -> str:
        return f"RayExecutor(num_cpus={self.num_cpus:g}, num_gpus={self.num_gpus:g})"

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        """Run ``fn(*args, **kwargs)`` as a Ray task with this executor's resources; return a
        :class:`concurrent.futures.Future` of its result."""
        if self._closed:
            raise RuntimeError("cannot submit to a RayExecutor after shutdown")
        self.start()
        remote = self._remote.get(fn)
        if remote is None:
            remote = self._ray.remote(num_cpus=self.num_cpus, num_gpus=self.num_gpus)(fn)
            self._remote[fn] = remote
        return remote.remote(*args, **kwargs).future()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Disconnect from Ray if this executor connected (a Ray it found running stays)."""
        if not self._closed and self._owner and self._ray.is_initialized():
            self._ray.shutdown()
        self._closed = True


def resolve_executor(executor, *, workers: int | None = None) -> tuple[cf.Executor | None, bool]:
    """The executor a sweep runs on, and whether the sweep owns it (and shuts it down).

    Parameters
    ----------
    executor : None, {"inline", "process", "ray"} or concurrent.futures.Executor
        See the module docstring; names are case-insensitive.
    workers : int, optional
        Workers of ``"process"`` (default: the number of CPUs).

    Returns
    -------
    (executor or None, owned)
        None means in this process.

    Examples
    --------
    >>> resolve_executor(None), resolve_executor("inline")
    ((None, False), (None, False))
    >>> resolve_executor("threads")
    Traceback (most recent call last):
    ...
    ValueError: executor must be None, one of ['inline', 'process', 'ray'], ..., got 'threads'
    >>> resolve_executor(4)
    Traceback (most recent call last):
    ...
    TypeError: executor must be None, one of ['inline', 'process', 'ray'], ..., got int 4
    """
    name = check_executor(executor)
    if not isinstance(name, str):
        return executor, False
    if name == "inline":
        return None, False
    if name == "process":
        n = (os.cpu_count() or 1) if workers is None else check_int("workers", workers, 1)
        pool = cf.ProcessPoolExecutor(
            max_workers=n, mp_context=multiprocessing.get_context("spawn"), initializer=_one_thread
        )
        return pool, True
    if name == "ray":
        return RayExecutor(), True
    raise AssertionError(name)  # check_executor admits only the names above


def check_executor(executor):
    """``executor`` itself if it is None or an Executor, its lower-cased name if it is one of
    :data:`EXECUTORS`; else a TypeError or ValueError. Starts nothing.

    A ``ProcessPoolExecutor`` must not fork (Python 3.11's default on Linux): a process forked
    after torch started its thread pool can hang in its first parallel operation (it does on
    the machine that builds this book), so it is refused with a ValueError that says how to
    make one that spawns.
    """
    if isinstance(executor, cf.ProcessPoolExecutor):
        ctx = getattr(executor, "_mp_context", None)
        if ctx is not None and ctx.get_start_method() == "fork":
            raise ValueError(
                "executor: a ProcessPoolExecutor that forks can hang (torch's threads do not "
                "survive fork); create it with "
                "mp_context=multiprocessing.get_context('spawn'), or pass executor='process'"
            )
    if executor is None or isinstance(executor, cf.Executor):
        return executor
    expected = f"executor must be None, one of {list(EXECUTORS)}, or a concurrent.futures.Executor"
    if not isinstance(executor, str):
        raise TypeError(f"{expected}, got {type(executor).__name__} {executor!r}")
    name = executor.strip().lower()
    if name not in EXECUTORS:
        raise ValueError(f"{expected}, got {executor!r}")
    return name


def check_sweep_device(device, executor):
    """The ``torch.device`` a sweep's tasks train on. On this machine's executors (inline, a
    process pool, threads) it must exist here (:func:`widthlimits._checks.check_device`); on
    Ray the tasks run on the cluster's nodes, so only its form is checked here ("cpu",
    "cuda", "cuda:N", "mps") and a node without it fails its task."""
    from .._checks import check_device

    name = check_executor(executor)
    if not (name == "ray" or isinstance(executor, RayExecutor)):
        return check_device(device)
    import torch

    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a string such as 'cpu' or 'cuda', got {device!r}")
    try:
        dev = torch.device(device.strip().lower() if isinstance(device, str) else device)
    except (RuntimeError, ValueError):
        dev = None
    if dev is None or dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'mps', got {device!r}")
    return dev


def executor_from_options(name: str, *, workers=None, address=None, cpus=None, gpus=None):
    """The executor of the command line's ``--executor NAME`` and its options: ``workers``
    (``"process"`` only), ``address``, ``cpus`` and ``gpus`` per task (``"ray"`` only). An
    option given for another executor is a ValueError; None means in this process.

    Examples
    --------
    >>> executor_from_options("inline") is None
    True
    >>> executor_from_options("process", address="head:6379")
    Traceback (most recent call last):
    ...
    ValueError: --address applies to --executor ray only
    """
    name = check_executor(name)
    if not isinstance(name, str):
        raise TypeError(f"executor must be one of {list(EXECUTORS)}, got {name!r}")
    ray_only = {"--address": address, "--cpus-per-run": cpus, "--gpus-per-run": gpus}
    for flag, value in ray_only.items():
        if value is not None and name != "ray":
            raise ValueError(f"{flag} applies to --executor ray only")
    if workers is not None and name != "process":
        raise ValueError("--workers applies to --executor process only")
    if name == "ray":
        return RayExecutor(address, num_cpus=1.0 if cpus is None else cpus,
                           num_gpus=0.0 if gpus is None else gpus)  # fmt: skip
    return resolve_executor(name, workers=workers)[0]
