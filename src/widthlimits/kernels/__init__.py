r"""Part V(a): the NNGP and NTK kernels of infinitely wide networks, kernel predictions, and the
empirical kernels of finite torch networks.

Everything below is importable from ``widthlimits.kernels`` directly (``from widthlimits import
kernels; kernels.nngp_ntk(X, depth)``); the code lives in six modules, one concept each:

* :mod:`widthlimits.kernels.recursion` -- :func:`~widthlimits.kernels.recursion.nngp_ntk`,
  :func:`~widthlimits.kernels.recursion.nngp` and :func:`~widthlimits.kernels.recursion.ntk`, the
  layer recursion of the limit kernels in neural-tangents' conventions (input kernel
  :math:`\sigma_w^2 X X^\top / d + \sigma_b^2`, NTK parameterization), carried tile by tile;
* :mod:`widthlimits.kernels.duals` -- :func:`~widthlimits.kernels.duals.dual_of`, the choice
  between a closed form and the numerical path, and the identity; the closed forms live in
  :mod:`~widthlimits.kernels.duals_relu` (relu, leaky relu, abs, ``ABRelu``),
  :mod:`~widthlimits.kernels.duals_arccos` (arc-cosine kernels of every order, step, sign,
  monomials) and :mod:`~widthlimits.kernels.duals_smooth` (erf and its rescalings, gelu, sin,
  cos, ``Rbf``, exp, Gaussian), on the interface of :mod:`~widthlimits.kernels.duals_base`.
  Their nonlinearity objects (``kernels.LeakyRelu(0.1)``, ``kernels.Rbf(2.0)``, ...) are
  importable from here and can be given to the kernels and to the torch ``MLP`` alike;
* :mod:`widthlimits.kernels.quadrature` -- the two-dimensional Gaussian quadrature for every
  other nonlinearity (the names of :mod:`widthlimits.nonlinearities`, or a vectorized callable),
  with its limits on grid size and work;
* :mod:`widthlimits.kernels.regression` -- kernel (ridge) regression and the gradient-descent
  prediction of the linearized network;
* :mod:`widthlimits.kernels.empirical` -- the outputs, readout kernel and empirical NTK of finite
  torch networks (:class:`widthlimits.mup.model.MLP`);
* :mod:`widthlimits.kernels.training` -- full-batch gradient descent and feature movement.

Every public function checks all of its input first, through :mod:`widthlimits._checks`, and
answers bad input with a ``ValueError`` or ``TypeError`` that names the argument.
"""

from .duals import (  # noqa: F401
    ABRelu,
    Abs,
    Cos,
    Exp,
    Gaussian,
    Gelu,
    LeakyRelu,
    Monomial,
    Rbf,
    RectifiedMonomial,
    ScaledErf,
    SigmoidLike,
    Sign,
    Sin,
    Step,
    dual_of,
)
from .empirical import empirical_ntk, readout_kernel, sample_outputs  # noqa: F401
from .quadrature import MAX_EVALUATIONS, MAX_NODES  # noqa: F401
from .recursion import MAX_DEPTH, NONLINEARITIES, nngp, nngp_ntk, ntk  # noqa: F401
from .regression import kernel_regression, ntk_gd_prediction  # noqa: F401
from .training import feature_movement, train_gd  # noqa: F401
