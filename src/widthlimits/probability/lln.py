r"""The law of large numbers: sample means, their root-mean-square error, and coordinate averages
:math:`\frac1n\sum_\alpha \phi(x_\alpha)`.

References
----------
* R. Durrett, *Probability: Theory and Examples*, 5th ed., 2019, section 2.2.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._checks import (
    check_array,
    check_callable,
    check_int,
    check_ints,
    check_memory,
    check_rng,
    check_values,
)
from ..stats import rms_se
from .distributions import distribution

__all__ = ["sample_means", "sample_mean_rmse", "coordinate_average"]

_CHUNK = 2_000_000  # draws per chunk: about 16 MB


def sample_means(dist: str, n: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``reps`` independent sample means of ``n`` draws from the named distribution.

    Examples
    --------
    >>> m = sample_means("uniform", 1000, 200, np.random.default_rng(1))
    >>> m.shape, bool(abs(m.mean()) < 0.01)
    ((200,), True)
    """
    d = distribution(dist)
    n = check_int("n", n, 1)
    reps = check_int("reps", reps, 1)
    check_rng(rng)
    check_memory(f"{reps:,} sample means", 8.0 * reps + 8.0 * max(n, _CHUNK))
    out = np.empty(reps)
    chunk = max(1, _CHUNK // n)  # bound memory at ~16 MB per chunk
    for start in range(0, reps, chunk):
        stop = min(reps, start + chunk)
        out[start:stop] = d.sample(rng, (stop - start, n)).mean(axis=1)
    return out


def sample_mean_rmse(dist: str, ns, reps: int, rng: np.random.Generator):
    r"""Root-mean-square error of the sample mean at each ``n`` in ``ns``, with standard errors.

    The RMSE :math:`\sqrt{E[\bar X_n^2]}` is estimated from ``reps`` replicates; its standard
    error comes from the delta method, :math:`\mathrm{se}(\sqrt{m}) = \mathrm{se}(m)/(2\sqrt m)`
    for the mean square :math:`m`. The LLN's rate is :math:`\mathrm{RMSE} = \sigma/\sqrt n`.

    Returns
    -------
    rmse, se : numpy.ndarray
        Arrays of the shape of ``ns``.

    Examples
    --------
    >>> rmse, se = sample_mean_rmse("rademacher", [100, 10000], 400, np.random.default_rng(0))
    >>> [round(float(r), 2) for r in rmse * np.sqrt([100, 10000])]
    [0.99, 0.94]
    """
    distribution(dist)
    ns = check_ints("ns", [ns] if np.ndim(ns) == 0 else ns, 1)
    reps = check_int("reps", reps, 2)
    check_rng(rng)
    check_memory(f"{len(ns)} x {reps:,} sample means", 8.0 * len(ns) * reps)
    return rms_se(np.stack([sample_means(dist, n, reps, rng) for n in ns]), axis=1)


def coordinate_average(phi: Callable[[np.ndarray], np.ndarray], x) -> float:
    r"""The coordinate average :math:`\frac1n\sum_{\alpha=1}^n \phi(x_\alpha)` of a vector ``x``.

    This is the shape of every limit in the book: when the coordinates of ``x`` are (asymptotically)
    iid copies of a random variable :math:`Z`, the average tends to :math:`E\,\phi(Z)`.

    Examples
    --------
    >>> coordinate_average(np.square, np.array([1.0, 2.0, 3.0]))
    4.666666666666667
    """
    check_callable("phi", phi)
    x = check_array("x", x, ndim=1)
    y = check_values("phi (acting coordinatewise)", phi(x), x.shape)
    return float(y.mean())
