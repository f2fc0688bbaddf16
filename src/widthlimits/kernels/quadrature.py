r"""Dual activations by two-dimensional Gaussian quadrature, for every other nonlinearity.

With :math:`u = \sqrt{K_{11}}\, z_1`, :math:`v = \sqrt{K_{22}}(\rho z_1 + \sqrt{1-\rho^2}\, z_2)`,
:math:`\rho = K_{12}/\sqrt{K_{11}K_{22}}` and :math:`z_1, z_2` iid standard normal, both
expectations :math:`\mathbb{E}[\phi(u)\phi(v)]` and :math:`\mathbb{E}[\phi'(u)\phi'(v)]` are sums
over a grid of equally spaced nodes on :math:`[-8.5, 8.5]^2` with Gaussian weights: the trapezoid
rule, which converges geometrically for analytic integrands (the Gaussian tail beyond 8.5 is below
``1e-16``). The spacing ``h`` is chosen so that :math:`h \le 0.1` and :math:`h \sqrt{K} \le 0.3`
for the largest variance ``K`` in play, which keeps the error of tanh, erf, gelu, sin, ... below
about ``1e-9``. Gauss-Hermite nodes are not used because they spread over
:math:`[-\sqrt{2k}, \sqrt{2k}]` and so resolve a saturating function of a wide Gaussian poorly:
with 64 nodes, :math:`E[\tanh(6z)^2]` is off by ``3e-2``, while this rule with 241 nodes is off by
``1e-9``.

The grid grows with the standard deviation of the preactivations, and the work with its square,
so two limits are checked before any work starts: at most :data:`MAX_NODES` nodes per axis (a
preactivation variance up to about ``1.1e4``), and at most :data:`MAX_EVALUATIONS` evaluations of
:math:`\phi` and :math:`\phi'` in all (about ten minutes at 2e8 evaluations per second).
Derivatives are exact for the named nonlinearities (:func:`widthlimits.nonlinearities.numpy_pair`)
and a fourth-order central difference (error about ``1e-11``) for a callable.
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_callable, check_values

__all__ = ["MAX_NODES", "MAX_EVALUATIONS"]

#: The most quadrature nodes per axis (spacing ``h = 17 / 6000``: a standard deviation up to 106).
MAX_NODES = 6001
#: The most evaluations of :math:`\phi` and :math:`\phi'` one kernel computation may plan.
MAX_EVALUATIONS = 1e11
_L = 8.5
_RATE = 2e8  # evaluations per second, for the estimate in the message


def finite_difference(phi):
    """The derivative of ``phi`` by the fourth-order central difference (error ~ 1e-12)."""
    h = 1e-3

    def dphi(x):
        return (8.0 * (phi(x + h) - phi(x - h)) - (phi(x + 2 * h) - phi(x - 2 * h))) / (12.0 * h)

    return dphi


def check_vectorized(f):
    """Return ``f`` if it maps a numpy array to a finite array of the same shape, or raise."""
    check_callable("nonlinearity", f)
    probe = np.linspace(-3.0, 3.0, 7).reshape(7, 1)
    try:
        with np.errstate(all="ignore"):
            out = f(probe)
    except Exception as err:  # noqa: BLE001 - any failure means "not vectorized"
        raise TypeError(
            "a callable nonlinearity must accept a numpy array and return an array of the "
            f"same shape; calling it on an array raised {type(err).__name__}: {err}"
        ) from err
    check_values("a callable nonlinearity (vectorized, on [-3, 3])", out, probe.shape)
    return f


def nodes(smax: float) -> int:
    """The number of grid nodes per axis for a largest standard deviation ``smax``."""
    if not math.isfinite(smax):
        raise ValueError(
            "the kernel recursion overflowed: a preactivation variance is not finite; reduce "
            "depth, weight_std or the scale of X"
        )
    h = min(0.1, 0.3 / smax) if smax > 0 else 0.1
    return 2 * math.ceil(_L / h) + 1


class Quadrature:
    """The trapezoid rule under the Gaussian weight, for ``phi`` and its derivative ``dphi``
    (``None``: a central difference of ``phi``)."""

    def __init__(self, phi, dphi, name: str):
        self.phi, self.dphi = phi, (finite_difference(phi) if dphi is None else dphi)
        self.name = name
        self._grids: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def grid(self, smax):
        n = nodes(smax)
        if n > MAX_NODES:
            raise ValueError(
                f"the quadrature for {self.name} at a preactivation variance of {smax**2:.3g} "
                f"would need a grid of {n:,} nodes per axis (spacing 0.3 / standard deviation); "
                f"the limit is {MAX_NODES:,} nodes, a variance up to about "
                f"{(0.3 * (MAX_NODES - 1) / (2 * _L)) ** 2:,.0f}. Scale X or weight_std down, "
                "or use a closed form ('relu', 'erf', 'identity')"
            )
        if n not in self._grids:
            z = np.linspace(-_L, _L, n)
            w = np.exp(-0.5 * z * z)
            self._grids[n] = (z, w / w.sum())
        return self._grids[n]

    def check_cost(self, variances, n_pairs: int) -> None:
        """Refuse, before the tiles, a computation over ``n_pairs`` entries and the layers whose
        diagonals are ``variances`` that would exceed :data:`MAX_EVALUATIONS`."""
        total = sum(2.0 * n_pairs * nodes(math.sqrt(float(q.max()))) ** 2 for q in variances)
        if total > MAX_EVALUATIONS:
            raise ValueError(
                f"the quadrature for {self.name} would need about {total:.2g} evaluations of "
                f"phi and phi' ({n_pairs:,} pairs of inputs, {len(variances)} layer(s)), roughly "
                f"{total / _RATE / 60:,.0f} minutes; the limit is {MAX_EVALUATIONS:.0g}. Use "
                "fewer inputs or layers, smaller variances, or a closed form ('relu', 'erf', "
                "'identity')"
            )

    def diag(self, q):
        z, w = self.grid(float(np.sqrt(q.max())))
        self.check_cost([q], q.size * (q.size + 1) // 2)  # this layer alone, before any work
        s = np.sqrt(q)[:, None] * z
        return self.phi(s) ** 2 @ w, self.dphi(s) ** 2 @ w

    def scales(self, q, w2):
        # ra, rb are 1/sqrt(diag) (0 where diag is 0); sa, sb are sqrt(diag)
        sq = np.sqrt(q)
        inv = np.divide(1.0, sq, out=np.zeros_like(q), where=q > 0)
        return inv, inv, sq, sq

    def tile(self, q, theta, ra, rb, sa, sb, w2, b2, buf):
        """Advance the tile (q, theta) by one nonlinearity and one dense layer, in place."""
        rho = np.clip(q * ra * rb, -1.0, 1.0).ravel()
        c = np.sqrt(1.0 - rho * rho)
        su = np.broadcast_to(sa, q.shape).ravel()
        sv = np.broadcast_to(sb, q.shape).ravel()
        z, w = self.grid(max(float(sa.max()), float(sb.max())))
        e = np.zeros(q.size)
        d = np.zeros(q.size)
        chunk = max(1, 2**20 // z.size)
        for k0 in range(0, q.size, chunk):
            sl = slice(k0, k0 + chunk)
            a = (sv[sl] * rho[sl])[:, None]
            b = (sv[sl] * c[sl])[:, None] * z  # the inner variable's spread
            for za, wa in zip(z, w, strict=True):
                if wa < 1e-18:
                    continue
                u = su[sl] * za
                arg = a * za + b
                e[sl] += wa * self.phi(u) * (self.phi(arg) @ w)
                d[sl] += wa * self.dphi(u) * (self.dphi(arg) @ w)
        np.multiply(e.reshape(q.shape), w2, out=q)
        if b2:
            q += b2
        theta *= d.reshape(q.shape)
        theta *= w2
        theta += q
