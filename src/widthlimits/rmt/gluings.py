r"""Pairings of the steps of a closed walk: crossings, and the vertices a gluing leaves.

These count the walks that survive as :math:`n \to \infty`: the non-crossing pairings
(:func:`noncrossing_pairings`, :math:`C_{k/2}` of them, see
:func:`~widthlimits.rmt.combinatorics.catalan`) give the moments of the semicircle law.
:func:`pairing_vertex_count` is the vertex count of complex Hermitian (GUE) matrices, where
crossing pairings lose at least two vertices; :func:`gluing_vertex_count` adds the twisted gluings
of real symmetric matrices, which lose only one and give the :math:`1/n` corrections.
:func:`draw_pairing` draws a pairing as an arc diagram.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .._checks import check_bool as _check_bool
from .._checks import check_int as _check_int
from .combinatorics import _check_blocks


def _check_pairing(pairing, name: str = "pairing") -> tuple[tuple[int, int], ...]:
    pairs = _check_blocks(name, pairing, size=2)
    points = sorted(p for pair in pairs for p in pair)
    if points != list(range(2 * len(pairs))):
        raise ValueError(
            f"{name} must match each of 0, ..., m-1 exactly once (a perfect matching), got "
            f"{pairing!r}"
        )
    return pairs


def noncrossing_pairings(m: int) -> Iterator[tuple[tuple[int, int], ...]]:
    r"""The non-crossing perfect matchings of :math:`\{0, \dots, m-1\}`, as a generator.

    Same format and order as :func:`~widthlimits.probability.partitions.pairings`: each
    matching is a tuple of pairs ``(i, j)`` with ``i < j`` sorted by first element, and
    matchings come in lexicographic order. Two pairs ``(a, b)`` and ``(c, d)`` cross when
    :math:`a < c < b < d`. There are :math:`C_{m/2}`
    (:func:`~widthlimits.rmt.combinatorics.catalan`) non-crossing matchings. They are generated
    directly: point 0 is matched to an odd point :math:`j`, and the points inside and outside the
    arc :math:`(0, j)` are matched, without crossing, among themselves. That is the Catalan
    recursion (walked with an explicit stack, so any number of points works).

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
    >>> sum(1 for _ in noncrossing_pairings(12))  # the Catalan number C_6
    132
    """
    m = _check_int("m", m, 0)
    if m % 2:
        raise ValueError(f"a perfect matching needs an even number of points, got m = {m}")
    return _noncrossing(m)


def _noncrossing(m: int) -> Iterator[tuple[tuple[int, int], ...]]:
    # Depth-first over the choices, without recursion (m may exceed the recursion limit): the
    # smallest unmatched point, the start of the innermost open region [start, end) of
    # consecutive points, is matched to start + 1, start + 3, ... in turn; that splits the region
    # into the points inside the new arc and those after it. The order is lexicographic.
    regions = [(0, m)] if m else []
    pairs: list[tuple[int, int]] = []
    choices: list[tuple[int, int, int]] = []  # (start, end, partner) of each arc drawn
    q = None
    while True:
        if not regions:
            yield tuple(pairs)
        else:
            start, end = regions[-1]
            q = start + 1 if q is None else q
            if q < end:
                regions.pop()
                regions += [r for r in ((q + 1, end), (start + 1, q)) if r[0] < r[1]]
                pairs.append((start, q))
                choices.append((start, end, q))
                q = None
                continue
        if not choices:
            return
        start, end, q = choices.pop()
        pairs.pop()
        del regions[len(regions) - (q + 1 < end) - (start + 1 < q) :]
        regions.append((start, end))
        q += 2


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
    :func:`~widthlimits.rmt.wick.gaussian_moment_wick`). For complex Hermitian matrices (the GUE)
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
    sub = _check_blocks("twisted", twisted, size=2)
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
        A perfect matching of ``0, ..., m-1``, as
        :func:`~widthlimits.probability.partitions.pairings` yields.
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
    _check_axes(ax)
    labels = _check_bool("labels", labels)
    for name, c in (("color", color), ("crossing_color", crossing_color)):
        _check_color(name, c)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}")
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


def _check_axes(ax) -> None:
    from matplotlib.axes import Axes

    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")


def _check_color(name: str, c) -> None:
    from matplotlib.colors import is_color_like

    if c is not None and (not isinstance(c, str) or not is_color_like(c)):
        raise ValueError(f"{name} must be a matplotlib colour name or None, got {c!r}")
