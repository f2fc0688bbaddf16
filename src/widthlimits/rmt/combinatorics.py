r"""The combinatorics of the moment method: Catalan and Narayana numbers, non-crossing pairings
and partitions, and the vertex count of the closed walk a gluing of its steps forces.

These count the walks that survive as :math:`n \to \infty`: the non-crossing pairings give the
moments of the semicircle law, the non-crossing partitions those of the Marchenko-Pastur law.
:func:`pairing_vertex_count` is the vertex count of complex Hermitian (GUE) matrices, where
crossing pairings lose at least two vertices; :func:`gluing_vertex_count` adds the twisted gluings
of real symmetric matrices, which lose only one and give the :math:`1/n` corrections.
:func:`draw_pairing` draws a pairing as an arc diagram.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np

from .. import probability
from .._checks import check_int as _check_int


def catalan(k: int) -> int:
    r"""The Catalan number :math:`C_k = \frac{1}{k+1}\binom{2k}{k}`, exactly.

    :math:`C_k` counts the non-crossing pairings of :math:`2k` points, and it is the
    :math:`2k`-th moment of the semicircle law. It satisfies the recursion
    :math:`C_0 = 1`, :math:`C_{k+1} = \sum_{i=0}^{k} C_i C_{k-i}`.

    Parameters
    ----------
    k : int
        The index, ``k >= 0``. Any size works: the result is a Python int.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``k`` is not an integer.
    ValueError
        If ``k < 0``.

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
    k = _check_int("k", k, 0)
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
    k = _check_int("k", k, 0)
    j = _check_int("j", j, 0)
    if k == 0:
        return 1 if j == 0 else 0
    if not 1 <= j <= k:
        return 0
    return math.comb(k, j) * math.comb(k, j - 1) // k


def _check_pairing(pairing) -> tuple[tuple[int, int], ...]:
    try:
        pairs = tuple(sorted((min(int(a), int(b)), max(int(a), int(b))) for a, b in pairing))
    except (TypeError, ValueError) as err:
        raise TypeError(f"a pairing must be a sequence of pairs (i, j), got {pairing!r}") from err
    points = sorted(p for pair in pairs for p in pair)
    if points != list(range(2 * len(pairs))):
        raise ValueError(f"a pairing must match each of 0, ..., m-1 exactly once, got {pairing!r}")
    return pairs


def noncrossing_pairings(m: int) -> Iterator[tuple[tuple[int, int], ...]]:
    r"""The non-crossing perfect matchings of :math:`\{0, \dots, m-1\}`, as a generator.

    Same format and order as :func:`~widthlimits.probability.pairings`: each matching is a tuple
    of pairs ``(i, j)`` with ``i < j`` sorted by first element, and matchings come in
    lexicographic order. Two pairs ``(a, b)`` and ``(c, d)`` cross when :math:`a < c < b < d`.
    There are
    :math:`C_{m/2}` (:func:`catalan`) non-crossing matchings. They are generated directly: point 0
    is matched to an odd point :math:`j`, and the points inside and outside the arc
    :math:`(0, j)` are matched, without crossing, among themselves. That is the Catalan recursion.

    Parameters
    ----------
    m : int
        The number of points, even and ``>= 0``.

    Raises
    ------
    ValueError
        If ``m`` is odd or negative.

    Examples
    --------
    >>> list(noncrossing_pairings(4))
    [((0, 1), (2, 3)), ((0, 3), (1, 2))]
    >>> sum(1 for _ in noncrossing_pairings(12)) == catalan(6)
    True
    """
    m = _check_int("m", m, 0)
    if m % 2:
        raise ValueError(f"a perfect matching needs an even number of points, got m = {m}")

    def rec(lo: int, hi: int) -> Iterator[tuple[tuple[int, int], ...]]:
        # non-crossing matchings of the consecutive points lo, ..., hi - 1
        if lo == hi:
            yield ()
            return
        for j in range(lo + 1, hi, 2):
            for inner in rec(lo + 1, j):
                for outer in rec(j + 1, hi):
                    yield ((lo, j), *inner, *outer)

    yield from rec(0, m)


