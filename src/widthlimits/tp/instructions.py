"""The instructions of a tensor program, as its readers see them, and the check that every
function of a program returns one finite real number per coordinate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._checks import check_values

__all__ = ["Instruction", "check_output", "sequence"]


@dataclass(frozen=True)
class Instruction:
    """One instruction of a :class:`~widthlimits.tp.program.Program` (read-only).

    ``kind`` is ``"init"``, ``"matmul"``, ``"linear"``, ``"nonlin"`` or ``"moment"``; ``args``
    are the indices of the instructions whose vectors it reads; ``fn`` and ``params`` (Moments
    or numbers) belong to a Nonlin or Moment, ``coeffs`` to a linear combination; ``matrix`` and
    ``transposed`` to a MatMul; ``group`` (an index into
    :attr:`~widthlimits.tp.description.Description.covariances`) and ``pos`` to an initial
    vector. ``dim`` is the dimension of the vector it makes, as a multiple of the width (1.0 for
    a moment, which is a scalar).

    Examples
    --------
    >>> from widthlimits.tp import Program
    >>> p = Program(); v = p.vector("v"); p.instructions[0].kind, p.instructions[0].name
    ('init', 'v')
    """

    kind: str
    name: str
    args: tuple[int, ...] = ()
    fn: Callable | None = None
    params: tuple = ()
    coeffs: tuple = ()
    matrix: int = -1
    transposed: bool = False
    group: int = -1
    pos: int = -1
    dim: float = 1.0


def sequence(what: str, xs, empty: bool = False) -> list:
    """Return a list, tuple or 1-D array as a list, or raise (non-empty unless ``empty``).

    Examples
    --------
    >>> sequence("coeffs", np.array([1.0, 2.0]))
    [np.float64(1.0), np.float64(2.0)]
    """
    if isinstance(xs, np.ndarray) and xs.ndim == 1:
        xs = list(xs)
    if isinstance(xs, (str, bytes)) or not isinstance(xs, (list, tuple)):
        raise TypeError(f"{what} must be a list or tuple, got {type(xs).__name__}")
    if not xs and not empty:
        raise ValueError(f"{what} must not be empty")
    return list(xs)


def check_output(y, shape: tuple[int, ...], what: str) -> np.ndarray:
    """Check that a nonlin or moment function returned a finite array of ``shape``.

    Examples
    --------
    >>> check_output(np.ones(3), (3,), "nonlin").shape
    (3,)
    """
    return check_values(f"the function of {what}", y, shape)
