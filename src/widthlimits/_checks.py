"""The package's one input-check layer: every public callable checks its arguments through these
functions, before it computes or allocates anything, so that bad input always meets the same
``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind, wrong value), with a sentence
that names the argument, says what was expected and shows what was received.

The rules, once:

* integers are Python or numpy integers, never bools, floats or strings (``1.5`` is not
  truncated; ``float('inf')`` is not an integer);
* real numbers are Python or numpy reals (or 0-d arrays), never bools, complex numbers or
  strings, and finite unless a caller allows infinity;
* flags are ``bool`` or ``numpy.bool_`` only (``"no"`` is not ``False``);
* option names are strings, matched case-insensitively;
* arrays are real, numeric, not ragged, finite, non-empty and of the stated dimension; numpy
  arrays, torch tensors and nested sequences are all accepted;
* sizes whose memory would not fit are refused with the estimated size before allocation.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Iterable

import numpy as np

#: The most memory one call may plan to allocate, in bytes (8 GiB), unless the machine has less.
MEMORY_BUDGET = 8 * 2**30


def _show(x) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _received(x) -> str:
    return f"{type(x).__name__} {_show(x)}"


def is_bool(x) -> bool:
    """Whether ``x`` is a bool (Python or numpy)."""
    return isinstance(x, (bool, np.bool_))


def check_int(name: str, x, low: int | None = None, high: int | None = None) -> int:
    """Return ``x`` as an int in ``[low, high]``, or raise ``TypeError`` (not an integer: bools,
    floats, strings and None are not) or ``ValueError`` (out of range).

    >>> check_int("n", np.int64(3), 1)
    3
    >>> check_int("n", 1.5, 1)
    Traceback (most recent call last):
    ...
    TypeError: n must be an integer, got float 1.5
    """
    if is_bool(x) or not isinstance(x, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {_received(x)}")
    x = int(x)
    if low is not None and x < low:
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {bound}, got {x}")
    if high is not None and x > high:
        bound = f"between {low} and {high}" if low is not None else f"<= {high}"
        raise ValueError(f"{name} must be an integer {bound}, got {x}")
    return x


def check_real(
    name: str,
    x,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    allow_inf: bool = False,
) -> float:
    """Return ``x`` as a float in the stated range, or raise ``TypeError`` (not a real number)
    or ``ValueError`` (NaN, infinite unless ``allow_inf``, or out of range).

    >>> check_real("lr", np.float32(0.5), 0, low_open=True)
    0.5
    >>> check_real("lr", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: lr must be a finite real number, got nan
    """
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if is_bool(x) or not isinstance(x, (numbers.Real, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {_received(x)}")
    v = float(x)
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise ValueError(f"{name} must be a finite real number, got {v}")
    too_low = low is not None and (v <= low if low_open else v < low)
    too_high = high is not None and (v >= high if high_open else v > high)
    if too_low or too_high:
        parts = []
        if low is not None:
            parts.append(f"{'>' if low_open else '>='} {low}")
        if high is not None:
            parts.append(f"{'<' if high_open else '<='} {high}")
        raise ValueError(f"{name} must be a real number {' and '.join(parts)}, got {v}")
    return v


def check_bool(name: str, x) -> bool:
    """Return ``x`` as a bool, or raise ``TypeError``: only ``True``/``False`` are flags."""
    if not is_bool(x):
        raise TypeError(f"{name} must be True or False, got {_received(x)}")
    return bool(x)


def check_choice(name: str, x, options: Iterable[str], aliases: dict | None = None) -> str:
    """Return the option ``x`` names (case-insensitive, after ``aliases``), or raise.

    >>> check_choice("optimizer", "Adam", ("sgd", "adam"))
    'adam'
    """
    options = tuple(options)
    if not isinstance(x, str):
        raise TypeError(
            f"{name} must be one of {', '.join(map(repr, options))}, got {_received(x)}"
        )
    key = x.strip().lower()
    key = (aliases or {}).get(key, key)
    if key not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {x!r}")
    return key


def check_callable(name: str, f) -> Callable:
    """Return ``f``, or raise ``TypeError`` unless it is callable."""
    if not callable(f):
        raise TypeError(f"{name} must be a callable, got {_received(f)}")
    return f


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Return ``rng``, or raise ``TypeError`` unless it is a ``numpy.random.Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), got "
            f"{type(rng).__name__}"
        )
    return rng


def check_torch_generator(generator, name: str = "generator"):
    """Return ``generator``, or raise ``TypeError`` unless it is a ``torch.Generator``."""
    import torch

    if not isinstance(generator, torch.Generator):
        raise TypeError(
            f"{name} must be a torch.Generator (torch.Generator().manual_seed(seed)), got "
            f"{type(generator).__name__}"
        )
    return generator


def check_array(
    name: str,
    x,
    *,
    ndim: int | tuple[int, ...] | None = None,
    min_size: int = 1,
    finite: bool = True,
    dtype=np.float64,
) -> np.ndarray:
    """Return ``x`` as a real numpy array, or raise.

    Accepts nested sequences, numpy arrays and torch tensors. Raises ``TypeError`` for None,
    strings, bools, complex, object or ragged data, and ``ValueError`` for the wrong number of
    dimensions, fewer than ``min_size`` entries, or (when ``finite``) NaN or inf.

    >>> check_array("X", [[1, 2], [3, 4]], ndim=2).shape
    (2, 2)
    >>> check_array("X", [[1, 2], [3]], ndim=2)
    Traceback (most recent call last):
    ...
    TypeError: X must be an array of real numbers, got a ragged or non-numeric list
    """
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of real numbers, got {_received(x)}")
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor
        x = x.detach().cpu()
        if str(x.dtype) in ("torch.bfloat16", "torch.float16"):  # numpy has no bfloat16
            x = x.double()
        x = x.numpy()
    raw = x
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{name} must be an array of real numbers, got a ragged or non-numeric "
            f"{type(raw).__name__}"
        ) from err
    if arr.dtype == object or arr.dtype.kind not in "iuf":
        what = {"b": "booleans", "c": "complex numbers", "U": "strings", "S": "bytes"}.get(
            arr.dtype.kind, "a ragged or non-numeric " + type(raw).__name__
        )
        raise TypeError(f"{name} must be an array of real numbers, got {what}")
    arr = arr.astype(dtype, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be a {want} array, got shape {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} entries, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    return arr


def check_ints(name: str, xs, low: int | None = None, *, unique: bool = False) -> list[int]:
    """Return a non-empty sequence (list, tuple or numpy array) of integers as a list, or raise."""
    items = _items(name, xs)
    out = [check_int(f"{name}[{i}]", x, low) for i, x in enumerate(items)]
    if unique and len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat a value, got {out}")
    return out


def check_reals(name: str, xs, low: float | None = None, *, low_open: bool = False) -> list[float]:
    """Return a non-empty sequence of finite reals as a list of floats, or raise."""
    items = _items(name, xs)
    return [check_real(f"{name}[{i}]", x, low, low_open=low_open) for i, x in enumerate(items)]


def _items(name: str, xs) -> list:
    if isinstance(xs, np.ndarray):
        if xs.ndim != 1:
            raise ValueError(f"{name} must be a 1-D sequence, got an array of shape {xs.shape}")
        xs = list(xs)
    if isinstance(xs, (str, bytes)) or not isinstance(xs, (list, tuple, range)):
        raise TypeError(f"{name} must be a list, tuple or 1-D array, got {_received(xs)}")
    if len(xs) == 0:
        raise ValueError(f"{name} must not be empty")
    return list(xs)


def check_values(what: str, y, shape: tuple[int, ...]) -> np.ndarray:
    """Return what a user's function returned as a finite float array of ``shape``, or raise.

    ``what`` names the function in the messages ("phi", "f", "the function of nonlin").

    >>> check_values("phi", [1, 2], (2,)).dtype
    dtype('float64')
    >>> check_values("phi", [1.0, float("nan")], (2,))
    Traceback (most recent call last):
    ...
    ValueError: phi returned NaN or infinity
    """
    if y is None or isinstance(y, (str, bytes)):
        raise TypeError(f"{what} must return an array of numbers, got {type(y).__name__}")
    y = np.asarray(y)
    if y.shape != shape:
        raise ValueError(
            f"{what} must return an array of shape {shape} (one value per input), got shape "
            f"{y.shape}"
        )
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{what} must return real numbers, got dtype {y.dtype}")
    y = y.astype(float)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{what} returned NaN or infinity")
    return y


def check_grid(name: str, xs, *, geometric: bool = False, rtol: float = 1e-6) -> list[float]:
    """Return a strictly increasing grid of positive finite numbers, or raise.

    With ``geometric``, consecutive ratios must agree to ``rtol`` (a learning-rate grid on which
    an optimum is interpolated in log space must be evenly spaced there).
    """
    grid = check_reals(name, xs, 0.0, low_open=True)
    if any(b <= a for a, b in zip(grid, grid[1:], strict=False)):
        raise ValueError(f"{name} must be strictly increasing, got {grid}")
    if geometric and len(grid) > 2:
        steps = np.diff(np.log(grid))
        if not np.allclose(steps, steps[0], rtol=rtol, atol=0):
            raise ValueError(
                f"{name} must be a geometric grid (a constant ratio between neighbours), "
                f"got ratios {np.round(np.exp(steps), 6).tolist()}"
            )
    return grid


def check_symmetric_psd(name: str, K, *, rtol: float = 1e-8) -> np.ndarray:
    """Return ``K`` as a square, symmetric, positive semi-definite float array, or raise.

    Symmetric means to ``rtol`` times its largest entry; positive semi-definite means no
    eigenvalue below ``-rtol`` times the largest one. Nothing is clipped or symmetrized silently.
    """
    K = check_array(name, K, ndim=2)
    if K.shape[0] != K.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {K.shape}")
    scale = max(float(np.max(np.abs(K))), 1e-300)
    if np.max(np.abs(K - K.T)) > rtol * scale:
        raise ValueError(
            f"{name} must be symmetric; its largest asymmetry is {np.max(np.abs(K - K.T)):.3g}"
        )
    low = float(np.linalg.eigvalsh(K)[0])
    if low < -rtol * scale * K.shape[0]:
        raise ValueError(
            f"{name} must be positive semi-definite; its smallest eigenvalue is {low:.3g}"
        )
    return K


def available_memory() -> int:
    """The bytes this process may plan to allocate: :data:`MEMORY_BUDGET`, or less on a machine
    with less physical memory."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return MEMORY_BUDGET
    return int(min(MEMORY_BUDGET, total // 2))


def check_memory(what: str, nbytes: float) -> None:
    """Raise ``ValueError`` before allocating if ``nbytes`` exceeds :func:`available_memory`.

    >>> check_memory("a 10^6 x 10^6 matrix", 8e12)
    Traceback (most recent call last):
    ...
    ValueError: a 10^6 x 10^6 matrix would need about 8,000.0 GB of memory; the limit is ...
    """
    budget = available_memory()
    if nbytes > budget:
        raise ValueError(
            f"{what} would need about {_gb(nbytes)} of memory; the limit is {_gb(budget)}. "
            "Choose a smaller size."
        )


def _gb(nbytes: float) -> str:
    return f"{nbytes / 1e9:,.1f} GB"


def check_device(device, name: str = "device"):
    """Return ``device`` as a ``torch.device`` that exists on this machine, or raise.

    Accepts ``"cpu"``, ``"cuda"``, ``"cuda:N"`` (N below the number of GPUs) and ``"mps"``, as a
    string or a ``torch.device``. Anything else (``"tpu"``, ``"meta"``, ``""``, a GPU that is
    not there) is one ``ValueError`` that says which devices this machine has.
    """
    import torch

    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"{name} must be a string such as 'cpu' or 'cuda', got {_received(device)}")
    have = ["cpu"]
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    have += ["cuda"] + [f"cuda:{i}" for i in range(gpus)] if gpus else []
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        have.append("mps")
    try:
        dev = torch.device(device.strip().lower() if isinstance(device, str) else device)
    except (RuntimeError, ValueError):
        dev = None
    ok = dev is not None and dev.type in ("cpu", "cuda", "mps")
    if ok and dev.type == "cuda":
        ok = gpus > 0 and (dev.index is None or dev.index < gpus)
    if ok and dev.type == "mps":
        ok = "mps" in have
    if not ok:
        raise ValueError(
            f"{name} must be a device this machine has ({', '.join(have)}), got {device!r}"
        )
    return dev
