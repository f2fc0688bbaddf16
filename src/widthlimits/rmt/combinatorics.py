r"""Catalan and Narayana numbers, and the non-crossing set partitions they count.

The Catalan number :math:`C_k` counts the non-crossing pairings of :math:`2k` points (the moments
of the semicircle law, see :mod:`widthlimits.rmt.gluings`) and the non-crossing partitions of
:math:`k` points; the Narayana number :math:`N(k, j)` counts those partitions with :math:`j`
blocks, which give the moments of the Marchenko-Pastur law. The numbers are exact Python ints.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np

from .. import probability
from .._checks import check_int as _check_int
from .._checks import check_memory as _check_memory


def _check_index(name: str, k) -> int:
    """An index of a Catalan-type number: an int >= 0 whose value (about 2k bits) fits."""
    k = _check_int(name, k, 0)
    # the number has about 2k bits; math.comb holds a few numbers of that size: ~k bytes
    _check_memory(f"a Catalan-type number with {name} = {k}", k)
    return k


def catalan(k: int) -> int:
    r"""The Catalan number :math:`C_k = \frac{1}{k+1}\binom{2k}{k}`, exactly.

    :math:`C_k` counts the non-crossing pairings of :math:`2k` points, and it is the
    :math:`2k`-th moment of the semicircle law. It satisfies the recursion
    :math:`C_0 = 1`, :math:`C_{k+1} = \sum_{i=0}^{k} C_i C_{k-i}`.

    Parameters
    ----------
    k : int
        The index, ``k >= 0``. Any size whose digits fit in memory works: the result is a Python
        int.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``k`` is not an integer.
    ValueError
        If ``k < 0``, or if :math:`C_k` (about :math:`2k` bits) would not fit in memory.

    Examples
    --------
    >>> [catalan(k) for k in range(8)]
    [1, 1, 2, 5, 14, 42, 132, 429]
    >>> catalan(100) > 10**50
    True

    References
    ----------
    R. P. Stanley, *Catalan Numbers*, 2015, chapter 1.
    """
    k = _check_index("k", k)
    return math.comb(2 * k, k) // (k + 1)


def narayana(k: int, j: int) -> int:
    r"""The Narayana number :math:`N(k, j) = \frac1k \binom{k}{j}\binom{k}{j-1}`, exactly.

    :math:`N(k, j)` counts the non-crossing partitions of :math:`\{1, \dots, k\}` into :math:`j`
    blocks; summed over :math:`j` it gives the Catalan number :math:`C_k`. By convention
    :math:`N(0, 0) = 1`, and :math:`N(k, j) = 0` for :math:`j` outside :math:`1, \dots, k`.

    Examples
    --------
    >>> [narayana(4, j) for j in range(1, 5)]
    [1, 6, 6, 1]
    >>> sum(narayana(10, j) for j in range(11)) == catalan(10)
    True

    References
    ----------
    R. P. Stanley, *Catalan Numbers*, 2015, section 6 (A.34, Narayana numbers).
    """
    k = _check_index("k", k)
    j = _check_int("j", j, 0)
    if k == 0:
        return 1 if j == 0 else 0
    if not 1 <= j <= k:
        return 0
    return math.comb(k, j) * math.comb(k, j - 1) // k


def _check_blocks(name: str, blocks, size: int | None = None) -> tuple[tuple[int, ...], ...]:
    """``blocks`` as a tuple of sorted tuples of ints >= 0 (each of ``size`` entries if given).

    A sequence (list, tuple, set or numpy array) of sequences of integers; floats are not
    truncated.
    """
    seqs = (list, tuple, range, set, frozenset, np.ndarray)
    if isinstance(blocks, np.ndarray) and blocks.ndim != 2:
        raise TypeError(
            f"{name} must be a sequence of blocks, got an array of shape {blocks.shape}"
        )
    if not isinstance(blocks, seqs):
        raise TypeError(f"{name} must be a sequence of blocks, got {type(blocks).__name__}")
    out = []
    for b_i, block in enumerate(blocks):
        if not isinstance(block, seqs) or (isinstance(block, np.ndarray) and block.ndim != 1):
            raise TypeError(
                f"{name}[{b_i}] must be a sequence of integers, got {type(block).__name__} "
                f"{block!r}"
            )
        if size is not None and len(block) != size:
            raise TypeError(f"{name}[{b_i}] must have {size} entries, got {tuple(block)!r}")
        out.append(
            tuple(sorted(_check_int(f"{name}[{b_i}][{i}]", x, 0) for i, x in enumerate(block)))
        )
    return tuple(sorted(out))


def _check_partition(blocks) -> tuple[tuple[int, ...], ...]:
    parts = _check_blocks("blocks", blocks)
    points = sorted(i for b in parts for i in b)
    if points != list(range(len(points))) or any(not b for b in parts):
        raise ValueError(f"a set partition must cover 0, ..., k-1 exactly once, got {blocks!r}")
    return parts


def is_noncrossing_partition(blocks) -> bool:
    r"""Whether a set partition of :math:`\{0, \dots, k-1\}` is non-crossing.

    It crosses when there are :math:`a < b < c < d` with :math:`a, c` in one block and
    :math:`b, d` in another. Drawn on a circle, the blocks of a non-crossing partition are
    polygons that do not intersect.

    Examples
    --------
    >>> is_noncrossing_partition([(0, 3), (1, 2)]), is_noncrossing_partition([(0, 2), (1, 3)])
    (True, False)
    """
    parts = _check_partition(blocks)
    for i, p in enumerate(parts):
        for q in parts[i + 1 :]:
            for a, c in itertools.combinations(p, 2):
                if any(a < b < c for b in q) and any(not a <= d <= c for d in q):
                    return False
    return True


def noncrossing_partitions(k: int) -> Iterator[tuple[tuple[int, ...], ...]]:
    r"""The non-crossing set partitions of :math:`\{0, \dots, k-1\}`, as a generator.

    Same format and order as :func:`~widthlimits.probability.partitions.set_partitions`, filtered by
    :func:`is_noncrossing_partition`. There are :math:`C_k` of them, and :math:`N(k, j)`
    (:func:`narayana`) with :math:`j` blocks; they index the moments of the Marchenko-Pastur law.

    Examples
    --------
    >>> sum(1 for _ in noncrossing_partitions(5)) == catalan(5)
    True
    >>> [sum(1 for p in noncrossing_partitions(4) if len(p) == j) for j in range(1, 5)]
    [1, 6, 6, 1]
    """
    k = _check_int("k", k, 0)
    return (p for p in probability.set_partitions(k) if is_noncrossing_partition(p))
