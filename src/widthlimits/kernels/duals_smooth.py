r"""Smooth nonlinearities in closed form: erf and its rescalings, gelu, sin / cos, the Gaussian
RBF, the exponential and the Gaussian bump.

With :math:`(u, v)` centred Gaussian of covariance
:math:`\begin{pmatrix} K_{11} & K_{12} \\ K_{12} & K_{22}\end{pmatrix}` and
:math:`S = K_{11} + K_{22}`:

* :class:`ScaledErf`, :math:`a\,\mathrm{erf}(bx) + c` :cite:p:`williams1997`:
  :math:`\mathbb{E}[\phi\phi] = \frac{2a^2}{\pi}\arcsin\frac{2b^2K_{12}}{\sqrt{(1+2b^2K_{11})
  (1+2b^2K_{22})}} + c^2` and :math:`\mathbb{E}[\phi'\phi'] = \frac{4a^2b^2}{\pi}
  \bigl((1+2b^2K_{11})(1+2b^2K_{22}) - 4b^4K_{12}^2\bigr)^{-1/2}`; ``"erf"`` is ``(1, 1, 0)``
  (:class:`Erf`, fused into the tile), and :func:`SigmoidLike` is neural-tangents'
  :math:`\frac12\mathrm{erf}(x/2.4020563531719796) + \frac12`;
* :class:`Gelu`, :math:`x\Phi(x)` (Tsuchida, Pearce, van der Heide, Roosta, Gallagher,
  arXiv:2002.08517, as in neural-tangents): with :math:`P = (1+K_{11})(1+K_{22})`,
  :math:`\Delta = \sqrt{P - K_{12}^2}` and :math:`\alpha = \arctan(K_{12}/\Delta)`,
  :math:`\mathbb{E}[\phi\phi] = \frac{K_{12}}{4} + \frac{1}{2\pi}\bigl(K_{12}\alpha +
  \frac{K_{12}^2 + K_{11}K_{22}\Delta^2}{P\Delta}\bigr)` and its derivative in :math:`K_{12}`
  (Price's theorem), :math:`\mathbb{E}[\phi'\phi'] = \frac14 + \frac{\alpha}{2\pi} +
  \frac{K_{12}}{2\pi\Delta}\bigl(1 + \frac{1 - K_{11}K_{22}}{P} + \frac{1}{\Delta^2}\bigr)`;
* :class:`Sin`, :math:`a\sin(bx + c)`: :math:`\mathbb{E}[\phi\phi] = \frac{a^2}{2}(s_- - s_+)`
  and :math:`\mathbb{E}[\phi'\phi'] = \frac{a^2b^2}{2}(s_- + s_+)`, with
  :math:`s_\mp = e^{-b^2(S \mp 2K_{12})/2}` and :math:`s_+` multiplied by :math:`\cos 2c`
  (from :math:`\sin\alpha\sin\beta = \frac12(\cos(\alpha-\beta) - \cos(\alpha+\beta))` and
  :math:`\mathbb{E}\cos(w) = e^{-\mathrm{Var}(w)/2}`); :func:`Cos` is :math:`c + \pi/2`;
* :class:`Rbf`, :math:`\sqrt2\sin(\sqrt{2\gamma}x + \pi/4)`: the Gaussian kernel
  :math:`e^{-\gamma(S - 2K_{12})}` and :math:`2\gamma` times it;
* :class:`Exp`, :math:`a e^{bx}`: :math:`a^2 e^{b^2(S + 2K_{12})/2}` and :math:`b^2` times it;
* :class:`Gaussian`, :math:`a e^{bx^2}`: with :math:`D = (1-2bK_{11})(1-2bK_{22}) -
  4b^2K_{12}^2`, :math:`a^2 D^{-1/2}` and :math:`4a^2b^2K_{12}D^{-3/2}` (the determinant of
  :math:`I - 2bK`; finite only while it is positive, which for ``b > 0`` bounds the variances).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._checks import check_real
from .duals_base import ClosedForm, cos, erf, exp, sin

__all__ = ["Erf", "ScaledErf", "SigmoidLike", "Gelu", "Sin", "Cos", "Rbf", "Exp", "Gaussian"]


class Erf:
    r"""Closed forms for :math:`\phi = \mathrm{erf}` :cite:p:`williams1997`, fused into the tile.

    >>> round(float(Erf().diag(np.array([0.0]))[1][0]), 6)  # E[erf'(0)^2] = 4/pi
    1.27324
    """

    name = "erf"
    has_ntk = True

    def diag(self, q):
        return 2.0 / np.pi * np.arcsin(2.0 * q / (1.0 + 2.0 * q)), 4.0 / np.pi / np.sqrt(
            1.0 + 4.0 * q
        )

    def scales(self, q, w2):
        s = np.sqrt(1.0 + 2.0 * q)
        return 1.0 / s, 1.0 / s, s, s

    def tile(self, q, theta, ra, rb, sa, sb, w2, b2, buf):
        """Advance the tile (q, theta) by one nonlinearity and one dense layer, in place."""
        r, a, t = buf
        # ra, rb are 1/sqrt(1 + 2 diag): r = 2 K12 / sqrt((1+2K11)(1+2K22))
        np.multiply(q, ra, out=r)
        r *= rb
        r *= 2.0
        np.clip(r, -1.0, 1.0, out=r)
        np.multiply(r, r, out=t)
        np.subtract(1.0, t, out=t)
        np.sqrt(t, out=t)  # sqrt(1 - r^2) = sqrt(det) * ra * rb
        np.multiply(t, sa, out=a)  # sa = 1/ra: a = sqrt(det) / rb
        a *= sb
        np.divide(4.0 / np.pi * w2, a, out=a)  # w2 E[phi' phi']
        theta *= a
        np.arcsin(r, out=q)
        q *= 2.0 / np.pi * w2
        if b2:
            q += b2
        theta += q


def _real(obj, *names):
    for n in names:
        object.__setattr__(obj, n, check_real(n, getattr(obj, n)))


@dataclass(frozen=True)
class ScaledErf(ClosedForm):
    """:math:`a\\,\\mathrm{erf}(bx) + c` (module docstring); a, b, c finite reals.

    >>> phi = ScaledErf(2.0, 0.5, 1.0)
    >>> round(float(phi(np.array(0.0))), 6), round(float(phi.derivative(np.array(0.0))), 6)
    (1.0, 1.128379)
    """

    a: float = 1.0
    b: float = 1.0
    c: float = 0.0

    def __post_init__(self):
        _real(self, "a", "b", "c")

    def __call__(self, x):
        return self.a * erf(self.b * x) + self.c

    def derivative(self, x):
        return self.a * self.b * 2.0 / math.sqrt(math.pi) * exp(-self.b * self.b * x * x)

    def pair(self, k11, k22, k12):
        b2 = self.b * self.b
        den = (1.0 + 2.0 * b2 * k11) * (1.0 + 2.0 * b2 * k22)
        r = np.clip(2.0 * b2 * k12 / np.sqrt(den), -1.0, 1.0)
        e = self.a**2 * 2.0 / np.pi * np.arcsin(r) + self.c**2
        det = np.maximum(den - 4.0 * b2 * b2 * k12 * k12, den * 1e-300)
        return e, self.a**2 * b2 * 4.0 / np.pi / np.sqrt(det)


def SigmoidLike() -> ScaledErf:
    """neural-tangents' ``Sigmoid_like``,
    :math:`\\frac12\\mathrm{erf}(x/2.4020563531719796) + \\frac12`: the erf rescaling closest
    to the logistic sigmoid in squared error on [-5, 5].

    >>> SigmoidLike().c
    0.5
    """
    return ScaledErf(0.5, 1.0 / 2.4020563531719796, 0.5)


@dataclass(frozen=True)
class Gelu(ClosedForm):
    """:math:`x\\Phi(x)`, the exact gelu (module docstring).

    >>> round(float(Gelu().pair(np.array(1.0), np.array(1.0), np.array(0.0))[0]), 6)
    0.079577
    """

    def __call__(self, x):
        return x * 0.5 * (1.0 + erf(x / math.sqrt(2.0)))

    def derivative(self, x):
        return 0.5 * (1.0 + erf(x / math.sqrt(2.0))) + x * exp(-0.5 * x * x) / math.sqrt(
            2.0 * math.pi
        )

    def pair(self, k11, k22, k12):
        P = (1.0 + k11) * (1.0 + k22)
        d2 = np.maximum(P - k12 * k12, 1e-300)
        d = np.sqrt(d2)
        alpha = np.arctan2(k12, d)
        e = 0.25 * k12 + (k12 * alpha + (k12 * k12 + k11 * k22 * d2) / (P * d)) / (2.0 * np.pi)
        dd = 0.25 + alpha / (2.0 * np.pi)
        dd = dd + k12 / (2.0 * np.pi * d) * (1.0 + (1.0 - k11 * k22) / P + 1.0 / d2)
        return e, dd


@dataclass(frozen=True)
class Sin(ClosedForm):
    """:math:`a\\sin(bx + c)` (module docstring); a, b, c finite reals.

    >>> float(Sin().diag(np.array([0.0]))[1][0])  # E[cos(0)^2]
    1.0
    """

    a: float = 1.0
    b: float = 1.0
    c: float = 0.0

    def __post_init__(self):
        _real(self, "a", "b", "c")

    def __call__(self, x):
        return self.a * sin(self.b * x + self.c)

    def derivative(self, x):
        return self.a * self.b * cos(self.b * x + self.c)

    def pair(self, k11, k22, k12):
        b2 = self.b * self.b
        s_minus = np.exp(-0.5 * b2 * (k11 + k22 - 2.0 * k12))
        s_plus = math.cos(2.0 * self.c) * np.exp(-0.5 * b2 * (k11 + k22 + 2.0 * k12))
        half = 0.5 * self.a**2
        return half * (s_minus - s_plus), half * b2 * (s_minus + s_plus)


def Cos(a: float = 1.0, b: float = 1.0, c: float = 0.0) -> Sin:
    """:math:`a\\cos(bx + c) = a\\sin(bx + c + \\pi/2)`.

    >>> float(Cos()(np.array(0.0)))
    1.0
    """
    return Sin(a, b, check_real("c", c) + math.pi / 2)


@dataclass(frozen=True)
class Rbf(ClosedForm):
    r""":math:`\sqrt2\sin(\sqrt{2\gamma}x + \pi/4)`, whose NNGP is the Gaussian kernel
    :math:`e^{-\gamma(K_{11} + K_{22} - 2K_{12})}` (neural-tangents' ``Rbf``); ``gamma > 0``.

    >>> float(Rbf(0.5).pair(np.array(1.0), np.array(1.0), np.array(0.0))[0])  # e^{-1}
    0.36787944117144233
    """

    gamma: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "gamma", check_real("gamma", self.gamma, 0.0, low_open=True))

    def __call__(self, x):
        return math.sqrt(2.0) * sin(math.sqrt(2.0 * self.gamma) * x + math.pi / 4)

    def derivative(self, x):
        return 2.0 * math.sqrt(self.gamma) * cos(math.sqrt(2.0 * self.gamma) * x + math.pi / 4)

    def pair(self, k11, k22, k12):
        e = np.exp(-self.gamma * (k11 + k22 - 2.0 * k12))
        return e, 2.0 * self.gamma * e


@dataclass(frozen=True)
class Exp(ClosedForm):
    """:math:`a e^{bx}` (module docstring); a, b finite reals.

    >>> bool(Exp(1.0, 1.0).diag(np.array([0.5]))[0][0] == math.exp(1.0))  # E[e^{2u}], u ~ N(0, 1/2)
    True
    """

    a: float = 1.0
    b: float = 1.0

    def __post_init__(self):
        _real(self, "a", "b")

    def __call__(self, x):
        return self.a * exp(self.b * x)

    def derivative(self, x):
        return self.a * self.b * exp(self.b * x)

    def pair(self, k11, k22, k12):
        e = self.a**2 * np.exp(0.5 * self.b**2 * (k11 + k22 + 2.0 * k12))
        return e, self.b**2 * e


@dataclass(frozen=True)
class Gaussian(ClosedForm):
    """:math:`a e^{bx^2}` (module docstring); a, b finite reals (neural-tangents' default
    ``b = -1``).

    >>> round(float(Gaussian().diag(np.array([1.0]))[0][0]), 6)  # E[e^{-2z^2}] = 1/sqrt(5)
    0.447214
    """

    a: float = 1.0
    b: float = -1.0

    def __post_init__(self):
        _real(self, "a", "b")

    def __call__(self, x):
        return self.a * exp(self.b * x * x)

    def derivative(self, x):
        return 2.0 * self.a * self.b * x * exp(self.b * x * x)

    def pair(self, k11, k22, k12):
        b = self.b
        det = (1.0 - 2.0 * b * k11) * (1.0 - 2.0 * b * k22) - 4.0 * b * b * k12 * k12
        with np.errstate(invalid="ignore", divide="ignore"):
            root = np.where(det > 0, np.sqrt(np.abs(det)), np.nan)
        return self.a**2 / root, 4.0 * self.a**2 * b * b * k12 / root**3
