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

    Examples
    --------
    >>> m, se = mean_se([1.0, 2.0, 3.0, 4.0])
    >>> float(m), round(float(se), 4)
    (2.5, 0.6455)
    """
    x = np.asarray(samples, dtype=float)
    if x.ndim == 0 or x.shape[axis] < 2:
        raise ValueError("mean_se needs at least two samples along the chosen axis")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples must be finite numbers")
    m = x.shape[axis]
    return x.mean(axis=axis), x.std(axis=axis, ddof=1) / np.sqrt(m)


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
    e2 = np.asarray(errors, dtype=float) ** 2
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

    Examples
    --------
    >>> m, se = pooled([1.0, 3.0], [1.0, 1.0])
    >>> m, round(se, 6)
    (2.0, 0.707107)
    """
    v = np.asarray(values, dtype=float)
    s = np.asarray(ses, dtype=float)
    if v.ndim != 1 or v.shape != s.shape or v.size == 0:
        raise ValueError(
            f"values and ses must be 1-D arrays of one length, got shapes {v.shape} and {s.shape}"
        )
    if not (np.all(np.isfinite(v)) and np.all(np.isfinite(s))) or np.any(s <= 0):
        raise ValueError("values must be finite and standard errors finite and positive")
    w = 1.0 / s**2
    return float(np.sum(w * v) / np.sum(w)), float(1.0 / np.sqrt(np.sum(w)))


def loglog_slope(x, y, y_se=None) -> tuple[float, float]:
    """Fit ``log y = c + s log x`` by (weighted) least squares and return ``(s, se(s))``.

    With ``y_se`` (the standard errors of ``y``) the fit is weighted by the delta-method errors
    of ``log y``, ``y_se / y``, and the slope's standard error propagates them. Without it, the
    ordinary least-squares standard error from the residuals is returned (needs >= 3 points).

    Examples
    --------
    >>> s, se = loglog_slope([10, 100, 1000], [1.0, 0.1, 0.01])
    >>> round(s, 6), round(se, 6)
    (-1.0, 0.0)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError("x and y must be 1-D arrays of the same length, at least 2")
    if np.any(x <= 0) or np.any(y <= 0) or not np.all(np.isfinite(y)):
        raise ValueError("a log-log fit needs positive, finite x and y")
    lx, ly = np.log(x), np.log(y)
    if y_se is not None:
        y_se = np.asarray(y_se, dtype=float)
        if y_se.shape != y.shape or np.any(y_se <= 0):
            raise ValueError("y_se must be positive and have the shape of y")
        w = (y / y_se) ** 2
        xm = np.sum(w * lx) / np.sum(w)
        sxx = np.sum(w * (lx - xm) ** 2)
        s = np.sum(w * (lx - xm) * ly) / sxx
        return float(s), float(np.sqrt(1.0 / sxx))
    if x.size < 3:
        raise ValueError("an unweighted fit needs at least 3 points to estimate its error")
    a = np.vstack([np.ones_like(lx), lx]).T
    coef, *_ = np.linalg.lstsq(a, ly, rcond=None)
    resid = ly - a @ coef
    sigma2 = resid @ resid / (x.size - 2)
    cov = sigma2 * np.linalg.inv(a.T @ a)
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
    x2 = (x[:m] ** 2).reshape(blocks, -1).sum(1)
    x4 = (x[:m] ** 4).reshape(blocks, -1).sum(1)
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
