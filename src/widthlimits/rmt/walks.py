r"""Exact finite-:math:`n` moments by counting closed walks.

:math:`E \operatorname{tr} W^k` is a sum over closed walks; grouping the walks by their
:class:`WalkShape` gives :func:`wigner_moment_exact` and :func:`wigner_moment_expansion`, an exact
polynomial in :math:`1/n`, and the same count on the alternating walks of
:math:`X^\top X` gives :func:`wishart_moment_exact`. :mod:`widthlimits.rmt.wick` computes the
moments of the Gaussian ensembles (GOE, GUE) independently, as a sum over gluings (Wick's
theorem). The results are :class:`fractions.Fraction`, so they never overflow or round.
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from .. import probability
from .._checks import check_int as _check_int
from .._checks import check_ints as _check_ints
from .ensembles import _check_diagonal, _check_entries

#: Largest k for which the Wigner walks are enumerated (:func:`walk_shapes`: Bell(k) set
#: partitions).
WIGNER_EXACT_KMAX = 10
#: Largest k for which the Wishart walks are enumerated (:func:`wishart_moment_exact`: Bell(k)^2
#: pairs of set partitions).
WISHART_EXACT_KMAX = 6


class WalkShape(NamedTuple):
    """One shape of closed walk of length ``k``: which steps' vertices coincide.

    ``labels[t]`` is the vertex at time ``t``, numbered in order of first visit; ``vertices`` is the
    number of distinct vertices :math:`b`; ``weight`` is :math:`E \\prod_t X_{i_t i_{t+1}}` for any
    walk of this shape, an integer (a product of entry moments). The walks of a shape on
    :math:`n` labels number :math:`n (n-1) \\cdots (n-b+1)`.
    """

    labels: tuple[int, ...]
    vertices: int
    weight: int


def _labels(blocks: tuple[tuple[int, ...], ...], k: int) -> tuple[int, ...]:
    out = [0] * k
    for label, block in enumerate(blocks):
        for t in block:
            out[t] = label
    return tuple(out)


def _moment_int(law: probability.Distribution, p: int) -> int:
    value = law.moment(p)
    if value.denominator != 1:  # pragma: no cover - both laws have integer moments
        raise ValueError(f"the walk count needs integer entry moments, got {value}")
    return int(value)


def _edge_moment(law: probability.Distribution, mult: int, loop: bool, diagonal: int) -> int:
    # a loop i -> i is the diagonal entry sqrt(diagonal) X, whose p-th moment is diagonal^(p/2) m_p
    if not loop or diagonal == 1:
        return _moment_int(law, mult)
    if mult % 2:
        return 0
    return diagonal ** (mult // 2) * _moment_int(law, mult)


@lru_cache(maxsize=64)
def _walk_shapes(k: int, entries: str, diagonal: int = 1) -> tuple[WalkShape, ...]:
    if k == 0:  # the empty walk stays at its one vertex
        return (WalkShape((), 1, 1),)
    law = probability.distribution(entries)
    shapes = []
    for blocks in probability.set_partitions(k):
        labels = _labels(blocks, k)
        edges = Counter(tuple(sorted((labels[t], labels[(t + 1) % k]))) for t in range(k))
        weight = math.prod(
            _edge_moment(law, mult, e[0] == e[1], diagonal) for e, mult in edges.items()
        )
        if weight:
            shapes.append(WalkShape(labels, len(blocks), weight))
    return tuple(shapes)


def walk_shapes(k: int, entries: str = "gaussian", *, diagonal: int = 1) -> tuple[WalkShape, ...]:
    r"""The shapes of closed walks of length ``k`` that contribute to :math:`E\operatorname{tr}W^k`.

    Expanding the trace,

    .. math::

        E \operatorname{tr} W^k = n^{-k/2} \sum_{i_0, \dots, i_{k-1}}
        E\left[X_{i_0 i_1} X_{i_1 i_2} \cdots X_{i_{k-1} i_0}\right],

    a sum over closed walks on :math:`n` vertices. The expectation depends only on the walk's
    *shape*, the set partition of the times :math:`0, \dots, k-1` by the vertex visited: each
    distinct undirected edge (a loop :math:`i = i` is a diagonal entry) walked :math:`p` times
    contributes :math:`E[X^p]`. A shape is returned when that product is nonzero, which needs every
    edge walked at least twice (the entries have mean 0). ``entries`` fixes the moments
    :math:`E[X^p]` (Gaussian :math:`(p-1)!!`, Rademacher 1, for even :math:`p`); the diagonal has
    the same law, as in :func:`~widthlimits.rmt.ensembles.wigner`, unless ``diagonal`` says
    otherwise.

    Parameters
    ----------
    k : int
        The walk length, ``0 <= k <= 10`` (there are Bell(k) shapes to inspect).
    entries : {"gaussian", "rademacher"}
    diagonal : {1, 2, 0}
        The variance :math:`E[X_{ii}^2]` of the diagonal, whose entries are
        :math:`\sqrt{\text{diagonal}}` times the entry law: 1 is this book's convention, 2 the
        Gaussian orthogonal ensemble (with ``entries="gaussian"``), 0 a zero diagonal.

    Examples
    --------
    >>> for s in walk_shapes(4): print(s.labels, s.vertices, s.weight)
    (0, 0, 0, 0) 1 3
    (0, 0, 0, 1) 2 1
    (0, 0, 1, 0) 2 1
    (0, 1, 0, 0) 2 1
    (0, 1, 0, 1) 2 3
    (0, 1, 0, 2) 3 1
    (0, 1, 1, 1) 2 1
    (0, 1, 2, 1) 3 1
    """
    k = _check_int("k", k, 0)
    if k > WIGNER_EXACT_KMAX:
        raise ValueError(f"walk enumeration is limited to k <= {WIGNER_EXACT_KMAX}, got k = {k}")
    entries = _check_entries(entries)
    return tuple(sorted(_walk_shapes(k, entries, _check_diagonal(diagonal))))


def step_pairing(labels) -> tuple[tuple[int, int], ...]:
    r"""The pairing of the steps of a closed walk that uses each of its edges exactly twice.

    Step :math:`t` of the walk ``labels`` goes from ``labels[t]`` to ``labels[t + 1]`` (cyclically);
    the two steps on each undirected edge form a pair. For the walks that survive the moment method
    (:func:`walk_shapes` with ``k/2 + 1`` vertices: trees, each edge walked out and back) the
    result is a non-crossing pairing, and every non-crossing pairing arises from exactly one
    such shape.

    Parameters
    ----------
    labels : sequence of int
        The vertices ``labels[0], ..., labels[k-1]`` the walk visits (integers >= 0).

    Raises
    ------
    ValueError
        If some edge is not used exactly twice.
    TypeError
        If ``labels`` is not a sequence of integers.

    Examples
    --------
    >>> step_pairing((0, 1, 0, 2))  # out to 1 and back, out to 2 and back
    ((0, 1), (2, 3))
    >>> step_pairing((0, 1, 2, 1))  # 0-1 at steps 0 and 3, 1-2 at steps 1 and 2
    ((0, 3), (1, 2))
    """
    if isinstance(labels, (list, tuple)) and not labels:
        return ()  # the empty walk has no steps
    labels = tuple(_check_ints("labels", labels, 0))
    k = len(labels)
    by_edge: dict[frozenset, list[int]] = {}
    for t in range(k):
        by_edge.setdefault(frozenset((labels[t], labels[(t + 1) % k])), []).append(t)
    if any(len(steps) != 2 for steps in by_edge.values()):
        raise ValueError(f"every edge must be walked exactly twice, got the walk {labels}")
    return tuple(sorted((a, b) for a, b in by_edge.values()))


def _falling(n: int, b: int) -> int:
    return math.prod(range(n - b + 1, n + 1)) if b <= n else 0


def wigner_moment_exact(
    k: int, n: int, entries: str = "gaussian", *, diagonal: int = 1
) -> Fraction:
    r"""The exact expectation :math:`\frac1n E \operatorname{tr} W^k` for ``W = wigner(n, rng,
    entries)``, as a fraction.

    It sums :func:`walk_shapes` with their label counts:

    .. math::

        \frac1n E\operatorname{tr} W^k = n^{-1-k/2} \sum_{\text{shapes } s}
        \mathrm{weight}(s)\, n (n-1)\cdots(n - b_s + 1).

    For :math:`k = 4` this is :math:`2 + (m_4 - 2)/n` with :math:`m_4 = E[X^4]`: :math:`2 + 1/n`
    for Gaussian entries and :math:`2 - 1/n` for Rademacher entries (both with the diagonal of
    variance :math:`1/n`). With the diagonal of the Gaussian orthogonal ensemble
    (``diagonal=2``, variance :math:`2/n`) it is :math:`2 + 5/n + 5/n^2`, which
    :func:`~widthlimits.rmt.wick.gaussian_moment_wick` recomputes independently, by Wick's
    theorem. Odd :math:`k` give 0.

    Parameters
    ----------
    k : int
        ``0 <= k <= 10``.
    n : int
        The matrix size, ``n >= 1``.
    entries : {"gaussian", "rademacher"}
    diagonal : {1, 2, 0}
        The variance of the unscaled diagonal entries, as in :func:`walk_shapes`.

    Examples
    --------
    >>> wigner_moment_exact(4, 10), wigner_moment_exact(4, 10, "rademacher")
    (Fraction(21, 10), Fraction(19, 10))
    >>> wigner_moment_exact(4, 10, diagonal=2)  # the GOE: 2 + 5/n + 5/n^2
    Fraction(51, 20)
    >>> float(wigner_moment_exact(6, 1000))  # 5 + 7/n + 7/n^2 - 4/n^3
    5.007006996
    """
    n = _check_int("n", n, 1)
    shapes = walk_shapes(k, entries, diagonal=diagonal)
    if k % 2:
        return Fraction(0)
    total = sum(s.weight * _falling(n, s.vertices) for s in shapes)
    return Fraction(total, n ** (1 + k // 2))


def wigner_moment_expansion(
    k: int, entries: str = "gaussian", *, diagonal: int = 1
) -> tuple[int, ...]:
    r"""The integer coefficients :math:`c_0, c_1, \dots` of
    :math:`\frac1n E\operatorname{tr} W^k = \sum_j c_j n^{-j}`, an exact polynomial in :math:`1/n`.

    :math:`c_0` is the limit, the Catalan number :math:`C_{k/2}` for even :math:`k` (only the
    shapes with :math:`k/2 + 1` vertices survive, and they are the non-crossing pairings);
    :math:`c_1` is the first finite-size correction. Expanding each falling factorial
    :math:`n(n-1)\cdots(n-b+1)` in powers of :math:`n` gives the coefficients.

    ``diagonal`` is the variance of the unscaled diagonal, as in :func:`walk_shapes`.

    Examples
    --------
    >>> wigner_moment_expansion(4), wigner_moment_expansion(4, "rademacher")
    ((2, 1, 0), (2, -1, 0))
    >>> wigner_moment_expansion(4, diagonal=2), wigner_moment_expansion(4, diagonal=0)
    ((2, 5, 5), (2, -3, 1))
    >>> wigner_moment_expansion(6)  # 5 + 7/n + 7/n^2 - 4/n^3
    (5, 7, 7, -4)
    >>> [wigner_moment_expansion(k)[0] for k in (2, 4, 6, 8)]
    [1, 2, 5, 14]
    """
    shapes = walk_shapes(k, entries, diagonal=diagonal)
    if k % 2:
        return (0,)
    top = 1 + k // 2
    coeffs = [0] * (top + 1)
    for s in shapes:
        poly = [1]  # coefficients of the falling factorial, by power of n
        for r in range(s.vertices):
            poly = [
                (poly[i - 1] if i else 0) - r * (poly[i] if i < len(poly) else 0)
                for i in range(len(poly) + 1)
            ]
        for power, c in enumerate(poly):
            coeffs[top - power] += s.weight * c
    return tuple(coeffs[:top])  # the last, n^0 / n^top, vanishes: no falling factorial has one


@lru_cache(maxsize=64)
def _wishart_shapes(k: int, entries: str) -> tuple[tuple[int, int, int], ...]:
    law = probability.distribution(entries)
    counts: Counter = Counter()
    row_parts = [_labels(p, k) for p in probability.set_partitions(k)]
    for rows in row_parts:
        for cols in row_parts:
            edges = Counter()
            for t in range(k):
                edges[(rows[t], cols[t])] += 1
                edges[(rows[t], cols[(t + 1) % k])] += 1
            weight = math.prod(_moment_int(law, mult) for mult in edges.values())
            if weight:
                counts[(max(rows) + 1, max(cols) + 1)] += weight
    return tuple((br, bc, w) for (br, bc), w in sorted(counts.items()))


def wishart_moment_exact(k: int, n: int, m: int, entries: str = "gaussian") -> Fraction:
    r"""The exact expectation :math:`\frac1n E\operatorname{tr} S^k` for ``S = wishart(n, m, rng,
    entries)``, as a fraction.

    Expanding :math:`\operatorname{tr}(X^\top X)^k = \sum X_{i_1 j_1} X_{i_1 j_2} X_{i_2 j_2}
    X_{i_2 j_3} \cdots X_{i_k j_1}`, a closed walk that alternates between column indices
    :math:`j_t \in [n]` and row indices :math:`i_t \in [m]`, the expectation depends on the two set
    partitions of the times by column and by row. Each pair of partitions with :math:`b_c` and
    :math:`b_r` blocks has :math:`n^{\underline{b_c}} m^{\underline{b_r}}` labellings. As
    :math:`n/m \to \lambda` the result tends to
    :func:`~widthlimits.rmt.laws.marchenko_pastur_moment`.

    Parameters
    ----------
    k : int
        ``0 <= k <= 6`` (Bell(k)^2 pairs of partitions).
    n, m : int
        The dimension and the number of samples, as in :func:`~widthlimits.rmt.ensembles.wishart`.
    entries : {"gaussian", "rademacher"}

    Examples
    --------
    >>> wishart_moment_exact(2, 3, 5)  # Gaussian: (m + n + 1) / m
    Fraction(9, 5)
    >>> float(wishart_moment_exact(3, 1000, 4000))  # -> 1 + 3/4 + 1/16 as n, m grow
    1.8134...
    """
    k = _check_int("k", k, 0)
    n = _check_int("n", n, 1)
    m = _check_int("m", m, 1)
    if k > WISHART_EXACT_KMAX:
        raise ValueError(f"walk enumeration is limited to k <= {WISHART_EXACT_KMAX}, got k = {k}")
    entries = _check_entries(entries)
    if k == 0:
        return Fraction(1)
    total = sum(w * _falling(m, br) * _falling(n, bc) for br, bc, w in _wishart_shapes(k, entries))
    return Fraction(total, n * m**k)
