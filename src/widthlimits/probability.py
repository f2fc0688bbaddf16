r"""Part II: the law of large numbers, the central limit theorem and the moment method.

Everything the book's Part II computes lives here: named distributions with their exact moments,
sample means and their root-mean-square error, coordinate averages
:math:`\frac1n\sum_\alpha \phi(x_\alpha)`, normalized sums :math:`S_n = (X_1+\dots+X_n)/\sqrt n`,
their exact finite-:math:`n` moments computed from set partitions, and the perfect matchings that
count the Gaussian moments :math:`(k-1)!!`.

References
----------
* R. Durrett, *Probability: Theory and Examples*, 5th ed., 2019, sections 2.2 and 3.4.
* P. Billingsley, *Probability and Measure*, 3rd ed., 1995, section 30 (the method of moments).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import special, stats

from ._checks import check_int as _check_int
from ._checks import check_rng as _check_rng
from .stats import rms_se

__all__ = [
    "Distribution",
    "DISTRIBUTIONS",
    "distribution",
    "sample_means",
    "sample_mean_rmse",
    "coordinate_average",
    "gaussian_expectation",
    "normalized_sums",
    "kolmogorov_distance",
    "clt_distance",
    "cumulants",
    "edgeworth_cdf",
    "edgeworth_distance",
    "edgeworth_constant",
    "preactivation_pairs",
    "orthant_probability",
    "double_factorial",
    "gaussian_moment",
    "set_partitions",
    "pairings",
    "normalized_sum_moment",
]


# ----------------------------------------------------------------------------------------------
# Distributions
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Distribution:
    """A named distribution with mean 0 and variance 1, and its exact raw moments.

    ``moment(j)`` is :math:`E[X^j]` as an exact :class:`fractions.Fraction`, and
    ``sample(rng, size)`` draws from it. ``third_abs`` is :math:`E|X|^3`, the constant of the
    Berry-Esseen bound.

    Examples
    --------
    >>> d = DISTRIBUTIONS["uniform"]
    >>> d.description, d.moment(2), d.lattice
    ('uniform on [-√3, √3]', Fraction(1, 1), False)
    """

    name: str
    description: str
    _moment: Callable[[int], Fraction]
    _sample: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]
    third_abs: float
    lattice: bool = False

    def moment(self, j: int) -> Fraction:
        """Return :math:`E[X^j]` exactly.

        Examples
        --------
        >>> distribution("rademacher").moment(4)
        Fraction(1, 1)
        """
        if not isinstance(j, (int, np.integer)) or j < 0:
            raise ValueError(f"a moment order must be an integer >= 0, got {j!r}")
        return self._moment(int(j))

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        """Draw ``size`` independent samples with ``rng``.

        Examples
        --------
        >>> x = distribution("uniform").sample(np.random.default_rng(0), 5)
        >>> x.shape, bool(np.all(np.abs(x) <= 3 ** 0.5))
        ((5,), True)
        """
        _check_rng(rng)
        return self._sample(rng, size)


def _exp_moment(j: int) -> Fraction:
    # X = E - 1 with E ~ Exp(1): E[X^j] = sum_i C(j,i) i! (-1)^(j-i) = !j (the subfactorial)
    terms = (math.comb(j, i) * math.factorial(i) * (-1) ** (j - i) for i in range(j + 1))
    return Fraction(sum(terms))


def _uniform_moment(j: int) -> Fraction:
    # X uniform on [-sqrt 3, sqrt 3]: E[X^j] = 3^(j/2) / (j+1) for even j, else 0.
    return Fraction(3 ** (j // 2), j + 1) if j % 2 == 0 else Fraction(0)


DISTRIBUTIONS: dict[str, Distribution] = {
    "rademacher": Distribution(
        "rademacher",
        "±1 with probability 1/2 each",
        lambda j: Fraction(1 if j % 2 == 0 else 0),
        lambda rng, size: rng.integers(0, 2, size=size).astype(float) * 2.0 - 1.0,
        third_abs=1.0,
        lattice=True,
    ),
    "uniform": Distribution(
        "uniform",
        "uniform on [-√3, √3]",
        _uniform_moment,
        lambda rng, size: rng.uniform(-math.sqrt(3), math.sqrt(3), size=size),
        third_abs=3 * math.sqrt(3) / 4,
    ),
    "exponential": Distribution(
        "exponential",
        "Exp(1) - 1, a skewed distribution",
        _exp_moment,
        lambda rng, size: rng.exponential(1.0, size=size) - 1.0,
        third_abs=12 / math.e - 2,
    ),
    "gaussian": Distribution(
        "gaussian",
        "standard normal N(0, 1)",
        lambda j: Fraction(double_factorial(j - 1)) if j % 2 == 0 else Fraction(0),
        lambda rng, size: rng.standard_normal(size=size),
        third_abs=2 * math.sqrt(2 / math.pi),
    ),
}


def distribution(name: str) -> Distribution:
    """Look up one of the book's standardized distributions by name.

    The names are ``"rademacher"``, ``"uniform"``, ``"exponential"`` and ``"gaussian"``; each has
    mean 0 and variance 1.

    Examples
    --------
    >>> d = distribution("exponential")
    >>> d.moment(1), d.moment(2), d.moment(3), d.moment(4)
    (Fraction(0, 1), Fraction(1, 1), Fraction(2, 1), Fraction(9, 1))
    """
    if name not in DISTRIBUTIONS:
        raise ValueError(f"unknown distribution {name!r}; expected one of {sorted(DISTRIBUTIONS)}")
    return DISTRIBUTIONS[name]


def _moments(dist: str | dict[int, object], k: int) -> dict[int, object]:
    """The raw moments {j: E[X^j]} for j = 1..k, from a distribution name or a dict of them."""
    if isinstance(dist, str):
        d = distribution(dist)
        return {j: d.moment(j) for j in range(1, k + 1)}
    if isinstance(dist, dict):
        missing = [j for j in range(1, k + 1) if j not in dist]
        if missing:
            raise ValueError(f"the moments dict must hold orders 1..{k}; missing {missing}")
        return dict(dist)
    raise TypeError(f"dist must be a distribution name or a dict of moments, got {dist!r}")


# ----------------------------------------------------------------------------------------------
# The law of large numbers
# ----------------------------------------------------------------------------------------------
def sample_means(dist: str, n: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``reps`` independent sample means of ``n`` draws from the named distribution.

    Examples
    --------
    >>> m = sample_means("uniform", 1000, 200, np.random.default_rng(1))
    >>> m.shape, bool(abs(m.mean()) < 0.01)
    ((200,), True)
    """
    d = distribution(dist)
    n = _check_int("n", n, 1)
    reps = _check_int("reps", reps, 1)
    _check_rng(rng)
    out = np.empty(reps)
    chunk = max(1, 2_000_000 // n)  # bound memory at ~16 MB per chunk
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
    ns = [_check_int("n", n, 1) for n in np.atleast_1d(ns)]
    reps = _check_int("reps", reps, 2)
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
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x must be a non-empty vector, got shape {x.shape}")
    y = np.asarray(phi(x), dtype=float)
    if y.shape != x.shape:
        raise ValueError(f"phi must act coordinatewise: got shape {y.shape} for input {x.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("phi returned a non-finite value")
    return float(y.mean())


def gaussian_expectation(
    phi: Callable[[np.ndarray], np.ndarray], var: float = 1.0, nodes: int = 200
) -> float:
    r""":math:`E\,\phi(Z)` for :math:`Z \sim N(0, \mathrm{var})` by Gauss-Hermite quadrature.

    Exact for polynomials of degree below ``2 * nodes``; for smooth :math:`\phi` of moderate growth
    the error falls faster than any power of ``nodes``.

    Examples
    --------
    >>> round(gaussian_expectation(lambda z: z ** 4, var=2.0), 10)
    12.0
    """
    if not var >= 0 or not math.isfinite(var):
        raise ValueError(f"var must be a finite number >= 0, got {var}")
    nodes = _check_int("nodes", nodes, 1)
    if nodes > 300:
        raise ValueError(f"nodes must be at most 300 (numpy's Gauss-Hermite rule), got {nodes}")
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    vals = np.asarray(phi(math.sqrt(var) * z), dtype=float)
    if vals.shape != z.shape or not np.all(np.isfinite(vals)):
        raise ValueError("phi must be vectorized and return finite values")
    return float(w @ vals / math.sqrt(2 * math.pi))


# ----------------------------------------------------------------------------------------------
# The central limit theorem
# ----------------------------------------------------------------------------------------------
def normalized_sums(dist: str, n: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    r"""``reps`` samples of :math:`S_n = (X_1 + \dots + X_n)/\sqrt n` for the named distribution.

    Examples
    --------
    >>> s = normalized_sums("exponential", 50, 1000, np.random.default_rng(0))
    >>> s.shape
    (1000,)
    """
    return sample_means(dist, n, reps, rng) * math.sqrt(_check_int("n", n, 1))


def kolmogorov_distance(samples, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    r"""The Kolmogorov distance :math:`\sup_x |F_{\mathrm{emp}}(x) - F(x)|` of samples to a CDF.

    The supremum is attained at a sample point, from the left or from the right, so it is computed
    exactly from the sorted samples. ``cdf`` must be vectorized and continuous.

    Examples
    --------
    >>> kolmogorov_distance([0.0], stats.norm.cdf)
    0.5
    """
    x = np.sort(np.asarray(samples, dtype=float).ravel())
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError("samples must be a non-empty array of finite numbers")
    f = np.asarray(cdf(x), dtype=float)
    if f.shape != x.shape or not np.all(np.isfinite(f)):
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
    n = _check_int("n", n, 1)
    if dist == "gaussian":
        return 0.0
    if dist == "rademacher":
        k = np.arange(n + 1)
        s = (2 * k - n) / math.sqrt(n)
        upper = stats.binom.cdf(k, n, 0.5)
        lower = upper - stats.binom.pmf(k, n, 0.5)
        phi = special.ndtr(s)
        return float(max(np.max(upper - phi), np.max(phi - lower)))
    if dist == "exponential":
        return edgeworth_distance("exponential", n, terms=0)
    raise ValueError(
        f"no closed form for the law of the sum of {dist!r}; use 'rademacher', 'exponential' or "
        "'gaussian', or estimate with kolmogorov_distance(normalized_sums(...), cdf)"
    )


def cumulants(dist: str | dict[int, object], k: int) -> list:
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
        A distribution name (see :func:`distribution`) or a dict ``{j: E[X^j]}`` holding at least
        the orders 1..k.
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
    k = _check_int("k", k, 1)
    moments = _moments(dist, k)
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
        Points at which to evaluate.
    n : int
        The number of summands, >= 1.
    dist : str
        A distribution name (see :func:`distribution`).
    terms : int
        0 (the normal approximation), 1, 2 or 3.

    Examples
    --------
    >>> round(float(edgeworth_cdf(0.0, 100, "exponential")), 6)   # 1/2 + kappa_3 phi(0)/(6 sqrt n)
    0.513298
    """
    n = _check_int("n", n, 1)
    terms = _check_int("terms", terms, 0)
    if terms > 3:
        raise ValueError(f"terms must be 0, 1, 2 or 3, got {terms}")
    x = np.asarray(x, dtype=float)
    kappa = cumulants(dist, 5)
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
    0.1331
    >>> round(edgeworth_distance("exponential", 100, terms=1) * 100, 3)  # n E_n
    0.068
    """
    n = _check_int("n", n, 1)
    terms = _check_int("terms", terms, 0)
    d = distribution(dist)
    if d.lattice:
        raise ValueError(
            f"{dist!r} is a lattice law: the Edgeworth expansion does not apply to it (its CDF "
            "jumps by about 2 phi(0)/sqrt(n) at the atoms); use clt_distance"
        )
    if dist == "gaussian":
        return 0.0
    if dist != "exponential":
        raise ValueError(
            f"no closed form for the law of the sum of {dist!r}; use 'exponential' or 'gaussian'"
        )
    root = math.sqrt(n)

    def gap(x):
        return np.abs(stats.gamma.cdf(n + root * x, n) - edgeworth_cdf(x, n, dist, terms))

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
    j = _check_int("j", j, 1)
    if j > 3:
        raise ValueError(f"j must be 1, 2 or 3, got {j}")
    q = _edgeworth_polynomials(cumulants(dist, 5), j)[-1]

    def size(x):
        return np.abs(stats.norm.pdf(x) * np.polynomial.hermite_e.hermeval(x, q))

    return _sup_abs(size, -8.0, 8.0)


# ----------------------------------------------------------------------------------------------
# Several inputs at once: the multivariate CLT
# ----------------------------------------------------------------------------------------------
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
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size == 0:
        raise ValueError(f"x and y must be vectors of one length, got shapes {x.shape}, {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must hold finite numbers")
    reps = _check_int("reps", reps, 1)
    d = distribution(weights)
    _check_rng(rng)
    n = x.size
    xy = np.stack([x, y], axis=1) / math.sqrt(n)
    out = np.empty((reps, 2))
    chunk = max(1, 2_000_000 // n)
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
    if not -1.0 <= rho <= 1.0:
        raise ValueError(f"a correlation must lie in [-1, 1], got {rho}")
    return 0.25 + math.asin(rho) / (2 * math.pi)


# ----------------------------------------------------------------------------------------------
# The moment method: matchings and set partitions
# ----------------------------------------------------------------------------------------------
def double_factorial(k: int) -> int:
    """:math:`k!! = k (k-2) (k-4) \\cdots`, with :math:`0!! = (-1)!! = 1`.

    Examples
    --------
    >>> [double_factorial(k) for k in (-1, 0, 1, 3, 5, 7)]
    [1, 1, 1, 3, 15, 105]
    """
    k = _check_int("k", k, -1)
    return math.prod(range(k, 0, -2)) if k > 0 else 1


def gaussian_moment(k: int, var: float = 1.0) -> float:
    r""":math:`E[Z^k]` for :math:`Z \sim N(0, \mathrm{var})`.

    It is :math:`(k-1)!!\,\mathrm{var}^{k/2}` for even :math:`k`, and 0 for odd
    :math:`k`. It counts the perfect matchings of :math:`k` points.

    Examples
    --------
    >>> gaussian_moment(6), gaussian_moment(3)
    (15.0, 0.0)
    """
    k = _check_int("k", k, 0)
    if not var >= 0:
        raise ValueError(f"var must be >= 0, got {var}")
    return float(double_factorial(k - 1) * var ** (k // 2)) if k % 2 == 0 else 0.0


def set_partitions(k: int) -> Iterator[tuple[tuple[int, ...], ...]]:
    """All set partitions of ``{0, ..., k-1}``, each a tuple of blocks in order of first element.

    There are Bell(k) of them: 1, 1, 2, 5, 15, 52, ...

    Examples
    --------
    >>> list(set_partitions(3))
    [((0, 1, 2),), ((0, 1), (2,)), ((0, 2), (1,)), ((0,), (1, 2)), ((0,), (1,), (2,))]
    """
    k = _check_int("k", k, 0)

    def rec(i: int, blocks: list[list[int]]):
        if i == k:
            yield tuple(tuple(b) for b in blocks)
            return
        for b in blocks:
            b.append(i)
            yield from rec(i + 1, blocks)
            b.pop()
        blocks.append([i])
        yield from rec(i + 1, blocks)
        blocks.pop()

    yield from rec(0, [])


def pairings(m: int) -> Iterator[tuple[tuple[int, int], ...]]:
    """All perfect matchings of ``{0, ..., m-1}``, each a tuple of pairs ``(i, j)`` with ``i < j``.

    The pairs of a matching are sorted by their first element, and the matchings come in
    lexicographic order. There are :math:`(m-1)!!` of them for even ``m``, and ``m`` must be even.

    Examples
    --------
    >>> list(pairings(4))
    [((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))]
    >>> sum(1 for _ in pairings(8)) == double_factorial(7)
    True
    """
    m = _check_int("m", m, 0)
    if m % 2:
        raise ValueError(f"a perfect matching needs an even number of points, got m = {m}")

    def rec(rest: tuple[int, ...]):
        if not rest:
            yield ()
            return
        first = rest[0]
        for idx in range(1, len(rest)):
            pair = (first, rest[idx])
            for tail in rec(rest[1:idx] + rest[idx + 1 :]):
                yield (pair, *tail)

    yield from rec(tuple(range(m)))


def _block_types(k: int, smallest: int = 2) -> Iterator[tuple[int, ...]]:
    """Integer partitions of k into parts >= ``smallest``, in non-increasing order."""

    def rec(rest: int, largest: int):
        if rest == 0:
            yield ()
            return
        for part in range(min(rest, largest), smallest - 1, -1):
            for tail in rec(rest - part, part):
                yield (part, *tail)

    yield from rec(k, k)


def normalized_sum_moment(k: int, n: int, dist: str | dict[int, object] = "rademacher"):
    r"""Exact :math:`E[S_n^k]` for :math:`S_n = (X_1+\dots+X_n)/\sqrt n` with iid mean-zero
    :math:`X_i`.

    Expanding :math:`(X_1+\dots+X_n)^k` and grouping the :math:`k` factors by which index they
    carry gives a sum over set partitions :math:`\pi` of :math:`\{1..k\}`:

    .. math::
        E\Big[\big(\textstyle\sum_i X_i\big)^k\Big] = \sum_{\pi}
        n(n-1)\cdots(n-|\pi|+1) \prod_{B \in \pi} m_{|B|},

    where :math:`m_j = E[X^j]`. Partitions with a singleton block vanish because :math:`m_1 = 0`.
    Partitions are grouped by their block sizes, a type with :math:`c_j` blocks of size :math:`j`
    counting :math:`k!/\prod_j (j!)^{c_j} c_j!` partitions. As :math:`n\to\infty` only the
    pairings survive, and the moment tends to :math:`(k-1)!!` when :math:`m_2 = 1`.

    Parameters
    ----------
    k : int
        The moment's order, >= 0.
    n : int
        The number of summands, >= 1.
    dist : str or dict
        A distribution name (see :func:`distribution`), or a dict ``{j: E[X^j]}`` holding at least
        the orders 1..k. Its first moment must be 0.

    Returns
    -------
    fractions.Fraction or float
        Exact when the moments are integers or fractions; a float otherwise.

    Examples
    --------
    >>> normalized_sum_moment(4, 10)       # Rademacher: 3 - 2/n
    Fraction(14, 5)
    >>> normalized_sum_moment(4, 10, "exponential")   # 3 + (m4 - 3)/n = 3 + 6/n
    Fraction(18, 5)
    """
    k = _check_int("k", k, 0)
    n = _check_int("n", n, 1)
    moments = _moments(dist, k)
    if k >= 1 and moments[1] != 0:
        raise ValueError(
            f"the summands must have mean zero (E[X] = 0), got E[X] = {moments[1]}; center them"
        )
    exact = all(isinstance(v, (int, Fraction)) for v in moments.values())
    total = Fraction(0) if exact else 0.0
    for sizes in _block_types(k):
        count = math.factorial(k)
        for j in set(sizes):
            c = sizes.count(j)
            count //= math.factorial(j) ** c * math.factorial(c)
        falling = math.prod(range(n, n - len(sizes), -1))
        term = count * falling
        for j in sizes:
            term = term * moments[j]
        total += term
    if k == 0:
        return Fraction(1) if exact else 1.0
    if k % 2 == 0:
        scale = Fraction(n ** (k // 2)) if exact else float(n) ** (k / 2)
        return total / scale
    return (total / Fraction(n ** (k // 2))) / math.sqrt(n) if exact else total / n ** (k / 2)
