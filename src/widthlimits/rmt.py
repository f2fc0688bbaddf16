r"""Part III: random matrix theory, from the moment method to the semicircle law.

This module builds the random matrices of Part III, the limit laws their spectra follow, and the
exact combinatorics of the moment method that proves those laws.

Conventions (Part IV and Part V rely on them)
---------------------------------------------
* **Wigner matrix.** :func:`wigner` returns :math:`W = X/\sqrt n` with :math:`X` symmetric and
  :math:`X_{ij}` (:math:`i \le j`) independent copies of one standardized law (mean 0, variance 1):
  Gaussian or Rademacher. *The diagonal has the same law as the off-diagonal entries*, so every
  entry of :math:`W`, the diagonal included, has variance :math:`1/n`. The spectrum fills
  :math:`[-2, 2]`, and its limit is the semicircle law with moments :func:`semicircle_moment`.
* **Wishart matrix.** :func:`wishart` returns the :math:`n \times n` matrix
  :math:`S = X^\top X / m` for :math:`X` of shape :math:`m \times n` with independent standardized
  entries: the sample covariance of :math:`m` samples of dimension :math:`n`.
* **Ratio.** Every Marchenko-Pastur function takes ``ratio`` :math:`\lambda = n/m`, the
  *dimension over the number of samples*, i.e. the columns over the rows of :math:`X`. The
  spectrum of ``wishart(n, m, rng)`` tends to :func:`marchenko_pastur_pdf` with
  ``ratio = n / m``, supported on :math:`[(1-\sqrt\lambda)^2, (1+\sqrt\lambda)^2]`, plus an atom
  of mass :math:`1 - 1/\lambda` at 0 when :math:`\lambda > 1`. Its moments are
  :func:`marchenko_pastur_moment`.
* **Pairings** are those of :func:`widthlimits.probability.pairings`: tuples of pairs ``(i, j)``
  with ``i < j``, sorted, of the points ``0, ..., m-1``.

Exact quantities (Catalan and Narayana numbers, finite-:math:`n` trace moments) are Python ints
or :class:`fractions.Fraction`, so they never overflow or round.

References
----------
* E. P. Wigner, Characteristic vectors of bordered matrices with infinite dimensions, *Annals of
  Mathematics* 62 (1955); On the distribution of the roots of certain symmetric matrices, 67 (1958).
* V. A. Marchenko and L. A. Pastur, Distribution of eigenvalues for some sets of random matrices,
  *Math. USSR-Sbornik* 1 (1967).
* G. W. Anderson, A. Guionnet and O. Zeitouni, *An Introduction to Random Matrices*, 2010,
  sections 2.1 (the moment method for Wigner matrices) and 2.1.3 (the Catalan numbers).
* T. Tao, *Topics in Random Matrix Theory*, 2012, sections 2.3 and 2.4.
* Z. Bai and J. W. Silverstein, *Spectral Analysis of Large Dimensional Random Matrices*, 2nd ed.,
  2010, chapter 3 (the Marchenko-Pastur law and its moments).
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections import Counter
from collections.abc import Callable, Iterator
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import probability
from .probability import pairings

__all__ = [
    "ENTRIES",
    "catalan",
    "narayana",
    "pairings",
    "noncrossing_pairings",
    "crossing_pairs",
    "is_noncrossing",
    "pairing_vertex_count",
    "is_noncrossing_partition",
    "noncrossing_partitions",
    "draw_pairing",
    "wigner",
    "wishart",
    "semicircle_pdf",
    "semicircle_cdf",
    "semicircle_moment",
    "semicircle_sample",
    "marchenko_pastur_support",
    "marchenko_pastur_pdf",
    "marchenko_pastur_cdf",
    "marchenko_pastur_moment",
    "esd_moments",
    "kolmogorov_distance",
    "wigner_trace_moments",
    "WalkShape",
    "walk_shapes",
    "step_pairing",
    "wigner_moment_exact",
    "wigner_moment_expansion",
    "wishart_moment_exact",
]

#: The entry laws that :func:`wigner` and :func:`wishart` draw from (mean 0, variance 1).
ENTRIES: tuple[str, ...] = ("gaussian", "rademacher")

#: Largest k for which the exact walk enumerations run (Bell(k) set partitions for Wigner,
#: Bell(k)^2 pairs of them for Wishart).
WIGNER_EXACT_KMAX = 10
WISHART_EXACT_KMAX = 6


# ----------------------------------------------------------------------------------------------
# Input checks
# ----------------------------------------------------------------------------------------------
def _check_int(name: str, x, low: int) -> int:
    if isinstance(x, bool) or not isinstance(x, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__}: {x!r}")
    if x < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {x}")
    return int(x)


def _check_rng(rng) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got "
            f"{type(rng).__name__}"
        )


def _check_entries(entries) -> probability.Distribution:
    if entries not in ENTRIES:
        raise ValueError(f"unknown entries kind {entries!r}; expected one of {list(ENTRIES)}")
    return probability.distribution(entries)


def _check_ratio(ratio) -> None:
    if isinstance(ratio, bool) or not isinstance(ratio, numbers.Real):
        raise TypeError(f"ratio must be a real number n/m > 0, got {type(ratio).__name__}")
    if not (math.isfinite(float(ratio)) and ratio > 0):
        raise ValueError(f"ratio = n/m must be a finite number > 0, got {ratio}")


def _real_array(x, name: str = "x") -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be real numbers, got {type(x).__name__}") from err
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; a density or CDF at NaN is undefined")
    return arr


def _out(arr: np.ndarray):
    return float(arr) if arr.ndim == 0 else arr


# ----------------------------------------------------------------------------------------------
# Combinatorics: Catalan and Narayana numbers, pairings
# ----------------------------------------------------------------------------------------------
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

    Same format and order as :func:`pairings`: each matching is a tuple of pairs ``(i, j)`` with
    ``i < j`` sorted by first element, and matchings come in lexicographic order. Two pairs
    ``(a, b)`` and ``(c, d)`` cross when :math:`a < c < b < d`. There are
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


def pairing_vertex_count(pairing) -> int:
    r"""The number of distinct vertices of the closed walk that a pairing of its steps forces.

    A closed walk :math:`i_0 \to i_1 \to \dots \to i_{k-1} \to i_0` has steps
    :math:`t = 0, \dots, k-1` (step :math:`t` goes from :math:`i_t` to :math:`i_{t+1}`, with
    :math:`i_k = i_0`). Pairing step :math:`s` with step :math:`t` means that step :math:`t` walks
    back along the edge of step :math:`s`: :math:`i_{t} = i_{s+1}` and :math:`i_{t+1} = i_s`.
    The function merges the vertex positions that these equations identify and counts the classes
    :math:`V(\pi)`. A walk with :math:`V` free vertices can be labelled in about :math:`n^V` ways,
    which is why the count matters: :math:`V(\pi) = k/2 + 1` exactly when :math:`\pi` is
    non-crossing, and otherwise :math:`V(\pi) = k/2 + 1 - 2g` for the genus :math:`g \ge 1` of the
    pairing.

    Examples
    --------
    >>> pairing_vertex_count(((0, 3), (1, 2))), pairing_vertex_count(((0, 2), (1, 3)))
    (3, 1)

    References
    ----------
    Anderson, Guionnet and Zeitouni (2010), lemma 2.1.6; A. Zvonkin, Matrix integrals and map
    enumeration, *Math. Comput. Modelling* 26 (1997) for the genus expansion.
    """
    pairs = _check_pairing(pairing)
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
        union(t, (s + 1) % k)
        union((t + 1) % k, s)
    return len({find(a) for a in range(k)})


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
        A perfect matching of ``0, ..., m-1``, as :func:`pairings` yields.
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
    from . import plotting

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


# ----------------------------------------------------------------------------------------------
# Random matrices
# ----------------------------------------------------------------------------------------------
def wigner(
    n: int, rng: np.random.Generator, entries: str = "gaussian", *, size: int | None = None
) -> np.ndarray:
    r"""A Wigner matrix :math:`W = X / \sqrt n`: symmetric, :math:`n \times n`, entries of variance
    :math:`1/n`.

    The entries :math:`X_{ij}`, :math:`i \le j`, are independent draws of one law with mean 0 and
    variance 1 (``"gaussian"``: standard normal; ``"rademacher"``: :math:`\pm 1` with probability
    1/2), and :math:`X_{ji} = X_{ij}`. **The diagonal** :math:`X_{ii}` **has the same law as the
    off-diagonal entries**, so every entry of :math:`W` has mean 0 and variance :math:`1/n`. (The
    Gaussian orthogonal ensemble instead gives the diagonal variance :math:`2/n`; the limit laws do
    not depend on the diagonal, but the exact finite-:math:`n` moments do, see
    :func:`wigner_moment_exact`.) The scaling makes :math:`\frac1n \operatorname{tr} W^2`, the
    mean squared eigenvalue, equal to 1 in expectation, so the spectrum fills :math:`[-2, 2]`.

    Parameters
    ----------
    n : int
        The size, ``n >= 1``.
    rng : numpy.random.Generator
        The source of randomness.
    entries : {"gaussian", "rademacher"}
        The law of :math:`X_{ij}`.
    size : int, optional
        Draw a batch: an array of shape ``(size, n, n)`` of independent matrices.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, n)``, or ``(size, n, n)``.

    Raises
    ------
    ValueError
        If ``n < 1``, ``size < 1`` or ``entries`` is not a known kind.
    TypeError
        If ``n`` is not an integer or ``rng`` is not a Generator.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W = wigner(500, rng)
    >>> bool(np.array_equal(W, W.T)), round(float(np.trace(W @ W)) / 500, 1)
    (True, 1.0)
    >>> sorted(set(np.unique(wigner(3, rng, "rademacher") * np.sqrt(3)).tolist()))
    [-1.0, 1.0]

    References
    ----------
    Anderson, Guionnet and Zeitouni (2010), section 2.1; Tao (2012), section 2.4.
    """
    n = _check_int("n", n, 1)
    _check_rng(rng)
    law = _check_entries(entries)
    shape = (n, n) if size is None else (_check_int("size", size, 1), n, n)
    x = np.triu(law.sample(rng, shape))
    x = x + np.swapaxes(np.triu(x, 1), -1, -2)
    return x / math.sqrt(n)


def wishart(n: int, m: int, rng: np.random.Generator, entries: str = "gaussian") -> np.ndarray:
    r"""A Wishart (sample covariance) matrix :math:`S = X^\top X / m`, of shape :math:`n \times n`.

    :math:`X` has shape :math:`m \times n` (``m`` samples of dimension ``n``) with independent
    entries of mean 0 and variance 1, so :math:`E[S] = I_n`. As :math:`n, m \to \infty` with
    :math:`n/m \to \lambda`, the spectrum of :math:`S` tends to the Marchenko-Pastur law with
    ``ratio`` :math:`\lambda = n/m` (:func:`marchenko_pastur_pdf`). When :math:`n > m`,
    :math:`S` has rank :math:`m` and :math:`n - m` of its eigenvalues are 0.

    Parameters
    ----------
    n : int
        The dimension (columns of :math:`X`), ``n >= 1``.
    m : int
        The number of samples (rows of :math:`X`), ``m >= 1``.
    rng : numpy.random.Generator
    entries : {"gaussian", "rademacher"}

    Returns
    -------
    numpy.ndarray
        The symmetric positive semi-definite ``(n, n)`` matrix :math:`S`.

    Raises
    ------
    ValueError
        If ``n < 1``, ``m < 1`` or ``entries`` is not a known kind.

    Examples
    --------
    >>> S = wishart(200, 800, np.random.default_rng(0))
    >>> S.shape, round(float(np.trace(S)) / 200, 2)
    ((200, 200), 1.0)

    References
    ----------
    Marchenko and Pastur (1967); Bai and Silverstein (2010), chapter 3.
    """
    n = _check_int("n", n, 1)
    m = _check_int("m", m, 1)
    _check_rng(rng)
    x = _check_entries(entries).sample(rng, (m, n))
    s = x.T @ x / m
    return (s + s.T) / 2


# ----------------------------------------------------------------------------------------------
# Limit laws
# ----------------------------------------------------------------------------------------------
def semicircle_pdf(x):
    r"""The semicircle density :math:`\rho(x) = \frac{1}{2\pi}\sqrt{4 - x^2}` on :math:`[-2, 2]`.

    Vectorized over ``x``; zero outside :math:`[-2, 2]`.

    Raises
    ------
    ValueError
        If ``x`` contains NaN.

    Examples
    --------
    >>> round(semicircle_pdf(0.0), 6), semicircle_pdf(3.0)
    (0.31831, 0.0)
    >>> semicircle_pdf(np.array([-2.0, 2.0])).tolist()
    [0.0, 0.0]

    References
    ----------
    Wigner (1955, 1958); Anderson, Guionnet and Zeitouni (2010), theorem 2.1.1.
    """
    x = _real_array(x)
    inside = np.abs(x) < 2
    out = np.zeros_like(x)
    out[inside] = np.sqrt(4.0 - x[inside] ** 2) / (2 * np.pi)
    return _out(out)


def semicircle_cdf(x):
    r"""The semicircle CDF :math:`F(x) = \frac12 + \frac{x\sqrt{4-x^2}}{4\pi} +
    \frac{1}{\pi}\arcsin\frac x2` for :math:`|x| \le 2` (0 below, 1 above).

    Vectorized over ``x``.

    Examples
    --------
    >>> semicircle_cdf(0.0), semicircle_cdf(-5.0), semicircle_cdf(2.0)
    (0.5, 0.0, 1.0)
    """
    x = _real_array(x)
    t = np.clip(x, -2.0, 2.0)
    out = 0.5 + t * np.sqrt(4.0 - t * t) / (4 * np.pi) + np.arcsin(t / 2) / np.pi
    return _out(np.clip(out, 0.0, 1.0))


def semicircle_moment(k: int) -> int:
    r"""The :math:`k`-th moment of the semicircle law, exactly: :math:`C_{k/2}` for even
    :math:`k`, 0 for odd :math:`k`.

    This is the limit of :math:`\frac1n E \operatorname{tr} W^k` for the Wigner matrices of
    :func:`wigner`.

    Examples
    --------
    >>> [semicircle_moment(k) for k in range(9)]
    [1, 0, 1, 0, 2, 0, 5, 0, 14]
    """
    k = _check_int("k", k, 0)
    return 0 if k % 2 else catalan(k // 2)


def semicircle_sample(size, rng: np.random.Generator) -> np.ndarray:
    r"""Independent draws from the semicircle law.

    A point uniform on the disc of radius 2 has a semicircle-distributed first coordinate, so
    :math:`x = 2\sqrt{U}\cos(2\pi V)` with :math:`U, V` uniform. These are *independent* samples,
    unlike the eigenvalues of a Wigner matrix, which repel each other.

    Examples
    --------
    >>> x = semicircle_sample(100_000, np.random.default_rng(0))
    >>> bool(np.all(np.abs(x) <= 2)), round(float(np.mean(x ** 2)), 1)
    (True, 1.0)
    """
    _check_rng(rng)
    u = rng.random(size)
    v = rng.random(size)
    return 2.0 * np.sqrt(u) * np.cos(2 * np.pi * v)


def marchenko_pastur_support(ratio: float) -> tuple[float, float]:
    r"""The edges :math:`((1-\sqrt\lambda)^2, (1+\sqrt\lambda)^2)` of the Marchenko-Pastur
    density for ``ratio`` :math:`\lambda = n/m`.

    Examples
    --------
    >>> marchenko_pastur_support(0.25)
    (0.25, 2.25)
    """
    _check_ratio(ratio)
    r = math.sqrt(float(ratio))
    return ((1 - r) ** 2, (1 + r) ** 2)


def marchenko_pastur_pdf(x, ratio: float):
    r"""The Marchenko-Pastur density with ``ratio`` :math:`\lambda = n/m`.

    .. math::

        p_\lambda(x) = \frac{\sqrt{(b - x)(x - a)}}{2\pi\lambda x}, \qquad a < x < b, \quad
        a, b = (1 \mp \sqrt\lambda)^2,

    and 0 elsewhere. It is the limiting eigenvalue density of :func:`wishart` ``(n, m, rng)`` as
    :math:`n/m \to \lambda`. For :math:`\lambda \le 1` it integrates to 1. For
    :math:`\lambda > 1` it integrates to :math:`1/\lambda`, because the law also has an atom of
    mass :math:`1 - 1/\lambda` at 0 (the :math:`n - m` zero eigenvalues), which a density cannot
    show; :func:`marchenko_pastur_cdf` includes it. At :math:`\lambda = 1` the density blows up
    like :math:`x^{-1/2}` at 0; the value at exactly 0 is reported as 0.

    Parameters
    ----------
    x : array_like
        Points; vectorized.
    ratio : float
        :math:`\lambda = n/m > 0`.

    Raises
    ------
    ValueError
        If ``ratio <= 0`` (or not finite) or ``x`` contains NaN.

    Examples
    --------
    >>> round(marchenko_pastur_pdf(1.0, 0.25), 6)
    0.616404
    >>> marchenko_pastur_pdf(np.array([0.1, 3.0]), 0.25).tolist()
    [0.0, 0.0]

    References
    ----------
    Marchenko and Pastur (1967); Bai and Silverstein (2010), section 3.1.1.
    """
    _check_ratio(ratio)
    lam = float(ratio)
    a, b = marchenko_pastur_support(lam)
    x = _real_array(x)
    inside = (x > a) & (x < b)
    out = np.zeros_like(x)
    xi = x[inside]
    out[inside] = np.sqrt((b - xi) * (xi - a)) / (2 * np.pi * lam * xi)
    return _out(out)


def marchenko_pastur_cdf(x, ratio: float):
    r"""The Marchenko-Pastur CDF with ``ratio`` :math:`\lambda = n/m`, atom at 0 included.

    With :math:`R(t) = \sqrt{(b-t)(t-a)}`, the density's antiderivative is

    .. math::

        \int \frac{R(t)}{t}\,dt = R(t) + \frac{a+b}{2}\arcsin\frac{2t-a-b}{b-a}
        - \sqrt{ab}\,\arcsin\frac{(a+b)t-2ab}{t(b-a)},

    divided by :math:`2\pi\lambda`, and for :math:`\lambda > 1` the CDF jumps by
    :math:`1 - 1/\lambda` at 0. Vectorized over ``x``.

    Examples
    --------
    >>> a, b = marchenko_pastur_support(0.25)
    >>> marchenko_pastur_cdf(a, 0.25), marchenko_pastur_cdf(b, 0.25)
    (0.0, 1.0)
    >>> marchenko_pastur_cdf(0.0, 4.0), marchenko_pastur_cdf(-1e-9, 4.0)
    (0.75, 0.0)
    """
    _check_ratio(ratio)
    lam = float(ratio)
    a, b = marchenko_pastur_support(lam)
    x = _real_array(x)
    atom = max(0.0, 1.0 - 1.0 / lam)
    if not b > a:  # ratio so extreme that the support is one point in floating point
        out = np.where(x >= 0, atom, 0.0) + np.where(x >= a, min(1.0, 1.0 / lam), 0.0)
        return _out(np.clip(out, 0.0, 1.0))
    t = np.clip(x, a, b)
    r = np.sqrt(np.maximum((b - t) * (t - a), 0.0))
    g = r + (a + b) / 2 * np.arcsin(np.clip((2 * t - a - b) / (b - a), -1, 1))
    sab = math.sqrt(a * b)
    if sab > 0:  # a > 0 unless lambda = 1, and then t >= a > 0
        g = g - sab * np.arcsin(np.clip(((a + b) * t - 2 * a * b) / (t * (b - a)), -1, 1))
    g_a = -(a + b) * np.pi / 4 + sab * np.pi / 2
    cont = (g - g_a) / (2 * np.pi * lam)
    out = np.where(x >= 0, atom, 0.0) + cont
    return _out(np.clip(out, 0.0, 1.0))


def marchenko_pastur_moment(k: int, ratio):
    r"""The :math:`k`-th moment of the Marchenko-Pastur law with ``ratio`` :math:`\lambda = n/m`.

    .. math::

        \int x^k \, d\mu_\lambda(x) = \sum_{j=1}^{k} N(k, j)\, \lambda^{j-1}, \qquad k \ge 1,

    with the Narayana numbers :math:`N(k, j)` (:func:`narayana`): a non-crossing partition of the
    :math:`k` steps with :math:`j` blocks contributes :math:`\lambda^{j-1}`. It is the limit of
    :math:`\frac1n E \operatorname{tr} S^k` for ``S = wishart(n, m, rng)`` as :math:`n/m \to
    \lambda`. At :math:`\lambda = 1` it is the Catalan number :math:`C_k`, the :math:`2k`-th
    moment of the semicircle: if :math:`x` is semicircular, :math:`x^2` is Marchenko-Pastur(1).

    Parameters
    ----------
    k : int
        The order, ``k >= 0`` (the 0-th moment is 1, the atom included).
    ratio : int, Fraction or float
        :math:`\lambda > 0`.

    Returns
    -------
    Fraction or float
        Exact (a :class:`~fractions.Fraction`) when ``ratio`` is an int or a Fraction; otherwise a
        float computed from the exact integer coefficients.

    Examples
    --------
    >>> [marchenko_pastur_moment(k, 1) for k in range(6)] == [catalan(k) for k in range(6)]
    True
    >>> marchenko_pastur_moment(2, Fraction(1, 4)), marchenko_pastur_moment(3, 0.5)
    (Fraction(5, 4), 2.75)

    References
    ----------
    Bai and Silverstein (2010), section 3.1.1 (lemma 3.1 and the moments of the MP law).
    """
    k = _check_int("k", k, 0)
    _check_ratio(ratio)
    exact = isinstance(ratio, numbers.Rational)
    lam = Fraction(ratio) if exact else float(ratio)
    if k == 0:
        return Fraction(1) if exact else 1.0
    total = sum(narayana(k, j) * lam ** (j - 1) for j in range(1, k + 1))
    return Fraction(total) if exact else float(total)


# ----------------------------------------------------------------------------------------------
# Empirical spectral distributions
# ----------------------------------------------------------------------------------------------
def esd_moments(eigenvalues, kmax: int) -> np.ndarray:
    r"""The moments :math:`\frac1n\sum_i \lambda_i^k`, :math:`k = 0, \dots, k_{\max}`, of the
    empirical spectral distribution :math:`\mu_W = \frac1n \sum_i \delta_{\lambda_i}`.

    For a symmetric matrix :math:`W` they equal the normalized traces
    :math:`\frac1n \operatorname{tr} W^k`. The last axis of ``eigenvalues`` holds one spectrum, so a
    batch ``(samples, n)`` gives moments of shape ``(samples, kmax + 1)``. Index ``k`` of the result
    is the :math:`k`-th moment (index 0 is 1).

    Raises
    ------
    ValueError
        If the eigenvalues are empty or not finite, or ``kmax < 0``.

    Examples
    --------
    >>> esd_moments([-1.0, 1.0, 2.0], 3).tolist()
    [1.0, 0.6666666666666666, 2.0, 2.6666666666666665]
    """
    kmax = _check_int("kmax", kmax, 0)
    lam = np.asarray(eigenvalues, dtype=float)
    if lam.ndim == 0 or lam.shape[-1] == 0 or not np.all(np.isfinite(lam)):
        raise ValueError("eigenvalues must be a non-empty array of finite numbers")
    out = np.empty(lam.shape[:-1] + (kmax + 1,))
    power = np.ones_like(lam)
    for k in range(kmax + 1):
        out[..., k] = power.mean(axis=-1)
        power = power * lam
    return out


def kolmogorov_distance(eigenvalues, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    r"""The Kolmogorov distance :math:`\sup_x |F_{\mu_W}(x) - F(x)|` between the empirical
    spectral distribution of ``eigenvalues`` and a limit law with CDF ``cdf``.

    The same computation as :func:`widthlimits.probability.kolmogorov_distance` (the supremum is
    attained next to an eigenvalue, so it is exact from the sorted list). ``cdf`` must be
    vectorized and *continuous*: for a Marchenko-Pastur law with :math:`\lambda > 1`, compare the
    nonzero eigenvalues with the law's continuous part instead of the atom at 0.

    Examples
    --------
    >>> eigs = np.linalg.eigvalsh(wigner(1000, np.random.default_rng(0)))
    >>> kolmogorov_distance(eigs, semicircle_cdf) < 0.01
    True
    """
    return probability.kolmogorov_distance(eigenvalues, cdf)


def wigner_trace_moments(
    n: int, kmax: int, rng: np.random.Generator, *, samples: int = 1, entries: str = "gaussian"
) -> np.ndarray:
    r"""Normalized traces :math:`\frac1n \operatorname{tr} W^k`, :math:`k = 0, \dots, k_{\max}`, of
    ``samples`` independent Wigner matrices.

    Each matrix is drawn by :func:`wigner`; its eigenvalues are computed in batches of at most
    about two million matrix entries and passed to :func:`esd_moments`.

    Returns
    -------
    numpy.ndarray
        Shape ``(samples, kmax + 1)``.

    Examples
    --------
    >>> m = wigner_trace_moments(50, 4, np.random.default_rng(0), samples=200)
    >>> m.shape, round(float(m[:, 2].mean()), 1), round(float(m[:, 4].mean()), 1)
    ((200, 5), 1.0, 2.0)
    """
    n = _check_int("n", n, 1)
    kmax = _check_int("kmax", kmax, 0)
    samples = _check_int("samples", samples, 1)
    _check_rng(rng)
    _check_entries(entries)
    batch = max(1, 2_000_000 // (n * n))
    out = []
    for start in range(0, samples, batch):
        w = wigner(n, rng, entries, size=min(batch, samples - start))
        out.append(esd_moments(np.linalg.eigvalsh(w), kmax))
    return np.concatenate(out)


# ----------------------------------------------------------------------------------------------
# Exact finite-n moments: counting closed walks
# ----------------------------------------------------------------------------------------------
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


@lru_cache(maxsize=64)
def _walk_shapes(k: int, entries: str) -> tuple[WalkShape, ...]:
    if k == 0:  # the empty walk stays at its one vertex
        return (WalkShape((), 1, 1),)
    law = probability.distribution(entries)
    shapes = []
    for blocks in probability.set_partitions(k):
        labels = _labels(blocks, k)
        edges = Counter(tuple(sorted((labels[t], labels[(t + 1) % k]))) for t in range(k))
        weight = math.prod(_moment_int(law, mult) for mult in edges.values())
        if weight:
            shapes.append(WalkShape(labels, len(blocks), weight))
    return tuple(shapes)


def walk_shapes(k: int, entries: str = "gaussian") -> tuple[WalkShape, ...]:
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
    the same law, as in :func:`wigner`.

    Parameters
    ----------
    k : int
        The walk length, ``0 <= k <= 10`` (there are Bell(k) shapes to inspect).
    entries : {"gaussian", "rademacher"}

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
    _check_entries(entries)
    return tuple(sorted(_walk_shapes(k, entries)))


def step_pairing(labels) -> tuple[tuple[int, int], ...]:
    r"""The pairing of the steps of a closed walk that uses each of its edges exactly twice.

    Step :math:`t` of the walk ``labels`` goes from ``labels[t]`` to ``labels[t + 1]`` (cyclically);
    the two steps on each undirected edge form a pair. For the walks that survive the moment method
    (:func:`walk_shapes` with ``k/2 + 1`` vertices: trees, each edge walked out and back) the
    result is a non-crossing pairing, and every non-crossing pairing arises from exactly one
    such shape.

    Raises
    ------
    ValueError
        If some edge is not used exactly twice.

    Examples
    --------
    >>> step_pairing((0, 1, 0, 2))  # out to 1 and back, out to 2 and back
    ((0, 1), (2, 3))
    >>> step_pairing((0, 1, 2, 1))  # 0-1 at steps 0 and 3, 1-2 at steps 1 and 2
    ((0, 3), (1, 2))
    """
    labels = tuple(labels)
    k = len(labels)
    by_edge: dict[frozenset, list[int]] = {}
    for t in range(k):
        by_edge.setdefault(frozenset((labels[t], labels[(t + 1) % k])), []).append(t)
    if any(len(steps) != 2 for steps in by_edge.values()):
        raise ValueError(f"every edge must be walked exactly twice, got the walk {labels}")
    return tuple(sorted((a, b) for a, b in by_edge.values()))


def _falling(n: int, b: int) -> int:
    return math.prod(range(n - b + 1, n + 1)) if b <= n else 0


def wigner_moment_exact(k: int, n: int, entries: str = "gaussian") -> Fraction:
    r"""The exact expectation :math:`\frac1n E \operatorname{tr} W^k` for ``W = wigner(n, rng,
    entries)``, as a fraction.

    It sums :func:`walk_shapes` with their label counts:

    .. math::

        \frac1n E\operatorname{tr} W^k = n^{-1-k/2} \sum_{\text{shapes } s}
        \mathrm{weight}(s)\, n (n-1)\cdots(n - b_s + 1).

    For :math:`k = 4` this is :math:`2 + (m_4 - 2)/n` with :math:`m_4 = E[X^4]`: :math:`2 + 1/n`
    for Gaussian entries and :math:`2 - 1/n` for Rademacher entries (both with the diagonal of
    variance :math:`1/n`). Odd :math:`k` give 0.

    Parameters
    ----------
    k : int
        ``0 <= k <= 10``.
    n : int
        The matrix size, ``n >= 1``.
    entries : {"gaussian", "rademacher"}

    Examples
    --------
    >>> wigner_moment_exact(4, 10), wigner_moment_exact(4, 10, "rademacher")
    (Fraction(21, 10), Fraction(19, 10))
    >>> float(wigner_moment_exact(6, 1000))  # 5 + 7/n + 7/n^2 - 4/n^3
    5.007006996
    """
    n = _check_int("n", n, 1)
    shapes = walk_shapes(k, entries)
    if k % 2:
        return Fraction(0)
    total = sum(s.weight * _falling(n, s.vertices) for s in shapes)
    return Fraction(total, n ** (1 + k // 2))


def wigner_moment_expansion(k: int, entries: str = "gaussian") -> tuple[int, ...]:
    r"""The integer coefficients :math:`c_0, c_1, \dots` of
    :math:`\frac1n E\operatorname{tr} W^k = \sum_j c_j n^{-j}`, an exact polynomial in :math:`1/n`.

    :math:`c_0` is the limit, the Catalan number :math:`C_{k/2}` for even :math:`k` (only the
    shapes with :math:`k/2 + 1` vertices survive, and they are the non-crossing pairings);
    :math:`c_1` is the first finite-size correction. Expanding each falling factorial
    :math:`n(n-1)\cdots(n-b+1)` in powers of :math:`n` gives the coefficients.

    Examples
    --------
    >>> wigner_moment_expansion(4), wigner_moment_expansion(4, "rademacher")
    ((2, 1, 0), (2, -1, 0))
    >>> wigner_moment_expansion(6)  # 5 + 7/n + 7/n^2 - 4/n^3
    (5, 7, 7, -4)
    >>> [wigner_moment_expansion(k)[0] for k in (2, 4, 6, 8)]
    [1, 2, 5, 14]
    """
    shapes = walk_shapes(k, entries)
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
    :math:`n/m \to \lambda` the result tends to :func:`marchenko_pastur_moment`.

    Parameters
    ----------
    k : int
        ``0 <= k <= 6`` (Bell(k)^2 pairs of partitions).
    n, m : int
        The dimension and the number of samples, as in :func:`wishart`.
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
    _check_entries(entries)
    if k == 0:
        return Fraction(1)
    total = sum(w * _falling(m, br) * _falling(n, bc) for br, bc, w in _wishart_shapes(k, entries))
    return Fraction(total, n * m**k)
