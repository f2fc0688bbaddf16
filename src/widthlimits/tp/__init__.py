"""Tensor programs: write a computation once, run it at width ``n`` or take ``n`` to infinity.

Everything below is importable from ``widthlimits.tp`` directly
(``from widthlimits.tp import Program``):

* :class:`~widthlimits.tp.program.Program` writes a NETSOR-transpose+ program
  :cite:p:`yang2020tp2` and runs it at a finite width with
  :meth:`~widthlimits.tp.program.Program.simulate`; matrices are square, :math:`n \\times n`;
* :meth:`~widthlimits.tp.program.Program.limit` computes the infinite-width limit of every moment
  by the Master Theorem :cite:p:`yang2020tp3`, and
  :func:`~widthlimits.tp.limit.zdot_coefficients` shows its :math:`\\dot Z` terms;
* :func:`~widthlimits.tp.gaussian.gaussian_expectation` and
  :func:`~widthlimits.tp.gaussian.spherical_rule` are the Gaussian quadrature behind it;
* ``widthlimits.tp.programs`` holds ready-made programs (matrix powers, deep MLPs) and
  :func:`~widthlimits.tp.programs.simulate_many`.

.. automodule:: widthlimits.tp.program

.. automodule:: widthlimits.tp.variables

.. automodule:: widthlimits.tp.limit

.. automodule:: widthlimits.tp.gaussian

.. automodule:: widthlimits.tp.programs
"""

from .gaussian import gaussian_expectation, spherical_rule  # noqa: F401
from .limit import master_limit, zdot_coefficients  # noqa: F401
from .program import Program  # noqa: F401
from .programs import (  # noqa: F401
    mlp_program,
    power_program,
    power_zdot,
    simulate_many,
    wishart_program,
)
from .variables import Matrix, Moment, Transpose, Vector  # noqa: F401
