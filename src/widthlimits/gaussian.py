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
error, where plain Gauss-Hermite would converge only algebraically (the rules are built in
``widthlimits._spherical``).

**The error contract.** The error that :func:`spherical_integral` returns is meant as an upper
bound on :math:`|\text{value} - \text{truth}|`, in practice, not in theory: it is
``SAFETY`` times the larger of two differences, fine rule minus coarse rule and fine rule minus a
*shifted* rule (as many nodes, on panels and angular breakpoints moved by half a panel), plus any
radial tail left out and a rounding allowance. A kink that no form accounts for
(:math:`|z - 1|`, a step at :math:`z = a`) makes the rules' errors algebraic and erratic; two
rules rarely miss it by the same amount, and the safety factor covers the rest (the test family
of ``tests/test_honest_errors.py``, 150 kinked, fast-growing and smooth integrands in dimensions
1 to 3, is covered with room to spare). An error of at most ``EXACT`` times
:math:`\max(1, |\text{value}|)` therefore means the value is exact to that accuracy, and the
Master Theorem engine reports it as 0.0.

An integrand that grows fast (:math:`e^{7z}`) puts weight beyond :math:`r = 9`, so the rule also
integrates the radial tail on panels of :math:`[9, 25]`: a tail that matters is added to the
value (and to the error estimate), and one that still matters at :math:`r \in [20, 25]`, the mark
of an integrand growing nearly as fast as :math:`e^{|z|^2/2}` (:math:`\mathbb E e^{Z^2/2}` is
infinite), is refused with ``ValueError``. So is a singularity that is not integrable, or barely,
at the origin or on the zero set of a form (:math:`\mathbb E\,1/|Z|`): the integrand is probed at
distances :math:`10^{-3}, 10^{-6}, 10^{-9}` from it, and a mass there that does not shrink is
refused. :func:`check_tail` makes the tail test for integrals of any dimension, for Monte Carlo.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np

from ._checks import (
    check_array,
    check_bool,
    check_callable,
    check_int,
    check_real,
    check_rng,
    check_symmetric_psd,
    check_values,
)
from ._spherical import (
    MAX_QUADRATURE_DIM,
    TAIL_PANELS,
    check_rule_args,
    check_singularity,
    radial_rule,
    rule,
)

__all__ = [
    "EXACT",
    "MAX_QUADRATURE_DIM",
    "SAFETY",
    "check_tail",
    "gaussian_expectation",
    "spherical_integral",
    "spherical_rule",
]

#: Most Gauss-Hermite nodes (numpy's rule is accurate up to about 300).
MAX_HERMITE_NODES = 300
#: The factor on the largest difference of two rules in the error estimate.
SAFETY = 4.0
#: An error at most this, relative to ``max(1, abs(value))``, means exact (the engine reports 0.0).
EXACT = 1e-9
#: Fine and coarse this close (relative) have converged: no shifted rule is needed. In dimension 3
#: the rule reaches about 1e-10 on smooth integrands, so the bar is higher.
_CONVERGED = {1: 1e-13, 2: 1e-13, 3: 1e-9}
_NEGLIGIBLE = 1e-13  # a tail below this (relative to max(1, |core|)) leaves the value alone
_DIVERGENT = 1e-9  # a last tail panel above this (relative) means the integral is out of reach
_ROUNDING = 1e-14  # rounding allowance, relative to E|g|


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
    level : {"fine", "coarse", "shifted"}
        Resolution: the coarse rule has fewer nodes, the shifted one as many as the fine rule on
        panels and fixed breakpoints moved by half a panel; their differences from the fine rule
        make the error estimate.

    Returns
    -------
    xi, weights : ndarray
        Nodes of shape ``(d, N)`` and weights summing to 1 (up to a tail below 1e-15).

    Examples
    --------
    >>> xi, w = spherical_rule(2, forms=[[1.0, 0.0]])
    >>> round(float(w @ np.maximum(xi[0], 0) ** 2), 12)   # E[relu(Z)^2] = 1/2
    0.5
    >>> xi, w = spherical_rule(1, level="shifted")
    >>> round(float(w @ xi[0] ** 4), 12)   # E Z^4 = 3
    3.0
    """
    d, forms, level = check_rule_args(d, forms, level)
    if d == 0:
        return np.zeros((0, 1)), np.ones(1)
    return rule(d, forms, level, tail=False)


def _divergence(far: float) -> ValueError:
    return ValueError(
        "the Gaussian integral does not converge within the quadrature's reach: the "
        f"integrand still carries {far:.2g} of weight between 20 and 25 standard deviations "
        "(it grows nearly as fast as exp(|z|^2/2), or faster; E exp(Z^2/2) is infinite)"
    )


def _tail(evaluate, d, forms, level, core: float) -> tuple[float, float]:
    """The tail's contribution to add to ``core`` and the part left out (one is 0.0), or raise."""
    xt, wt = rule(d, forms, level, tail=True)
    vals = np.asarray(evaluate(xt), dtype=float)
    scale = max(1.0, abs(core))
    last = np.linalg.norm(xt, axis=0) > TAIL_PANELS[-2]
    with np.errstate(all="ignore"):
        tail = float(wt @ vals)
        far = float(np.abs(wt[last]) @ np.abs(vals[last]))
    if not math.isfinite(tail) or far > _DIVERGENT * max(scale, abs(tail)):
        raise _divergence(far)
    return (tail, 0.0) if abs(tail) > _NEGLIGIBLE * scale else (0.0, abs(tail))


