r"""Several inputs at once, the multivariate CLT: pairs of preactivations of one random layer, and
Sheppard's orthant probability of a Gaussian pair.

References
----------
* R. Durrett, *Probability: Theory and Examples*, 5th ed., 2019, section 3.10 (the CLT in
  :math:`\mathbb R^d`, Cramér-Wold).
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_array, check_int, check_memory, check_real, check_rng
from .distributions import distribution

__all__ = ["preactivation_pairs", "orthant_probability"]

_CHUNK = 2_000_000


def preactivation_pairs(
    x, y, reps: int, rng: np.random.Generator, weights: str = "rademacher"
) -> np.ndarray:
    r"""``reps`` independent draws of :math:`(w\cdot x, w\cdot y)/\sqrt n` for a random row
    :math:`w`.

    :math:`w \in \mathbb R^n` has iid coordinates from the named standardized distribution, so
    each draw is one coordinate :math:`(h_\alpha, g_\alpha)` of the preactivations
    :math:`h = Wx`, :math:`g = Wy` of a layer with weights :math:`W_{\alpha\beta} = w/\sqrt n`.
    Its covariance is exactly :math:`\frac1n\begin{pmatrix}|x|^2 & x\cdot y\\ x\cdot y &
    |y|^2\end{pmatrix}`; by the multivariate CLT (Cramér-Wold) its law is close to that
    Gaussian when no coordinate of :math:`x` or :math:`y` dominates.

    Returns
    -------
    numpy.ndarray
        Shape ``(reps, 2)``.

    Examples
    --------
    >>> x = np.ones(4)
    >>> preactivation_pairs(x, -x, 3, np.random.default_rng(0)).sum(axis=1)
    array([0., 0., 0.])
    """
    x = check_array("x", x, ndim=1)
    y = check_array("y", y, ndim=1)
    if x.shape != y.shape:
        raise ValueError(f"x and y must be vectors of one length, got shapes {x.shape}, {y.shape}")
    reps = check_int("reps", reps, 1)
    check_rng(rng)
    d = distribution(weights)
    n = x.size
    check_memory(f"{reps:,} preactivation pairs", 16.0 * reps + 8.0 * max(n, _CHUNK))
    xy = np.stack([x, y], axis=1) / math.sqrt(n)
    out = np.empty((reps, 2))
    chunk = max(1, _CHUNK // n)
    for start in range(0, reps, chunk):
        stop = min(reps, start + chunk)
        out[start:stop] = d.sample(rng, (stop - start, n)) @ xy
    return out


def orthant_probability(rho: float) -> float:
    r"""Sheppard's formula: :math:`P(U > 0, V > 0) = \frac14 + \frac{\arcsin \rho}{2\pi}` for a
    centered Gaussian pair with correlation :math:`\rho`.

    Examples
    --------
    >>> orthant_probability(0.0), orthant_probability(1.0)
    (0.25, 0.5)
    """
    rho = check_real("rho", rho, -1.0, 1.0)
    return 0.25 + math.asin(rho) / (2 * math.pi)
