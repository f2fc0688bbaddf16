r"""The random matrices of Part III.

:func:`wigner` and :func:`wishart` draw Wigner and Wishart (sample covariance) matrices with
entries from one of the laws in :data:`ENTRIES`. :func:`goe_tridiagonal` and
:func:`goe_largest_eigenvalue` draw the Gaussian orthogonal ensemble in a tridiagonal form that
makes its largest eigenvalue cheap at large :math:`n`. Their spectra are summarized by
:mod:`widthlimits.rmt.spectra`, for comparison with the limit laws of :mod:`widthlimits.rmt.laws`.
Every sampler refuses, before allocating, a size whose arrays would not fit in memory.
"""

from __future__ import annotations

import math

import numpy as np

from .. import probability
from .._checks import check_choice as _check_choice
from .._checks import check_int as _check_int
from .._checks import check_memory as _check_memory
from .._checks import check_rng as _check_rng

#: The entry laws that :func:`wigner` and :func:`wishart` draw from (mean 0, variance 1).
ENTRIES: tuple[str, ...] = ("gaussian", "rademacher")


def _check_entries(entries) -> str:
    """The entry law's name in :data:`ENTRIES` (case-insensitive), or raise."""
    return _check_choice("entries", entries, ENTRIES)


def _check_diagonal(diagonal) -> int:
    """The variance of the unscaled diagonal entries: 0, 1 or 2."""
    diagonal = _check_int("diagonal", diagonal)
    if diagonal not in (0, 1, 2):
        raise ValueError(
            f"diagonal is the variance E[X_ii^2] of the diagonal entries: 0 (zero diagonal), "
            f"1 (this book's convention) or 2 (the GOE); got {diagonal!r}"
        )
    return diagonal


def _check_floats(what: str, count: float) -> None:
    """Refuse, before allocating, ``count`` float64 numbers that would not fit in memory."""
    _check_memory(what, 8.0 * count)


def wigner(
    n: int,
    rng: np.random.Generator,
    entries: str = "gaussian",
    *,
    size: int | None = None,
    diagonal: int = 1,
) -> np.ndarray:
    r"""A Wigner matrix :math:`W = X / \sqrt n`: symmetric, :math:`n \times n`, entries of variance
    :math:`1/n`.

    The entries :math:`X_{ij}`, :math:`i \le j`, are independent draws of one law with mean 0 and
    variance 1 (``"gaussian"``: standard normal; ``"rademacher"``: :math:`\pm 1` with probability
    1/2), and :math:`X_{ji} = X_{ij}`. **The diagonal** :math:`X_{ii}` **has the same law as the
    off-diagonal entries**, so every entry of :math:`W` has mean 0 and variance :math:`1/n`. (The
    Gaussian orthogonal ensemble instead gives the diagonal variance :math:`2/n`; the limit laws do
    not depend on the diagonal, but the exact finite-:math:`n` moments do, see
    :func:`~widthlimits.rmt.walks.wigner_moment_exact`.) The scaling makes
    :math:`\frac1n \operatorname{tr} W^2`, the mean squared eigenvalue, equal to 1 in expectation,
    so the spectrum fills :math:`[-2, 2]`.

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
    diagonal : {1, 2, 0}
        The variance of the unscaled diagonal entries, which are :math:`\sqrt{\text{diagonal}}`
        times draws of the entry law: 1 (default) is this book's convention, 2 with Gaussian
        entries is the Gaussian orthogonal ensemble (GOE), 0 a zero diagonal.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, n)``, or ``(size, n, n)``.

    Raises
    ------
    ValueError
        If ``n < 1``, ``size < 1``, ``entries`` is not a known kind, ``diagonal`` is not 0, 1
        or 2, or the matrices would not fit in memory (the message gives the estimated size).
    TypeError
        If ``n``, ``size`` or ``diagonal`` is not an integer, ``entries`` not a string or
        ``rng`` not a Generator.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W = wigner(500, rng)
    >>> bool(np.array_equal(W, W.T)), round(float(np.trace(W @ W)) / 500, 1)
    (True, 1.0)
    >>> sorted(set(np.unique(wigner(3, rng, "rademacher") * np.sqrt(3)).tolist()))
    [-1.0, 1.0]
    >>> G = wigner(400, rng, size=20, diagonal=2)  # the GOE: diagonal variance 2/n
    >>> round(float(np.mean(400 * np.diagonal(G, axis1=1, axis2=2) ** 2)), 1)
    2.0

    References
    ----------
    Anderson, Guionnet and Zeitouni (2010), section 2.1; Tao (2012), section 2.4.
    """
    n = _check_int("n", n, 1)
    _check_rng(rng)
    law = probability.distribution(_check_entries(entries))
    diagonal = _check_diagonal(diagonal)
    shape = (n, n) if size is None else (_check_int("size", size, 1), n, n)
    what = (
        f"a Wigner matrix of size {n}"
        if size is None
        else f"{shape[0]} Wigner matrices of size {n}"
    )
    # the draw, its upper triangle and the symmetrized sum are alive at once
    _check_floats(what, 3 * math.prod(shape))
    x = np.triu(law.sample(rng, shape))
    x = x + np.swapaxes(np.triu(x, 1), -1, -2)
    if diagonal != 1:
        idx = np.arange(n)
        x[..., idx, idx] *= math.sqrt(diagonal)
    return x / math.sqrt(n)


