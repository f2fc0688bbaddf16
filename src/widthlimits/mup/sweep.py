r"""Learning-rate sweeps over widths, on data that ships with scikit-learn.

:func:`lr_sweep` trains :class:`~widthlimits.mup.model.MLP` classifiers on the handwritten digits of
:func:`~widthlimits.mup.data.load_digits_split` for every combination of parametrization,
optimizer, width, learning rate and seed, and returns a :class:`~widthlimits.mup.results.Sweep`:
the losses with named axes. All learning rates and seeds of one width are trained *together*
(``widthlimits.mup.train``). :func:`book_sweep` runs the book's experiment,
:data:`BOOK_SETTINGS`. Every argument is checked before anything is trained or allocated.
"""

from __future__ import annotations

import numpy as np
import torch

from .. import __version__
from .._checks import (
    check_bool,
    check_choice,
    check_grid,
    check_int,
    check_ints,
    check_memory,
)
from ..sweeps import check_executor, check_sweep_device, fingerprint
from .data import check_split, load_digits_split
from .grid import Grid, run_grids
from .names import parameter_count, resolve_nonlinearity, resolve_parametrization
from .results import AXES, Sweep
from .train import _train_width

__all__ = ["BOOK_SETTINGS", "OPTIMIZERS", "book_sweep", "lr_sweep"]

#: The optimizers a sweep trains with.
OPTIMIZERS: tuple[str, ...] = ("sgd", "adam")

#: The book's transfer experiment (chapter "Hyperparameter transfer"): 50 minibatch steps of 128
#: digits, two hidden layers, learning-rate grids in factors of 2. Each optimizer has its own
#: widths: Adam at 16-256, where SP's shift already shows, and SGD at 256-2048, the widths where
#: SP's SGD shift appears on the digits (at 16-256 it does not). µP's base width is the narrowest
#: width of each sweep. The seeds, learning rates and widths are chosen so that the whole sweep
#: takes about 1.5 minutes on a 2-core CPU: SGD at width 2048 is 80% of the cost, so it gets 4
#: seeds and 5 learning rates (the grid from a factor 2 below SP's widest optimum to the first
#: diverging one).
BOOK_SETTINGS: dict = {
    "widths": {"sgd": (256, 512, 1024, 2048), "adam": (16, 32, 64, 128, 256)},
    "lrs": {
        "sgd": tuple(2.0**k for k in range(-3, 2)),
        "adam": tuple(2.0**k for k in range(-11, -3)),
    },
    "seeds": {"sgd": 4, "adam": 5},
    "depth": 2,
    "steps": 50,
    "batch_size": 128,
}


