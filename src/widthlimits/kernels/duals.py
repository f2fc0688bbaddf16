r"""Dual activations in closed form: relu, erf and the identity.

One layer of the kernel recursion (:mod:`widthlimits.kernels.recursion`) needs, for each pair of
inputs, the two Gaussian expectations

.. math::

    \mathbb{E}[\phi(u)\phi(v)], \qquad \mathbb{E}[\phi'(u)\phi'(v)], \qquad
    (u, v) \sim \mathcal{N}\Bigl(0, \begin{pmatrix} K_{11} & K_{12} \\ K_{12} & K_{22}
    \end{pmatrix}\Bigr),

the *dual activation* of :math:`\phi` and of :math:`\phi'`. For three nonlinearities they have
closed forms, exact to rounding:

* ``"relu"``: the arc-cosine kernels of degree 1 and 0 :cite:p:`cho2009arccos`; with
  :math:`\cos\theta = K_{12}/\sqrt{K_{11}K_{22}}`,
  :math:`\mathbb{E}[\phi(u)\phi(v)] = \frac{\sqrt{K_{11}K_{22}}}{2\pi}(\sin\theta +
  (\pi-\theta)\cos\theta)` and :math:`\mathbb{E}[\phi'(u)\phi'(v)] = \frac{\pi-\theta}{2\pi}`;
* ``"erf"`` :cite:p:`williams1997`:
  :math:`\mathbb{E}[\phi(u)\phi(v)] = \frac{2}{\pi}\arcsin\frac{2K_{12}}{\sqrt{(1+2K_{11})
  (1+2K_{22})}}` and :math:`\mathbb{E}[\phi'(u)\phi'(v)] = \frac{4}{\pi}\bigl((1+2K_{11})
  (1+2K_{22}) - 4K_{12}^2\bigr)^{-1/2}`;
* ``"identity"``: :math:`K_{12}` and 1.

Every other name of :mod:`widthlimits.nonlinearities`, and any vectorized callable, goes to the
Gaussian quadrature of :mod:`widthlimits.kernels.quadrature`; :func:`dual_of` makes that choice.

Each dual is an object with three methods that the tiled recursion calls: ``diag(q)`` (both
expectations on the diagonal :math:`K_{11} = K_{22} = q`), ``scales(q, w2)`` (the row and column
factors one tile update needs, computed once per layer) and ``tile(...)`` (advance one tile of
:math:`(K, \Theta)` through one nonlinearity and one dense layer, in place, in fused ufunc passes
into preallocated buffers).
"""

from __future__ import annotations

import math

import numpy as np

from ..nonlinearities import canonical, numpy_pair
from .quadrature import Quadrature, check_vectorized

__all__ = ["dual_of"]


def _inverse_sqrt(q):
    """:math:`1/\\sqrt q`, and 0 where ``q`` is 0 (a zero input has a zero row of kernels)."""
    return np.divide(1.0, np.sqrt(q), out=np.zeros_like(q), where=q > 0)


class Relu:
    r"""Arc-cosine kernel of degree 1 and 0 :cite:p:`cho2009arccos`."""

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


class Erf:
    r"""Closed forms for :math:`\phi = \mathrm{erf}` :cite:p:`williams1997`."""

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


class Identity:
    """The linear network: :math:`\\mathbb{E}[uv] = K_{12}` and :math:`\\mathbb{E}[1] = 1`."""

    def diag(self, q):
        return q.copy(), np.ones_like(q)

    def scales(self, q, w2):
        inv = _inverse_sqrt(q)
        return inv, inv, np.sqrt(q), np.sqrt(q)

    def tile(self, q, theta, ra, rb, sa, sb, w2, b2, buf):
        """Advance the tile (q, theta) by one dense layer, in place."""
        q *= w2
        if b2:
            q += b2
        theta *= w2
        theta += q


_CLOSED_FORMS = {"relu": Relu, "erf": Erf, "identity": Identity}


def dual_of(nonlinearity):
    """The dual activation the recursion uses for ``nonlinearity``: a closed form or quadrature.

    Parameters
    ----------
    nonlinearity : str or callable
        A name of :data:`widthlimits.nonlinearities.NAMES` (case-insensitive; ``"linear"`` is
        ``"identity"``), or a vectorized function of a numpy array, finite on ``[-3, 3]``.

    Returns
    -------
    Relu, Erf, Identity or Quadrature
        Closed forms for relu, erf and the identity; quadrature with the exact derivative for
        the other names, and with a fourth-order central difference for a callable.

    Raises
    ------
    TypeError
        If ``nonlinearity`` is neither a string nor a callable, or a callable that fails on an
        array.
    ValueError
        For an unknown name, or a callable that is not vectorized or not finite.

    Examples
    --------
    >>> type(dual_of("ReLU")).__name__, type(dual_of("tanh")).__name__
    ('Relu', 'Quadrature')
    >>> dual_of("swish")
    Traceback (most recent call last):
    ...
    ValueError: nonlinearity must be one of 'relu', 'tanh', 'erf', ..., got 'swish'
    """
    if isinstance(nonlinearity, str):
        name = canonical(nonlinearity)
        if name in _CLOSED_FORMS:
            return _CLOSED_FORMS[name]()
        return Quadrature(*numpy_pair(name), name=name)
    if callable(nonlinearity):
        return Quadrature(check_vectorized(nonlinearity), None, name="the callable nonlinearity")
    canonical(nonlinearity)  # raises the TypeError that lists the names
    raise AssertionError("unreachable")  # pragma: no cover
