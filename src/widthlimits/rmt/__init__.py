r"""Part III: random matrix theory, from the moment method to the semicircle law.

This module builds the random matrices of Part III, the limit laws their spectra follow, and the
exact combinatorics of the moment method that proves those laws.

Everything below is importable from ``widthlimits.rmt`` directly
(``from widthlimits.rmt import wigner``); the code lives in four submodules:

* :mod:`widthlimits.rmt.combinatorics` -- Catalan and Narayana numbers and the non-crossing set
  partitions they count;
* :mod:`widthlimits.rmt.gluings` -- pairings of the steps of a closed walk: crossings, the vertex
  count a gluing of the steps forces (backward only for complex Hermitian matrices, backward or
  twisted for real symmetric ones), and arc diagrams;
* :mod:`widthlimits.rmt.ensembles` -- the Wigner and Wishart matrices and the tridiagonal GOE;
* :mod:`widthlimits.rmt.spectra` -- the moments and Kolmogorov distance of their spectra;
* :mod:`widthlimits.rmt.laws` -- the semicircle and Marchenko-Pastur laws;
* :mod:`widthlimits.rmt.walks` -- exact finite-:math:`n` moments by counting closed walks;
* :mod:`widthlimits.rmt.wick` -- those of the Gaussian ensembles (GOE, GUE) by Wick's theorem.

Every function checks its input through :mod:`widthlimits._checks` before it computes: bad input
is a ``TypeError`` or ``ValueError`` that names the argument, and the samplers refuse sizes that
would not fit in memory before they allocate.

Conventions (Part IV and Part V rely on them)
---------------------------------------------
* **Wigner matrix.** :func:`~widthlimits.rmt.ensembles.wigner` returns :math:`W = X/\sqrt n` with
  :math:`X` symmetric and :math:`X_{ij}` (:math:`i \le j`) independent copies of one standardized
  law (mean 0, variance 1): Gaussian or Rademacher. *The diagonal has the same law as the
  off-diagonal entries*, so every entry of :math:`W`, the diagonal included, has variance
  :math:`1/n`. The spectrum fills :math:`[-2, 2]`, and its limit is the semicircle law with moments
  :func:`~widthlimits.rmt.laws.semicircle_moment`.
* **Wishart matrix.** :func:`~widthlimits.rmt.ensembles.wishart` returns the :math:`n \times n`
  matrix :math:`S = X^\top X / m` for :math:`X` of shape :math:`m \times n` with independent
  standardized entries: the sample covariance of :math:`m` samples of dimension :math:`n`.
* **Ratio.** Every Marchenko-Pastur function takes ``ratio`` :math:`\lambda = n/m`, the
  *dimension over the number of samples*, i.e. the columns over the rows of :math:`X`. The
  spectrum of ``wishart(n, m, rng)`` tends to :func:`~widthlimits.rmt.laws.marchenko_pastur_pdf`
  with ``ratio = n / m``, supported on :math:`[(1-\sqrt\lambda)^2, (1+\sqrt\lambda)^2]`, plus an
  atom of mass :math:`1 - 1/\lambda` at 0 when :math:`\lambda > 1`. Its moments are
  :func:`~widthlimits.rmt.laws.marchenko_pastur_moment`.
* **Pairings** are those of :func:`widthlimits.probability.partitions.pairings`: tuples of
  pairs ``(i, j)`` with ``i < j``, sorted, of the points ``0, ..., m-1``.

Exact quantities (Catalan and Narayana numbers, finite-:math:`n` trace moments) are Python ints
or :class:`fractions.Fraction`, so they never overflow or round.

References
----------
* E. P. Wigner, Characteristic vectors of bordered matrices with infinite dimensions, *Annals of
  Mathematics* 62 (1955); On the distribution of the roots of certain symmetric matrices, 67 (1958).
* V. A. Marchenko and L. A. Pastur, Distribution of eigenvalues for some sets of random matrices,
  *Math. USSR-Sbornik* 1 (1967).
* G. W. Anderson, A. Guionnet and O. Zeitouni, *An Introduction to Random Matrices*, 2010,
  section 2.1: 2.1.1 (the semicircle law, Catalan numbers and Dyck paths), 2.1.3 (the proof of
  lemma 2.1.6, the limit of the expected moments, by words and graphs) and 2.1.6 (the largest
  eigenvalue, Füredi-Komlós enumeration).
* T. Tao, *Topics in Random Matrix Theory*, 2012, sections 2.3 and 2.4.
* Z. Bai and J. W. Silverstein, *Spectral Analysis of Large Dimensional Random Matrices*, 2nd ed.,
  2010, theorem 2.5 (the semicircle law, almost surely) and chapter 3 (the Marchenko-Pastur law
  and its moments).
* I. Dumitriu and A. Edelman, Matrix models for beta ensembles, *J. Math. Phys.* 43 (2002) (the
  tridiagonal GOE).
"""

from ..probability import pairings
from .combinatorics import (
    catalan,
    is_noncrossing_partition,
    narayana,
    noncrossing_partitions,
)
from .ensembles import ENTRIES, goe_largest_eigenvalue, goe_tridiagonal, wigner, wishart
from .gluings import (
    crossing_pairs,
    draw_pairing,
    gluing_vertex_count,
    is_noncrossing,
    noncrossing_pairings,
    pairing_vertex_count,
)
from .laws import (
    marchenko_pastur_cdf,
    marchenko_pastur_moment,
    marchenko_pastur_pdf,
    marchenko_pastur_support,
    semicircle_cdf,
    semicircle_moment,
    semicircle_pdf,
    semicircle_sample,
)
from .spectra import esd_moments, kolmogorov_distance, wigner_trace_moments
from .walks import (  # noqa: F401 - the two limits are public, though not in __all__
    WIGNER_EXACT_KMAX,
    WISHART_EXACT_KMAX,
    WalkShape,
    step_pairing,
    walk_shapes,
    wigner_moment_exact,
    wigner_moment_expansion,
    wishart_moment_exact,
)
from .wick import ENSEMBLES, gaussian_moment_expansion, gaussian_moment_wick

__all__ = [
    "ENTRIES",
    "catalan",
    "narayana",
    "pairings",
    "noncrossing_pairings",
    "crossing_pairs",
    "is_noncrossing",
    "pairing_vertex_count",
    "gluing_vertex_count",
    "is_noncrossing_partition",
    "noncrossing_partitions",
    "draw_pairing",
    "wigner",
    "wishart",
    "goe_tridiagonal",
    "goe_largest_eigenvalue",
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
    "ENSEMBLES",
    "gaussian_moment_wick",
    "gaussian_moment_expansion",
    "wishart_moment_exact",
]
