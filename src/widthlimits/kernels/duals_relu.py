r"""The relu family in closed form: relu, leaky relu, abs and :class:`ABRelu`.

For :math:`\phi(x) = a\min(x, 0) + b\max(x, 0)` and :math:`(u, v)` centred Gaussian with
covariance :math:`\begin{pmatrix} K_{11} & K_{12} \\ K_{12} & K_{22}\end{pmatrix}`, write
:math:`\cos\theta = K_{12}/\sqrt{K_{11}K_{22}}` (:math:`0 \le \theta \le \pi`). Splitting
:math:`\phi(x) = b\,\mathrm{relu}(x) - a\,\mathrm{relu}(-x)` into the four quadrants and using
the arc-cosine kernels of degree 1 and 0 :cite:p:`cho2009arccos` gives

.. math::

    \mathbb{E}[\phi'(u)\phi'(v)] = \frac{a^2+b^2}{2} - \frac{(a-b)^2}{2\pi}\,\theta, \qquad
    \mathbb{E}[\phi(u)\phi(v)] = \frac{(a-b)^2}{2\pi}\sqrt{K_{11}K_{22} - K_{12}^2}
    + \mathbb{E}[\phi'(u)\phi'(v)]\, K_{12},

the formula of neural-tangents' ``ABRelu`` :cite:p:`novak2020nt` (Tsuchida, Roosta and
Gallagher, "Invariance of weight distributions in rectified MLPs", ICML 2018, derive it for leaky
relu). Relu is :math:`(a, b) = (0, 1)`, where the two lines are
:math:`\frac{\pi-\theta}{2\pi}` and :math:`\frac{\sqrt{K_{11}K_{22}}}{2\pi}(\sin\theta +
(\pi-\theta)\cos\theta)`; leaky relu with slope :math:`\alpha` is :math:`(\alpha, 1)`; the
absolute value is :math:`(-1, 1)`. At the kink the derivative is taken as 0 when the variance is
0 (a zero input).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._checks import check_real
from .duals_base import ClosedForm, is_torch

__all__ = ["Relu", "ABRelu", "LeakyRelu", "Abs"]


def _inverse_sqrt(q):
    """:math:`1/\\sqrt q`, and 0 where ``q`` is 0 (a zero input has a zero row of kernels)."""
    return np.divide(1.0, np.sqrt(q), out=np.zeros_like(q), where=q > 0)


class Relu:
    r"""Arc-cosine kernel of degree 1 and 0 :cite:p:`cho2009arccos`: the dual of ``"relu"``,
    fused into three passes per tile.

    >>> K, dK = Relu().diag(np.array([2.0]))
    >>> float(K[0]), float(dK[0])
    (1.0, 0.5)
    """

    name = "relu"
    has_ntk = True

    def diag(self, q):
        return 0.5 * q, np.where(q > 0, 0.5, 0.0)

    def scales(self, q, w2):
        # ra, rb = -1/sqrt(diag) (so that q * ra * rb = -rho); sa * sb carries w2 / (2 pi)
        inv = _inverse_sqrt(q)
        s = np.sqrt(q) * math.sqrt(w2 / (2.0 * np.pi))
        return -inv, inv, s, s

    def tile(self, q, theta, ra, rb, sa, sb, w2, b2, buf):
        """Advance the tile (q, theta) by one nonlinearity and one dense layer, in place."""
        rn, p, t = buf
        # rn = -rho, clipped to [-1, 1]; ra, rb are -1/sqrt(diag) (0 where diag is 0)
        np.multiply(q, ra, out=rn)
        rn *= rb
        np.clip(rn, -1.0, 1.0, out=rn)
        np.arccos(rn, out=p)  # p = pi - theta
        np.multiply(rn, rn, out=t)
        np.subtract(1.0, t, out=t)
        np.sqrt(t, out=t)  # sin(theta)
        rn *= p
        np.subtract(t, rn, out=t)  # sin(theta) + (pi - theta) cos(theta)
        # q <- w2/(2 pi) sqrt(K11 K22) (...) + b2 ; sa * sb carries the factor w2/(2 pi)
        np.multiply(t, sa, out=q)
        q *= sb
        if b2:
            q += b2
        theta *= p
        theta *= w2 / (2.0 * np.pi)
        theta += q


@dataclass(frozen=True)
class ABRelu(ClosedForm):
    r"""The nonlinearity :math:`\phi(x) = a\min(x, 0) + b\max(x, 0)`, with its dual in closed form
    (module docstring), fused into three passes per tile like relu's.

    Parameters
    ----------
    a, b : float
        The slopes for :math:`x < 0` and :math:`x > 0`; finite real numbers.

    Examples
    --------
    The absolute value keeps the second moment: :math:`\mathbb{E}|u|^2 = K`.

    >>> phi = ABRelu(-1, 1)
    >>> phi(np.array([-2.0, 3.0])), float(phi.diag(np.array([2.0]))[0][0])
    (array([2., 3.]), 2.0)
    >>> ABRelu(float("inf"), 1)
    Traceback (most recent call last):
    ...
    ValueError: a must be a finite real number, got inf
    """

    kinks = (0.0,)
    a: float
    b: float

    def __post_init__(self):
        object.__setattr__(self, "a", check_real("a", self.a))
        object.__setattr__(self, "b", check_real("b", self.b))

    def __call__(self, x):
        if is_torch(x):
            return self.a * x.clamp(max=0) + self.b * x.clamp(min=0)
        return self.a * np.minimum(x, 0.0) + self.b * np.maximum(x, 0.0)

    def derivative(self, x):
        """:math:`\\phi'(x)`: ``b`` for x > 0, ``a`` for x < 0 and 0 at 0."""
        pos = (x > 0) * 1.0
        neg = (x < 0) * 1.0
        return self.a * neg + self.b * pos

    @property
    def _coefficients(self):
        """(A, B, ab): :math:`(a^2+b^2)/2`, :math:`(a-b)^2/(2\\pi)` and :math:`ab`."""
        a, b = self.a, self.b
        return 0.5 * (a * a + b * b), (a - b) ** 2 / (2.0 * np.pi), a * b

    def pair(self, k11, k22, k12):
        A, B, _ = self._coefficients
        s = np.sqrt(k11 * k22)
        rho = np.clip(np.divide(k12, s, out=np.zeros(np.shape(s * k12)), where=s > 0), -1, 1)
        dot = A - B * np.arccos(rho)
        return B * s * np.sqrt(1.0 - rho * rho) + dot * k12, dot

    def diag(self, q):
        A = self._coefficients[0]
        return A * q, np.where(q > 0, A, 0.0)

    def scales(self, q, w2):
        inv = _inverse_sqrt(q)
        s = np.sqrt(q)
        return -inv, inv, s, s

    def tile(self, q, theta, ra, rb, sa, sb, w2, b2, buf):
        """Advance the tile (q, theta) by one nonlinearity and one dense layer, in place."""
        _, B, ab = self._coefficients
        rn, p, t = buf
        np.multiply(q, ra, out=rn)
        rn *= rb
        np.clip(rn, -1.0, 1.0, out=rn)  # rn = -cos(theta)
        np.arccos(rn, out=p)  # pi - theta
        p *= B
        p += ab  # E[phi' phi'] = A - B theta = ab + B (pi - theta)
        np.multiply(rn, rn, out=t)
        np.subtract(1.0, t, out=t)
        np.sqrt(t, out=t)
        t *= B  # B sin(theta)
        rn *= p
        t -= rn  # B sin(theta) + E[phi' phi'] cos(theta)
        np.multiply(t, sa, out=q)
        q *= sb
        q *= w2
        if b2:
            q += b2
        theta *= p
        theta *= w2
        theta += q


def LeakyRelu(alpha: float) -> ABRelu:
    """Leaky relu :math:`\\max(x, 0) + \\alpha\\min(x, 0)`: ``ABRelu(alpha, 1)``.

    >>> LeakyRelu(0.1)
    ABRelu(a=0.1, b=1.0)
    """
    return ABRelu(check_real("alpha", alpha), 1.0)


def Abs() -> ABRelu:
    """The absolute value :math:`|x|`: ``ABRelu(-1, 1)``.

    >>> Abs()(np.array([-1.5]))
    array([1.5])
    """
    return ABRelu(-1.0, 1.0)