def goe_tridiagonal(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    r"""A tridiagonal matrix with the eigenvalue law of the GOE, as (diagonal, off-diagonal).

    Dumitriu and Edelman's model for :math:`\beta = 1`: the symmetric tridiagonal matrix with
    diagonal :math:`a_i \sim N(0, 2)` and off-diagonal :math:`b_i \sim \chi_{n-i}`,
    :math:`i = 1, \dots, n-1`, all independent, divided by :math:`\sqrt{2}`, has the eigenvalues
    of the GOE :math:`(G + G^\top)/2` (:math:`G` with iid :math:`N(0, 1)` entries). Divided further
    by :math:`\sqrt{n/2}`, as here, it has the eigenvalue law of
    ``wigner(n, rng, diagonal=2)``: off-diagonal variance :math:`1/n`, diagonal :math:`2/n`, the
    semicircle on :math:`[-2, 2]`. It takes :math:`O(n)` memory, and its largest eigenvalue costs
    :math:`O(n)` time (:func:`goe_largest_eigenvalue`), so sizes of :math:`10^5` are cheap.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The diagonal (length ``n``) and the off-diagonal (length ``n - 1``).

    Examples
    --------
    >>> d, e = goe_tridiagonal(1000, np.random.default_rng(0))
    >>> from scipy.linalg import eigvalsh_tridiagonal
    >>> lam = eigvalsh_tridiagonal(d, e)
    >>> round(float(np.mean(lam ** 2)), 2), round(float(lam.max()), 1)
    (1.0, 2.0)

    References
    ----------
    I. Dumitriu and A. Edelman, Matrix models for beta ensembles, *J. Math. Phys.* 43 (2002),
    5830-5847.
    """
    n = _check_int("n", n, 1)
    _check_rng(rng)
    _check_floats(f"a tridiagonal GOE matrix of size {n}", 4 * n)
    d = rng.normal(0.0, math.sqrt(2.0), n)
    e = np.sqrt(rng.chisquare(np.arange(n - 1, 0, -1)))
    scale = 1.0 / math.sqrt(2.0) / math.sqrt(n / 2.0)
    return d * scale, e * scale


def goe_largest_eigenvalue(n: int, rng: np.random.Generator, *, samples: int = 1) -> np.ndarray:
    r"""The largest eigenvalue of ``samples`` independent GOE matrices of size ``n``.

    The matrices are normalized as ``wigner(n, rng, diagonal=2)`` (spectrum filling
    :math:`[-2, 2]`) and drawn in the tridiagonal form of :func:`goe_tridiagonal`; the top
    eigenvalue is found by bisection (``scipy.linalg.eigvalsh_tridiagonal``), in :math:`O(n)`
    time each. As :math:`n \to \infty`, :math:`n^{2/3}(\lambda_{\max} - 2)` tends to the
    Tracy-Widom law for :math:`\beta = 1` (Tracy and Widom 1996), mean :math:`-1.2065`, standard
    deviation :math:`1.2680`.

    Returns
    -------
    numpy.ndarray
        Shape ``(samples,)``.

    Examples
    --------
    >>> top = goe_largest_eigenvalue(10_000, np.random.default_rng(0), samples=50)
    >>> top.shape, bool(np.all(np.abs(top - 2) < 0.05))
    ((50,), True)
    """
    from scipy.linalg import eigvalsh_tridiagonal

    n = _check_int("n", n, 1)
    samples = _check_int("samples", samples, 1)
    _check_rng(rng)
    # the tridiagonal matrix, its copy and the bisection's work arrays, and the result
    _check_floats(f"the largest eigenvalue of a GOE matrix of size {n}", 12 * n + samples)
    out = np.empty(samples)
    for s in range(samples):
        d, e = goe_tridiagonal(n, rng)
        if n == 1:
            out[s] = d[0]
            continue
        out[s] = eigvalsh_tridiagonal(d, e, select="i", select_range=(n - 1, n - 1))[0]
    return out


def wishart(n: int, m: int, rng: np.random.Generator, entries: str = "gaussian") -> np.ndarray:
    r"""A Wishart (sample covariance) matrix :math:`S = X^\top X / m`, of shape :math:`n \times n`.

    :math:`X` has shape :math:`m \times n` (``m`` samples of dimension ``n``) with independent
    entries of mean 0 and variance 1, so :math:`E[S] = I_n`. As :math:`n, m \to \infty` with
    :math:`n/m \to \lambda`, the spectrum of :math:`S` tends to the Marchenko-Pastur law with
    ``ratio`` :math:`\lambda = n/m` (:func:`~widthlimits.rmt.laws.marchenko_pastur_pdf`). When
    :math:`n > m`, :math:`S` has rank :math:`m` and :math:`n - m` of its eigenvalues are 0.

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
        If ``n < 1``, ``m < 1``, ``entries`` is not a known kind, or the matrices would not fit
        in memory.

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
    law = probability.distribution(_check_entries(entries))
    # X (m x n), X^T X and its symmetrized copy
    _check_floats(f"a Wishart matrix of size {n} from {m} samples", m * n + 3 * n * n)
    x = law.sample(rng, (m, n))
    s = x.T @ x / m
    return (s + s.T) / 2