def _sequence(name: str, xs) -> list:
    if isinstance(xs, np.ndarray):
        xs = xs.tolist()
    if isinstance(xs, (str, bytes)) or not isinstance(xs, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple, got {type(xs).__name__} {xs!r}")
    if len(xs) == 0:
        raise ValueError(f"{name} must not be empty")
    return list(xs)


def _unique(name: str, names: list) -> list:
    if len(set(names)) != len(names):
        raise ValueError(f"{name} must not repeat an entry, got {names}")
    return names


def _parametrizations(xs, depth: int) -> tuple[list, list[str]]:
    """The parametrizations (canonical names or ABCs), checked against ``depth`` by the
    model's own rules, and their coordinate names."""
    out = []
    for i, p in enumerate(_sequence("parametrizations", xs)):
        try:
            abc, name = resolve_parametrization(p, depth)
        except (TypeError, ValueError) as err:
            raise type(err)(f"parametrizations[{i}]: {err}") from None
        out.append(abc if name == "abc" else name)
    return out, _unique("parametrizations", [p if isinstance(p, str) else repr(p) for p in out])


def _memory(widths, n_models, cfg, data) -> None:
    """Refuse a sweep whose widest width would not fit in memory, before training."""
    w = max(widths)
    n_params = parameter_count(data[0].shape[1], w, int(data[1].max()) + 1, cfg["depth"])
    rows = cfg["batch_size"] + data[0].shape[0] + data[2].shape[0]
    per_model = 6 * n_params + 4 * rows * w * cfg["depth"]
    itemsize = torch.empty((), dtype=data[0].dtype).element_size()
    check_memory(
        f"a sweep of {n_models} networks of width {w}", float(itemsize) * n_models * per_model
    )


def _checked(widths, lrs, seeds, parametrizations, optimizers, **kw) -> dict:
    """Every argument of :func:`lr_sweep`, checked and normalized; raises before any work."""
    widths = check_ints("widths", widths, 1)
    check_grid("widths", widths)  # strictly increasing
    lrs = check_grid("lrs", lrs, geometric=True)
    seeds = check_ints("seeds", seeds, 0, unique=True)
    cfg = {k: check_int(k, kw[k], 1) for k in ("depth", "steps", "batch_size")}
    params, names = _parametrizations(parametrizations, cfg["depth"])
    opts = _sequence("optimizers", optimizers)
    opts = [check_choice(f"optimizers[{i}]", o, OPTIMIZERS) for i, o in enumerate(opts)]
    base = kw["base_width"]
    cfg["base_width"] = widths[0] if base is None else check_int("base_width", base, 1)
    cfg["zero_readout"] = check_bool("zero_readout", kw["zero_readout"])
    cfg["device"] = check_sweep_device(kw["device"], check_executor(kw["executor"]))
    cfg["nonlinearity"] = kw["nonlinearity"]
    _, nl_name = resolve_nonlinearity(cfg["nonlinearity"])
    data = load_digits_split() if kw["data"] is None else check_split(kw["data"])
    _memory(widths, len(lrs) * len(seeds), cfg, data)
    coords = dict(zip(AXES, (names, _unique("optimizers", opts), widths, lrs, seeds), strict=True))
    if kw["store"] is not None and not isinstance(nl_name, str):
        raise TypeError(
            "a sweep with a store needs the nonlinearity by name (one of the library's), so "
            f"that its records say what trained them; got the callable {nl_name!r}"
        )
    settings = {k: cfg[k] for k in ("depth", "steps", "batch_size", "base_width")}
    settings |= {"sweep": "mlp", "zero_readout": cfg["zero_readout"],
                 "nonlinearity": nl_name if isinstance(nl_name, str) else _callable_name(nl_name),
                 "data": fingerprint(*data), "dtype": str(data[0].dtype).replace("torch.", ""),
                 "device": cfg["device"].type, "widthlimits": __version__}  # fmt: skip
    return {"params": params, "coords": coords, "cfg": cfg, "data": data, "settings": settings}


def _callable_name(f) -> str:
    """A callable nonlinearity's name for the settings (its module and qualified name: no
    memory address, so two calls give equal settings)."""
    name = getattr(f, "__qualname__", None) or type(f).__qualname__
    return f"{getattr(f, '__module__', None) or type(f).__module__}.{name}"


def _grid(job: dict) -> Grid:
    """The cells of a checked sweep (:func:`_checked`): one per parametrization, optimizer and
    width, each training all learning rates and seeds together."""
    params, coords, cfg, data = job["params"], job["coords"], job["cfg"], job["data"]
    train_cfg = {k: cfg[k] for k in ("depth", "steps", "base_width", "nonlinearity", "device")}
    train_cfg["zero_readout"] = cfg["zero_readout"]
    train_cfg["batch_size"] = min(cfg["batch_size"], data[0].shape[0])
    cells = [
        ((i, j, k), (w, coords["lr"], coords["seed"], p, o, data, train_cfg))
        for i, p in enumerate(params)
        for j, o in enumerate(coords["optimizer"])
        for k, w in enumerate(coords["width"])
    ]
    return Grid(_train_cell, cells, coords, job["settings"])


def _train_cell(width, lrs, seeds, param, optimizer, data, cfg):
    """One cell of the grid (module level, so that a process pool can pickle it)."""
    return _train_width(width, list(lrs), list(seeds), param, optimizer, data, **cfg)


def lr_sweep(
    widths,
    lrs,
    seeds=(0, 1, 2),
    parametrizations=("sp", "mup"),
    optimizers=("sgd", "adam"),
    *,
    depth: int = 2,
    steps: int = 100,
    batch_size: int = 128,
    base_width: int | None = None,
    nonlinearity="relu",
    zero_readout: bool = False,
    device="cpu",
    progress: bool = False,
    data=None,
    executor=None,
    store=None,
    resume: bool = False,
) -> Sweep:
    r"""Train digit classifiers over a grid of widths and learning rates; return their losses.

    Every run trains an :class:`~widthlimits.mup.model.MLP` with ``depth`` hidden layers for
    ``steps`` minibatch steps of SGD or Adam (learning rates from :meth:`MLP.param_groups`, so each
    parametrization is trained as it prescribes) on the cross-entropy loss. A run whose loss
    overflows is reported with an infinite loss and counted in ``Sweep.diverged``.

    Parameters
    ----------
    widths : sequence of int
        Widths, strictly increasing (a list, tuple or numpy array).
    lrs : sequence of float
        The base learning rates :math:`\eta`: a strictly increasing geometric grid (the optimum
        is interpolated in :math:`\log_2 \eta`).
    seeds : sequence of int
        Distinct seeds >= 0; each fixes a network's initialization and its minibatch order.
    parametrizations : sequence of {"sp", "ntk", "mup"} or ABC
        Case-insensitive names.
    optimizers : sequence of {"sgd", "adam"}
    depth, steps, batch_size : int
        Positive; a batch larger than the training set is the whole set.
    base_width : int, optional
        Width at which µP equals SP; defaults to ``widths[0]``.
    nonlinearity : str or callable
    zero_readout : bool
    device : str or torch.device
        A device this machine has, such as ``"cpu"`` or ``"cuda"``.
    progress : bool
        Show one ``tqdm`` bar over all the runs, advanced as each width finishes on any worker.
    data : tuple, optional
        ``(x_train, y_train, x_test, y_test)`` (tensors or arrays, checked by
        :func:`~widthlimits.mup.data.check_split`); by default :func:`load_digits_split`.
    executor : None, {"inline", "process", "ray"} or concurrent.futures.Executor
        Where the trainings run (:func:`widthlimits.sweeps.executors.resolve_executor`): by
        default in this process. Each task is one parametrization, optimizer and width, with all its
        learning rates and seeds trained together, so every executor computes the same thing.
    store : str or os.PathLike or ResultStore, optional
        A folder for one record per finished run (:class:`widthlimits.sweeps.store.ResultStore`).
    resume : bool
        Reuse the store's records of this sweep's runs and train only the others; without it a
        store that already holds some of them is an error.

    Returns
    -------
    Sweep
        ``train_loss``, ``test_loss``, ``test_acc`` with axes ``("parametrization",
        "optimizer", "width", "lr", "seed")`` and their coordinates; ``settings`` (depth, steps,
        batch size, base width, nonlinearity, zero_readout, the data's fingerprint, dtype,
        device type, the library's version: what the store keys on); ``seconds`` (training
        time); ``reused`` (runs read from the store). ``store.to_sweep()`` returns the same.

    Raises
    ------
    ValueError, TypeError
        For empty, unsorted or non-geometric grids, unknown parametrizations or optimizers,
        non-positive sizes, bad data, a device this machine lacks, a sweep too large for
        memory, a bad executor, or a store that already holds some of these runs without
        ``resume=True``; all before training starts.
    ConnectionError
        For ``executor="ray"`` when no Ray cluster answers at ``$RAY_ADDRESS``.

    Examples
    --------
    >>> out = lr_sweep([16, 32], [0.01, 0.1], seeds=(0, 1), optimizers=("sgd",), steps=3)
    >>> out.shape, out.axes[:2]
    ((2, 1, 2, 2, 2), ('parametrization', 'optimizer'))
    >>> out.select(parametrization="mup", optimizer="sgd", width=32).train_loss.shape
    (2, 2)

    The same sweep on a process pool, into a store, gives the same losses bit for bit; run
    again with ``resume=True`` it trains nothing:

    >>> import multiprocessing, tempfile
    >>> from concurrent.futures import ProcessPoolExecutor
    >>> folder = tempfile.mkdtemp()
    >>> with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
    ...     par = lr_sweep([16, 32], [0.01, 0.1], seeds=(0, 1), optimizers=("sgd",), steps=3,
    ...                    executor=pool, store=folder)
    >>> bool(np.array_equal(par.train_loss, out.train_loss))
    True
    >>> again = lr_sweep([16, 32], [0.01, 0.1], seeds=(0, 1), optimizers=("sgd",), steps=3,
    ...                  store=folder, resume=True)
    >>> again.reused, bool(np.array_equal(again.test_loss, out.test_loss))
    (16, True)
    """
    job = _checked(
        widths,
        lrs,
        seeds,
        parametrizations,
        optimizers,
        depth=depth,
        steps=steps,
        batch_size=batch_size,
        base_width=base_width,
        nonlinearity=nonlinearity,
        zero_readout=zero_readout,
        device=device,
        data=data,
        executor=executor,
        store=store,
    )
    (sweep,) = run_grids([_grid(job)], executor=executor, store=store, resume=resume,
                         progress=progress)  # fmt: skip
    return sweep


def _setting(cfg: dict, key: str, opt: str):
    value = cfg[key]
    if isinstance(value, dict):
        if set(value) != set(OPTIMIZERS):
            raise ValueError(
                f"{key} must be one value or a dict with keys {list(OPTIMIZERS)}, got keys "
                f"{sorted(map(str, value))}"
            )
        return value[opt]
    return value


def book_sweep(base_seed: int = 0, *, device="cpu", progress: bool = False, executor=None,
               store=None, resume: bool = False, **overrides) -> dict:  # fmt: skip
    """Run the book's transfer experiment (:data:`BOOK_SETTINGS`) for SP and µP, SGD and Adam.

    Both optimizers' sweeps are checked before either is trained, and run together: one
    executor, one progress bar, one store.

    Parameters
    ----------
    base_seed : int
        The seeds are ``1000 * base_seed + (0, 1, ...)`` (``base_seed >= 0``).
    device : str or torch.device
    progress : bool
    executor, store, resume
        As in :func:`lr_sweep`.
    **overrides
        Replace entries of :data:`BOOK_SETTINGS`: ``widths``, ``lrs`` and ``seeds`` take either
        one value for both optimizers or a dict ``{"sgd": ..., "adam": ...}``; ``seeds`` is a
        number of seeds.

    Returns
    -------
    dict of Sweep
        ``{"sgd": Sweep, "adam": Sweep}`` (their grids differ), each over ``("sp", "mup")``
        and one optimizer, with µP's base width the narrowest width of that sweep.

    Examples
    --------
    >>> out = book_sweep(widths=(16, 32), steps=2, seeds=2,
    ...                  lrs={"sgd": (0.1, 0.2), "adam": (0.001, 0.002)})
    >>> sorted(out), out["adam"].shape
    (['adam', 'sgd'], (2, 1, 2, 2, 2))
    """
    base_seed = check_int("base_seed", base_seed, 0)
    unknown = set(overrides) - set(BOOK_SETTINGS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(BOOK_SETTINGS)}")
    cfg = {**BOOK_SETTINGS, **overrides}
    jobs = {}
    for opt in OPTIMIZERS:
        n_seeds = check_int("seeds", _setting(cfg, "seeds", opt), 1)
        jobs[opt] = _checked(
            _setting(cfg, "widths", opt),
            _setting(cfg, "lrs", opt),
            [1000 * base_seed + i for i in range(n_seeds)],
            ("sp", "mup"),
            (opt,),
            depth=cfg["depth"],
            steps=cfg["steps"],
            batch_size=cfg["batch_size"],
            base_width=None,
            nonlinearity="relu",
            zero_readout=False,
            device=device,
            data=None,
            executor=executor,
            store=store,
        )
    grids = [_grid(job) for job in jobs.values()]
    sweeps = run_grids(grids, executor=executor, store=store, resume=resume, progress=progress,
                       desc="book sweep")  # fmt: skip
    return dict(zip(jobs, sweeps, strict=True))
