r"""The central limit theorem: normalized sums :math:`S_n = (X_1+\dots+X_n)/\sqrt n` and their
Kolmogorov distance to the Gaussian, estimated from samples or exact.

References
----------
* R. Durrett, *Probability: Theory and Examples*, 5th ed., 2019, section 3.4.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import special, stats

from .._checks import check_array, check_callable, check_int, check_memory
from .distributions import distribution
from .edgeworth import edgeworth_distance
from .lln import sample_means

__all__ = ["normalized_sums", "kolmogorov_distance", "clt_distance"]


def normalized_sums(dist: str, n: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    r"""``reps`` samples of :math:`S_n = (X_1 + \dots + X_n)/\sqrt n` for the named distribution.

    Examples
    --------
    >>> s = normalized_sums("exponential", 50, 1000, np.random.default_rng(0))
    >>> s.shape
    (1000,)
    """
    return sample_means(dist, n, reps, rng) * math.sqrt(check_int("n", n, 1))


def kolmogorov_distance(samples, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    r"""The Kolmogorov distance :math:`\sup_x |F_{\mathrm{emp}}(x) - F(x)|` of samples to a CDF.

    The supremum is attained at a sample point, from the left or from the right, so it is computed
    exactly from the sorted samples. ``cdf`` must be vectorized and continuous.

    Examples
    --------
    >>> kolmogorov_distance([0.0], stats.norm.cdf)
    0.5
    """
    check_callable("cdf", cdf)
    x = np.sort(check_array("samples", samples).ravel())
    f = np.asarray(cdf(x))
    if f.shape != x.shape or f.dtype.kind not in "biuf":
        raise ValueError("cdf must be vectorized and return one real number per sample")
    f = f.astype(float)
    if not np.all(np.isfinite(f)):
        raise ValueError("cdf must be vectorized and return finite values")
    k = np.arange(1, x.size + 1)
    return float(max(np.max(k / x.size - f), np.max(f - (k - 1) / x.size)))


def clt_distance(dist: str, n: int) -> float:
    r"""The exact Kolmogorov distance between :math:`S_n` and :math:`N(0, 1)`.

    Available where the law of the sum is known in closed form: ``"rademacher"`` (the sum of
    :math:`n` signs is :math:`2\,\mathrm{Bin}(n, 1/2) - n`; the supremum is at the atoms),
    ``"exponential"`` (the sum of :math:`n` Exp(1) is Gamma(n, 1); the supremum is found on a fine
    grid refined by a bounded scalar search) and ``"gaussian"`` (zero).

    Examples
    --------
    >>> round(clt_distance("rademacher", 1), 4)
    0.3413
    """
    n = check_int("n", n, 1)
    name = distribution(dist).name
    if name == "gaussian":
        return 0.0
    if name == "rademacher":
        check_memory(f"the law of a sum of {n:,} signs", 48.0 * (n + 1))
        k = np.arange(n + 1)
        s = (2 * k - n) / math.sqrt(n)
        upper = stats.binom.cdf(k, n, 0.5)
        lower = upper - stats.binom.pmf(k, n, 0.5)
        phi = special.ndtr(s)
        return float(max(np.max(upper - phi), np.max(phi - lower)))
    if name == "exponential":
        return edgeworth_distance("exponential", n, terms=0)
    raise ValueError(
        f"no closed form for the law of the sum of {name!r}; use 'rademacher', 'exponential' or "
        "'gaussian', or estimate with kolmogorov_distance(normalized_sums(...), cdf)"
    )
