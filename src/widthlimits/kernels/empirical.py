r"""Finite-width networks measured against their infinite-width kernels (torch).

Everything here acts on a :class:`widthlimits.nn.MLP`, usually in the NTK parametrization, whose
infinite-width limits are :func:`widthlimits.kernels.nngp` and :func:`widthlimits.kernels.ntk`:

* :func:`sample_outputs` draws the outputs of many independently initialized networks, whose
  covariance tends to the NNGP kernel;
* :func:`readout_kernel` is the covariance of one network's output over its readout weights
  alone, :math:`m^2\, x^L (x^L)^\top + \beta^2`, the finite-width NNGP kernel of its features;
* :func:`empirical_ntk` computes :math:`\sum_p \partial_p f(x)\, \partial_p f(y)` over every
  weight and bias with ``torch.func``;
* :func:`train_gd` trains by full-batch gradient descent on the squared loss
  :math:`\frac12 \sum_i (f(x_i) - y_i)^2`, and :func:`ntk_gd_prediction` gives what the
  linearized network (kernel regression with the NTK) predicts for the same steps;
* :func:`feature_movement` measures how far the hidden features move during that training.

Randomness comes only from an explicit ``torch.Generator``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from torch.func import functional_call, jacrev, vmap

from .._checks import check_int
from ..mup.model import MLP

__all__ = [
    "sample_outputs",
    "readout_kernel",
    "empirical_ntk",
    "train_gd",
    "ntk_gd_prediction",
    "feature_movement",
]


def _as_tensor(X, name: str = "X") -> torch.Tensor:
    if isinstance(X, torch.Tensor):
        X = X.detach().to(torch.float64)
    else:
        try:
            X = torch.as_tensor(np.asarray(X, dtype=np.float64))
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name} must be an array of real numbers, got {type(X)}") from err
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (inputs x features), got {X.ndim} dimensions")
    if not torch.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinite entries")
    return X


def _positive_int(name: str, x) -> int:
    return check_int(name, x, 1)


def _check_model(model) -> MLP:
    if not isinstance(model, MLP):
        raise TypeError(f"model must be a widthlimits.nn.MLP, got {type(model).__name__}")
    if model.d_out != 1:
        raise ValueError(f"these kernels are for a scalar output, but the model has d_out = "
                         f"{model.d_out}")  # fmt: skip
    return model


def _check_generator(generator) -> torch.Generator:
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    return generator


def _output(model: MLP, X: torch.Tensor) -> torch.Tensor:
    return model(X.to(model.weights[0].dtype))[:, 0]


def sample_outputs(
    X,
    width: int,
    depth: int,
    n_samples: int,
    generator: torch.Generator,
    *,
    nonlinearity="relu",
    weight_std: float = math.sqrt(2.0),
    bias_std: float = 0.0,
    parametrization="ntk",
) -> np.ndarray:
    r"""Return the outputs of ``n_samples`` independently initialized networks on the rows of X.

    Each sample is an :class:`~widthlimits.nn.MLP` ``(d, width, 1, depth)`` in float64 with its
    own random parameters from ``generator``. In the NTK parametrization, where every parameter is
    :math:`N(0, 1)`, the parameter sets are drawn in batches and the same module is evaluated on
    each with ``torch.func.vmap``; otherwise a fresh module is built per sample. In the NTK
    parametrization the rows of the result are iid draws of a random function whose covariance
    tends, as ``width`` grows, to
    :func:`widthlimits.kernels.nngp` with the same ``depth``, ``nonlinearity`` and stds
    :cite:p:`lee2018dnngp`.

    Parameters
    ----------
    X : array_like, shape (N, d)
        Inputs.
    width, depth, n_samples : int
        Hidden width, number of hidden layers, number of networks.
    generator : torch.Generator
        The only source of randomness.
    nonlinearity, weight_std, bias_std, parametrization
        Passed to :class:`~widthlimits.nn.MLP`.

    Returns
    -------
    ndarray, shape (n_samples, N)

    Raises
    ------
    ValueError, TypeError
        For bad sizes, non-finite inputs or a generator that is not a ``torch.Generator``.

    Examples
    --------
    >>> import torch
    >>> f = sample_outputs([[1.0, 0.0], [0.0, 1.0]], 32, 2, 5, torch.Generator().manual_seed(0))
    >>> f.shape
    (5, 2)
    """
    X = _as_tensor(X)
    width, depth = _positive_int("width", width), _positive_int("depth", depth)
    n_samples = _positive_int("n_samples", n_samples)
    generator = _check_generator(generator)

    def make():
        return MLP(X.shape[1], width, 1, depth, parametrization, None, nonlinearity,
                   weight_std=weight_std, bias_std=bias_std, generator=generator,
                   dtype=torch.float64)  # fmt: skip

    out = np.empty((n_samples, X.shape[0]))
    if parametrization != "ntk":
        with torch.no_grad():
            for s in range(n_samples):
                out[s] = _output(make(), X).numpy()
        return out
    # NTK parametrization: every weight and bias is N(0, 1), so draw a batch of parameter sets at
    # once and evaluate the same MLP on each with torch.func (much faster than one module each).
    model = make()
    shapes = {k: tuple(v.shape) for k, v in model.named_parameters()}
    chunk = max(1, min(n_samples, 2**22 // sum(math.prod(sh) for sh in shapes.values())))

    def one(params):
        return functional_call(model, params, (X,))[:, 0]

    batched = vmap(one)
    with torch.no_grad():
        for s0 in range(0, n_samples, chunk):
            k = min(chunk, n_samples - s0)
            params = {name: torch.randn((k, *sh), generator=generator, dtype=torch.float64)
                      for name, sh in shapes.items()}  # fmt: skip
            out[s0 : s0 + k] = batched(params).numpy()
    return out


def readout_kernel(model: MLP, X) -> np.ndarray:
    r"""Return :math:`m^2\, x^L(x)\cdot x^L(y) + \beta^2`, the kernel of the model's last features.

    Here :math:`x^L` is the last hidden layer's activations, :math:`m` the readout's multiplier
    and :math:`\beta` its bias multiplier. In the NTK parametrization (readout weights and bias
    :math:`N(0, 1)`) this is the covariance of the output over the readout alone, given the
    hidden layers: the finite-width NNGP kernel. Fitting only the readout by Bayesian linear
    regression is GP regression with this kernel, and it tends to :func:`~widthlimits.kernels.nngp`
    as the width grows.

    Parameters
    ----------
    model : widthlimits.nn.MLP
        A model with ``parametrization="ntk"`` and ``d_out = 1``.
    X : array_like, shape (N, d)

    Returns
    -------
    ndarray, shape (N, N)

    Raises
    ------
    ValueError
        If the model is not in the NTK parametrization.

    Examples
    --------
    >>> import torch
    >>> net = MLP(2, 4096, 1, 1, "ntk", generator=torch.Generator().manual_seed(0),
    ...           dtype=torch.float64)
    >>> K = readout_kernel(net, [[1.0, 1.0]])  # tends to nngp = 2 |x|^2 / d = 2
    >>> bool(abs(K[0, 0] - 2.0) < 0.15)
    True
    """
    model = _check_model(model)
    if model.name != "ntk":
        raise ValueError(
            "readout_kernel needs parametrization='ntk' (readout entries N(0, 1)), got "
            f"{model.name!r}"
        )
    X = _as_tensor(X)
    with torch.no_grad():
        feats = model.activations(X.to(model.weights[0].dtype))[-1].to(torch.float64)
        K = model.w_mult[-1] ** 2 * feats @ feats.T
        if len(model.biases):
            K = K + model.b_mult[-1] ** 2
    return K.numpy()


def empirical_ntk(model: MLP, X) -> np.ndarray:
    r"""Return the empirical NTK :math:`\Theta(x, y) = \sum_p \partial_p f(x)\,\partial_p f(y)`.

    The sum runs over every trained tensor (weights and biases, equal learning rates), with the
    Jacobian computed by ``torch.func.jacrev`` of a ``functional_call``. For an NTK-parametrized
    network it tends to :func:`widthlimits.kernels.ntk` as the width grows
    :cite:p:`jacot2018ntk`, with fluctuations of order :math:`n^{-1/2}`.

    Parameters
    ----------
    model : widthlimits.nn.MLP
        A model with ``d_out = 1``.
    X : array_like, shape (N, d)

    Returns
    -------
    ndarray, shape (N, N)

    Examples
    --------
    One hidden relu layer, width 1 and zero biases: :math:`f = m_2 w_2 \mathrm{relu}(m_1 w_1 x)`,
    so for :math:`x = 1`, :math:`\Theta = m_2^2 \mathrm{relu}(m_1 w_1)^2 + m_2^2 w_2^2 m_1^2
    [w_1 > 0]`.

    >>> import torch
    >>> net = MLP(1, 1, 1, 1, "ntk", generator=torch.Generator().manual_seed(3),
    ...           dtype=torch.float64)
    >>> m1, m2 = net.w_mult
    >>> w1, w2 = net.weights[0].item(), net.weights[1].item()
    >>> hand = m2**2 * max(m1 * w1, 0) ** 2 + m2**2 * w2**2 * m1**2 * (w1 > 0)
    >>> bool(abs(empirical_ntk(net, [[1.0]])[0, 0] - hand) < 1e-12)
    True
    """
    model = _check_model(model)
    X = _as_tensor(X).to(model.weights[0].dtype)
    params = {k: v.detach() for k, v in model.named_parameters()}

    def f(p, x):
        return functional_call(model, p, (x[None, :],))[0, 0]

    jac = vmap(jacrev(f), in_dims=(None, 0))(params, X)
    theta = torch.zeros(X.shape[0], X.shape[0], dtype=torch.float64)
    for j in jac.values():
        j = j.reshape(X.shape[0], -1).to(torch.float64)
        theta += j @ j.T
    return theta.numpy()


def train_gd(model: MLP, X, y, lr: float, steps: int, X_eval=None) -> dict:
    r"""Train ``model`` in place by full-batch gradient descent on the squared loss.

    The loss is :math:`\frac12\sum_i (f(x_i)-y_i)^2`.

    The optimizer is ``torch.optim.SGD`` on :meth:`~widthlimits.nn.MLP.param_groups` ``(lr)``,
    so every tensor gets its parametrization's learning rate (in the NTK parametrization, ``lr``
    on every weight and bias). One step changes the training outputs, to first order, by
    :math:`-\mathrm{lr}\;\Theta\,(f - y)`; :func:`ntk_gd_prediction` solves that linear recursion.

    Parameters
    ----------
    model : widthlimits.nn.MLP
        A model with ``d_out = 1``; it is modified.
    X : array_like, shape (N, d)
        Training inputs.
    y : array_like, shape (N,)
        Targets.
    lr : float
        Learning rate, > 0.
    steps : int
        Number of gradient steps, >= 1.
    X_eval : array_like, shape (M, d), optional
        Inputs on which to record the function before and after training.

    Returns
    -------
    dict
        ``f0``, ``f`` (outputs on X before and after), ``loss`` (shape ``(steps + 1,)``), and,
        with ``X_eval``, ``f0_eval`` and ``f_eval``; all numpy float64.

    Raises
    ------
    ValueError
        For bad shapes, a non-positive learning rate, or a loss that diverges.

    Examples
    --------
    >>> import torch
    >>> net = MLP(2, 64, 1, 1, "ntk", generator=torch.Generator().manual_seed(0),
    ...           dtype=torch.float64)
    >>> out = train_gd(net, [[1.0, 0.0], [0.0, 1.0]], [1.0, -1.0], lr=0.2, steps=50)
    >>> bool(out["loss"][-1] < 1e-3 * out["loss"][0])
    True
    """
    model = _check_model(model)
    X = _as_tensor(X).to(model.weights[0].dtype)
    y = torch.as_tensor(np.asarray(y, dtype=np.float64)).to(X.dtype)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {tuple(y.shape)}")
    if not torch.isfinite(y).all():
        raise ValueError("y contains NaN or infinite entries")
    steps = _positive_int("steps", steps)
    Xe = None if X_eval is None else _as_tensor(X_eval, "X_eval").to(X.dtype)
    opt = torch.optim.SGD(model.param_groups(lr))
    out = {}
    with torch.no_grad():
        out["f0"] = _output(model, X).double().numpy().copy()
        if Xe is not None:
            out["f0_eval"] = _output(model, Xe).double().numpy().copy()
    loss = np.empty(steps + 1)
    for t in range(steps + 1):
        ell = 0.5 * ((_output(model, X) - y) ** 2).sum()
        loss[t] = ell.item()
        if not math.isfinite(loss[t]) or loss[t] > 1e12 * (loss[0] + 1.0):
            raise ValueError(f"gradient descent diverged at step {t}; lower the learning rate {lr}")
        if t < steps:
            opt.zero_grad()
            ell.backward()
            opt.step()
    with torch.no_grad():
        out["f"] = _output(model, X).double().numpy().copy()
        if Xe is not None:
            out["f_eval"] = _output(model, Xe).double().numpy().copy()
    out["loss"] = loss
    return out


def ntk_gd_prediction(theta, theta_eval, f0, f0_eval, y, lr: float, steps: int):
    r"""Return what ``steps`` steps of gradient descent give for a network that is linear in its
    parameters, with NTK ``theta``: kernel regression with the NTK, stopped early.

    For the squared loss :math:`\frac12\sum_i (f(x_i) - y_i)^2`, the linearized network obeys
    :math:`f_{t+1}(x) = f_t(x) - \mathrm{lr}\,\Theta(x, X)\,(f_t(X) - y)`, so
    :cite:p:`lee2019wide`

    .. math::

        f_t(X) = y + (I - \mathrm{lr}\,\Theta)^t (f_0(X) - y), \qquad
        f_t(x) = f_0(x) - \Theta(x, X)\,\Theta^{-1}\bigl(I - (I - \mathrm{lr}\,\Theta)^t\bigr)
                 (f_0(X) - y),

    computed from the eigendecomposition of :math:`\Theta` (stable also for tiny eigenvalues,
    where :math:`\Theta^{-1}(I - (I - \mathrm{lr}\Theta)^t) \to t\,\mathrm{lr}`).

    Parameters
    ----------
    theta : array_like, shape (N, N)
        The NTK on the training inputs (symmetric positive semi-definite).
    theta_eval : array_like, shape (M, N)
        The NTK between evaluation and training inputs.
    f0, f0_eval : array_like, shapes (N,) and (M,)
        The network's outputs at initialization.
    y : array_like, shape (N,)
    lr : float
    steps : int

    Returns
    -------
    f, f_eval : ndarray
        The predicted outputs on the training and evaluation inputs after ``steps`` steps.

    Examples
    --------
    With :math:`\Theta = I`, each step shrinks the residual by :math:`1 - \mathrm{lr}`:

    >>> import numpy as np
    >>> f, fe = ntk_gd_prediction(np.eye(2), np.eye(2), [0.0, 0.0], [0.0, 0.0], [1.0, 2.0],
    ...                           lr=0.5, steps=2)
    >>> f, fe
    (array([0.75, 1.5 ]), array([0.75, 1.5 ]))
    """
    th = np.asarray(theta, dtype=np.float64)
    te = np.asarray(theta_eval, dtype=np.float64)
    f0, f0e, y = (np.asarray(a, dtype=np.float64) for a in (f0, f0_eval, y))
    n = th.shape[0] if th.ndim == 2 else -1
    if th.ndim != 2 or th.shape[1] != n or te.ndim != 2 or te.shape[1] != n:
        raise ValueError(f"theta must be N x N and theta_eval M x N, got {th.shape}, {te.shape}")
    if f0.shape != (n,) or y.shape != (n,) or f0e.shape != (te.shape[0],):
        raise ValueError("f0 and y need shape (N,) and f0_eval shape (M,), matching the kernels")
    if not all(np.isfinite(a).all() for a in (th, te, f0, f0e, y)):
        raise ValueError("ntk_gd_prediction needs finite inputs")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    steps = _positive_int("steps", steps)
    lam, u = np.linalg.eigh(0.5 * (th + th.T))
    lam = np.clip(lam, 0.0, None)
    if np.any(lr * lam >= 2.0):
        raise ValueError(
            f"lr = {lr} is above 2 / lambda_max = {2 / lam.max():.4g}: gradient descent on the "
            "linearized network diverges"
        )
    x = lr * lam
    decay = (1.0 - x) ** steps
    # Theta^{-1} (I - (I - lr Theta)^t) in the eigenbasis: accurate for small lr * lambda, and
    # equal to its limit t * lr at lambda = 0
    small = x < 0.5
    xs = np.where(small, x, 0.0)
    accurate = -np.expm1(steps * np.log1p(-xs))
    one_minus = np.where(small, accurate, 1.0 - decay)
    gain = np.where(lam > 0, one_minus / np.where(lam > 0, lam, 1.0), steps * lr)
    r0 = u.T @ (f0 - y)
    f = y + u @ (decay * r0)
    f_eval = f0e - te @ (u @ (gain * r0))
    return f, f_eval


def feature_movement(model: MLP, X, y, lr: float, steps: int) -> dict:
    r"""Train ``model`` by :func:`train_gd` and return how far its features moved, relatively.

    For the first layer's preactivations :math:`h^1`, every hidden layer's activations
    :math:`x^l` and the output, on the training inputs, it returns
    :math:`\|z_T - z_0\|_F / \|z_0\|_F`. In the NTK parametrization the hidden ones are of order
    :math:`n^{-1/2}` (the kernel regime: no feature learning); in µP they are of order one
    :cite:p:`yang2021tp4`.

    Parameters
    ----------
    model, X, y, lr, steps
        As for :func:`train_gd`.

    Returns
    -------
    dict
        ``h1`` (float), ``x`` (list of floats, one per hidden layer), ``f`` (float), ``loss``
        (the loss curve).

    Examples
    --------
    >>> import torch
    >>> net = MLP(2, 256, 1, 2, "ntk", generator=torch.Generator().manual_seed(0),
    ...           dtype=torch.float64)
    >>> out = feature_movement(net, [[1.0, 0.0], [0.0, 1.0]], [1.0, -1.0], 0.1, 20)
    >>> 0 < out["h1"] < 0.2, len(out["x"])
    (True, 2)
    """
    model = _check_model(model)
    Xt = _as_tensor(X).to(model.weights[0].dtype)

    def features():
        with torch.no_grad():
            return [model.preactivations(Xt)[0]] + model.activations(Xt)

    before = features()
    out = train_gd(model, Xt, y, lr, steps)
    after = features()
    rel = [float((a - b).norm() / b.norm()) if b.norm() > 0 else 0.0
           for a, b in zip(after, before, strict=True)]  # fmt: skip
    f_rel = float(np.linalg.norm(out["f"] - out["f0"]) / max(np.linalg.norm(out["f0"]), 1e-300))
    return {"h1": rel[0], "x": rel[1:], "f": f_rel, "loss": out["loss"]}
