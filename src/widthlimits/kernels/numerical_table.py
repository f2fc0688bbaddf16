r"""The tables of the numerical dual (:mod:`widthlimits.kernels.quadrature`): composite
Gauss-Legendre panels split at given points, Chebyshev coefficients in the angle (and in
:math:`\log s` between many diagonal values) with their stated tails, and their evaluation on
a tile of the kernel.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["gauss_legendre_panels", "Table", "lobatto_coefficients"]

_GL: dict[int, tuple[np.ndarray, np.ndarray]] = {}
_TOL = 1e-12  # relative tail of the Chebyshev coefficients at which a level is accepted
_LEVELS = (16, 32, 64, 128)
#: The most distinct diagonal values per layer tabulated one by one (beyond: Chebyshev in log s).
MAX_GROUPS = 8
_LEBESGUE = 4.0  # bounds the Lebesgue constant of up to 129 Chebyshev-Lobatto points (< 3.2)


def _gl(n):
    if n not in _GL:
        _GL[n] = np.polynomial.legendre.leggauss(n)
    return _GL[n]


def gauss_legendre_panels(lo, hi, width, breaks, per_panel, batch=None):
    """Nodes and weights of ``per_panel``-point Gauss-Legendre on panels of ``[lo, hi]`` at most
    ``width`` wide, split also at ``breaks`` (scalars, or arrays of length ``batch``: one set of
    points per row; a point outside ``[lo, hi]`` gives an empty panel)."""
    m = max(1, math.ceil((hi - lo) / width))
    edges = np.linspace(lo, hi, m + 1)
    x, w = _gl(per_panel)
    if batch is None:
        b = np.sort(np.concatenate([edges, np.clip(np.asarray(breaks, float), lo, hi)]))
        a, c = b[:-1], b[1:]
        half = 0.5 * (c - a)
        z = (0.5 * (a + c))[:, None] + half[:, None] * x
        return z.ravel(), (half[:, None] * w).ravel()
    cols = [np.broadcast_to(edges, (batch, m + 1))]
    cols += [np.clip(np.asarray(p, float), lo, hi).reshape(batch, 1) for p in breaks]
    b = np.sort(np.concatenate(cols, axis=1), axis=1)
    a, c = b[:, :-1], b[:, 1:]
    half = 0.5 * (c - a)
    z = (0.5 * (a + c))[..., None] + half[..., None] * x
    return z.reshape(batch, -1), (half[..., None] * w).reshape(batch, -1)


def graded(center, scale, reach):
    """Break points ``center +- scale * 2**j`` up to ``reach``: panels that shrink geometrically
    toward a point where the integrand varies on the length ``scale``."""
    if scale <= 0 or scale >= reach:  # a kink itself (scale 0), or smoothed out: the point only
        return [center]
    j = np.arange(math.ceil(math.log2(reach / scale)) + 1)
    d = scale * 2.0**j
    return list(center - d) + list(center + d) + [center]


def lobatto_points(n):
    """The angles of the ``n + 1`` Chebyshev-Lobatto points, ``theta = pi (1 - t) / 2``."""
    return 0.5 * np.pi * (1.0 - np.cos(np.pi * np.arange(n + 1) / n))


def lobatto_coefficients(values, axis=-1):
    """Chebyshev coefficients of the interpolant through values at the Lobatto points."""
    v = np.moveaxis(np.asarray(values, float), axis, -1)
    n = v.shape[-1] - 1
    k = np.arange(n + 1)
    m = np.cos(np.pi * np.outer(k, k) / n)
    m[:, [0, n]] *= 0.5
    c = v @ m.T * (2.0 / n)
    c[..., [0, n]] *= 0.5
    return np.moveaxis(c, -1, axis)


def _tail(c):
    """Twice the last eighth of the coefficient magnitudes (the interpolant's own error)."""
    n = c.shape[-1] - 1
    return 2.0 * np.abs(c[..., n - n // 8 :]).sum(-1)


class Table:
    """One layer's tables of both expectations, for the diagonal square roots ``sq``.

    ``rows`` is the ``(N, m)`` matrix that interpolates between the ``m`` tabulated values of
    ``s`` (an indicator when each ``s`` is tabulated); ``ce``, ``cd`` are the Chebyshev
    coefficients in the angle, shape ``(m, m, n)``; ``err_e``, ``err_d`` the stated errors.
    """

    def __init__(self, dual, sq):
        vals, inv = _groups(sq)
        self.zero = None
        if vals.size <= MAX_GROUPS:
            self.s = vals
            self.rows = np.eye(vals.size)[inv.ravel()]
        else:
            self.s, self.rows, self.zero = _log_nodes(vals, inv.ravel())
        self.dual = dual
        self._build()

    def _build(self):
        m = self.s.size
        pairs = {}
        for a in range(m):
            for b in range(a, m):
                key = (float(self.s[a]), float(self.s[b]))
                if key not in self.dual.cache:  # a layer with the same diagonal reuses it
                    self.dual.cache[key] = _pair(self.dual, *key)
                pairs[a, b] = self.dual.cache[key]
        n = max(max(p[0].size, p[1].size) for p in pairs.values())
        self.ce, self.cd = np.zeros((m, m, n)), np.zeros((m, m, n))
        ee, ed = 0.0, 0.0
        for (a, b), (ce, cd, e1, e2) in pairs.items():
            for x, y in ((a, b), (b, a)):
                self.ce[x, y, : ce.size], self.cd[x, y, : cd.size] = ce, cd
            ee, ed = max(ee, e1), max(ed, e2)
        if not np.all((self.rows == 0) | (self.rows == 1)):  # interpolated in log s
            ee = _LEBESGUE * ee + _s_tail(self.ce, self.zero)
            ed = _LEBESGUE * ed + _s_tail(self.cd, self.zero)
        k = np.arange(n)
        self.slope_d = float(np.max(np.abs(self.cd) @ (k * k))) * 2.0 / np.pi
        # the largest E[phi'(u)^2] is the table at theta = 0 on the diagonal pairs
        self.dmax = float(max(np.abs(self.cd[a, a]).sum() for a in range(m)))
        emax = float(max(np.abs(self.ce[a, a]).sum() for a in range(m)))
        # rounding of the sums (also on the diagonal's own 1-D rule), and a differenced phi':
        # relative 1e-11 (eps |phi| / h of the fourth-order difference with h = 1e-3, and h^4)
        fd = 1e-11 if self.dual.differenced else 0.0
        self.err_e, self.err_d = ee + 1e-14 * emax, ed + (1e-14 + fd) * self.dmax

        self.lip_d = _rho_lipschitz(self.cd)

    drho = None  # the bound on the correlations' error, when the error is tracked
    move = 0.0  # the largest angle error times |Theta| on this layer's tiles
    dtheta = 0.0  # the largest angle error

    def track(self, rho, theta, diagonal_tile=False):
        """Record, on a tile of correlations ``rho`` and NTK entries ``theta``, how far the angles
        can be off: ``drho / sin`` at the correlation nearest +-1 the error allows, at most the
        1/2-Hoelder bound :math:`\\pi\\sqrt{\\delta\\rho/2}` of arccos (the diagonal of a
        ``diagonal_tile`` is left out: it is replaced by the diagonal's own recursion)."""
        dr = self.drho
        lo = np.sqrt(np.clip(1.0 - (np.abs(rho) + dr) ** 2, 0.0, None))
        dth = np.minimum(dr / np.maximum(lo, 1e-300), math.pi * math.sqrt(0.5 * dr))
        if diagonal_tile:  # the diagonal itself is replaced by its own exact recursion
            np.fill_diagonal(dth, 0.0)
        self.dtheta = max(self.dtheta, float(dth.max()))
        self.move = max(self.move, float(np.max(dth * np.abs(theta))))

    def evaluate(self, theta, ra, rb):
        """Both expectations on a tile of angles, for the tile's rows ``ra`` and columns ``rb``
        of :attr:`rows` (shapes ``(ti, 1, m)`` and ``(1, tj, m)``)."""
        ra, rb = ra[:, 0, :], rb[0]
        t = 1.0 - theta * (2.0 / np.pi)
        out = []
        for c in (self.ce, self.cd):
            if c.shape[0] == 1:  # one diagonal value: scalar coefficients
                coef = c[0, 0]
            else:
                coef = np.matmul(np.moveaxis(np.tensordot(ra, c, (1, 0)), 2, 0), rb.T)
            out.append(_clenshaw(coef, t))
        return out


def _clenshaw(coef, t):
    """The Chebyshev series ``coef`` (scalars, or arrays the shape of ``t``) at ``t``, in place."""
    n = len(coef)
    if n == 1:
        return np.broadcast_to(coef[0], t.shape).copy()
    t2 = 2.0 * t
    b1 = np.broadcast_to(coef[n - 1], t.shape).copy()
    b2 = np.zeros_like(t)
    tmp = np.empty_like(t)
    for k in range(n - 2, 0, -1):  # b_k = c_k + 2 t b_{k+1} - b_{k+2}
        np.multiply(t2, b1, out=tmp)
        tmp -= b2
        tmp += coef[k]
        b1, b2, tmp = tmp, b1, b2
    np.multiply(t, b1, out=tmp)
    tmp -= b2
    tmp += coef[0]
    return tmp


def _rho_lipschitz(c):
    """The largest :math:`|\\partial_\\rho \\mathbb{E}|` of the series ``c`` (in the angle) over
    all pairs, :math:`\\rho = \\cos\\theta`; ``inf`` where it does not settle when the grid of
    angles is refined (a kinked function: the derivative in rho blows up at rho = +-1)."""
    dc = np.polynomial.chebyshev.chebder(c.reshape(-1, c.shape[-1]).T).T * (2.0 / np.pi)
    sups = []
    for m in (256, 1024):
        th = np.pi * (np.arange(m) + 0.5) / m
        vals = np.polynomial.chebyshev.chebval(1.0 - 2.0 * th / np.pi, dc.T)
        sups.append(float(np.max(np.abs(vals) / np.sin(th))))
    return 1.5 * sups[1] if sups[1] <= 1.02 * sups[0] else math.inf


def _groups(sq):
    """Distinct values of ``sq``, those within a relative ``1e-13`` merged (rounding-level: the
    equal norms of normalized inputs), and the index of each entry's value."""
    vals, inv = np.unique(sq, return_inverse=True)
    new = np.ones(vals.size, bool)
    new[1:] = np.diff(vals) > 1e-13 * vals[1:]
    label = np.cumsum(new) - 1
    return vals[new], label[inv.ravel()]


def _pair(dual, sa, sb):
    """Coefficients in the angle of both expectations at (sa, sb), and their stated errors."""
    thetas = lobatto_points(_LEVELS[0])
    hi = np.array(dual.pair_values(sa, sb, thetas, 12))
    # the error of a 12-node value: twice its distance to the 16-node one at 9 of the first
    # level's angles (the 16-node rule is far more accurate: the distance is the 12-node error)
    ref = np.array(dual.pair_values(sa, sb, thetas[::2], 16))
    quad = 2.0 * np.abs(hi[:, ::2] - ref).max(axis=1)
    for n in _LEVELS:
        if n > _LEVELS[0]:
            hi = _merge(hi, np.array(dual.pair_values(sa, sb, lobatto_points(n)[1::2], 12)))
        c = lobatto_coefficients(hi)
        scale = np.abs(hi).max(axis=1) + 1e-300
        if np.all(_tail(c) <= _TOL * scale):
            break
    out = []
    for i in range(2):
        ci = c[i]
        keep = ci.size
        dropped = np.cumsum(np.abs(ci[::-1]))[::-1]  # dropped[j] = sum_{k >= j} |c_k|
        while keep > 1 and dropped[keep - 1] <= 0.1 * _TOL * scale[i]:
            keep -= 1
        drop = dropped[keep] if keep < ci.size else 0.0
        err = drop + _tail(ci) + _LEBESGUE * quad[i]
        out += [ci[:keep], err]
    return out[0], out[2], out[1], out[3]


def _merge(old, new):
    """Interleave the values at the even (old) and odd (new) points of the next level."""
    n = old.shape[1] - 1
    out = np.empty((2, 2 * n + 1))
    out[:, 0::2], out[:, 1::2] = old, new
    return out


def _log_nodes(vals, inv):
    """Chebyshev-Lobatto points in log s over the positive values, and the barycentric matrix
    that interpolates from them (zero values get their own exact node)."""
    pos = vals[vals > 0]
    n = 8
    a, b = math.log(pos[0]), math.log(pos[-1])
    t = np.cos(np.pi * np.arange(n + 1) / n)
    nodes = np.exp(0.5 * (a + b) + 0.5 * (b - a) * t)
    x = (2 * np.log(pos) - a - b) / (b - a)
    wts = (-1.0) ** np.arange(n + 1)
    wts[[0, n]] *= 0.5
    diff = x[:, None] - t
    exact = np.isclose(diff, 0.0, atol=1e-15)
    diff[exact] = 1.0
    bary = wts / diff
    bary /= bary.sum(1, keepdims=True)
    hit = exact.any(1)
    bary[hit] = exact[hit].astype(float)
    rows_pos = bary
    zero = vals[0] == 0
    m = n + 1 + int(zero)
    full = np.zeros((vals.size, m))
    full[vals > 0, : n + 1] = rows_pos
    if zero:
        full[0, n + 1] = 1.0
        nodes = np.append(nodes, 0.0)
    return nodes, full[inv], (n + 1 if zero else None)


def _s_tail(c, zero):
    """The stated error of interpolating in log s: the coefficient tail along both axes."""
    k = c if zero is None else c[:zero, :zero]
    ca = lobatto_coefficients(lobatto_coefficients(k, 0), 1)
    tot = np.abs(ca).sum(-1)
    n = tot.shape[0] - 1
    tail = tot[n - n // 4 :, :].sum() + tot[:, n - n // 4 :].sum()
    return 2.0 * float(tail)
