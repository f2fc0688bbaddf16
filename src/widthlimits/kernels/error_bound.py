r"""The error the numerical dual states for a whole kernel recursion: each layer's tabulated
error (:mod:`widthlimits.kernels.numerical_table`) carried through the later layers.

Off the diagonal an error :math:`\delta k` in :math:`K^l_{12}` (the diagonal has its own
one-dimensional rule, whose rounding is in the tables' stated error) moves the correlation by
:math:`\delta\rho \le \delta k / \min_i K_{ii}` and

* :math:`\mathbb{E}[\phi\phi]` by at most :math:`D\,\delta k`: by Price's theorem its derivative
  in :math:`K_{12}` is :math:`\mathbb{E}[\phi'\phi']`, at most
  :math:`D = \max \mathbb{E}[\phi'(u)^2]` by Cauchy-Schwarz;
* :math:`\mathbb{E}[\phi'\phi']` by at most the smaller of :math:`L\,\delta\rho` (``L`` the
  largest slope in the correlation, finite for smooth functions and read off the table) and
  :math:`S\,\delta\theta` (``S`` the largest slope in the angle). The angle's error
  :math:`\delta\theta` is recorded entry by entry on the tiles: :math:`\delta\rho / \sin` at the
  correlation nearest :math:`\pm 1` that the error allows, and at most
  :math:`\pi\sqrt{\delta\rho/2}` (arccos is 1/2-Hoelder), the bound that remains for kinked
  functions at correlations within :math:`\delta\rho` of :math:`\pm 1` (duplicate inputs).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["correlation_errors", "propagated_error"]


def _drho(q, ek):
    pos = q[q > 0]  # a zero variance has exact (zero) kernel entries
    return min(ek / float(pos.min()), 2.0) if pos.size and ek > 0 else 0.0


def correlation_errors(dual, qs, w2):
    """Give each of ``dual``'s tables the bound on its layer's correlation error (before the
    tiles, which then record the angles' errors); the NNGP's error needs no tile."""
    ek = 0.0
    for layer, table in enumerate(dual.tables):
        table.drho = _drho(qs[layer], ek)
        ek = w2 * (table.err_e + table.dmax * ek)


def propagated_error(dual, qs, thetas, t1, w2, widths):
    """Bounds on ``max |K - K_true|`` and ``max |Theta - Theta_true|`` from the stated layer
    errors of ``dual`` (a :class:`~widthlimits.kernels.quadrature.NumericalDual`; zero for any
    other)."""
    from .quadrature import NumericalDual

    if not isinstance(dual, NumericalDual):
        return 0.0, 0.0
    ek, et = 0.0, 0.0
    for layer, t in enumerate(dual.tables):
        drho = _drho(qs[layer], ek)
        tmax = float(np.abs(t1).max()) if layer == 0 else float(np.abs(thetas[layer]).max())
        if t.drho is None:  # not tracked on the tiles: the Hoelder bound everywhere
            dth = math.pi * math.sqrt(0.5 * drho)
            moved = dth * tmax
        else:
            dth, moved = t.dtheta, t.move
        move = min(t.lip_d * drho * tmax, t.slope_d * moved) if drho else 0.0
        coupling = t.dmax + (min(t.lip_d * drho, t.slope_d * dth) if drho else 0.0)
        gain = w2 if widths is None else widths[layer]
        et = gain * (t.err_e + t.dmax * ek) + w2 * (t.err_d * tmax + move + coupling * et)
        ek = w2 * (t.err_e + t.dmax * ek)
    return ek, et
