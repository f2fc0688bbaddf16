r"""Cumulants and the Edgeworth expansion: the corrections to the CLT at finite :math:`n`.

References
----------
* W. Feller, *An Introduction to Probability Theory and Its Applications*, vol. II, 2nd ed.,
  1971, section XVI.4.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import special, stats

from .._checks import check_array, check_int
from .distributions import distribution, moments_of

__all__ = ["cumulants", "edgeworth_cdf", "edgeworth_distance", "edgeworth_constant"]


def cumulants(dist, k: int) -> list:
    r"""The cumulants :math:`\kappa_1, \dots, \kappa_k` of a distribution, from its raw moments.

    The cumulants are the Taylor coefficients of the log moment generating function,
    :math:`\log E e^{tX} = \sum_j \kappa_j t^j / j!`. They are computed from the moments
    :math:`m_j = E[X^j]` by the recursion

    .. math::
        \kappa_j = m_j - \sum_{i=1}^{j-1} \binom{j-1}{i-1} \kappa_i\, m_{j-i}.

    For mean 0 and variance 1, :math:`\kappa_3 = E[X^3]` is the skewness and
    :math:`\kappa_4 = E[X^4] - 3` the excess kurtosis. The cumulants of
    :math:`S_n = (X_1 + \dots + X_n)/\sqrt n` are :math:`\kappa_j n^{1 - j/2}`.

    Parameters
    ----------
    dist : str or dict
        A distribution name (see
        :func:`~widthlimits.probability.distributions.distribution`) or a dict ``{j: E[X^j]}``
        holding at least the orders 1..k.
    k : int
        The number of cumulants, >= 1.

    Returns
    -------
    list
        ``[kappa_1, ..., kappa_k]``, exact :class:`fractions.Fraction` values when the moments are.

    Examples
    --------
    >>> [int(c) for c in cumulants("exponential", 6)]     # (j-1)! for Exp(1)
    [0, 1, 2, 6, 24, 120]
    >>> cumulants("uniform", 4)[3]
    Fraction(-6, 5)
    """
    k = check_int("k", k, 1)
    moments = moments_of(dist, k)
    kappa: list = []
    for j in range(1, k + 1):
        c = moments[j]
        for i in range(1, j):
            c = c - math.comb(j - 1, i - 1) * kappa[i - 1] * moments[j - i]
        kappa.append(c)
    return kappa


def _edgeworth_polynomials(kappa: list, terms: int) -> list[np.ndarray]:
    """Coefficients (in the Hermite basis He_0, He_1, ...) of q_1, ..., q_terms."""
    k3, k4 = float(kappa[2]), float(kappa[3]) if len(kappa) > 3 else 0.0
    k5 = float(kappa[4]) if len(kappa) > 4 else 0.0

    def he(coeffs: dict[int, float]) -> np.ndarray:
        out = np.zeros(max(coeffs) + 1)
        for deg, c in coeffs.items():
            out[deg] += c
        return out

    q = [
        he({2: k3 / 6}),
        he({3: k4 / 24, 5: k3**2 / 72}),
        he({4: k5 / 120, 6: k3 * k4 / 144, 8: k3**3 / 1296}),
    ]
    return q[:terms]


def _terms(terms) -> int:
    return check_int("terms", terms, 0, 3)


def edgeworth_cdf(x, n: int, dist: str, terms: int = 1) -> np.ndarray:
    r"""The Edgeworth approximation to :math:`P(S_n \le x)` with ``terms`` correction terms.

    .. math::
        P(S_n \le x) \approx \Phi(x) - \varphi(x) \sum_{j=1}^{\mathrm{terms}} n^{-j/2} q_j(x),

    with :math:`q_1 = \frac{\kappa_3}{6} He_2`,
    :math:`q_2 = \frac{\kappa_4}{24} He_3 + \frac{\kappa_3^2}{72} He_5` and
    :math:`q_3 = \frac{\kappa_5}{120} He_4 + \frac{\kappa_3\kappa_4}{144} He_6 +
    \frac{\kappa_3^3}{1296} He_8`, where :math:`He_k` are the probabilists' Hermite polynomials
    (:math:`He_k \varphi = (-1)^k \varphi^{(k)}`: :math:`He_2 = x^2 - 1`,
    :math:`He_3 = x^3 - 3x`, ...) and :math:`\kappa_j` the cumulants of the standardized summand.
    Under the conditions of Feller (1971), section XVI.4, (a non-lattice law; for more than one
    term, Cramér's condition and finite moments of order ``terms + 2``) the error is
    :math:`o(n^{-\mathrm{terms}/2})` uniformly in :math:`x`. For a lattice law (random signs) the
    expansion is wrong at order :math:`n^{-1/2}`.

    Parameters
    ----------
    x : array_like
        Points at which to evaluate (finite reals).
    n : int
        The number of summands, >= 1.
    dist : str
        A distribution name (see :func:`~widthlimits.probability.distributions.distribution`).
    terms : int
        0 (the normal approximation), 1, 2 or 3.

    Examples
    --------
    >>> round(float(edgeworth_cdf(0.0, 100, "exponential")), 6)   # 1/2 + kappa_3 phi(0)/(6 sqrt n)
    0.513298
    """
    n = check_int("n", n, 1)
    terms = _terms(terms)
    x = check_array("x", x)
    kappa = cumulants(distribution(dist), 5)
    return _edgeworth(x, n, kappa, terms)


def _edgeworth(x: np.ndarray, n: int, kappa: list, terms: int) -> np.ndarray:
    out = special.ndtr(x)
    for j, q in enumerate(_edgeworth_polynomials(kappa, terms), start=1):
        out = out - stats.norm.pdf(x) * np.polynomial.hermite_e.hermeval(x, q) / n ** (j / 2)
    return out


def _sup_abs(gap: Callable[[np.ndarray], np.ndarray], lo: float, hi: float) -> float:
    """sup of a smooth |gap| on [lo, hi]: a fine grid, refined by a bounded scalar search."""
    from scipy.optimize import minimize_scalar

    grid = np.linspace(lo, hi, 8001)
    values = gap(grid)
    i = int(np.argmax(values))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = minimize_scalar(
        lambda t: -float(gap(np.array([t]))[0]),
        bounds=(a, b),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(max(values[i], -res.fun))


def edgeworth_distance(dist: str, n: int, terms: int = 0) -> float:
    r"""The exact :math:`\sup_x |P(S_n \le x) - \text{Edgeworth}_{\mathrm{terms}}(x)|`.

    With ``terms = 0`` this is the Kolmogorov distance to :math:`N(0,1)`. The law of
    :math:`S_n` must be known exactly: ``"exponential"`` (the sum of :math:`n` Exp(1) variables
    is Gamma(n, 1)) or ``"gaussian"``. Lattice laws are refused: the expansion of
    :func:`edgeworth_cdf` does not describe them.

    Under Cramér's condition with all moments finite (true for the exponential, which has a
    density), the result is of order :math:`n^{-(\mathrm{terms}+1)/2}`, and
    :math:`n^{(\mathrm{terms}+1)/2}` times it tends to :math:`\sup_x |\varphi(x)
    q_{\mathrm{terms}+1}(x)|`.

    Examples
    --------
    >>> round(edgeworth_distance("exponential", 100, terms=0) * 10, 4)   # sqrt(n) D_n
    0.133
    >>> round(edgeworth_distance("exponential", 100, terms=1) * 100, 3)  # n E_n
    0.068
    """
    n = check_int("n", n, 1)
    terms = _terms(terms)
    d = distribution(dist)
    if d.lattice:
        raise ValueError(
            f"{d.name!r} is a lattice law: the Edgeworth expansion does not apply to it (its CDF "
            "jumps by about 2 phi(0)/sqrt(n) at the atoms); use clt_distance"
        )
    if d.name == "gaussian":
        return 0.0
    if d.name != "exponential":
        raise ValueError(
            f"no closed form for the law of the sum of {d.name!r}; use 'exponential' or 'gaussian'"
        )
    root = math.sqrt(n)
    kappa = cumulants(d, 5)

    def gap(x):
        return np.abs(stats.gamma.cdf(n + root * x, n) - _edgeworth(x, n, kappa, terms))

    return _sup_abs(gap, -min(root, 8.0) if terms == 0 else -8.0, 8.0)


def edgeworth_constant(dist: str, j: int) -> float:
    r"""The size :math:`\sup_x |\varphi(x)\, q_j(x)|` of the :math:`j`-th Edgeworth term.

    It is the predicted limit of :math:`n^{j/2}` times :func:`edgeworth_distance` with
    ``terms = j - 1``: for ``j = 1``, :math:`\sqrt n\, D_n \to |\kappa_3|\varphi(0)/6` (the
    supremum of :math:`|x^2 - 1|\varphi(x)` is at :math:`x = 0`). The prediction holds for
    non-lattice laws under the conditions of :func:`edgeworth_cdf`; for a lattice law it is wrong
    (random signs have :math:`\kappa_3 = 0`, so ``j = 1`` gives 0, yet
    :math:`\sqrt n\, D_n \to \varphi(0)`).

    Examples
    --------
    >>> round(edgeworth_constant("exponential", 1) * 6 * math.sqrt(2 * math.pi), 12)
    2.0
    """
    j = check_int("j", j, 1, 3)
    q = _edgeworth_polynomials(cumulants(distribution(dist), 5), j)[-1]

    def size(x):
        return np.abs(stats.norm.pdf(x) * np.polynomial.hermite_e.hermeval(x, q))

    return _sup_abs(size, -8.0, 8.0)
