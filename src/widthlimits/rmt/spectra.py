r"""The empirical spectra of Part III's random matrices.

:func:`esd_moments`, :func:`kolmogorov_distance` and :func:`wigner_trace_moments` summarize the
spectrum of a draw of :mod:`widthlimits.rmt.ensembles`, for comparison with the limit laws of
:mod:`widthlimits.rmt.laws`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import probability
from .._checks import check_array as _check_array
from .._checks import check_callable as _check_callable
from .._checks import check_int as _check_int
from .._checks import check_memory as _check_memory
from .._checks import check_rng as _check_rng
from .ensembles import _check_entries, wigner


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
        If the eigenvalues are empty or not finite, ``kmax < 0``, or the moments overflow.
    TypeError
        If the eigenvalues are not an array of real numbers or ``kmax`` not an integer.

    Examples
    --------
    >>> esd_moments([-1.0, 1.0, 2.0], 3).tolist()
    [1.0, 0.6666666666666666, 2.0, 2.6666666666666665]
    """
    lam = _check_array("eigenvalues", eigenvalues)
    kmax = _check_int("kmax", kmax, 0)
    if lam.ndim == 0:
        raise ValueError("eigenvalues must be a non-empty array of finite numbers, got a scalar")
    _check_memory(
        f"the moments up to kmax = {kmax} of {lam.size // lam.shape[-1]} spectra",
        8.0 * ((kmax + 1) * (lam.size // lam.shape[-1]) + 2 * lam.size),
    )
    out = np.empty(lam.shape[:-1] + (kmax + 1,))
    power = np.ones_like(lam)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(kmax + 1):
            out[..., k] = power.mean(axis=-1)
            power = power * lam
    if not np.all(np.isfinite(out)):
        raise ValueError(
            f"the moments up to kmax = {kmax} overflow floating point for these eigenvalues; "
            "choose a smaller kmax"
        )
    return out


def kolmogorov_distance(eigenvalues, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    r"""The Kolmogorov distance :math:`\sup_x |F_{\mu_W}(x) - F(x)|` between the empirical
    spectral distribution of ``eigenvalues`` and a limit law with CDF ``cdf``.

    The same computation as :func:`~widthlimits.probability.clt.kolmogorov_distance` (the
    supremum is attained next to an eigenvalue, so it is exact from the sorted list). ``cdf``
    must be vectorized and *continuous*: for a Marchenko-Pastur law with :math:`\lambda > 1`,
    compare the nonzero eigenvalues with the law's continuous part instead of the atom at 0.

    Examples
    --------
    >>> from widthlimits.rmt.laws import semicircle_cdf
    >>> eigs = np.linalg.eigvalsh(wigner(1000, np.random.default_rng(0)))
    >>> kolmogorov_distance(eigs, semicircle_cdf) < 0.01
    True
    """
    eigenvalues = _check_array("eigenvalues", eigenvalues)
    _check_callable("cdf", cdf)
    return probability.kolmogorov_distance(eigenvalues, cdf)


def wigner_trace_moments(
    n: int, kmax: int, rng: np.random.Generator, *, samples: int = 1, entries: str = "gaussian"
) -> np.ndarray:
    r"""Normalized traces :math:`\frac1n \operatorname{tr} W^k`, :math:`k = 0, \dots, k_{\max}`, of
    ``samples`` independent Wigner matrices.

    Each matrix is drawn by :func:`~widthlimits.rmt.ensembles.wigner`; its eigenvalues are
    computed in batches of at most about two million matrix entries and passed to
    :func:`esd_moments`.

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
    entries = _check_entries(entries)
    # one batch: the matrices (three arrays while drawn), their eigenvalues and powers; the result
    _check_memory(
        f"the trace moments of Wigner matrices of size {n}",
        8.0 * (3 * max(n * n, 2_000_000) + samples * (kmax + 1)),
    )
    batch = max(1, 2_000_000 // (n * n))
    out = []
    for start in range(0, samples, batch):
        w = wigner(n, rng, entries, size=min(batch, samples - start))
        out.append(esd_moments(np.linalg.eigvalsh(w), kmax))
    return np.concatenate(out)
