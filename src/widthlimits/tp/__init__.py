"""Tensor programs: write a computation once, run it at width ``n`` or take ``n`` to infinity.

* :class:`Program` (in :mod:`widthlimits.tp.program`) writes a NETSOR-transpose+ program
  :cite:p:`yang2020tp2` and runs it at a finite width with :meth:`Program.simulate`; matrices are
  square, :math:`n \\times n`;
* :meth:`Program.limit` (in :mod:`widthlimits.tp.limit`) computes the infinite-width limit of
  every moment by the Master Theorem :cite:p:`yang2020tp3`;
* :mod:`widthlimits.tp.gaussian` holds the Gaussian quadrature behind it;
* :mod:`widthlimits.tp.programs` holds ready-made programs (matrix powers, deep MLPs).
"""

from .gaussian import gaussian_expectation, spherical_rule
from .limit import master_limit, zdot_coefficients
from .program import Matrix, Moment, Program, Transpose, Vector
from .programs import mlp_program, power_program, power_zdot, simulate_many, wishart_program

__all__ = [
    "Program",
    "Matrix",
    "Transpose",
    "Vector",
    "Moment",
    "master_limit",
    "zdot_coefficients",
    "gaussian_expectation",
    "spherical_rule",
    "power_program",
    "power_zdot",
    "wishart_program",
    "mlp_program",
    "simulate_many",
]
