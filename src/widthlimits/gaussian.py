r"""Gaussian expectations :math:`\mathbb E f(Z)`, :math:`Z \sim N(0, \Sigma)`, in up to three
dimensions: the one quadrature of the package, shared by Part II and the Master Theorem engine.

Writing :math:`Z = M\xi` with :math:`\xi \sim N(0, I_d)` and :math:`\xi = r u` (radius :math:`r`,
direction :math:`u` on the unit sphere),

.. math::

   \mathbb E\,f(Z) = \int_{S^{d-1}} \int_0^\infty f(r M u)\,
   \frac{r^{d-1} e^{-r^2/2}}{2^{d/2-1}\Gamma(d/2)}\,dr\,\frac{du}{|S^{d-1}|}.

The radial integral uses composite Gauss-Legendre rules on panels of :math:`[0, 9]`, where
everything but a tail below :math:`10^{-15}` of the Gaussian weight lies. The angular integral is
split at *breakpoints*: the directions where one of a given set of linear forms
:math:`a^\top \xi` vanishes. Functions such as ReLU, its step-function derivative or :math:`|x|`
are smooth on each side of those great circles, so a piecewise rule integrates them to rounding
error, where plain Gauss-Hermite would converge only algebraically. Each integral is computed at
two resolutions, and their difference is the error estimate.

An integrand that grows fast (:math:`e^{7z}`) puts weight beyond :math:`r = 9`, so the rule also
integrates the radial tail on panels of :math:`[9, 25]`: a tail that matters is added to the
value (and to the error estimate), and one that still matters at :math:`r \in [20, 25]`, the mark
of an integrand growing nearly as fast as :math:`e^{|z|^2/2}` (:math:`\mathbb E e^{Z^2/2}` is
infinite), is refused with ``ValueError``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from functools import cache
from math import gamma, pi

import numpy as np

from ._checks import (
    check_array,
    check_bool,
    check_callable,
    check_choice,
    check_int,
    check_real,
    check_symmetric_psd,
    check_values,
)

__all__ = ["MAX_QUADRATURE_DIM", "gaussian_expectation", "spherical_integral", "spherical_rule"]

#: Largest dimension integrated by quadrature; larger integrals use Monte Carlo.
MAX_QUADRATURE_DIM = 3
#: Most Gauss-Hermite nodes (numpy's rule is accurate up to about 300).
MAX_HERMITE_NODES = 300

_PANELS = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.5, 7.0, 9.0])
_TAIL_PANELS = np.array([9.0, 11.0, 13.5, 16.5, 20.0, 25.0])
#: (radial nodes per panel, angular nodes per segment) for the fine and the coarse rule.
_LEVELS = {
    1: {"fine": (24, 1), "coarse": (14, 1)},
    2: {"fine": (16, 16), "coarse": (10, 10)},
    3: {"fine": (10, 10), "coarse": (9, 9)},
}
_TAIL_NODES = {"fine": 8, "coarse": 6}
_NEGLIGIBLE = 1e-13  # a tail below this (relative to max(1, |core|)) leaves the value alone
_DIVERGENT = 1e-9  # a last tail panel above this (relative) means the integral is out of reach


@cache
def _gl(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(m)


@cache
def _radial_rule(d: int, m: int, tail: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for the chi_d density on [0, 9] (or its tail [9, 25])."""
    panels = _TAIL_PANELS if tail else _PANELS
    x, w = _gl(m)
    a, b = panels[:-1, None], panels[1:, None]
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


