r"""The moment method's combinatorics: matchings, set partitions and the exact moments of
normalized sums.

References
----------
* P. Billingsley, *Probability and Measure*, 3rd ed., 1995, section 30 (the method of moments).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

from .._checks import check_int, check_real
from .distributions import moments_of

__all__ = [
    "MAX_MOMENT_ORDER",
    "double_factorial",
    "gaussian_moment",
    "set_partitions",
    "pairings",
    "normalized_sum_moment",
]

#: Largest order :func:`normalized_sum_moment` computes: the number of block types (integer
#: partitions of ``k`` into parts >= 2) grows like :math:`e^{\pi\sqrt{2k/3}}`, about 10^5 at
#: ``k = 60`` but 10^10 at ``k = 150``.
MAX_MOMENT_ORDER = 60


def double_factorial(k: int) -> int:
    """:math:`k!! = k (k-2) (k-4) \\cdots`, with :math:`0!! = (-1)!! = 1`.

    Examples
    --------
    >>> [double_factorial(k) for k in (-1, 0, 1, 3, 5, 7)]
    [1, 1, 1, 3, 15, 105]
    """
    k = check_int("k", k, -1)
    return math.prod(range(k, 0, -2)) if k > 0 else 1


def gaussian_moment(k: int, var: float = 1.0) -> float:
    r""":math:`E[Z^k]` for :math:`Z \sim N(0, \mathrm{var})`.

    It is :math:`(k-1)!!\,\mathrm{var}^{k/2}` for even :math:`k`, and 0 for odd
    :math:`k`. It counts the perfect matchings of :math:`k` points.

    Examples
    --------
    >>> gaussian_moment(6), gaussian_moment(3)
    (15.0, 0.0)
    """
    k = check_int("k", k, 0)
    var = check_real("var", var, 0.0)
    return float(double_factorial(k - 1) * var ** (k // 2)) if k % 2 == 0 else 0.0


def set_partitions(k: int) -> Iterator[tuple[tuple[int, ...], ...]]:
    """All set partitions of ``{0, ..., k-1}``, each a tuple of blocks in order of first element.

    There are Bell(k) of them: 1, 1, 2, 5, 15, 52, ...

    Examples
    --------
    >>> list(set_partitions(3))
    [((0, 1, 2),), ((0, 1), (2,)), ((0, 2), (1,)), ((0,), (1, 2)), ((0,), (1,), (2,))]
    """
    k = check_int("k", k, 0)

    def rec(i: int, blocks: list[list[int]]):
        if i == k:
            yield tuple(tuple(b) for b in blocks)
            return
        for b in blocks:
            b.append(i)
            yield from rec(i + 1, blocks)
            b.pop()
        blocks.append([i])
        yield from rec(i + 1, blocks)
        blocks.pop()

    return rec(0, [])


def pairings(m: int) -> Iterator[tuple[tuple[int, int], ...]]:
    """All perfect matchings of ``{0, ..., m-1}``, each a tuple of pairs ``(i, j)`` with ``i < j``.

    The pairs of a matching are sorted by their first element, and the matchings come in
    lexicographic order. There are :math:`(m-1)!!` of them for even ``m``, and ``m`` must be even.

    Examples
    --------
    >>> list(pairings(4))
    [((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))]
    >>> sum(1 for _ in pairings(8)) == double_factorial(7)
    True
    """
    m = check_int("m", m, 0)
    if m % 2:
        raise ValueError(f"a perfect matching needs an even number of points, got m = {m}")

    def rec(rest: tuple[int, ...]):
        if not rest:
            yield ()
            return
        first = rest[0]
        for idx in range(1, len(rest)):
            pair = (first, rest[idx])
            for tail in rec(rest[1:idx] + rest[idx + 1 :]):
                yield (pair, *tail)

    return rec(tuple(range(m)))


def _block_types(k: int, smallest: int = 2) -> Iterator[tuple[int, ...]]:
    """Integer partitions of k into parts >= ``smallest``, in non-increasing order."""

    def rec(rest: int, largest: int):
        if rest == 0:
            yield ()
            return
        for part in range(min(rest, largest), smallest - 1, -1):
            for tail in rec(rest - part, part):
                yield (part, *tail)

    yield from rec(k, k)


def normalized_sum_moment(k: int, n: int, dist="rademacher"):
    r"""Exact :math:`E[S_n^k]` for :math:`S_n = (X_1+\dots+X_n)/\sqrt n` with iid mean-zero
    :math:`X_i`.

    Expanding :math:`(X_1+\dots+X_n)^k` and grouping the :math:`k` factors by which index they
    carry gives a sum over set partitions :math:`\pi` of :math:`\{1..k\}`:

    .. math::
        E\Big[\big(\textstyle\sum_i X_i\big)^k\Big] = \sum_{\pi}
        n(n-1)\cdots(n-|\pi|+1) \prod_{B \in \pi} m_{|B|},

    where :math:`m_j = E[X^j]`. Partitions with a singleton block vanish because :math:`m_1 = 0`.
    Partitions are grouped by their block sizes, a type with :math:`c_j` blocks of size :math:`j`
    counting :math:`k!/\prod_j (j!)^{c_j} c_j!` partitions. As :math:`n\to\infty` only the
    pairings survive, and the moment tends to :math:`(k-1)!!` when :math:`m_2 = 1`.

    Parameters
    ----------
    k : int
        The moment's order, 0 to :data:`MAX_MOMENT_ORDER` (60: the number of block types grows
        like :math:`e^{\pi\sqrt{2k/3}}`).
    n : int
        The number of summands, >= 1.
    dist : str or dict
        A distribution name (see
        :func:`~widthlimits.probability.distributions.distribution`), or a dict ``{j: E[X^j]}``
        holding at least the orders 1..k. Its first moment must be 0.

    Returns
    -------
    fractions.Fraction or float
        Exact when the moments are integers or fractions; a float otherwise.

    Examples
    --------
    >>> normalized_sum_moment(4, 10)       # Rademacher: 3 - 2/n
    Fraction(14, 5)
    >>> normalized_sum_moment(4, 10, "exponential")   # 3 + (m4 - 3)/n = 3 + 6/n
    Fraction(18, 5)
    """
    k = check_int("k", k, 0, MAX_MOMENT_ORDER)
    n = check_int("n", n, 1)
    moments = moments_of(dist, k)
    if k >= 1 and moments[1] != 0:
        raise ValueError(
            f"the summands must have mean zero (E[X] = 0), got E[X] = {moments[1]}; center them"
        )
    exact = all(isinstance(v, (int, Fraction)) for v in moments.values())
    total = Fraction(0) if exact else 0.0
    for sizes in _block_types(k):
        count = math.factorial(k)
        for j in set(sizes):
            c = sizes.count(j)
            count //= math.factorial(j) ** c * math.factorial(c)
        falling = math.prod(range(n, n - len(sizes), -1))
        term = count * falling
        for j in sizes:
            term = term * moments[j]
        total += term
    if k == 0:
        return Fraction(1) if exact else 1.0
    if k % 2 == 0:
        scale = Fraction(n ** (k // 2)) if exact else float(n) ** (k / 2)
        return total / scale
    return (total / Fraction(n ** (k // 2))) / math.sqrt(n) if exact else total / n ** (k / 2)