def _level(evaluate, d, forms, level):
    """(core value, tail added, part of the tail left out, E|g| on the core) of one level."""
    xi, w = rule(d, forms, level, tail=False)
    vals = np.asarray(evaluate(xi), dtype=float)
    core = float(w @ vals)
    tail, dropped = _tail(evaluate, d, forms, level, core)
    return core, tail, dropped, float(w @ np.abs(vals))


def spherical_integral(
    evaluate: Callable[[np.ndarray], np.ndarray], d: int, forms=None
) -> tuple[float, float]:
    r""":math:`\mathbb E\, g(\xi)` for :math:`\xi \sim N(0, I_d)`, ``d <= 3``, with its error.

    ``evaluate(xi)`` receives nodes of shape ``(d, N)`` and returns the ``N`` values of
    :math:`g`. The value is the fine :func:`spherical_rule`'s, with the radial tail beyond 9 added
    when it is not negligible. The error is ``SAFETY`` times the larger difference of the fine
    rule from the coarse and from the shifted rule (the shifted one is skipped when fine and
    coarse agree to 1e-13), plus a tail left out and a rounding allowance: an upper bound on the
    true error in practice (see the module's error contract). An error of at most ``EXACT``
    relative to :math:`\max(1, |\text{value}|)` means exact.

    Raises
    ------
    ValueError
        If the tail does not die out by radius 25 (the integral is infinite or out of reach), or
        the integrand has a singularity at the origin or on a form's zero set whose mass does not
        shrink (:math:`1/|\xi_1|`).

    Examples
    --------
    >>> v, e = spherical_integral(lambda xi: np.exp(7.0 * xi[0]), 1)   # E e^{7Z} = e^{24.5}
    >>> bool(abs(v / np.exp(24.5) - 1) < 1e-9), bool(e < 1e-6 * v)
    (True, True)
    >>> v, e = spherical_integral(lambda xi: np.abs(xi[0] - 0.5), 1)   # a kink off the forms
    >>> truth = 2 * np.exp(-0.125) / np.sqrt(2 * np.pi) + 0.5 * math.erf(0.5 / np.sqrt(2))
    >>> bool(abs(v - truth) <= e), bool(e < 1e-3)
    (True, True)
    >>> spherical_integral(lambda xi: 1 / np.abs(xi[0]), 1)   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the Gaussian integral does not exist within the quadrature's reach: ...
    """
    check_callable("evaluate", evaluate)
    d, forms, _ = check_rule_args(d, forms, "fine")
    if d == 0:
        return float(np.asarray(evaluate(np.zeros((0, 1))), dtype=float).reshape(-1)[0]), 0.0
    check_singularity(evaluate, d, forms)
    core, tail, dropped, size = _level(evaluate, d, forms, "fine")
    core_c, tail_c, dropped_c, _ = _level(evaluate, d, forms, "coarse")
    fine = core + tail
    diff = abs(fine - core_c - tail_c)
    if diff > _CONVERGED[d] * max(1.0, abs(fine)):  # a third rule guards against a coincidence
        xi, w = rule(d, forms, "shifted", tail=False)
        diff = max(diff, abs(core - float(w @ np.asarray(evaluate(xi), dtype=float))))
    return fine, SAFETY * diff + max(dropped, dropped_c) + _ROUNDING * size


