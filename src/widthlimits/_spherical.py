"""The spherical-radial quadrature rules behind :mod:`widthlimits.gaussian`, and its probe for
singularities.

A rule for :math:`\\xi \\sim N(0, I_d)`, :math:`d \\le 3`, is a product of a composite
Gauss-Legendre rule in the radius (on panels of :math:`[0, 9]`, or of the tail :math:`[9, 25]`)
and one on the unit sphere, split at the great circles where given linear forms vanish. Three
levels are built: ``"fine"`` (the value), ``"coarse"`` (fewer nodes) and ``"shifted"`` (as many
nodes as the fine rule, on panels and fixed angular breakpoints shifted by half a panel). The fine
and the shifted rule integrate a smooth integrand equally well but put their nodes in different
places, so their difference measures the fine rule's error at a kink that no form accounts for.
"""

from __future__ import annotations

from functools import cache
from math import gamma, pi

import numpy as np

from ._checks import check_array, check_choice, check_int

#: Largest dimension integrated by quadrature; larger integrals use Monte Carlo.
MAX_QUADRATURE_DIM = 3
LEVELS = ("fine", "coarse", "shifted")

_PANELS = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.5, 7.0, 9.0])
_SHIFTED_PANELS = np.array([0.0, 0.5, 1.5, 2.5, 3.5, 4.75, 6.25, 8.0, 9.0])
TAIL_PANELS = np.array([9.0, 11.0, 13.5, 16.5, 20.0, 25.0])
#: (radial nodes per panel, angular nodes per segment) of each level; the shifted rule has about
#: as many nodes as the fine one on more, smaller segments.
_NODES = {
    1: {"fine": (24, 1), "coarse": (14, 1), "shifted": (21, 1)},
    2: {"fine": (16, 16), "coarse": (10, 10), "shifted": (14, 11)},
    3: {"fine": (10, 10), "coarse": (9, 9), "shifted": (9, 9)},
}
_TAIL_NODES = {"fine": 8, "coarse": 6}
_PROBES = (1e-3, 1e-6, 1e-9)  # distances from a possible singularity


