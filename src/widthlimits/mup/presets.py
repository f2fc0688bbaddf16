r"""The named abc-parametrizations and the classification of abc-space.

The presets are the parametrizations of the talk and of Tensor Programs IV (Section 3 and 5),
written as :class:`~widthlimits.mup.abc.ABC` exponents: the standard parametrization (SP, with a
learning rate of order one or of order :math:`1/n`), the NTK parametrization, mean field (one
hidden layer) and the maximal-update parametrization µP. :func:`classify` sorts any
parametrization into the four classes of TP4's Dynamical Dichotomy, and :func:`phase_grid` does
so over a 2-D slice of abc-space.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_callable, check_int, check_memory, check_real, check_reals
from .abc import ABC, check_abc

__all__ = ["CLASSES", "classify", "mean_field", "mup", "ntk", "phase_grid", "standard"]


def standard(L: int, lr_exponent: float = 0.0) -> ABC:
    r"""The standard parametrization: :math:`a = 0`, :math:`b = (0, 1/2, \dots)`, one learning rate.

    These are the exponents of every fan-in initialization: PyTorch's ``nn.Linear`` default
    (uniform, variance :math:`1/(3\,\text{fan-in})`, nonzero uniform biases) and He's normal
    initialization (variance :math:`2/\text{fan-in}`) alike; the constants are not part of an
    abc-parametrization.

    Parameters
    ----------
    L : int
        Number of hidden layers, at least 1.
    lr_exponent : float
        ``c``: 0 for a learning rate of order 1 (unstable: :math:`r = -1` for :math:`L \ge 2`,
        :math:`r = 0` for :math:`L = 1`), 1 for a learning rate of order :math:`1/n` (the kernel
        regime: :math:`r = 1/2` for :math:`L \ge 2`, :math:`r = 3/2` for :math:`L = 1`).

    Examples
    --------
    >>> standard(1).r, standard(1, lr_exponent=1).r
    (0.0, 1.5)
    """
    L = check_int("L", L, 1)
    return ABC([0.0] * (L + 1), [0.0] + [0.5] * L, check_real("lr_exponent", lr_exponent))


def ntk(L: int) -> ABC:
    r"""The NTK parametrization: :math:`a = (0, 1/2, \dots, 1/2)`, :math:`b = 0`, :math:`c = 0`.

    Examples
    --------
    >>> ntk(2), ntk(2).r
    (ABC(a=[0, 1/2, 1/2], b=[0, 0, 0], c=0), 0.5)
    """
    L = check_int("L", L, 1)
    return ABC([0.0] + [0.5] * L, [0.0] * (L + 1), 0.0)


def mean_field(L: int = 1) -> ABC:
    r"""The mean-field parametrization of a one-hidden-layer net: :math:`a = (0, 1)`, :math:`b = 0`,
    :math:`c = -1`.

    Raises
    ------
    ValueError
        If ``L != 1``: mean field is defined here for one hidden layer only.

    Examples
    --------
    >>> mean_field().r, mean_field().is_feature_learning
    (0.0, True)
    """
    L = check_int("L", L, 1)
    if L != 1:
        raise ValueError(f"the mean-field parametrization is defined for L = 1 only, got L = {L}")
    return ABC([0.0, 1.0], [0.0, 0.0], -1.0)


def mup(L: int) -> ABC:
    r"""The maximal-update parametrization µP for SGD: :math:`a = (-1/2, 0, \dots, 0, 1/2)`,
    :math:`b = 1/2`, :math:`c = 0` (TP4, Section 5, up to the symmetry).

    Examples
    --------
    >>> mup(2), mup(2).r
    (ABC(a=[-1/2, 0, 1/2], b=[1/2, 1/2, 1/2], c=0), 0.0)
    """
    L = check_int("L", L, 1)
    return ABC([-0.5] + [0.0] * (L - 1) + [0.5], [0.5] * (L + 1), 0.0)


#: The classes of :func:`classify`, in the order of their codes 0, 1, 2, 3.
CLASSES: tuple[str, ...] = ("unstable", "stable, trivial", "kernel regime", "feature learning")


def classify(p: ABC) -> int:
    """The class of a parametrization, as a code into :data:`CLASSES`.

    0: unstable; 1: stable but trivial (the output does not move in the limit); 2: stable,
    nontrivial, kernel regime (:math:`r > 0`); 3: stable, nontrivial, feature learning
    (:math:`r = 0`).

    Examples
    --------
    >>> [CLASSES[classify(q)] for q in (standard(2), ntk(2), mup(2))]
    ['unstable', 'kernel regime', 'feature learning']
    """
    check_abc("p", p)
    if not p.is_stable:
        return 0
    if not p.is_nontrivial:
        return 1
    return 3 if p.is_feature_learning else 2


def phase_grid(make, xs, ys):
    """Classify the parametrizations ``make(x, y)`` over a grid: a 2-D slice of abc-space.

    Parameters
    ----------
    make : callable
        ``make(x, y)`` returns an :class:`~widthlimits.mup.abc.ABC`.
    xs, ys : sequence of float
        The grid's coordinates, each strictly increasing (lists, tuples or 1-D numpy arrays).

    Returns
    -------
    codes, r : numpy.ndarray
        Arrays of shape ``(len(ys), len(xs))``: the :func:`classify` code and ``r`` of each point.

    Raises
    ------
    TypeError
        If ``make`` is not callable or returns something other than an
        :class:`~widthlimits.mup.abc.ABC`, or a coordinate is not a real number.
    ValueError
        If ``xs`` or ``ys`` is empty, not strictly increasing, or has NaN or infinite entries.

    Examples
    --------
    >>> codes, r = phase_grid(lambda a, c: ABC([0, a], [0, 0], c), [0.5, 1.0], [-1.0, 0.0])
    >>> codes.tolist()
    [[0, 3], [2, 1]]
    """
    check_callable("make", make)
    xs, ys = increasing("xs", xs), increasing("ys", ys)
    check_memory(f"a phase grid of {len(ys)} x {len(xs)} points", 16 * len(xs) * len(ys))
    codes = np.zeros((len(ys), len(xs)), dtype=int)
    r = np.zeros((len(ys), len(xs)))
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            p = make(x, y)
            if not isinstance(p, ABC):
                raise TypeError(f"make must return an ABC, got {type(p).__name__} at ({x}, {y})")
            codes[i, j], r[i, j] = classify(p), p.r
    return codes, r


def increasing(name: str, xs) -> list[float]:
    """Return a non-empty, strictly increasing sequence of finite reals as a list, or raise.

    Examples
    --------
    >>> increasing("xs", [0.5, 0.25])
    Traceback (most recent call last):
    ...
    ValueError: xs must be strictly increasing, got [0.5, 0.25]
    """
    grid = check_reals(name, xs)
    if any(b <= a for a, b in zip(grid, grid[1:], strict=False)):
        raise ValueError(f"{name} must be strictly increasing, got {grid}")
    return grid
