r"""Learning-rate sweeps over widths, on data that ships with scikit-learn.

:func:`lr_sweep` trains :class:`~widthlimits.mup.model.MLP` classifiers on the handwritten digits of
:func:`~widthlimits.mup.data.load_digits_split` for every combination of parametrization,
optimizer, width, learning rate and seed, and returns a :class:`~widthlimits.mup.results.Sweep`:
the losses with named axes. All learning rates and seeds of one width are trained *together*
(``widthlimits.mup.train``). :func:`book_sweep` runs the book's experiment,
:data:`BOOK_SETTINGS`. Every argument is checked before anything is trained or allocated.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from .._checks import (
    check_bool,
    check_choice,
    check_device,
    check_grid,
    check_int,
    check_ints,
    check_memory,
)
from .data import check_split, load_digits_split
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
    cfg["progress"] = check_bool("progress", kw["progress"])
    cfg["device"] = check_device(kw["device"])
    cfg["nonlinearity"] = kw["nonlinearity"]
    resolve_nonlinearity(cfg["nonlinearity"])
    data = load_digits_split() if kw["data"] is None else check_split(kw["data"])
    _memory(widths, len(lrs) * len(seeds), cfg, data)
    coords = dict(zip(AXES, (names, _unique("optimizers", opts), widths, lrs, seeds), strict=True))
    return {"params": params, "coords": coords, "cfg": cfg, "data": data}


def _run(job: dict) -> Sweep:
    """Train a checked sweep (:func:`_checked`) and collect its losses into a Sweep."""
    params, coords, cfg, data = job["params"], job["coords"], job["cfg"], job["data"]
    shape = tuple(len(coords[a]) for a in AXES)
    train, test, acc = np.empty(shape), np.empty(shape), np.empty(shape)
    jobs = [(i, j, k) for i in range(shape[0]) for j in range(shape[1]) for k in range(shape[2])]
    if cfg["progress"]:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="lr sweep")
    train_cfg = {k: cfg[k] for k in ("depth", "steps", "base_width", "nonlinearity", "device")}
    train_cfg["zero_readout"] = cfg["zero_readout"]
    train_cfg["batch_size"] = min(cfg["batch_size"], data[0].shape[0])
    start = time.perf_counter()
    for i, j, k in jobs:
        out = _train_width(
            coords["width"][k],
            coords["lr"],
            coords["seed"],
            params[i],
            coords["optimizer"][j],
            data,
            **train_cfg,
        )
        train[i, j, k], test[i, j, k], acc[i, j, k] = out
    bad = ~np.isfinite(test) | ~np.isfinite(train)
    train[bad], test[bad], acc[bad] = np.inf, np.inf, 0.0
    settings = {k: cfg[k] for k in ("depth", "steps", "batch_size", "base_width")}
    return Sweep(
        train, test, acc, AXES, coords, settings=settings, seconds=time.perf_counter() - start
    )


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
        Show a ``tqdm`` progress bar over the widths.
    data : tuple, optional
        ``(x_train, y_train, x_test, y_test)`` (tensors or arrays, checked by
        :func:`~widthlimits.mup.data.check_split`); by default :func:`load_digits_split`.

    Returns
    -------
    Sweep
        ``train_loss``, ``test_loss``, ``test_acc`` with axes ``("parametrization",
        "optimizer", "width", "lr", "seed")`` and their coordinates; ``settings`` (depth, steps,
        batch size, base width) and ``seconds`` (wall time).

    Raises
    ------
    ValueError, TypeError
        For empty, unsorted or non-geometric grids, unknown parametrizations or optimizers,
        non-positive sizes, bad data, a device this machine lacks, or a sweep too large for
        memory; all before training starts.

    Examples
    --------
    >>> out = lr_sweep([16, 32], [0.01, 0.1], seeds=(0, 1), optimizers=("sgd",), steps=3)
    >>> out.shape, out.axes[:2]
    ((2, 1, 2, 2, 2), ('parametrization', 'optimizer'))
    >>> out.select(parametrization="mup", optimizer="sgd", width=32).train_loss.shape
    (2, 2)
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
        progress=progress,
        data=data,
    )
    return _run(job)


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


def book_sweep(base_seed: int = 0, *, device="cpu", progress: bool = False, **overrides) -> dict:
    """Run the book's transfer experiment (:data:`BOOK_SETTINGS`) for SP and µP, SGD and Adam.

    Both optimizers' sweeps are checked before either is trained.

    Parameters
    ----------
    base_seed : int
        The seeds are ``1000 * base_seed + (0, 1, ...)`` (``base_seed >= 0``).
    device : str or torch.device
    progress : bool
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
            progress=progress,
            data=None,
        )
    return {opt: _run(job) for opt, job in jobs.items()}
