"""Tensor programs: write a computation once, run it at width ``n`` or take ``n`` to infinity.

Everything below is importable from ``widthlimits.tp`` directly
(``from widthlimits.tp import Program``). The description of a program and its two readers are
separate modules, and the readers depend on the description, not the other way round:

* :class:`~widthlimits.tp.program.Program` writes a NETSOR-transpose+ program (the language
  NETSOR-transpose of :cite:t:`yang2020tp2`, with moments fed back as scalars as in
  :cite:t:`yang2021tp2b` and :cite:t:`yang2021tp4`): its construction methods are those of
  :class:`~widthlimits.tp.description.Description`, which records the program as a read-only
  tuple of instructions (:class:`~widthlimits.tp.instructions.Instruction`). Two simplifications
  of the papers: every matrix is square, :math:`n \\times n` (Tensor Programs I allows
  :math:`n_1 \\times n_2` with proportional widths :cite:p:`yang2019tp1`), and a linear
  combination is a Nonlin that the engine treats exactly (the papers have a separate
  instruction, LinComb);
* :func:`~widthlimits.tp.simulate.simulate` (``Program.simulate``) runs it at a finite width;
* :func:`~widthlimits.tp.limit.master_limit` (``Program.limit``) computes the infinite-width
  limit of every moment by the Z-recursion of the NETSOR-transpose Master Theorem
  :cite:p:`yang2020tp3`, carried out by :class:`~widthlimits.tp.engine.Engine`, and
  :func:`~widthlimits.tp.limit.zdot_coefficients` shows its :math:`\\dot Z` terms;
* :func:`~widthlimits.gaussian.gaussian_expectation` and
  :func:`~widthlimits.gaussian.spherical_rule` (re-exported here) are the Gaussian quadrature
  behind it;
* ``widthlimits.tp.programs`` holds ready-made programs (matrix powers, deep MLPs, SGD on a
  linear µP network) and :func:`~widthlimits.tp.programs.simulate_many`;
* :func:`~widthlimits.tp.training.training_limit` writes full-batch SGD of the book's MLP (µP,
  NTK, or SP with a scaled learning rate) as a program and returns the infinite-width limit of
  its training (Tensor Programs IV); :func:`widthlimits.mup.full_batch_training
  <widthlimits.mup.full_batch.full_batch_training>` trains the finite networks it is the limit of.
"""

from ..gaussian import gaussian_expectation, spherical_rule  # noqa: F401
from .instructions import Instruction  # noqa: F401
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
from .simulate import simulate  # noqa: F401
from .training import TrainingLimit, training_limit  # noqa: F401
from .variables import Matrix, Moment, Transpose, Vector  # noqa: F401