@cache
def _gl(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(m)


@cache
def radial_rule(d: int, m: int, panels: str = "core") -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for the chi_d density on [0, 9] ("core" or "shifted") or [9, 25]."""
    edges = {"core": _PANELS, "shifted": _SHIFTED_PANELS, "tail": TAIL_PANELS}[panels]
    x, w = _gl(m)
    a, b = edges[:-1, None], edges[1:, None]
    r = ((a + b) / 2 + (b - a) / 2 * x).ravel()
    wr = ((b - a) / 2 * w).ravel() * r ** (d - 1) * np.exp(-(r**2) / 2)
    return r, wr / (2 ** (d / 2 - 1) * gamma(d / 2))


def _segments(breaks, lo: float, hi: float, m: int, smooth_ends: bool = False):
    """Gauss-Legendre nodes and weights on [lo, hi] split at ``breaks``."""
    pts = np.unique(np.clip(np.concatenate([[lo, hi], np.asarray(breaks, float)]), lo, hi))
    keep = np.concatenate([[True], np.diff(pts) > 1e-12])
    pts = pts[keep]
    x, w = _gl(m)
    t, wt = (x + 1) / 2, w / 2
    if smooth_ends:  # t -> 3t^2 - 2t^3 removes square-root behaviour at the segment ends
        t, wt = 3 * t**2 - 2 * t**3, wt * 6 * t * (1 - t)
    a, b = pts[:-1, None], pts[1:, None]
    return (a + (b - a) * t).ravel(), ((b - a) * wt).ravel()


def _fixed(count: int, top: float, shift: bool) -> list[float]:
    """``count`` equally spaced breakpoints on [0, top]; when ``shift``, the midpoints instead,
    with the quarters of [0, top] kept (the coordinate planes of xi stay breakpoints)."""
    pts = np.linspace(0, top, count)
    if not shift:
        return list(pts)
    return list(pts[:-1] + (pts[1] - pts[0]) / 2) + list(np.linspace(0, top, 5))


def _circle(forms: np.ndarray, m: int, shift: bool) -> tuple[np.ndarray, np.ndarray]:
    breaks = _fixed(9, 2 * pi, shift)
    for a in forms:
        if np.hypot(a[0], a[1]) > 0:
            t = np.arctan2(a[1], a[0]) + pi / 2
            breaks += [t % (2 * pi), (t + pi) % (2 * pi)]
    th, w = _segments(breaks, 0.0, 2 * pi, m)
    return np.stack([np.cos(th), np.sin(th)]), w / (2 * pi)


def _latitudes(forms: np.ndarray, shift: bool):
    """Polar breakpoints of S^2 for the great circles {a.u = 0}, and their (rho, psi, a_z)."""
    tbreaks = _fixed(7, pi, shift)
    geo = []
    for a in forms:
        norm = np.linalg.norm(a)
        if norm == 0:
            continue
        rho = np.hypot(a[0], a[1])
        if rho <= 1e-14 * norm:
            tbreaks.append(pi / 2)
            continue
        ts = np.arctan2(abs(a[2]), rho)
        tbreaks += [ts, pi - ts]
        geo.append((rho, np.arctan2(a[1], a[0]), a[2]))
    for i in range(len(forms)):  # latitudes where two great circles cross
        for j in range(i):
            c = np.cross(forms[i], forms[j])
            nc = np.linalg.norm(c)
            if nc > 1e-14 * np.linalg.norm(forms[i]) * np.linalg.norm(forms[j]):
                tbreaks += [
                    np.arccos(np.clip(c[2] / nc, -1, 1)),
                    np.arccos(np.clip(-c[2] / nc, -1, 1)),
                ]
    return tbreaks, geo


def _sphere(forms: np.ndarray, m: int, shift: bool) -> tuple[np.ndarray, np.ndarray]:
    """Directions on S^2 split along the great circles {a.u = 0} (per latitude in phi)."""
    tbreaks, geo = _latitudes(forms, shift)
    theta, wth = _segments(tbreaks, 0.0, pi, m, smooth_ends=True)
    us, ws = [], []
    for th, wt in zip(theta, wth, strict=True):
        st, ct = np.sin(th), np.cos(th)
        pb = _fixed(9, 2 * pi, shift)
        for rho, psi, az in geo:
            c = -az * ct / (rho * st) if st > 0 else 2.0
            if abs(c) <= 1:
                ac = np.arccos(c)
                pb += [(psi + ac) % (2 * pi), (psi - ac) % (2 * pi)]
        ph, wp = _segments(pb, 0.0, 2 * pi, m)
        us.append(np.stack([st * np.cos(ph), st * np.sin(ph), np.full_like(ph, ct)]))
        ws.append(wt * st * wp)
    return np.concatenate(us, axis=1), np.concatenate(ws) / (4 * pi)


def check_rule_args(d, forms, level):
    """Check a rule's dimension, forms (``(k, d)``) and level; return them normalized."""
    d = check_int("d", d, 0, MAX_QUADRATURE_DIM)
    level = check_choice("level", level, LEVELS)
    if d == 0:
        return d, np.zeros((0, 0)), level
    if forms is None:
        return d, np.zeros((0, d)), level
    forms = check_array("forms", forms, ndim=(1, 2), min_size=0)
    if forms.size % d:
        raise ValueError(
            f"forms must have {d} columns (one per dimension), got shape {forms.shape}"
        )
    return d, forms.reshape(-1, d), level


def rule(d: int, forms: np.ndarray, level: str, tail: bool):
    """Nodes ``(d, N)`` and weights of one level's rule on [0, 9] (or its tail [9, 25])."""
    shift = level == "shifted"
    mr, ma = _NODES[d][level]
    if tail:
        r, wr = radial_rule(d, _TAIL_NODES["fine" if shift else level], "tail")
    else:
        r, wr = radial_rule(d, mr, "shifted" if shift else "core")
    if d == 1:
        u, wu = np.array([[1.0, -1.0]]), np.array([0.5, 0.5])
    elif d == 2:
        u, wu = _circle(forms, ma, shift)
    else:
        u, wu = _sphere(forms, ma, shift)
    xi = (u[:, :, None] * r[None, None, :]).reshape(d, -1)
    return xi, (wu[:, None] * wr[None, :]).ravel()


def _probe_points(d: int, forms: np.ndarray) -> list[np.ndarray]:
    """Groups of points, each of shape ``(len(_PROBES), d, k)``, at the distances ``_PROBES``
    from the origin (the first group) and from the zero set of each form."""
    t = np.array(_PROBES)[:, None, None]
    groups = [t * np.concatenate([np.eye(d), -np.eye(d)], axis=1)[None]]
    for a in forms if d > 1 else ():
        norm = np.linalg.norm(a)
        if norm == 0:
            continue
        basis = np.linalg.svd(a[None, :] / norm)[2][1:].T  # orthonormal basis of {a.xi = 0}
        plane = np.concatenate([basis, -basis], axis=1)
        side = (a / norm)[:, None]
        groups.append(np.concatenate([plane + t * side, plane - t * side], axis=2))
    return groups


def check_singularity(evaluate, d: int, forms: np.ndarray) -> None:
    """Raise if the integrand's mass near the origin or a form's zero set does not shrink."""
    groups = _probe_points(d, forms)
    pts = np.concatenate([g.transpose(1, 0, 2).reshape(d, -1) for g in groups], axis=1)
    vals = np.abs(np.asarray(evaluate(pts), dtype=float))
    start = 0
    for i, g in enumerate(groups):
        v = vals[start : start + g.shape[0] * g.shape[2]].reshape(g.shape[0], g.shape[2])
        start += v.size
        mass = np.array(_PROBES) ** (d if i == 0 else 1) * v.max(axis=1)
        if not np.all(np.isfinite(mass)) or mass[-1] > 0.1 * mass[0]:
            where = "the origin" if i == 0 else "the zero set of a linear form"
            raise ValueError(
                "the Gaussian integral does not exist within the quadrature's reach: the "
                f"integrand has a singularity at {where} that is not integrable (or barely: its "
                f"mass there shrinks from {mass[0]:.2g} to no less than {mass[-1]:.2g} as the "
                "distance falls from 1e-3 to 1e-9; E 1/|Z| is infinite)"
            )
