"""Small statistics shared by every part of the book: means with standard errors, power-law fits.

Every tolerance in the book's claims comes from a standard error computed here, so the same rule
is used everywhere: a random quantity is claimed within ``k`` standard errors (``k`` = 4 or 5).
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_array, check_int

__all__ = ["mean_se", "rms_se", "pooled", "loglog_slope", "excess_kurtosis"]


def mean_se(samples, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return the sample mean and its standard error ``std / sqrt(m)`` along ``axis``.

    Raises
    ------
    TypeError
        If ``samples`` is not an array of real numbers (None, strings, ragged, complex) or
        ``axis`` not an integer.
    ValueError
        If ``axis`` is out of range, there are fewer than two samples along it, or a sample is
        NaN or infinite.

    Examples
    --------
    >>> m, se = mean_se([1.0, 2.0, 3.0, 4.0])
    >>> float(m), round(float(se), 4)
    (2.5, 0.6455)
    """
    x = check_array("samples", samples, finite=False)
    axis = _check_axis(x, axis)
    if x.shape[axis] < 2:
        raise ValueError(
            f"mean_se needs at least two samples along axis {axis}, got shape {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError("samples must be finite numbers; they contain NaN or inf")
    m = x.shape[axis]
    return x.mean(axis=axis), x.std(axis=axis, ddof=1) / np.sqrt(m)


def _check_axis(x: np.ndarray, axis) -> int:
    """``axis`` as a valid axis of ``x`` (an int in ``[-x.ndim, x.ndim)``), or raise."""
    if x.ndim == 0:
        raise ValueError(f"samples must be an array with at least one axis, got {x!r}")
    return check_int("axis", axis, -x.ndim, x.ndim - 1) % x.ndim


def rms_se(errors, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    r"""Root mean square :math:`\sqrt{\overline{e^2}}` of ``errors`` along ``axis``, with its
    standard error.

    The standard error of the mean square :math:`m` is the standard error of a mean; the delta
    method turns it into :math:`\mathrm{se}(\sqrt m) = \mathrm{se}(m) / (2\sqrt m)`.

    Examples
    --------
    >>> r, se = rms_se([[3.0, -3.0, 3.0, -3.0]])
    >>> float(r[0]), float(se[0])
    (3.0, 0.0)
    """
    e = check_array("errors", errors)
    with np.errstate(over="ignore"):
        e2 = e**2
    if not np.all(np.isfinite(e2)):
        raise ValueError("errors are too large: their squares overflow floating point")
    m, se = mean_se(e2, axis=axis)
    if np.any(m <= 0):
        raise ValueError("the errors are all zero: their RMS has no relative error to report")
    r = np.sqrt(m)
    return r, se / (2 * r)


def pooled(values, ses) -> tuple[float, float]:
    r"""Inverse-variance weighted mean of independent estimates of one quantity, with its
    standard error.

    With weights :math:`w_i = 1/\mathrm{se}_i^2`, the pooled estimate is
    :math:`\sum_i w_i v_i / \sum_i w_i` and its standard error :math:`(\sum_i w_i)^{-1/2}`. The
    estimates must be independent and estimate the same number.

    Raises
    ------
    TypeError
        If ``values`` or ``ses`` is not a 1-D array of real numbers.
    ValueError
        If they are empty, of different lengths, not finite, or a standard error is not > 0.

    Examples
    --------
    >>> m, se = pooled([1.0, 3.0], [1.0, 1.0])
    >>> m, round(se, 6)
    (2.0, 0.707107)
    """
    v = check_array("values", values, ndim=1)
    s = check_array("ses", ses, ndim=1)
    if v.shape != s.shape:
        raise ValueError(
            f"values and ses must be 1-D arrays of one length, got shapes {v.shape} and {s.shape}"
        )
    if np.any(s <= 0):
        raise ValueError(f"ses must be standard errors > 0, got {s.tolist()}")
    with np.errstate(over="ignore", divide="ignore"):
        w = 1.0 / s**2
    if not np.all(np.isfinite(w)):
        raise ValueError("ses are so small that their inverse squares overflow floating point")
    return float(np.sum(w * v) / np.sum(w)), float(1.0 / np.sqrt(np.sum(w)))


def loglog_slope(x, y, y_se=None) -> tuple[float, float]:
    """Fit ``log y = c + s log x`` by (weighted) least squares and return ``(s, se(s))``.

    With ``y_se`` (the standard errors of ``y``) the fit is weighted by the delta-method errors
    of ``log y``, ``y_se / y``, and the slope's standard error propagates them. Without it, the
    ordinary least-squares standard error from the residuals is returned (needs >= 3 points).

    Raises
    ------
    TypeError
        If ``x``, ``y`` or ``y_se`` is not a 1-D array of real numbers.
    ValueError
        If the arrays differ in length or have fewer than 2 points (3 without ``y_se``), an entry
        is NaN, infinite or (for ``x``, ``y``, ``y_se``) not positive, or all ``x`` are equal.

    Examples
    --------
    >>> s, se = loglog_slope([10, 100, 1000], [1.0, 0.1, 0.01])
    >>> round(s, 6), round(se, 6)
    (-1.0, 0.0)
    """
    x = check_array("x", x, ndim=1)
    y = check_array("y", y, ndim=1)
    if x.shape != y.shape or x.size < 2:
        raise ValueError(
            f"x and y must be 1-D arrays of the same length, at least 2, got shapes {x.shape} "
            f"and {y.shape}"
        )
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError(
            "a log-log fit needs positive x and y, got "
            + ("x" if np.any(x <= 0) else "y")
            + f" = {(x if np.any(x <= 0) else y).tolist()}"
        )
    lx, ly = np.log(x), np.log(y)
    if np.ptp(lx) <= 1e-9 * max(1.0, float(np.max(np.abs(lx)))):
        raise ValueError(
            f"x must take at least two different values to fit a slope, got {x.tolist()}"
        )
    if y_se is not None:
        y_se = check_array("y_se", y_se, ndim=1)
        if y_se.shape != y.shape or np.any(y_se <= 0):
            raise ValueError(
                f"y_se must be standard errors > 0 with the shape of y {y.shape}, got "
                f"{y_se.tolist()}"
            )
        w = (y / y_se) ** 2
        xm = np.sum(w * lx) / np.sum(w)
        sxx = np.sum(w * (lx - xm) ** 2)
        s = np.sum(w * (lx - xm) * ly) / sxx
        if not (np.isfinite(s) and np.isfinite(sxx) and sxx > 0):
            raise ValueError(
                "y / y_se overflows floating point: the weights of the fit are not finite"
            )
        return float(s), float(np.sqrt(1.0 / sxx))
    if x.size < 3:
        raise ValueError("an unweighted fit needs at least 3 points to estimate its error")
    a = np.vstack([np.ones_like(lx), lx]).T
    coef, *_ = np.linalg.lstsq(a, ly, rcond=None)
    resid = ly - a @ coef
    sigma2 = resid @ resid / (x.size - 2)
    cov = sigma2 * np.linalg.inv(a.T @ a)
    if not (np.all(np.isfinite(coef)) and np.isfinite(cov[1, 1])):  # pragma: no cover - guarded
        raise ValueError("the log-log fit is numerically singular for these x")
    return float(coef[1]), float(np.sqrt(cov[1, 1]))


def excess_kurtosis(samples, blocks: int = 20) -> tuple[float, float]:
    r"""Return the excess kurtosis :math:`E[f^4]/E[f^2]^2 - 3` of centred samples, and its
    standard error.

    The samples are taken to have mean zero (a network output at initialization does), so the
    moments are not re-centred. The estimate and its standard error are the delete-a-block
    jackknife over ``blocks`` blocks, which removes the ratio's :math:`O(1/m)` bias. A Gaussian
    has excess kurtosis 0; the output of a one-hidden-layer relu network of width ``n`` without
    biases has exactly :math:`15/n` (see the NNGP chapter).

    Parameters
    ----------
    samples : array_like, shape (m,)
        At least ``2 * blocks`` finite samples.
    blocks : int, default 20

    Returns
    -------
    value, se : float

    Examples
    --------
    >>> k, se = excess_kurtosis(np.random.default_rng(0).standard_normal(20000))
    >>> bool(abs(k) < 5 * se)
    True
    """
    x = check_array("samples", samples, ndim=1)
    blocks = check_int("blocks", blocks, 2)
    if x.size < 2 * blocks:
        raise ValueError(
            f"samples must hold at least 2 per block ({2 * blocks} for blocks={blocks}), got "
            f"{x.size}"
        )
    m = x.size - x.size % blocks
    with np.errstate(over="ignore"):
        x2 = (x[:m] ** 2).reshape(blocks, -1).sum(1)
        x4 = (x[:m] ** 4).reshape(blocks, -1).sum(1)
    if not np.isfinite(x4.sum()):
        raise ValueError("samples are too large: their fourth powers overflow floating point")
    if x2.sum() == 0:
        raise ValueError("all samples are zero: the kurtosis is undefined")
    per = m // blocks

    def kurt(s2, s4, count):
        return (s4 / count) / (s2 / count) ** 2 - 3.0

    full = kurt(x2.sum(), x4.sum(), m)
    loo = kurt(x2.sum() - x2, x4.sum() - x4, m - per)
    value = blocks * full - (blocks - 1) * loo.mean()
    se = math.sqrt((blocks - 1) / blocks * ((loo - loo.mean()) ** 2).sum())
    return float(value), float(se)