def check_tail(evaluate: Callable[[np.ndarray], np.ndarray], d: int, root=None, rng=None) -> None:
    r"""Refuse :math:`\mathbb E\, g(\xi)`, :math:`\xi \sim N(0, I_d)`, when the integrand does not
    die out: the check that :func:`spherical_integral` makes, for any dimension (Monte Carlo).

    The weighted integrand :math:`r^{d-1} e^{-r^2/2} |g(r u)|` is integrated over the radii 0 to
    25 along a fixed set of directions :math:`u`: the coordinate axes and the diagonal (both
    signs), the rows of ``root`` (the linear forms the integrand depends on, along which it grows
    fastest) and 8 random directions drawn from ``rng``. If the part between 20 and 25 standard
    deviations exceeds 1e-9 of the whole (or of 1, if larger) along some direction, or a value
    is not finite, the integral is infinite or out of reach and ``ValueError`` is raised, with
    the quadrature's message. It costs :math:`36 (2d + 2k + 18)` evaluations for ``k`` forms.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(xi)`` takes points of shape ``(d, N)`` and returns the ``N`` values of ``g``.
    d : int
        Dimension, at least 1.
    root : array of shape (k, d), optional
        Linear forms of ``xi`` whose directions are probed too.
    rng : numpy.random.Generator, optional
        Draws the random directions; defaults to ``numpy.random.default_rng(0)`` (deterministic,
        and no draw from a caller's generator).

    Raises
    ------
    ValueError
        If the integrand does not die out by radius 25.

    Examples
    --------
    >>> check_tail(lambda xi: np.exp(3 * xi.sum(axis=0)), 4)  # E e^{3 sum} is finite
    >>> check_tail(lambda xi: np.exp(0.6 * (xi**2).sum(axis=0)), 6)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the Gaussian integral does not converge within the quadrature's reach: ...
    """
    check_callable("evaluate", evaluate)
    d = check_int("d", d, 1)
    rng = np.random.default_rng(0) if rng is None else check_rng(rng)
    forms = np.zeros((0, d)) if root is None else check_array("root", root, ndim=(1, 2))
    if forms.size % d:
        raise ValueError(f"root must have {d} columns (one per dimension), got {forms.shape}")
    dirs = np.concatenate(
        [np.eye(d), np.ones((1, d)), forms.reshape(-1, d), rng.standard_normal((8, d))]
    )
    dirs = dirs[np.linalg.norm(dirs, axis=1) > 0]
    dirs = dirs / np.linalg.norm(dirs, axis=1, keepdims=True)
    dirs = np.concatenate([dirs, -dirs]).T
    r, w = np.concatenate([radial_rule(d, 3, "core"), radial_rule(d, 3, "tail")], axis=1)
    pts = (dirs[:, :, None] * r[None, None, :]).reshape(d, -1)
    with np.errstate(all="ignore"):
        vals = np.abs(np.asarray(evaluate(pts), dtype=float)).reshape(dirs.shape[1], r.size)
        mass = vals * w
        far = mass[:, r > TAIL_PANELS[-2]].sum(axis=1)
        total = mass.sum(axis=1)
    if not np.all(np.isfinite(mass)) or np.any(far > _DIVERGENT * np.maximum(1.0, total)):
        raise _divergence(float(far.max()))


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
