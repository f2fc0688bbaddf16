"""The names and sizes an MLP accepts, checked once for every caller.

A parametrization is ``"sp"``, ``"ntk"``, ``"mup"`` (case-insensitive; also ``"standard"`` and
``"µP"``) or any :class:`~widthlimits.mup.abc.ABC`; a nonlinearity is a name of
:mod:`widthlimits.nonlinearities` or a callable; a dtype is a floating ``torch.dtype``; and the
parameters must fit in memory (:func:`check_size`, before anything is allocated). The sweeps
check their arguments with the same functions before any training starts.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from .._checks import check_bool, check_choice, check_int, check_memory
from ..nonlinearities import NAMES, canonical, torch_function
from .abc import ABC
from .presets import mup, ntk, standard

__all__ = [
    "PRESETS",
    "check_dtype",
    "check_size",
    "parameter_count",
    "resolve_nonlinearity",
    "resolve_parametrization",
]


#: The parametrizations :class:`~widthlimits.mup.model.MLP` knows by name (or any ABC).
PRESETS: dict[str, Callable[[int], ABC]] = {"sp": standard, "ntk": ntk, "mup": mup}
_PRESET_ALIASES = {"standard": "sp", "µp": "mup"}


def resolve_parametrization(parametrization, depth: int) -> tuple[ABC, str]:
    """The :class:`~widthlimits.mup.abc.ABC` of a parametrization, and its name (``"abc"`` for
    an ABC).

    Examples
    --------
    >>> resolve_parametrization("MuP", 2)
    (ABC(a=[-1/2, 0, 1/2], b=[1/2, 1/2, 1/2], c=0), 'mup')
    """
    depth = check_int("depth", depth, 1)
    if isinstance(parametrization, ABC):
        if parametrization.L != depth:
            raise ValueError(
                f"the ABC describes {parametrization.L} hidden layers but depth={depth}"
            )
        return parametrization, "abc"
    if not isinstance(parametrization, str):
        raise TypeError(
            f"parametrization must be 'sp', 'ntk', 'mup' or an ABC, got "
            f"{type(parametrization).__name__} {parametrization!r}"
        )
    name = check_choice("parametrization", parametrization, PRESETS, _PRESET_ALIASES)
    return PRESETS[name](depth), name


def resolve_nonlinearity(nonlinearity) -> tuple[Callable, object]:
    """``(phi, name)``: the torch function of a nonlinearity's name (case-insensitive) and its
    canonical name, or a callable and itself.

    Examples
    --------
    >>> phi, name = resolve_nonlinearity("ReLU")
    >>> name
    'relu'
    """
    if isinstance(nonlinearity, str):
        return torch_function(nonlinearity), canonical(nonlinearity)
    if callable(nonlinearity):
        return nonlinearity, nonlinearity
    raise TypeError(
        f"nonlinearity must be one of {', '.join(NAMES)} or a callable, got "
        f"{type(nonlinearity).__name__} {nonlinearity!r}"
    )


def check_dtype(dtype) -> torch.dtype:
    """Return ``dtype`` if it is a floating ``torch.dtype``, else raise ``TypeError``.

    Examples
    --------
    >>> check_dtype(torch.int64)
    Traceback (most recent call last):
    ...
    TypeError: dtype must be a floating torch dtype such as torch.float32, got torch.int64
    """
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(
            f"dtype must be a floating torch dtype such as torch.float32, got {dtype!r}"
        )
    return dtype


def parameter_count(d_in: int, width: int, d_out: int, depth: int, *, bias: bool = True) -> int:
    """The number of trained entries of an :class:`~widthlimits.mup.model.MLP`: weights and,
    with ``bias``, biases.

    Examples
    --------
    >>> parameter_count(3, 8, 1, 2)
    113
    """
    d_in, width = check_int("d_in", d_in, 1), check_int("width", width, 1)
    d_out, depth = check_int("d_out", d_out, 1), check_int("depth", depth, 1)
    bias = check_bool("bias", bias)
    weights = width * d_in + (depth - 1) * width * width + d_out * width
    return weights + (depth * width + d_out if bias else 0)


def check_size(d_in, width, d_out, depth, *, bias=True, dtype=torch.float32, copies=1) -> None:
    """Raise ``ValueError`` before allocation if ``copies`` times the parameters of an
    :class:`~widthlimits.mup.model.MLP` would not fit in memory
    (:func:`widthlimits._checks.check_memory`).

    Examples
    --------
    >>> check_size(10, 64, 1, 3)
    """
    count = parameter_count(d_in, width, d_out, depth, bias=bias)
    dtype, copies = check_dtype(dtype), check_int("copies", copies, 1)
    nbytes = count * copies * (torch.finfo(dtype).bits // 8)
    what = f"an MLP of width {width} and depth {depth} ({count:,} parameters)"
    check_memory(what if copies == 1 else f"training {what}", nbytes)
