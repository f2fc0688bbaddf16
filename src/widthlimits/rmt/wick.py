r"""Exact moments of the Gaussian ensembles (GOE, GUE) by Wick's theorem: a sum over gluings.

:func:`gaussian_moment_wick` and :func:`gaussian_moment_expansion` count the gluings of the
pairings of a closed walk's steps (:func:`~widthlimits.rmt.gluings.gluing_vertex_count`). No walk
shapes, falling factorials or entry moments enter, so this is an independent computation of what
:func:`~widthlimits.rmt.walks.wigner_moment_exact` computes with ``diagonal=2`` for the GOE. The
results are :class:`fractions.Fraction`, so they never overflow or round.
"""

from __future__ import annotations

import itertools
from collections import Counter
from fractions import Fraction
from functools import lru_cache

from .. import probability
from .._checks import check_choice as _check_choice
from .._checks import check_int as _check_int
from .gluings import gluing_vertex_count
from .walks import WIGNER_EXACT_KMAX

#: The Gaussian ensembles of :func:`gaussian_moment_wick`: real symmetric and complex Hermitian.
ENSEMBLES: tuple[str, ...] = ("goe", "gue")


def _check_wick(k, ensemble) -> tuple[int, str]:
    """``k`` within the Wick sum's size limit and the ensemble's name, or raise."""
    k = _check_int("k", k, 0)
    if k > WIGNER_EXACT_KMAX:
        raise ValueError(f"the Wick sum is limited to k <= {WIGNER_EXACT_KMAX}, got k = {k}")
    return k, _check_choice("ensemble", ensemble, ENSEMBLES)


def gaussian_moment_wick(k: int, n: int, ensemble: str = "goe") -> Fraction:
    r"""The exact :math:`\frac1n E\operatorname{tr} W^k` of a Gaussian ensemble, by Wick's theorem.

    The two ensembles have off-diagonal entries of variance :math:`1/n` and covariances

    * ``"goe"`` (real symmetric): :math:`E[W_{ij} W_{kl}] = (\delta_{ik}\delta_{jl} +
      \delta_{il}\delta_{jk})/n`, so the diagonal has variance :math:`2/n`;
    * ``"gue"`` (complex Hermitian): :math:`E[W_{ij} W_{kl}] = \delta_{il}\delta_{jk}/n`.

    Wick's theorem writes :math:`E[W_{i_0 i_1} \cdots W_{i_{k-1} i_0}]` as a sum over the
    pairings of the :math:`k` factors of products of these covariances. Expanding each covariance,
    a term is a *gluing* of the pairing: each pair glued backward (:math:`\delta_{il}
    \delta_{jk}`, both ensembles) or twisted (:math:`\delta_{ik}\delta_{jl}`, GOE only). A gluing
    leaves :math:`V` free indices (:func:`~widthlimits.rmt.gluings.gluing_vertex_count`), so

    .. math::

        \frac1n E\operatorname{tr} W^k = n^{-1-k/2} \sum_{\text{gluings}} n^{V}.

    No walk shapes, falling factorials or entry moments enter: this is an independent
    computation of what :func:`~widthlimits.rmt.walks.wigner_moment_exact` computes with
    ``diagonal=2`` for the GOE.
    The GUE's gluings are orientable, :math:`V = k/2 + 1 - 2g`, so its expansion has only even
    powers of :math:`1/n`; the GOE's twisted gluings reach :math:`V = k/2` and give :math:`1/n`
    terms.

    Parameters
    ----------
    k : int
        ``0 <= k <= 10`` (:math:`(k-1)!!\, 2^{k/2}` gluings).
    n : int
        The matrix size, ``n >= 1``.
    ensemble : {"goe", "gue"}

    Examples
    --------
    >>> gaussian_moment_wick(4, 10, "goe"), gaussian_moment_wick(4, 10, "gue")
    (Fraction(51, 20), Fraction(201, 100))

    References
    ----------
    Anderson, Guionnet and Zeitouni (2010), section 2.2 (complex Wigner matrices); A. Zvonkin,
    Matrix integrals and map enumeration, *Math. Comput. Modelling* 26 (1997).
    """
    k, ensemble = _check_wick(k, ensemble)
    n = _check_int("n", n, 1)
    if k % 2:
        return Fraction(0)
    coeffs = gaussian_moment_expansion(k, ensemble)
    return sum((Fraction(c, n**j) for j, c in enumerate(coeffs)), Fraction(0))


def gaussian_moment_expansion(k: int, ensemble: str = "goe") -> tuple[int, ...]:
    r"""The coefficients :math:`c_0, c_1, \dots` of :math:`\frac1n E\operatorname{tr} W^k =
    \sum_j c_j n^{-j}` for a Gaussian ensemble, from Wick's theorem.

    :math:`c_j` is the number of gluings (see :func:`gaussian_moment_wick`) with
    :math:`V = k/2 + 1 - j` free vertices. For the GUE the odd coefficients vanish (orientable
    gluings, :math:`V = k/2 + 1 - 2g`); for the GOE, :math:`c_1` counts the twisted gluings that
    keep :math:`k/2` vertices (the surface is a projective plane).

    Examples
    --------
    >>> gaussian_moment_expansion(4, "goe"), gaussian_moment_expansion(4, "gue")
    ((2, 5, 5), (2, 0, 1))
    >>> gaussian_moment_expansion(6, "gue")  # 5 + 10/n^2: Harer-Zagier numbers
    (5, 0, 10, 0)
    """
    k, ensemble = _check_wick(k, ensemble)
    if k % 2:
        return (0,)
    if k == 0:  # the empty walk: tr W^0 / n = 1, no pairs to glue
        return (1,)
    top = 1 + k // 2
    coeffs = [0] * top
    for v, c in _gluing_counts(k, ensemble):
        coeffs[top - v] += c
    return tuple(coeffs)


@lru_cache(maxsize=32)
def _gluing_counts(k: int, ensemble: str) -> tuple[tuple[int, int], ...]:
    counts: Counter = Counter()
    for pairing in probability.pairings(k):
        choices = range(len(pairing) + 1) if ensemble == "goe" else (0,)
        for r in choices:
            for twisted in itertools.combinations(pairing, r):
                counts[gluing_vertex_count(pairing, twisted)] += 1
    return tuple(sorted(counts.items()))
