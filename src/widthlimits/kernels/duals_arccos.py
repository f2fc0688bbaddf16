r"""Arc-cosine kernels of every order and monomials: :class:`RectifiedMonomial`, :class:`Step`,
:class:`Sign` and :class:`Monomial`, in closed form.

For standard Gaussians :math:`(x, y)` with correlation :math:`\rho = \cos\theta`, the mixed
moments :math:`m_{a,b}(\rho) = \mathbb{E}[x^a y^b\, 1[x>0]\, 1[y>0]]` start from
:math:`m_{0,0} = (\pi - \theta)/(2\pi)` and follow from Stein's identity
:math:`\mathbb{E}[x\,g(x,y)] = \mathbb{E}[\partial_x g] + \rho\,\mathbb{E}[\partial_y g]`:

.. math::

    m_{a,b} = (a-1)\, m_{a-2,b} + \rho\, b\, m_{a-1,b-1} \qquad (a \ge 2,\ b \ge 1),

where a factor :math:`x^0` differentiated gives the Dirac term
:math:`\varphi(0)\,\mathbb{E}[\cdot \mid x = 0]` instead (the conditional law is
:math:`N(0, 1-\rho^2)`, and :math:`\mathbb{E}[z_+^c] = 2^{c/2-1}\Gamma(\frac{c+1}{2})/\sqrt\pi`).
The arc-cosine kernel of order :math:`k` :cite:p:`cho2009arccos` is then
:math:`\mathbb{E}[\phi(u)\phi(v)] = (K_{11}K_{22})^{k/2} m_{k,k}(\rho)` for
:math:`\phi(x) = \max(x, 0)^k`, which is Cho and Saul's :math:`\frac{1}{2\pi}\|x\|^k\|y\|^k
J_k(\theta)`; and :math:`\phi' = k\max(x,0)^{k-1}` gives
:math:`\mathbb{E}[\phi'\phi'] = k^2 (K_{11}K_{22})^{(k-1)/2} m_{k-1,k-1}(\rho)`.

For :math:`\phi(x) = x^k`, expand in probabilists' Hermite polynomials,
:math:`x^k = \sum_j \frac{k!}{j!\,2^j\,(k-2j)!} \mathrm{He}_{k-2j}(x)`, and use
:math:`\mathbb{E}[\mathrm{He}_m(x)\mathrm{He}_n(y)] = \delta_{mn}\, n!\, \rho^n`.

Sign and step have derivatives that are Dirac masses, so they have an NNGP,
:math:`\frac{2}{\pi}\arcsin\rho` and :math:`\frac{\pi - \theta}{2\pi}`, and no NTK.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._checks import check_int
from .duals_base import INV_SQRT_2PI, ClosedForm, correlation, is_torch, positive, sign

__all__ = ["RectifiedMonomial", "Step", "Sign", "Monomial", "MAX_DEGREE"]

#: The largest degree of :class:`Monomial` and :class:`RectifiedMonomial`.
MAX_DEGREE = 20


def _half_moment(c: int) -> float:
    """:math:`\\mathbb{E}[z^c 1[z > 0]]` for a standard normal ``z``."""
    return 2.0 ** (c / 2 - 1) * math.gamma((c + 1) / 2) / math.sqrt(math.pi)


def _dirac(c: int, c2):
    r""":math:`\varphi(0)\,\mathbb{E}[w_+^c]` for :math:`w \sim N(0, c_2)`."""
    return INV_SQRT_2PI * _half_moment(c) * c2 ** (c / 2)


def rectified_moments(n: int, rho):
    """:math:`m_{n,n}(\\rho) = \\mathbb{E}[x^n y^n 1[x>0] 1[y>0]]` for standard Gaussians of
    correlation ``rho`` (module docstring).

    >>> float(rectified_moments(1, np.array(1.0)))  # E[relu(x)^2] = 1/2
    0.5
    """
    rho = np.asarray(rho, dtype=np.float64)
    c2 = np.maximum(1.0 - rho * rho, 0.0)
    m = {(0, 0): (np.pi - np.arccos(rho)) / (2.0 * np.pi)}
    for total in range(1, 2 * n + 1):
        for a in range(max(total - n, 1), min(total, n) + 1):
            b = total - a
            # the Dirac terms: phi(0) E[y_+^b | x = 0] and phi(0) E[x_+^(a-1) | y = 0]
            first = (a - 1) * m[a - 2, b] if a >= 2 else _dirac(b, c2)
            second = b * m[a - 1, b - 1] if b >= 1 else _dirac(a - 1, c2)
            m[a, b] = first + rho * second
            if b <= n and a <= n:
                m[b, a] = m[a, b]
    return m[n, n]


def _check_degree(k):
    return check_int("k", k, 0, MAX_DEGREE)


@dataclass(frozen=True)
class RectifiedMonomial(ClosedForm):
    r"""The rectified monomial :math:`\phi(x) = \max(x, 0)^k`, whose dual is the arc-cosine kernel
    of order :math:`k` :cite:p:`cho2009arccos` (module docstring). ``k = 1`` is relu; ``k = 0`` is
    the step, which has no NTK.

    Parameters
    ----------
    k : int
        The degree, ``0 <= k <=`` :data:`MAX_DEGREE`.

    Examples
    --------
    >>> phi = RectifiedMonomial(2)
    >>> phi(np.array([-1.0, 3.0])), float(phi.diag(np.array([1.0]))[0][0])  # E[relu(z)^4] = 3/2
    (array([0., 9.]), 1.5)
    """

    kinks = (0.0,)
    k: int

    def __post_init__(self):
        object.__setattr__(self, "k", _check_degree(self.k))

    @property
    def has_ntk(self) -> bool:
        return self.k >= 1

    def __call__(self, x):
        if self.k == 0:
            return positive(x)
        if is_torch(x):
            return x.clamp(min=0) ** self.k
        return np.maximum(x, 0.0) ** self.k

    def derivative(self, x):
        """:math:`k \\max(x, 0)^{k-1}` (the step's derivative is taken as 0)."""
        if self.k == 0:
            return x * 0.0
        return self.k * positive(x) * (x * positive(x)) ** (self.k - 1)

    def pair(self, k11, k22, k12):
        rho, s = correlation(k11, k22, k12)
        e = s**self.k * rectified_moments(self.k, rho)
        if self.k == 0:
            return e, np.zeros_like(e)
        return e, self.k**2 * s ** (self.k - 1) * rectified_moments(self.k - 1, rho)


def Step() -> RectifiedMonomial:
    """The step :math:`1[x > 0]`: ``RectifiedMonomial(0)`` (an NNGP, no NTK).

    >>> Step()(np.array([-1.0, 2.0]))
    array([0., 1.])
    """
    return RectifiedMonomial(0)


@dataclass(frozen=True)
class Sign(ClosedForm):
    r"""The sign :math:`\phi(x) = \operatorname{sign} x`: NNGP :math:`\frac{2}{\pi}\arcsin\rho`, no
    NTK (its derivative is :math:`2\delta`).

    >>> round(float(Sign().pair(np.array(1.0), np.array(4.0), np.array(1.0))[0]), 12)  # rho = 1/2
    0.333333333333
    """

    has_ntk = False
    kinks = (0.0,)

    def __call__(self, x):
        return sign(x)

    def derivative(self, x):
        """0 away from the origin (the Dirac mass at 0 is what makes the NTK undefined)."""
        return x * 0.0

    def pair(self, k11, k22, k12):
        rho, s = correlation(k11, k22, k12)
        e = np.where(s > 0, 2.0 / np.pi * np.arcsin(rho), 0.0)
        return e, np.zeros_like(e)


def _hermite_sum(n: int, rho):
    """:math:`\\mathbb{E}[x^n y^n]` for standard Gaussians of correlation ``rho``."""
    total = np.zeros_like(rho)
    for j in range(n // 2 + 1):
        m = n - 2 * j
        c = math.factorial(n) / (math.factorial(j) * 2**j * math.factorial(m))
        total = total + c * c * math.factorial(m) * rho**m
    return total


@dataclass(frozen=True)
class Monomial(ClosedForm):
    r"""The monomial :math:`\phi(x) = x^k` (module docstring): with :math:`s = \sqrt{K_{11}K_{22}}`,
    :math:`\mathbb{E}[u^k v^k] = s^k \sum_j \bigl(\frac{k!}{j!\,2^j\,(k-2j)!}\bigr)^2 (k-2j)!\,
    \rho^{k-2j}`.

    Parameters
    ----------
    k : int
        The degree, ``0 <= k <=`` :data:`MAX_DEGREE`.

    Examples
    --------
    :math:`\mathbb{E}[u^2 v^2] = K_{11}K_{22} + 2K_{12}^2`:

    >>> round(float(Monomial(2).pair(np.array(1.0), np.array(2.0), np.array(0.5))[0]), 12)
    2.5
    """

    k: int

    def __post_init__(self):
        object.__setattr__(self, "k", _check_degree(self.k))

    def __call__(self, x):
        return x**self.k * 1.0

    def derivative(self, x):
        """:math:`k x^{k-1}`."""
        return self.k * x ** max(self.k - 1, 0) * (1.0 if self.k else 0.0)

    def pair(self, k11, k22, k12):
        rho, s = correlation(k11, k22, k12)
        rho = np.where(s > 0, rho, 0.0)
        e = s**self.k * _hermite_sum(self.k, rho)
        if self.k == 0:
            return e, np.zeros_like(e)
        return e, self.k**2 * s ** (self.k - 1) * _hermite_sum(self.k - 1, rho)
