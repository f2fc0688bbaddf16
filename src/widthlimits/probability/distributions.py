"""The book's standardized distributions (mean 0, variance 1) with their exact moments.

References
----------
* R. Durrett, *Probability: Theory and Examples*, 5th ed., 2019, section 3.3.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .._checks import check_choice, check_int, check_memory, check_rng

__all__ = ["Distribution", "DISTRIBUTIONS", "distribution", "moments_of"]


@dataclass(frozen=True)
class Distribution:
    """A named distribution with mean 0 and variance 1, and its exact raw moments.

    ``moment(j)`` is :math:`E[X^j]` as an exact :class:`fractions.Fraction`, and
    ``sample(rng, size)`` draws from it. ``third_abs`` is :math:`E|X|^3`, the constant of the
    Berry-Esseen bound.

    Examples
    --------
    >>> d = DISTRIBUTIONS["uniform"]
    >>> d.description, d.moment(2), d.lattice
    ('uniform on [-√3, √3]', Fraction(1, 1), False)
    """

    name: str
    description: str
    _moment: Callable[[int], Fraction]
    _sample: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]
    third_abs: float
    lattice: bool = False

    def moment(self, j: int) -> Fraction:
        """Return :math:`E[X^j]` exactly.

        Examples
        --------
        >>> distribution("rademacher").moment(4)
        Fraction(1, 1)
        """
        return self._moment(check_int("j", j, 0))

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        """Draw ``size`` independent samples with ``rng`` (``size``: an int or a tuple of ints).

        Examples
        --------
        >>> x = distribution("uniform").sample(np.random.default_rng(0), 5)
        >>> x.shape, bool(np.all(np.abs(x) <= 3 ** 0.5))
        ((5,), True)
        """
        check_rng(rng)
        shape = _shape(size)
        check_memory(f"{math.prod(shape):,} samples", 8.0 * math.prod(shape))
        return self._sample(rng, shape)


def _shape(size) -> tuple[int, ...]:
    if isinstance(size, (tuple, list)):
        return tuple(check_int(f"size[{i}]", s, 0) for i, s in enumerate(size))
    return (check_int("size", size, 0),)


def _exp_moment(j: int) -> Fraction:
    # X = E - 1 with E ~ Exp(1): E[X^j] = sum_i C(j,i) i! (-1)^(j-i) = !j (the subfactorial)
    terms = (math.comb(j, i) * math.factorial(i) * (-1) ** (j - i) for i in range(j + 1))
    return Fraction(sum(terms))


def _uniform_moment(j: int) -> Fraction:
    # X uniform on [-sqrt 3, sqrt 3]: E[X^j] = 3^(j/2) / (j+1) for even j, else 0.
    return Fraction(3 ** (j // 2), j + 1) if j % 2 == 0 else Fraction(0)


DISTRIBUTIONS: dict[str, Distribution] = {
    "rademacher": Distribution(
        "rademacher",
        "±1 with probability 1/2 each",
        lambda j: Fraction(1 if j % 2 == 0 else 0),
        lambda rng, size: rng.integers(0, 2, size=size).astype(float) * 2.0 - 1.0,
        third_abs=1.0,
        lattice=True,
    ),
    "uniform": Distribution(
        "uniform",
        "uniform on [-√3, √3]",
        _uniform_moment,
        lambda rng, size: rng.uniform(-math.sqrt(3), math.sqrt(3), size=size),
        third_abs=3 * math.sqrt(3) / 4,
    ),
    "exponential": Distribution(
        "exponential",
        "Exp(1) - 1, a skewed distribution",
        _exp_moment,
        lambda rng, size: rng.exponential(1.0, size=size) - 1.0,
        third_abs=12 / math.e - 2,
    ),
    "gaussian": Distribution(
        "gaussian",
        "standard normal N(0, 1)",
        lambda j: Fraction(math.prod(range(j - 1, 0, -2))) if j % 2 == 0 else Fraction(0),
        lambda rng, size: rng.standard_normal(size=size),
        third_abs=2 * math.sqrt(2 / math.pi),
    ),
}


def distribution(name: str) -> Distribution:
    """Look up one of the book's standardized distributions by name (case-insensitive).

    The names are ``"rademacher"``, ``"uniform"``, ``"exponential"`` and ``"gaussian"``; each has
    mean 0 and variance 1. A :class:`Distribution` is returned as it is.

    Examples
    --------
    >>> d = distribution("exponential")
    >>> d.moment(1), d.moment(2), d.moment(3), d.moment(4)
    (Fraction(0, 1), Fraction(1, 1), Fraction(2, 1), Fraction(9, 1))
    """
    if isinstance(name, Distribution):
        return name
    return DISTRIBUTIONS[check_choice("distribution", name, DISTRIBUTIONS)]


def moments_of(dist, k: int) -> dict[int, object]:
    """The raw moments ``{j: E[X^j]}`` for ``j = 1..k``, from a distribution name or a dict.

    A dict must hold every order 1..k, each a finite real number (ints and fractions stay
    exact).

    Examples
    --------
    >>> moments_of("uniform", 4)
    {1: Fraction(0, 1), 2: Fraction(1, 1), 3: Fraction(0, 1), 4: Fraction(9, 5)}
    """
    k = check_int("k", k, 0)
    if isinstance(dist, dict):
        missing = [j for j in range(1, k + 1) if j not in dist]
        if missing:
            raise ValueError(f"the moments dict must hold orders 1..{k}; missing {missing}")
        for j in range(1, k + 1):
            _check_moment(j, dist[j])
        return {j: dist[j] for j in range(1, k + 1)}
    if isinstance(dist, (str, Distribution)):
        d = distribution(dist)
        return {j: d.moment(j) for j in range(1, k + 1)}
    raise TypeError(
        f"dist must be a distribution name or a dict of moments, got {type(dist).__name__}"
    )


def _check_moment(j: int, v) -> None:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.number)):
        raise TypeError(f"the moment of order {j} must be a real number, got {v!r}")
    if isinstance(v, np.complexfloating) or not math.isfinite(float(v)):
        raise ValueError(f"the moment of order {j} must be finite, got {v!r}")
