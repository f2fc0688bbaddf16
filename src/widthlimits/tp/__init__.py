"""Tensor programs: write a computation once, run it at width ``n`` or take ``n`` to infinity.

Everything below is importable from ``widthlimits.tp`` directly
(``from widthlimits.tp import Program``):

* :class:`~widthlimits.tp.program.Program` writes a NETSOR-transpose+ program (the language
  NETSOR-transpose of :cite:t:`yang2020tp2`, with moments fed back as scalars as in
  :cite:t:`yang2021tp2b` and :cite:t:`yang2021tp4`) and runs it at a finite width with
  :meth:`~widthlimits.tp.program.Program.simulate`. Two simplifications of the papers: every
  matrix is square, :math:`n \\times n` (Tensor Programs I allows :math:`n_1 \\times n_2` with
  proportional widths :cite:p:`yang2019tp1`), and a linear combination is a Nonlin that the
  engine treats exactly (the papers have a separate instruction, LinComb);
* :meth:`~widthlimits.tp.program.Program.limit` computes the infinite-width limit of every moment
  by the Z-recursion of the NETSOR-transpose Master Theorem :cite:p:`yang2020tp3`, and
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
    linear_mup_program,
    mlp_program,
    nongaussian_program,
    power_program,
    power_zdot,
    simulate_many,
    wishart_program,
)
from .variables import Matrix, Moment, Transpose, Vector  # noqa: F401
