"""The data of Part V(b)'s experiments: scikit-learn's handwritten digits, split and standardized.

:func:`load_digits_split` returns the 1797 images of :func:`sklearn.datasets.load_digits` (8 x 8
pixels, nothing downloaded) as training and held-out tensors; :func:`check_split` checks a
``(x_train, y_train, x_test, y_test)`` tuple that a caller passes instead, so that a sweep never
trains on empty, NaN or mislabelled data (which would only show up as every run "diverging").
"""

from __future__ import annotations

import numpy as np
import torch

from .._checks import check_array, check_int, check_real
from .names import check_dtype

__all__ = ["check_split", "load_digits_split"]

#: The number of images in scikit-learn's digits.
N_DIGITS = 1797


def load_digits_split(test_fraction: float = 0.25, seed: int = 0, dtype=torch.float32):
    """scikit-learn's digits, standardized with the training statistics, split into train and test.

    Parameters
    ----------
    test_fraction : float
        Fraction of the 1797 images held out, in (0, 1); both parts must keep at least one image.
    seed : int
        Seed of the ``numpy.random.Generator`` that shuffles before splitting (>= 0).
    dtype : torch.dtype
        A floating dtype for the inputs.

    Returns
    -------
    x_train, y_train, x_test, y_test : torch.Tensor
        Inputs of shape ``(m, 64)`` (pixels standardized per feature, constant pixels left at
        zero) and integer labels in ``0..9``.

    Raises
    ------
    ValueError, TypeError
        For a fraction outside (0, 1) or one that leaves either part empty, a negative or
        non-integer seed, or a non-floating dtype.

    Examples
    --------
    >>> x, y, xt, yt = load_digits_split()
    >>> tuple(x.shape), tuple(xt.shape), int(y.max())
    ((1348, 64), (449, 64), 9)
    """
    test_fraction = check_real("test_fraction", test_fraction, 0, 1, low_open=True, high_open=True)
    seed = check_int("seed", seed, 0)
    dtype = check_dtype(dtype)
    n_test = int(round(test_fraction * N_DIGITS))
    if not 1 <= n_test <= N_DIGITS - 1:
        raise ValueError(
            f"test_fraction must leave at least one image in each part of the {N_DIGITS} digits; "
            f"{test_fraction!r} gives {n_test} test and {N_DIGITS - n_test} training images"
        )
    from sklearn.datasets import load_digits

    data = load_digits()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(data.target))
    test, train = order[:n_test], order[n_test:]
    x = data.data.astype(np.float64)
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    std[std == 0] = 1.0
    x = (x - mean) / std

    def t(a, dt):
        return torch.as_tensor(np.ascontiguousarray(a), dtype=dt)

    return (
        t(x[train], dtype),
        t(data.target[train], torch.long),
        t(x[test], dtype),
        t(data.target[test], torch.long),
    )


def _labels(name: str, y, n: int) -> None:
    arr = check_array(name, y, ndim=1)
    if arr.size != n:
        raise ValueError(f"{name} must have one label per input ({n}), got {arr.size}")
    if np.any(arr != np.round(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must hold class indices 0, 1, 2, ...")


def check_split(data, name: str = "data") -> tuple:
    """Return ``data = (x_train, y_train, x_test, y_test)`` as torch tensors, or raise.

    The inputs must be finite real 2-D arrays with the same number of columns, the labels
    non-negative integers, one per input; numpy arrays and tensors are both accepted.

    Examples
    --------
    >>> x, y, xt, yt = check_split(load_digits_split())
    >>> x.dtype, y.dtype
    (torch.float32, torch.int64)
    >>> check_split((x * float("nan"), y, xt, yt))
    Traceback (most recent call last):
    ...
    ValueError: data[0] (x_train) contains NaN or infinite entries
    """
    if not isinstance(data, (tuple, list)) or len(data) != 4:
        raise TypeError(
            f"{name} must be a tuple (x_train, y_train, x_test, y_test), got {type(data).__name__}"
        )
    parts = ("x_train", "y_train", "x_test", "y_test")
    label = [f"{name}[{i}] ({p})" for i, p in enumerate(parts)]
    x = check_array(label[0], data[0], ndim=2)
    xt = check_array(label[2], data[2], ndim=2)
    if x.shape[1] != xt.shape[1]:
        raise ValueError(
            f"{name}: x_train and x_test must have the same features, got {x.shape[1]} and "
            f"{xt.shape[1]} columns"
        )
    _labels(label[1], data[1], x.shape[0])
    _labels(label[3], data[3], xt.shape[0])

    def t(a, dt):
        if isinstance(a, torch.Tensor):
            return a if a.dtype == dt else a.to(dt)
        return torch.as_tensor(np.asarray(a), dtype=dt)

    first = data[0]
    xdt = first.dtype if isinstance(first, torch.Tensor) and first.is_floating_point() else None
    xdt = xdt or torch.get_default_dtype()
    return t(data[0], xdt), t(data[1], torch.long), t(data[2], xdt), t(data[3], torch.long)
