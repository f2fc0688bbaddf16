"""Part V(a): the NNGP and NTK kernels of infinitely wide networks, kernel regression, and the
empirical kernels of finite torch networks.

``from widthlimits import kernels`` gives every public name: ``kernels.nngp_ntk``,
``kernels.nngp``, ``kernels.ntk``, ``kernels.kernel_regression``, ``kernels.empirical_ntk``, ...
"""

# ruff: noqa: I001 - the imports are grouped by concept, one block per helper module group

from .empirical import (  # noqa: F401
    feature_movement,
    ntk_gd_prediction,
    readout_kernel,
    sample_outputs,
    train_gd,
)
from .empirical import empirical_ntk  # noqa: F401
from .recursion import NONLINEARITIES, kernel_regression, nngp, nngp_ntk, ntk  # noqa: F401
