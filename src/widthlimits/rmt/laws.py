r"""The limit laws of Part III: the semicircle law and the Marchenko-Pastur law.

Densities, CDFs, moments, the support and independent samples. The semicircle law is the limit
of the spectrum of :func:`~widthlimits.rmt.ensembles.wigner`, the Marchenko-Pastur law with
``ratio`` :math:`\lambda = n/m` that of :func:`~widthlimits.rmt.ensembles.wishart`.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

import numpy as np

from .._checks import check_array as _check_array
from .._checks import check_int as _check_int
from .._checks import check_ints as _check_ints
from .._checks import check_memory as _check_memory
from .._checks import check_real as _check_real
from .._checks import check_rng as _check_rng
from .combinatorics import catalan, narayana


def _check_ratio(ratio) -> float:
    """The aspect ratio n/m of a Marchenko-Pastur law: a finite real number > 0."""
    return _check_real("ratio", ratio, 0.0, low_open=True)


def _real_array(x, name: str = "x") -> np.ndarray:
    """Evaluation points: real numbers, +-inf allowed (the laws have limits there), NaN not."""
    arr = _check_array(name, x, finite=False)
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; a density or CDF at NaN is undefined")
    return arr


def _out(arr: np.ndarray):
    return float(arr) if arr.ndim == 0 else arr


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
    :func:`~widthlimits.rmt.ensembles.wigner`.

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

    Parameters
    ----------
    size : int or tuple of int
        The number of samples, or the shape of the array of samples.
    rng : numpy.random.Generator

    Examples
    --------
    >>> x = semicircle_sample(100_000, np.random.default_rng(0))
    >>> bool(np.all(np.abs(x) <= 2)), round(float(np.mean(x ** 2)), 1)
    (True, 1.0)
    """
    shape = _check_size(size)
    _check_rng(rng)
    _check_memory(f"{math.prod(shape)} semicircle samples", 8.0 * 3 * math.prod(shape))
    u = rng.random(size)
    v = rng.random(size)
    return 2.0 * np.sqrt(u) * np.cos(2 * np.pi * v)


def _check_size(size) -> tuple[int, ...]:
    """A sample size: an int >= 1, or a shape (a sequence of them)."""
    if isinstance(size, (list, tuple, np.ndarray)):
        return tuple(_check_ints("size", size, 1))
    return (_check_int("size", size, 1),)


def marchenko_pastur_support(ratio: float) -> tuple[float, float]:
    r"""The edges :math:`((1-\sqrt\lambda)^2, (1+\sqrt\lambda)^2)` of the Marchenko-Pastur
    density for ``ratio`` :math:`\lambda = n/m`.

    Examples
    --------
    >>> marchenko_pastur_support(0.25)
    (0.25, 2.25)
    """
    r = math.sqrt(_check_ratio(ratio))
    return ((1 - r) ** 2, (1 + r) ** 2)


def marchenko_pastur_pdf(x, ratio: float):
    r"""The Marchenko-Pastur density with ``ratio`` :math:`\lambda = n/m`.

    .. math::

        p_\lambda(x) = \frac{\sqrt{(b - x)(x - a)}}{2\pi\lambda x}, \qquad a < x < b, \quad
        a, b = (1 \mp \sqrt\lambda)^2,

    and 0 elsewhere. It is the limiting eigenvalue density of
    :func:`~widthlimits.rmt.ensembles.wishart` ``(n, m, rng)`` as :math:`n/m \to \lambda`. For
    :math:`\lambda \le 1` it integrates to 1. For
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
    lam = _check_ratio(ratio)
    x = _real_array(x)
    a, b = marchenko_pastur_support(lam)
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
    lam = _check_ratio(ratio)
    x = _real_array(x)
    a, b = marchenko_pastur_support(lam)
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

    with the Narayana numbers :math:`N(k, j)` (:func:`~widthlimits.rmt.combinatorics.narayana`): a
    non-crossing partition of the :math:`k` steps with :math:`j` blocks contributes
    :math:`\lambda^{j-1}`. It is the limit of
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

    Raises
    ------
    ValueError
        If ``k < 0``, ``ratio <= 0`` or not finite, or a float moment overflows.
    TypeError
        If ``k`` is not an integer or ``ratio`` not a real number (bools are not).

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
    if exact:
        return Fraction(sum(narayana(k, j) * lam ** (j - 1) for j in range(1, k + 1)))
    try:
        total = float(sum(narayana(k, j) * lam ** (j - 1) for j in range(1, k + 1)))
    except OverflowError:
        total = math.inf
    if not math.isfinite(total):
        raise ValueError(
            f"the moment k = {k} at ratio {lam} overflows floating point; pass the ratio as an "
            "int or a Fraction for the exact value"
        )
    return total
