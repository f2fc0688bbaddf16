r"""The numerical dual activation of any nonlinearity: Gaussian rules split at the kinks, a
Chebyshev table in the angle, and a stated error.

One layer of the kernel recursion needs, for every pair of inputs, the expectations
:math:`\mathbb{E}[\phi(u)\phi(v)]` and :math:`\mathbb{E}[\phi'(u)\phi'(v)]` with
:math:`u = s_a z_1`, :math:`v = s_b(\cos\theta\, z_1 + \sin\theta\, z_2)`, :math:`z_1, z_2` iid
standard normal, :math:`s_a^2, s_b^2` the two diagonal entries and :math:`\cos\theta` the
correlation. For fixed :math:`(s_a, s_b)` both are functions of the angle :math:`\theta \in
[0, \pi]` alone, and the diagonal of the kernel takes one value per layer when the inputs have
equal norms (a few otherwise). So, per layer:

1. **Table.** For every pair of distinct diagonal values (or, when there are more than
   :data:`MAX_GROUPS` of them, every pair of Chebyshev points in :math:`\log s` between the
   smallest and the largest), both expectations are computed at the Chebyshev-Lobatto points
   in :math:`\theta` by a two-dimensional composite Gauss-Legendre rule on :math:`[-9, 9]^2`
   (the Gaussian mass outside is below ``1e-18``). The outer axis is split at every kink
   :math:`k/s_a` of :math:`u`, the inner axis, for each outer node, at every kink
   :math:`(k/s_b - z_1\cos\theta)/\sin\theta` of :math:`v`: with ``kinks=[...]`` the integrand
   is smooth on every panel, so the rule converges geometrically, also for relu, leaky relu,
   abs and their derivative steps. Panels are at most ``1.5 / max(1, s)`` wide with 12 nodes.
2. **Error of a value.** At 9 of the 17 angles of the first level (0, pi and 7 between) each
   value is also computed with 16 nodes per panel; twice the largest difference is the stated
   error of the 12-node values (the 16-node rule converges much faster, so the difference is
   the 12-node error itself).
3. **Interpolation.** The Chebyshev coefficients in :math:`\theta` come from the values at
   17, 33, 65 or 129 points, the first level at which the tail of the coefficients is below
   ``1e-12`` of the scale; the interpolation error is stated as the sum of the magnitudes of
   the dropped coefficients plus twice the last eighth of the computed ones, and the values'
   error is multiplied by the Lebesgue constant of the points (below 4). Functions of
   :math:`\theta` are smooth at :math:`\theta = 0` and :math:`\pi` even when they are not in
   the correlation (relu's :math:`(\pi - \theta)/2\pi` is a line in :math:`\theta` and has a
   square-root singularity in :math:`\cos\theta`), which is why the table is in the angle.
   The same coefficient tail, in :math:`\log s`, states the error of interpolating between
   many diagonal values.

The sum of the three, plus ``1e-14`` relative for rounding and ``1e-11`` relative for a
differenced derivative, is the layer's stated error (the tables in attribute ``tables``);
:mod:`widthlimits.kernels.error_bound` carries it through the layers when
:func:`~widthlimits.kernels.recursion.nngp_ntk` is asked (``return_error=True``). The diagonal
is a one-dimensional rule split at the kinks. A zero variance makes a pair one-dimensional.
The derivative is exact for the named nonlinearities and, for a callable without ``dphi``, a
fourth-order finite difference that is one-sided within ``4e-3`` of a kink (error about
``1e-11``, from rounding ``eps |phi| / h`` and the ``h^4`` term, ``h = 1e-3``).

Measured (tests/test_kernels_numerical.py): against closed forms and adaptive quadrature the
stated error covers the true one and exceeds it by a factor of about 10 to 100 (erf as a
callable, N = 500, depth 10: stated 6e-12 and 9e-10 for the NNGP and NTK, true 3e-13 and
9e-11).

Limits checked before any work: the panels grow with the largest standard deviation ``s``, so
``s`` is at most ``MAX_NODES / 144`` (:data:`MAX_NODES` nodes per axis), and a call plans at
most :data:`MAX_EVALUATIONS` evaluations of :math:`\phi` and :math:`\phi'`.
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_callable, check_reals, check_values
from .numerical_table import MAX_GROUPS, Table, gauss_legendre_panels, graded

__all__ = ["MAX_NODES", "MAX_EVALUATIONS", "MAX_GROUPS", "numerical_dual", "NumericalDual"]

#: The most nodes of the rule per axis (12 per panel of width ``1.5 / s``: ``s`` up to ~ 40).
MAX_NODES = 6001
#: The most evaluations of :math:`\phi` and :math:`\phi'` the tables of one call may plan.
MAX_EVALUATIONS = 4e10
_L = 9.0
_RATE = 1e8  # evaluations per second, for the estimate in the message


def _derivative(phi, kinks):
    """The derivative of ``phi`` by a fourth-order difference, one-sided near a kink."""
    h = 1e-3
    ks = np.asarray(kinks, dtype=float)

    def dphi(x):
        x = np.asarray(x, dtype=float)
        out = (8.0 * (phi(x + h) - phi(x - h)) - (phi(x + 2 * h) - phi(x - 2 * h))) / (12.0 * h)
        for k in ks:  # kinks are 1e-2 apart: the windows of width 8h do not overlap
            sel = np.abs(x - k) < 4 * h
            if sel.any():
                xs = x[sel]
                g = np.where(xs >= k, h, -h)  # step away from the kink
                one = (-25 * phi(xs) + 48 * phi(xs + g) - 36 * phi(xs + 2 * g)
                       + 16 * phi(xs + 3 * g) - 3 * phi(xs + 4 * g)) / (12.0 * g)  # fmt: skip
                out = np.array(out, dtype=float)
                out[sel] = one
        return out

    return dphi


def finite_difference(phi):
    """The derivative of ``phi`` by the fourth-order central difference (error ~ 1e-11)."""
    return _derivative(phi, ())


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


def panel_width(s: float) -> float:
    """The widest panel of the rule for a standard deviation ``s``."""
    if not math.isfinite(s):
        raise ValueError(
            "the kernel recursion overflowed: a preactivation variance is not finite; reduce "
            "depth, weight_std or the scale of X"
        )
    return 1.5 / max(1.0, s)


def nodes(s: float) -> int:
    """The number of nodes per axis of the rule for a largest standard deviation ``s``."""
    return 12 * math.ceil(2 * _L / panel_width(s))


class NumericalDual:
    """The dual of ``phi`` (and ``dphi``) by tables in the angle; see the module docstring.

    ``tables`` lists the :class:`~widthlimits.kernels.numerical_table.Table` of every layer
    tabulated since the recursion cleared it, with their stated errors (what
    :mod:`widthlimits.kernels.error_bound` propagates).
    """

    def __init__(self, phi, dphi, name: str, kinks=()):
        self.kinks = tuple(sorted(kinks))
        self.phi = phi
        self.differenced = dphi is None  # phi' by finite differences: in the stated error
        self.dphi = _derivative(phi, self.kinks) if dphi is None else dphi
        self.name = name
        self.tables: list[Table] = []
        self.cache: dict[tuple[float, float], tuple] = {}

    def _check_scale(self, smax):
        n = nodes(smax)
        if n > MAX_NODES:
            raise ValueError(
                f"the quadrature for {self.name} at a preactivation variance of {smax**2:.3g} "
                f"would need a rule of {n:,} nodes per axis (panels of width 1.5 / standard "
                f"deviation); the limit is {MAX_NODES:,} nodes per axis, a variance up to about "
                f"{(MAX_NODES / 144) ** 2:,.0f}. Scale X or weight_std down, or use a closed form"
            )

    def check_cost(self, variances, n_pairs: int) -> None:
        """Refuse, before the tiles, tables for the layers whose diagonals are ``variances``
        that would exceed :data:`MAX_EVALUATIONS` (``n_pairs`` is only for the message)."""
        total = 0.0
        for q in variances:
            s = float(np.sqrt(np.max(q)))
            self._check_scale(s)
            m = min(np.unique(q).size, MAX_GROUPS)
            total += 2.5 * m * (m + 1) / 2 * 33 * nodes(s) ** 2 * 0.7
        if total > MAX_EVALUATIONS:
            raise ValueError(
                f"the quadrature for {self.name} would need about {total:.2g} evaluations of "
                f"phi and phi' ({n_pairs:,} pairs of inputs, {len(variances)} layer(s)), roughly "
                f"{total / _RATE / 60:,.0f} minutes; the limit is {MAX_EVALUATIONS:.0g}. Use "
                "fewer layers, smaller variances, or a closed form"
            )

    def _rule1(self, s, per_panel, extra=()):
        if s == 0:
            return np.zeros(1), np.ones(1)
        breaks = [k / s for k in self.kinks] + list(extra)
        z, w = gauss_legendre_panels(-_L, _L, panel_width(s), breaks, per_panel)
        return z, w * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)

    def diag(self, q):
        """Both expectations on the diagonal ``K11 = K22 = q`` (one 1-D rule per value)."""
        self._check_scale(float(np.sqrt(q.max())))
        vals, inv = np.unique(q, return_inverse=True)
        e, d = np.empty(vals.size), np.empty(vals.size)
        for i, v in enumerate(vals):
            s = math.sqrt(v)
            z, w = self._rule1(s, 20)
            e[i], d[i] = self.phi(s * z) ** 2 @ w, self.dphi(s * z) ** 2 @ w
        return e[inv].reshape(q.shape), d[inv].reshape(q.shape)

    def scales(self, q, w2):
        """Build this layer's tables; return the row and column factors and the table."""
        sq = np.sqrt(q)
        inv = np.divide(1.0, sq, out=np.zeros_like(q), where=q > 0)
        table = Table(self, sq)
        self.tables.append(table)
        return inv, inv, table.rows, table.rows, table

    def pair_values(self, sa, sb, thetas, per_panel):
        """Both expectations at ``(sa, sb)`` for each angle, by the 2-D rule split at kinks."""
        if sa == 0 or sb == 0:  # that preactivation is 0: a 1-D integral, the same at every angle
            z, w = self._rule1(max(sa, sb), per_panel)
            zero = np.zeros(1)
            e = self.phi(zero)[0] * (self.phi(max(sa, sb) * z) @ w)
            d = self.dphi(zero)[0] * (self.dphi(max(sa, sb) * z) @ w)
            return np.full(len(thetas), e), np.full(len(thetas), d)
        thetas = np.asarray(thetas, float)
        if not self.kinks:
            return self._smooth_values(sa, sb, thetas, per_panel)
        e, d = np.empty(thetas.size), np.empty(thetas.size)
        for t, th in enumerate(thetas):
            c, r = math.cos(th), math.sin(th)
            extra = []  # where the inner integral is a kink smoothed over r / |c|
            if abs(c) > 1e-12:
                for k in self.kinks:
                    if abs(k / (sb * c)) < _L:
                        extra += graded(k / (sb * c), r / abs(c) if r >= 1e-12 else 0.0, 1.5)
            z1, w1 = self._rule1(sa, per_panel, extra)
            keep = w1 > 1e-20 * w1.max()
            z1, w1 = z1[keep], w1[keep]
            pu, du = self.phi(sa * z1), self.dphi(sa * z1)
            if r < 1e-12:  # v = sb c z1: a 1-D integral
                v = sb * c * z1
                e[t], d[t] = (w1 * pu) @ self.phi(v), (w1 * du) @ self.dphi(v)
                continue
            inner = [(k / sb - c * z1) / r for k in self.kinks]
            z2, w2 = gauss_legendre_panels(-_L, _L, panel_width(sb * r), inner, per_panel,
                                           batch=z1.size)  # fmt: skip
            w2 = w2 * np.exp(-0.5 * z2 * z2) / math.sqrt(2 * math.pi)
            v = sb * (c * z1[:, None] + r * z2)
            e[t] = (w1 * pu) @ (self.phi(v) * w2).sum(1)
            d[t] = (w1 * du) @ (self.dphi(v) * w2).sum(1)
        return e, d

    def _smooth_values(self, sa, sb, thetas, per_panel):
        """Without kinks one product rule serves every angle: vectorized over the angles."""
        z1, w1 = self._rule1(sa, per_panel)
        z2, w2 = self._rule1(sb, per_panel)
        k1, k2 = w1 > 1e-20 * w1.max(), w2 > 1e-20 * w2.max()
        z1, w1, z2, w2 = z1[k1], w1[k1], z2[k2], w2[k2]
        pu, du = w1 * self.phi(sa * z1), w1 * self.dphi(sa * z1)
        e, d = np.empty(thetas.size), np.empty(thetas.size)
        step = max(1, int(4e6 // (z1.size * z2.size)))
        for i in range(0, thetas.size, step):
            th = thetas[i : i + step, None, None]
            v = (sb * np.cos(th)) * z1[:, None] + (sb * np.sin(th)) * z2  # one full-size add
            e[i : i + step] = (self.phi(v) @ w2) @ pu
            d[i : i + step] = (self.dphi(v) @ w2) @ du
        return e, d

    def tile(self, q, theta, ra, rb, sa, sb, w2, b2, buf, table):
        """Advance the tile (q, theta) by one nonlinearity and one dense layer, in place."""
        rho = q * ra
        rho *= rb
        np.clip(rho, -1.0, 1.0, out=rho)
        if table.drho is not None:  # a diagonal tile: ra and rb are the same rows of one vector
            same = ra.shape[0] == rb.shape[1] and ra.ctypes.data == rb.ctypes.data
            table.track(rho, theta, same)
        e, d = table.evaluate(np.arccos(rho), sa, sb)
        np.multiply(e, w2, out=q)
        if b2:
            q += b2
        theta *= d
        theta *= w2
        theta += q


def numerical_dual(phi, dphi=None, *, kinks=(), name: str = "the callable nonlinearity"):
    """The numerical dual activation of ``phi``, with its stated error (the module docstring).

    Parameters
    ----------
    phi : callable
        A vectorized function of a numpy array, finite on ``[-3, 3]``.
    dphi : callable, optional
        Its derivative; by default a fourth-order finite difference (one-sided near kinks).
    kinks : sequence of float, default ()
        The points where ``phi`` or ``dphi`` is not smooth; each is integrated exactly
        (both axes of the rule are split there). Distinct by more than ``1e-2``.
    name : str
        How messages name the nonlinearity.

    Returns
    -------
    NumericalDual

    Examples
    --------
    Leaky relu with slope 0.1 has :math:`\\mathbb{E}[\\phi(z)^2] = (1 + 0.01)/2` and
    :math:`\\mathbb{E}[\\phi'(z)^2] = (1 + 0.01)/2`:

    >>> import numpy as np
    >>> dual = numerical_dual(lambda x: np.where(x > 0, x, 0.1 * x), kinks=[0.0])
    >>> [round(float(v[0]), 12) for v in dual.diag(np.ones(1))]
    [0.505, 0.505]
    """
    phi = check_vectorized(phi)
    if dphi is not None:
        dphi = check_vectorized(dphi)
    ks = sorted(check_reals("kinks", list(kinks))) if len(kinks) else []
    if any(b - a <= 1e-2 for a, b in zip(ks, ks[1:], strict=False)):
        raise ValueError(f"kinks must be distinct by more than 1e-2, got {ks}")
    return NumericalDual(phi, dphi, name, ks)


class Quadrature(NumericalDual):
    """The numerical dual without kinks (the name :mod:`widthlimits.kernels.duals` uses)."""

    def __init__(self, phi, dphi, name: str):
        super().__init__(phi, dphi, name)
