r"""The infinite-width limit of *training*: full-batch gradient descent of the book's MLP, in µP,
in the NTK parametrization, or in SP with a learning rate scaled by :math:`n_0/n` (Tensor
Programs IV).

:func:`training_limit` is the one public face. The network is
:class:`widthlimits.mup.MLP <widthlimits.mup.model.MLP>` without biases, trained by SGD with its
own learning-rate groups on :math:`\mathcal L = \frac1{2N}\sum_{i=1}^N (f(\xi_i) - y_i)^2`;
:func:`widthlimits.mup.full_batch.full_batch_training` trains the finite networks in exactly
that way. The two regimes are computed differently, each in its own module:

* µP (:mod:`~widthlimits.tp.training_mup`): features move by order one, and the whole training
  run is unrolled as one NETSOR-transpose+ program whose moments are the outputs after every
  step; the limit is deterministic;
* NTK and SP (:mod:`~widthlimits.tp.training_kernel`): features do not move in the limit, the
  tangent kernel is a moment of a tensor program (forward and backward pass at initialization)
  and training is kernel gradient descent; the limit is random through the Gaussian-process
  output at initialization, and what is returned is its mean and standard deviation over
  initializations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_array, check_bool, check_choice, check_int, check_real, check_rng
from ..nonlinearities import numpy_pair
from ..training_run import PARAMETRIZATIONS, TrainingRun, check_parametrization
from .training_kernel import kernel_descent, kernel_moments, tangent_kernel
from .training_mup import mup_limit

__all__ = ["PARAMETRIZATIONS", "TrainingLimit", "training_limit"]


#: The parametrizations :func:`training_limit` knows (case-insensitive; ``"standard"`` is
#: ``"sp"``, ``"µP"`` is ``"mup"``), as :class:`~widthlimits.mup.model.MLP` names them.
@dataclass(frozen=True)
class TrainingLimit(TrainingRun):
    """The infinite-width limit of a training run, each quantity with its numerical error.

    ``f_train[t, i]`` is the output on training input ``i`` after ``t`` steps (``t = 0`` is
    initialization), ``f_test[t, k]`` the same on test inputs, ``loss[t]`` the training loss;
    the ``*_err`` arrays are the engine's error estimates (0 where every integral was exact).
    ``kernels[l]`` is the feature kernel :math:`\\frac1n x^l(\\xi)^\\top x^l(\\xi')` of hidden
    layer ``l`` (1-based) over the training then test inputs, before and after training:
    ``(K_0, K_T)``, with errors ``kernels_err[l]``.

    In the NTK parametrization and SP the limit is random (its output at initialization is a
    Gaussian process): ``f_train`` and ``f_test`` are then its mean over initializations,
    ``f_train_sd`` and ``f_test_sd`` its standard deviation, and ``loss`` the mean of the loss;
    ``tangent_kernel`` and ``output_kernel`` (the NNGP kernel, the covariance of
    :math:`f_0`) are the limit kernels over the training then test inputs, and
    ``output_maps[t]`` is the matrix :math:`A_t` with :math:`f_t = \\bar f_t + A_t f_0` (over
    training then test inputs; :math:`\\bar f_t` the mean): the limit that one network with
    initial outputs :math:`f_0` converges to. In µP the limit is deterministic: the standard
    deviations are 0 and the kernels and maps are ``None``.
    """

    tangent_kernel: np.ndarray | None = None
    tangent_kernel_err: np.ndarray | None = None
    output_kernel: np.ndarray | None = None
    output_kernel_err: np.ndarray | None = None
    output_maps: np.ndarray | None = None


def _check_data(X_train, y_train, X_test):
    X = check_array("X_train", X_train, ndim=2)
    y = check_array("y_train", y_train, ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y_train must hold one label per row of X_train ({X.shape[0]}), got {y.shape[0]}"
        )
    if X_test is None:
        Xt = np.zeros((0, X.shape[1]))
    else:
        Xt = check_array("X_test", X_test, ndim=2)
        if Xt.shape[1] != X.shape[1]:
            raise ValueError(
                f"X_test must have {X.shape[1]} columns like X_train, got {Xt.shape[1]}"
            )
    if X.shape[0] > 16 or Xt.shape[0] > 16:
        raise ValueError(
            "training_limit takes at most 16 training and 16 test inputs (the program grows "
            f"with their product and the steps), got {X.shape[0]} and {Xt.shape[0]}"
        )
    return X, y, Xt


def training_limit(
    X_train,
    y_train,
    X_test=None,
    *,
    hidden_layers: int = 1,
    nonlinearity="tanh",
    parametrization: str = "mup",
    lr: float = 0.1,
    steps: int = 1,
    loss: str = "mse",
    base_width: int = 1,
    weight_std: float = 1.0,
    zero_readout: bool = False,
    rng: np.random.Generator | None = None,
    mc_samples: int = 2**12,
    mc_repeats: int = 8,
) -> TrainingLimit:
    r"""The infinite-width limit of ``steps`` steps of full-batch SGD of the book's MLP.

    The network and its learning rates are those of
    ``widthlimits.mup.MLP(d, n, 1, hidden_layers, parametrization, base_width=base_width,
    bias=False, weight_std=weight_std, nonlinearity=nonlinearity, zero_readout=zero_readout)``
    trained with ``torch.optim.SGD(net.param_groups(lr))`` (for ``"sp"``:
    ``net.param_groups(lr * base_width / n)``) on :math:`\frac1{2N}\sum_i (f(\xi_i) - y_i)^2`,
    so that a finite network trained that way
    (:func:`widthlimits.mup.full_batch.full_batch_training`) converges to what this returns as
    its width grows.

    * ``"mup"``: the whole run is one tensor program (:mod:`~widthlimits.tp.training_mup`);
      the limit is deterministic and the features move.
    * ``"ntk"``, ``"sp"``: the features do not move (``kernels[l] = (K_0, K_0)``) and
      :math:`f_t = f_0 + ` kernel gradient descent of :math:`f_0 - y` with the tangent kernel
      :math:`\Theta`, computed as moments of a tensor program by the engine
      (:mod:`~widthlimits.tp.training_kernel`). :math:`f_0` is a Gaussian process, so the
      returned outputs are the MEAN over initializations (kernel gradient descent from
      :math:`f_0 = 0`), with the standard deviation in ``f_train_sd``/``f_test_sd``. For
      ``"ntk"``, :math:`\Theta` is ``kernels.ntk(X, hidden_layers, nonlinearity, weight_std)``
      and the outputs are ``kernels.ntk_gd_prediction(..., lr=lr / N, ...)`` from zero (that
      function's loss is :math:`\frac12\sum_i`, not :math:`\frac1{2N}\sum_i`). For ``"sp"``,
      :math:`\Theta` lacks the input layer and has :math:`n_0` in place of :math:`\sigma_w^2`.

    The limit is computed by :meth:`Program.limit`: by quadrature where each integral has
    dimension at most 3 (µP: one training input, no test input, one hidden layer; NTK and SP:
    one or two hidden layers, any inputs), and by quasi-Monte Carlo over the :math:`Z`'s
    otherwise, never by simulating a finite width.

    Parameters
    ----------
    X_train : array_like, shape (N, d)
        At most 16 rows.
    y_train : array_like, shape (N,)
    X_test : array_like, shape (M, d), optional
        At most 16 rows.
    hidden_layers : int
        :math:`1 \le L \le 4`.
    nonlinearity : str
        A name from :mod:`widthlimits.nonlinearities` (relu, tanh, erf, gelu, linear, ...).
    parametrization : {"mup", "ntk", "sp"}
        Case-insensitive; ``"sp"`` is SP with the learning rate scaled by :math:`n_0/n`.
    lr : float
        The base learning rate :math:`\eta > 0`.
    steps : int
        Number of SGD steps, between 1 and 20.
    loss : {"mse"}
    base_width : int
        :math:`n_0`: the width at which µP equals SP, and SP's learning-rate scale. The NTK
        parametrization does not depend on it.
    weight_std : float
        :math:`\sigma_w > 0`.
    zero_readout : bool
        Start from a zero readout, as ``MLP(..., zero_readout=True)`` does.
    rng : numpy.random.Generator, optional
        The quasi-Monte Carlo scramblings (default ``default_rng(0)``).
    mc_samples, mc_repeats : int
        Quasi-Monte Carlo points per integral and independent repeats of the recursion, where
        one is needed; the error is the standard error over the repeats. The defaults
        (:math:`2^{12}` points, 8 repeats) keep two hidden layers, 4 inputs and 3 steps under
        a minute with errors near :math:`10^{-3}`; the errors were checked against a run with
        :math:`2^{16}` points (deviations within 1.1 of them, one at 2.3).

    Returns
    -------
    TrainingLimit

    Raises
    ------
    ValueError, TypeError
        For data of the wrong shape or with NaN, more than 16 training or test inputs, an
        unknown parametrization, nonlinearity or loss, or a number out of its range.

    Examples
    --------
    One training input and one hidden layer in µP: every integral is two-dimensional, by
    quadrature (its error estimate is the difference of a fine and a coarse rule).

    >>> out = training_limit([[1.0, 0.0]], [1.0], hidden_layers=1, nonlinearity="tanh",
    ...                      lr=0.5, steps=3)
    >>> out.f_train.shape, bool(out.loss[-1] < out.loss[0]), bool(out.f_train_err.max() < 1e-5)
    ((4, 1), True, True)

    In the NTK parametrization the mean limit is kernel gradient descent with ``kernels.ntk``:

    >>> import numpy as np
    >>> from widthlimits.kernels import ntk, ntk_gd_prediction
    >>> X, y = np.array([[1.0, 0.0], [0.6, 0.8]]), np.array([1.0, -1.0])
    >>> out = training_limit(X, y, parametrization="ntk", lr=0.5, steps=3, weight_std=1.5)
    >>> theta = ntk(X, 1, "tanh", weight_std=1.5)
    >>> want, _ = ntk_gd_prediction(theta, theta, [0, 0], [0, 0], y, lr=0.5 / 2, steps=3)
    >>> bool(np.abs(out.f_train[-1] - want).max() < 1e-9), float(out.f_train_err.max())
    (True, 0.0)
    """
    X, y, Xt = _check_data(X_train, y_train, X_test)
    depth = check_int("hidden_layers", hidden_layers, 1, 4)
    phi, dphi = numpy_pair(nonlinearity)
    par = check_parametrization(parametrization)
    check_choice("loss", loss, ("mse",))
    eta = check_real("lr", lr, 0, low_open=True)
    steps = check_int("steps", steps, 1, 20)
    n0 = check_int("base_width", base_width, 1)
    sw = check_real("weight_std", weight_std, 0, low_open=True)
    zero_readout = check_bool("zero_readout", zero_readout)
    rng = None if rng is None else check_rng(rng)
    mc_samples = check_int("mc_samples", mc_samples, 2**8, 2**20)
    mc_repeats = check_int("mc_repeats", mc_repeats, 2, 64)
    if par == "mup":
        fields = mup_limit(X, y, Xt, depth, phi, dphi, eta, n0, sw, zero_readout, steps, rng,
                           mc_samples, mc_repeats)  # fmt: skip
    else:
        fields = _kernel_limit(X, y, Xt, depth, phi, dphi, par, eta, n0, sw, zero_readout,
                               steps, (rng, mc_samples, mc_repeats))  # fmt: skip
    return TrainingLimit(**fields)


def _kernel_limit(X, y, Xt, depth, phi, dphi, par, eta, n0, sw, zero_readout, steps, mc):
    """The fields of :class:`TrainingLimit` in the kernel regime (NTK, SP)."""
    inputs, N = np.vstack([X, Xt]), X.shape[0]
    readout_var = 0.0 if zero_readout else sw**2
    moments = kernel_moments(inputs, depth, phi, dphi, sw, readout_var, *mc)
    theta, theta_err = tangent_kernel(moments, inputs, depth, par, sw, n0)
    f, f_err, maps = kernel_descent(theta, theta_err, N, y, eta, steps)
    nngp, nngp_err = (readout_var * a for a in moments["K", depth])
    cov = np.einsum("tij,jk,tlk->til", maps, nngp, maps)
    cov_err = np.einsum("tij,jk,tlk->til", np.abs(maps), nngp_err, np.abs(maps))
    var = np.clip(np.einsum("tii->ti", cov), 0.0, None)
    var_err = np.einsum("tii->ti", cov_err)
    resid = f[:, :N] - y
    loss = 0.5 * (resid**2 + var[:, :N]).mean(axis=1)
    loss_err = (np.abs(resid) * f_err[:, :N] + 0.5 * var_err[:, :N]).mean(axis=1)
    sd = np.sqrt(var)
    kernels = {l: (moments["K", l][0],) * 2 for l in range(1, depth + 1)}
    kernels_err = {l: (moments["K", l][1],) * 2 for l in range(1, depth + 1)}
    return {
        "f_train": f[:, :N], "f_train_err": f_err[:, :N], "f_test": f[:, N:],
        "f_test_err": f_err[:, N:], "loss": loss, "loss_err": loss_err, "kernels": kernels,
        "kernels_err": kernels_err, "f_train_sd": sd[:, :N], "f_test_sd": sd[:, N:],
        "tangent_kernel": theta, "tangent_kernel_err": theta_err, "output_kernel": nngp,
        "output_kernel_err": nngp_err, "output_maps": maps,
    }  # fmt: skip
