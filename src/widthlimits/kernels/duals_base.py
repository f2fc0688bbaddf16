r"""What every closed-form dual shares: the interface of the tiled recursion, and elementwise
functions that work on numpy arrays and torch tensors alike.

A dual is an object with three methods that :func:`widthlimits.kernels.recursion.nngp_ntk`
calls: ``diag(q)`` returns :math:`(\mathbb{E}[\phi(u)^2], \mathbb{E}[\phi'(u)^2])` for
:math:`u \sim N(0, q)`; ``scales(q, w2)`` returns the row and column factors ``(ra, rb, sa, sb)``
that a tile update needs, computed once per layer from the diagonal; ``tile(q, theta, ra, rb, sa,
sb, w2, b2, buf)`` replaces a tile of :math:`K_{12}` by :math:`\sigma_w^2\,\mathbb{E}[\phi(u)
\phi(v)] + \sigma_b^2` and a tile of :math:`\Theta` by :math:`K^{l+1} + \sigma_w^2\,
\mathbb{E}[\phi'(u)\phi'(v)]\,\Theta`, in place.

:class:`ClosedForm` implements the three from one method, ``pair(k11, k22, k12)``, which returns
both expectations elementwise for broadcastable arrays of the covariance entries; its
``scales`` pass the diagonal itself (``ra`` holds :math:`K_{11}` down the rows, ``rb``
:math:`K_{22}` along the columns). The fastest duals (relu, erf) override ``scales`` and ``tile``
with fused in-place passes instead.

A nonlinearity object is a frozen dataclass that is also a :class:`ClosedForm`: calling it
applies :math:`\phi` (to a numpy array or a torch tensor, so it can be given to
:class:`widthlimits.mup.model.MLP`), and ``derivative`` applies :math:`\phi'`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

__all__ = ["ClosedForm", "correlation", "is_torch"]


def is_torch(x) -> bool:
    """Whether ``x`` is a torch tensor (without importing torch when it is not)."""
    return type(x).__module__.startswith("torch")


def _lib(x):
    if is_torch(x):
        import torch

        return torch
    return np


def erf(x):
    """:math:`\\operatorname{erf} x` for a numpy array or a torch tensor."""
    return _lib(x).erf(x) if is_torch(x) else special.erf(x)


def exp(x):
    """:math:`e^x` for a numpy array or a torch tensor."""
    return _lib(x).exp(x)


def sin(x):
    """:math:`\\sin x` for a numpy array or a torch tensor."""
    return _lib(x).sin(x)


def cos(x):
    """:math:`\\cos x` for a numpy array or a torch tensor."""
    return _lib(x).cos(x)


def sign(x):
    """The sign of ``x`` (0 at 0) for a numpy array or a torch tensor."""
    return _lib(x).sign(x)


def positive(x):
    """:math:`1[x > 0]` as floats of the type of ``x``."""
    if is_torch(x):
        return (x > 0).to(x.dtype)
    return (np.asarray(x) > 0).astype(np.float64)


def correlation(k11, k22, k12):
    r"""``(rho, s)``: :math:`\rho = K_{12}/\sqrt{K_{11}K_{22}}` clipped to ``[-1, 1]`` (0 where a
    variance is 0) and :math:`s = \sqrt{K_{11}K_{22}}`.

    >>> [float(x) for x in correlation(np.array(4.0), np.array(1.0), np.array(-2.5))]
    [-1.0, 2.0]
    """
    s = np.sqrt(k11 * k22)
    rho = np.divide(k12, s, out=np.zeros(np.broadcast(k11, k22, k12).shape), where=s > 0)
    return np.clip(rho, -1.0, 1.0), s


class ClosedForm:
    """A dual given by ``pair(k11, k22, k12) -> (E[phi(u) phi(v)], E[phi'(u) phi'(v)])``.

    Subclasses define ``pair`` (and ``__call__`` and ``derivative``); ``has_ntk = False`` marks a
    nonlinearity whose derivative is a distribution (sign, step), which has an NNGP but no NTK.
    """

    has_ntk = True
    #: The points where :math:`\phi` or :math:`\phi'` is not smooth (for the numerical path).
    kinks: tuple[float, ...] = ()

    @property
    def name(self) -> str:
        return repr(self)

    def pair(self, k11, k22, k12):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def diag(self, q):
        return self.pair(q, q, q)

    def scales(self, q, w2):
        return q, q, np.sqrt(q), np.sqrt(q)

    def tile(self, q, theta, ra, rb, sa, sb, w2, b2, buf):
        """Advance the tile (q, theta) by one nonlinearity and one dense layer, in place."""
        e, d = self.pair(ra, rb, q)
        np.multiply(e, w2, out=q)
        if b2:
            q += b2
        theta *= d
        theta *= w2
        theta += q


#: :math:`1/\sqrt{2\pi}`.
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