def crossing_pairs(pairing) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The pairs of arcs of ``pairing`` that cross, each as ``((a, b), (c, d))`` with a < c < b < d.

    Examples
    --------
    >>> crossing_pairs([(0, 2), (1, 3)])
    [((0, 2), (1, 3))]
    >>> crossing_pairs([(0, 3), (1, 2)])
    []
    """
    pairs = _check_pairing(pairing)
    return [
        (p, q) for i, p in enumerate(pairs) for q in pairs[i + 1 :] if p[0] < q[0] < p[1] < q[1]
    ]


def is_noncrossing(pairing) -> bool:
    """Whether no two arcs of ``pairing`` cross.

    Examples
    --------
    >>> is_noncrossing(((0, 1), (2, 3))), is_noncrossing(((0, 2), (1, 3)))
    (True, False)
    """
    return not crossing_pairs(pairing)


def gluing_vertex_count(pairing, twisted=()) -> int:
    r"""The number of distinct vertices of the closed walk that a *gluing* of its steps forces.

    A closed walk :math:`i_0 \to i_1 \to \dots \to i_{k-1} \to i_0` has steps
    :math:`t = 0, \dots, k-1` (step :math:`t` goes from :math:`i_t` to :math:`i_{t+1}`, with
    :math:`i_k = i_0`). A gluing pairs the steps and says, for each pair :math:`\{s, t\}`
    (:math:`s < t`), how step :math:`t` reuses the edge of step :math:`s`:

    * **backward** (the default): :math:`i_t = i_{s+1}` and :math:`i_{t+1} = i_s`, step
      :math:`t` walks the edge back;
    * **twisted** (the pairs listed in ``twisted``): :math:`i_t = i_s` and
      :math:`i_{t+1} = i_{s+1}`, step :math:`t` walks the edge again in the same direction.

    The function merges the vertex positions that these equations identify and returns the number
    :math:`V` of classes. Gluing the sides of a :math:`k`-gon this way gives a closed surface with
    one face, :math:`k/2` edges and :math:`V` vertices, so Euler's formula gives
    :math:`V = k/2 + 1 - (2 - \chi)` with Euler characteristic :math:`\chi \le 2`. With no
    twist the surface is orientable, :math:`\chi = 2 - 2g`, and :math:`V = k/2 + 1 - 2g`; any
    twisted pair makes it non-orientable, :math:`\chi \le 1`, and :math:`V \le k/2`.

    Which gluings a random matrix sees is set by its covariance (Wick's theorem, see
    :func:`~widthlimits.rmt.walks.gaussian_moment_wick`). For complex Hermitian matrices (the GUE)
    :math:`E[W_{ij} W_{ij}] = 0` off the diagonal, so only backward gluings count
    (:func:`pairing_vertex_count`). For real symmetric matrices (the GOE, and the Wigner matrices
    of this package) :math:`W_{ij} = W_{ji}`, so both gluings of every pair count, and the twisted
    ones with :math:`V = k/2` give corrections of order :math:`1/n`.

    Parameters
    ----------
    pairing : sequence of pairs
        A perfect matching of ``0, ..., k-1``.
    twisted : sequence of pairs, optional
        The pairs of ``pairing`` that are glued in the same direction.

    Raises
    ------
    ValueError
        If ``pairing`` is not a perfect matching or ``twisted`` has a pair not in it.

    Examples
    --------
    The walk 0 1 2 0 1 2 goes round a triangle twice in the same direction. Its pairing is
    crossing, and glued backward it has only 2 vertices; glued twisted it has 3 = k/2:

    >>> p = ((0, 3), (1, 4), (2, 5))
    >>> gluing_vertex_count(p), gluing_vertex_count(p, twisted=p)
    (2, 3)

    References
    ----------
    A. Zvonkin, Matrix integrals and map enumeration, *Math. Comput. Modelling* 26 (1997), for the
    genus expansion (the orientable, GUE case).
    """
    pairs = _check_pairing(pairing)
    twists = set(_check_pairing_subset(twisted, pairs))
    k = 2 * len(pairs)
    parent = list(range(k))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for s, t in pairs:
        if (s, t) in twists:
            union(t, s)
            union((t + 1) % k, (s + 1) % k)
        else:
            union(t, (s + 1) % k)
            union((t + 1) % k, s)
    return len({find(a) for a in range(k)})


def _check_pairing_subset(twisted, pairs) -> tuple[tuple[int, int], ...]:
    try:
        sub = tuple(sorted((min(int(a), int(b)), max(int(a), int(b))) for a, b in twisted))
    except (TypeError, ValueError) as err:
        raise TypeError(f"twisted must be a sequence of pairs (i, j), got {twisted!r}") from err
    extra = [p for p in sub if p not in pairs]
    if extra or len(set(sub)) != len(sub):
        raise ValueError(
            f"twisted must list distinct pairs of the pairing {pairs}, got {tuple(twisted)!r}"
        )
    return sub


def pairing_vertex_count(pairing) -> int:
    r"""The vertex count :math:`V(\pi)` of the *backward* (orientable, GUE) gluing of a pairing.

    Pairing step :math:`s` with step :math:`t` here means that step :math:`t` walks back along the
    edge of step :math:`s`: :math:`i_{t} = i_{s+1}` and :math:`i_{t+1} = i_s`; this is
    :func:`gluing_vertex_count` with no twisted pair. The gluing is orientable, so
    :math:`V(\pi) = k/2 + 1 - 2g` for the genus :math:`g` of the pairing: :math:`V = k/2 + 1`
    exactly when :math:`\pi` is non-crossing, and a crossing pairing loses at least 2 vertices.

    **This is the count of complex Hermitian (GUE) matrices**, where only backward gluings
    contribute and the corrections are in powers of :math:`1/n^2`. For the real symmetric Wigner
    matrices of this book a pair can also be glued in the same direction, and a crossing pairing
    can then keep :math:`k/2` vertices (a :math:`1/n` correction): see
    :func:`gluing_vertex_count`.

    Examples
    --------
    >>> pairing_vertex_count(((0, 3), (1, 2))), pairing_vertex_count(((0, 2), (1, 3)))
    (3, 1)
    >>> pairing_vertex_count(((0, 3), (1, 4), (2, 5)))  # the real gluing with twists keeps 3
    2

    References
    ----------
    Anderson, Guionnet and Zeitouni (2010), section 2.1.3 (proof of lemma 2.1.6: words and graphs,
    the count of vertices of the walks that survive); A. Zvonkin, Matrix integrals and map
    enumeration, *Math. Comput. Modelling* 26 (1997) for the genus expansion.
    """
    return gluing_vertex_count(pairing)


def _check_partition(blocks) -> tuple[tuple[int, ...], ...]:
    try:
        parts = tuple(sorted(tuple(sorted(int(i) for i in b)) for b in blocks))
    except (TypeError, ValueError) as err:
        raise TypeError(f"a set partition must be a sequence of blocks, got {blocks!r}") from err
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

    Same format and order as :func:`widthlimits.probability.set_partitions`, filtered by
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


def draw_pairing(
    pairing,
    ax=None,
    *,
    labels: bool = True,
    color: str | None = None,
    crossing_color: str | None = None,
    title: str | None = None,
):
    """Draw a pairing as an arc diagram: points on a line, each pair joined by a half circle.

    Arcs that cross no other arc are drawn in ``color`` (blue); arcs that take part in a crossing
    in ``crossing_color`` (vermillion) and dashed, so the picture reads without colour too.

    Parameters
    ----------
    pairing : sequence of pairs
        A perfect matching of ``0, ..., m-1``, as :func:`~widthlimits.probability.pairings` yields.
    ax : matplotlib Axes, optional
        Where to draw; a new figure in book style if omitted.
    labels : bool
        Whether to number the points ``0, ..., m-1`` under the line.
    title : str, optional
        A title for the panel.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = draw_pairing(((0, 2), (1, 3)))
    >>> len(ax.lines)  # two arcs and the row of points
    3
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from .. import plotting

    pairs = _check_pairing(pairing)
    m = 2 * len(pairs)
    if ax is None:
        _, ax = plotting.subplots(width=max(1.5, 0.45 * m + 0.5), height=1.6)
    color = color or plotting.COLORS[0]
    crossing_color = crossing_color or plotting.COLORS[1]
    crossed = {arc for pq in crossing_pairs(pairs) for arc in pq}
    theta = np.linspace(0.0, np.pi, 64)
    for a, b in pairs:
        center, radius = (a + b) / 2, (b - a) / 2
        bad = (a, b) in crossed
        ax.plot(
            center + radius * np.cos(theta),
            radius * np.sin(theta),
            color=crossing_color if bad else color,
            linestyle="--" if bad else "-",
            lw=1.8,
        )
    ax.plot(np.arange(m), np.zeros(m), "o", color="black", ms=4, zorder=3)
    if labels:
        for i in range(m):
            ax.text(i, -0.12, str(i), ha="center", va="top", fontsize=8)
    ax.set_xlim(-0.6, m - 0.4)
    # room for the widest possible arc, so that panels of equal m line up
    ax.set_ylim(-0.5 if labels else -0.2, max(m - 1, 1) / 2 + 0.15)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    return ax