def _circle(forms: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    breaks = list(np.linspace(0, 2 * pi, 9))
    for a in forms:
        if np.hypot(a[0], a[1]) > 0:
            t = np.arctan2(a[1], a[0]) + pi / 2
            breaks += [t % (2 * pi), (t + pi) % (2 * pi)]
    th, w = _segments(breaks, 0.0, 2 * pi, m)
    return np.stack([np.cos(th), np.sin(th)]), w / (2 * pi)


def _latitudes(forms: np.ndarray):
    """Polar breakpoints of S^2 for the great circles {a.u = 0}, and their (rho, psi, a_z)."""
    tbreaks = list(np.linspace(0, pi, 7))
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


def _sphere(forms: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Directions on S^2 split along the great circles {a.u = 0} (per latitude in phi)."""
    tbreaks, geo = _latitudes(forms)
    theta, wth = _segments(tbreaks, 0.0, pi, m, smooth_ends=True)
    us, ws = [], []
    for th, wt in zip(theta, wth, strict=True):
        st, ct = np.sin(th), np.cos(th)
        pb = list(np.linspace(0, 2 * pi, 9))
        for rho, psi, az in geo:
            c = -az * ct / (rho * st) if st > 0 else 2.0
            if abs(c) <= 1:
                ac = np.arccos(c)
                pb += [(psi + ac) % (2 * pi), (psi - ac) % (2 * pi)]
        ph, wp = _segments(pb, 0.0, 2 * pi, m)
        us.append(np.stack([st * np.cos(ph), st * np.sin(ph), np.full_like(ph, ct)]))
        ws.append(wt * st * wp)
    return np.concatenate(us, axis=1), np.concatenate(ws) / (4 * pi)


def _check_rule_args(d, forms, level):
    d = check_int("d", d, 0, MAX_QUADRATURE_DIM)
    level = check_choice("level", level, ("fine", "coarse"))
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


def _rule(d: int, forms: np.ndarray, level: str, tail: bool):
    mr, ma = _LEVELS[d][level]
    r, wr = _radial_rule(d, _TAIL_NODES[level] if tail else mr, tail)
    if d == 1:
        u, wu = np.array([[1.0, -1.0]]), np.array([0.5, 0.5])
    elif d == 2:
        u, wu = _circle(forms, ma)
    else:
        u, wu = _sphere(forms, ma)
    xi = (u[:, :, None] * r[None, None, :]).reshape(d, -1)
    return xi, (wu[:, None] * wr[None, :]).ravel()


def spherical_rule(d: int, forms=None, level: str = "fine") -> tuple[np.ndarray, np.ndarray]:
    """Quadrature nodes ``xi`` (shape ``(d, N)``) and weights for :math:`\\xi \\sim N(0, I_d)`.

    The angular part is split where any linear form ``a @ xi`` (a row of ``forms``) changes sign,
    so integrands that are smooth except across those hyperplanes are integrated to rounding error.
    The radii stop at 9; :func:`spherical_integral` adds the tail where it matters.

    Parameters
    ----------
    d : int
        Dimension, 0 to 3.
    forms : array of shape (k, d), optional
        Linear forms whose zero sets are breakpoints.
    level : {"fine", "coarse"}
        Resolution; the difference of the two is an error estimate.

    Returns
    -------
    xi, weights : ndarray
        Nodes of shape ``(d, N)`` and weights summing to 1 (up to a tail below 1e-15).

    Examples
    --------
    >>> xi, w = spherical_rule(2, forms=[[1.0, 0.0]])
    >>> round(float(w @ np.maximum(xi[0], 0) ** 2), 12)   # E[relu(Z)^2] = 1/2
    0.5
    """
    d, forms, level = _check_rule_args(d, forms, level)
    if d == 0:
        return np.zeros((0, 1)), np.ones(1)
    return _rule(d, forms, level, tail=False)


def _tail_verdict(tail_vals: np.ndarray, xi: np.ndarray, w: np.ndarray, core: float) -> float:
    """The tail's contribution to add to ``core`` (0.0 when negligible), or raise."""
    scale = max(1.0, abs(core))
    last = np.linalg.norm(xi, axis=0) > _TAIL_PANELS[-2]
    with np.errstate(all="ignore"):
        tail = float(w @ tail_vals)
        far = float(np.abs(w[last]) @ np.abs(tail_vals[last]))
    if not math.isfinite(tail) or far > _DIVERGENT * max(scale, abs(tail)):
        raise ValueError(
            "the Gaussian integral does not converge within the quadrature's reach: the "
            f"integrand still carries {far:.2g} of weight between 20 and 25 standard deviations "
            "(it grows nearly as fast as exp(|z|^2/2), or faster; E exp(Z^2/2) is infinite)"
        )
    return tail if abs(tail) > _NEGLIGIBLE * scale else 0.0


def spherical_integral(
    evaluate: Callable[[np.ndarray], np.ndarray], d: int, forms=None
) -> tuple[float, float]:
    r""":math:`\mathbb E\, g(\xi)` for :math:`\xi \sim N(0, I_d)`, ``d <= 3``, with its error.

    ``evaluate(xi)`` receives nodes of shape ``(d, N)`` and returns the ``N`` values of
    :math:`g`. The fine and the coarse :func:`spherical_rule` are applied, each with the radial
    tail beyond 9 added when it is not negligible; the value is the fine one and the error their
    difference.

    Raises
    ------
    ValueError
        If the tail does not die out by radius 25: the integral is infinite or out of reach.

    Examples
    --------
    >>> v, e = spherical_integral(lambda xi: np.exp(7.0 * xi[0]), 1)   # E e^{7Z} = e^{24.5}
    >>> bool(abs(v / np.exp(24.5) - 1) < 1e-9), bool(e < 1e-6 * v)
    (True, True)
    """
    check_callable("evaluate", evaluate)
    d, forms, _ = _check_rule_args(d, forms, "fine")
    if d == 0:
        return float(np.asarray(evaluate(np.zeros((0, 1))), dtype=float).reshape(-1)[0]), 0.0
    vals = []
    for level in ("fine", "coarse"):
        xi, w = _rule(d, forms, level, tail=False)
        core = float(w @ evaluate(xi))
        xt, wt = _rule(d, forms, level, tail=True)
        vals.append(core + _tail_verdict(np.asarray(evaluate(xt), dtype=float), xt, wt, core))
    return vals[0], abs(vals[0] - vals[1])


def _check_cov(cov) -> np.ndarray:
    if isinstance(cov, (numbers.Real, np.number)) or (
        isinstance(cov, np.ndarray) and cov.ndim == 0
    ):
        return np.array([[check_real("cov (a variance)", cov, 0.0)]])
    cov = check_symmetric_psd("cov", cov)
    if not 1 <= cov.shape[0] <= MAX_QUADRATURE_DIM:
        raise ValueError(f"cov must be a d x d matrix with 1 <= d <= 3, got shape {cov.shape}")
    return cov


def _values(f, z: np.ndarray, shape) -> np.ndarray:
    with np.errstate(all="ignore"):
        out = f(*z)
    return check_values("f (at the quadrature nodes)", out, shape)


def gaussian_expectation(f, cov=1.0, *, nodes: int | None = None, return_error: bool = False):
    r"""Compute :math:`\mathbb E f(Z_1, \dots, Z_d)` for :math:`Z \sim N(0, \Sigma)`, ``d <= 3``.

    By default the integral is computed by :func:`spherical_integral` with breakpoints on the
    coordinate hyperplanes :math:`Z_i = 0`, so functions of the coordinates that are non-smooth
    only at zero (ReLU, its derivative, :math:`|x|`) are integrated to about 1e-12, as are smooth
    functions such as tanh and erf. With ``nodes = m`` (one dimension only) it is plain
    :math:`m`-point Gauss-Hermite quadrature instead, exact for polynomials of degree below
    :math:`2m` and fast for smooth :math:`f`, but only algebraically convergent at a kink.

    Parameters
    ----------
    f : callable
        Vectorized function of ``d`` arrays returning an array of the same shape.
    cov : float or array_like of shape (d, d)
        A number is the variance of one Gaussian; a matrix is the symmetric positive
        semi-definite covariance of ``d <= 3`` of them.
    nodes : int, optional
        Use ``nodes``-point Gauss-Hermite quadrature (1 to 300; one dimension only).
    return_error : bool
        Also return an error estimate: the difference of the fine and the coarse rule (with
        ``nodes``, of the ``nodes``- and the ``nodes // 2``-point rule).

    Returns
    -------
    float, or (float, float)

    Raises
    ------
    TypeError, ValueError
        If ``f`` is not callable or returns NaN, infinity or the wrong shape, ``cov`` is not a
        variance or a symmetric PSD matrix of size at most 3, ``nodes`` is out of range, or the
        integral is infinite (see :func:`spherical_integral`).

    Examples
    --------
    >>> round(gaussian_expectation(lambda z: z ** 4, 2.0), 10)
    12.0
    >>> round(gaussian_expectation(lambda z: z ** 4, 2.0, nodes=3), 10)   # exact to degree 5
    12.0
    >>> v = gaussian_expectation(lambda a, b: np.tanh(a) * np.tanh(b), [[1, .5], [.5, 1]])
    >>> round(v, 6)
    0.186324
    >>> relu = lambda a, b: np.maximum(a, 0) * np.maximum(b, 0)   # arc-cosine kernel at rho=.5
    >>> bool(abs(gaussian_expectation(relu, [[1, .5], [.5, 1]])
    ...     - (np.sqrt(.75) + .5 * (np.pi - np.arccos(.5))) / (2 * np.pi)) < 1e-12)
    True
    """
    check_callable("f", f)
    cov = _check_cov(cov)
    return_error = check_bool("return_error", return_error)
    d = cov.shape[0]
    lam, vec = np.linalg.eigh(cov)
    root = vec * np.sqrt(np.clip(lam, 0, None))
    if nodes is not None:
        nodes = check_int("nodes", nodes, 1, MAX_HERMITE_NODES)
        if d != 1:
            raise ValueError(f"nodes (Gauss-Hermite) needs a one-dimensional cov, got d = {d}")
        v = _hermite(f, float(abs(root[0, 0])), nodes)
        return (
            (v, abs(v - _hermite(f, float(abs(root[0, 0])), max(1, nodes // 2))))
            if return_error
            else v
        )
    forms = root  # breakpoints where a coordinate Z_i = (root @ xi)_i changes sign
    v, e = spherical_integral(lambda xi: _values(f, root @ xi, (xi.shape[1],)), d, forms)
    return (v, e) if return_error else v


def _hermite(f, std: float, m: int) -> float:
    z, w = np.polynomial.hermite_e.hermegauss(m)
    vals = _values(f, (std * z)[None, :], z.shape)
    return float(w @ vals / math.sqrt(2 * math.pi))
