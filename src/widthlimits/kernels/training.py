r"""Training a finite torch network by full-batch gradient descent, and how far its features move.

* :func:`train_gd` trains by gradient descent on the squared loss
  :math:`\frac12 \sum_i (f(x_i) - y_i)^2`; :func:`widthlimits.kernels.regression.ntk_gd_prediction`
  gives what the linearized network (kernel regression with the NTK) predicts for the same steps;
* :func:`feature_movement` measures how far the hidden features move during that training: by
  :math:`n^{-1/2}` in the NTK parametrization (the kernel regime), by order one in µP.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .._checks import check_array, check_int, check_real
from ..mup.model import MLP
from ._model import check_model, model_input, numpy64, output

__all__ = ["train_gd", "feature_movement", "MAX_STEPS"]

#: The most gradient steps :func:`train_gd` takes (each is a forward and a backward pass).
MAX_STEPS = 1_000_000


def train_gd(model: MLP, X, y, lr: float, steps: int, X_eval=None) -> dict:
    r"""Train ``model`` in place by full-batch gradient descent on the squared loss.

    The loss is :math:`\frac12\sum_i (f(x_i)-y_i)^2`.

    The optimizer is ``torch.optim.SGD`` on :meth:`~widthlimits.mup.model.MLP.param_groups`
    ``(lr)``, so every tensor gets its parametrization's learning rate (in the NTK
    parametrization, ``lr`` on every weight and bias). One step changes the training outputs, to
    first order, by :math:`-\mathrm{lr}\;\Theta\,(f - y)`;
    :func:`~widthlimits.kernels.regression.ntk_gd_prediction` solves that linear recursion.

    Parameters
    ----------
    model : widthlimits.mup.model.MLP
        A model with ``d_out = 1``; it is modified.
    X : array_like, shape (N, d_in)
        Training inputs.
    y : array_like, shape (N,)
        Targets.
    lr : float
        Learning rate, > 0.
    steps : int
        Number of gradient steps, between 1 and :data:`MAX_STEPS`.
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
        For bad shapes, NaN or inf in the data, a learning rate that is not positive and
        finite, ``steps`` out of range, a model with ``d_out != 1``, or a loss that diverges.
    TypeError
        If ``model`` is not an MLP, the data are not arrays of real numbers, or ``lr`` or
        ``steps`` have the wrong type.

    Examples
    --------
    >>> import torch
    >>> from widthlimits import mup
    >>> net = mup.MLP(2, 64, 1, 1, "ntk", generator=torch.Generator().manual_seed(0),
    ...               dtype=torch.float64)
    >>> out = train_gd(net, [[1.0, 0.0], [0.0, 1.0]], [1.0, -1.0], lr=0.2, steps=50)
    >>> bool(out["loss"][-1] < 1e-3 * out["loss"][0])
    True
    """
    model, X, y, lr, steps, Xe = _check_training(model, X, y, lr, steps, X_eval)
    return _train(model, X, y, lr, steps, Xe)


def _check_training(model, X, y, lr, steps, X_eval=None):
    model = check_model(model)
    X = model_input(model, X)
    y = check_array("y", y, ndim=1)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
    y = torch.as_tensor(y).to(device=X.device, dtype=X.dtype)
    lr = check_real("lr", lr, 0.0, low_open=True)
    steps = check_int("steps", steps, 1, MAX_STEPS)
    Xe = None if X_eval is None else model_input(model, X_eval, "X_eval")
    return model, X, y, lr, steps, Xe


def _train(model, X, y, lr, steps, Xe):
    opt = torch.optim.SGD(model.param_groups(lr))
    out = {}
    with torch.no_grad():
        out["f0"] = numpy64(output(model, X))
        if Xe is not None:
            out["f0_eval"] = numpy64(output(model, Xe))
    loss = np.empty(steps + 1)
    for t in range(steps + 1):
        ell = 0.5 * ((output(model, X) - y) ** 2).sum()
        loss[t] = ell.item()
        if not math.isfinite(loss[t]) or loss[t] > 1e12 * (loss[0] + 1.0):
            raise ValueError(f"gradient descent diverged at step {t}; lower the learning rate {lr}")
        if t < steps:
            opt.zero_grad()
            ell.backward()
            opt.step()
    with torch.no_grad():
        out["f"] = numpy64(output(model, X))
        if Xe is not None:
            out["f_eval"] = numpy64(output(model, Xe))
    out["loss"] = loss
    return out


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

    Raises
    ------
    ValueError, TypeError
        As for :func:`train_gd`, all checked before the model is touched.

    Examples
    --------
    >>> import torch
    >>> from widthlimits import mup
    >>> net = mup.MLP(2, 256, 1, 2, "ntk", generator=torch.Generator().manual_seed(0),
    ...               dtype=torch.float64)
    >>> out = feature_movement(net, [[1.0, 0.0], [0.0, 1.0]], [1.0, -1.0], 0.1, 20)
    >>> 0 < out["h1"] < 0.2, len(out["x"])
    (True, 2)
    """
    model, Xt, y, lr, steps, _ = _check_training(model, X, y, lr, steps)

    def features():
        with torch.no_grad():
            return [model.preactivations(Xt)[0]] + model.activations(Xt)

    before = features()
    out = _train(model, Xt, y, lr, steps, None)
    after = features()
    rel = [float((a - b).norm() / b.norm()) if b.norm() > 0 else 0.0
           for a, b in zip(after, before, strict=True)]  # fmt: skip
    f_rel = float(np.linalg.norm(out["f"] - out["f0"]) / max(np.linalg.norm(out["f0"]), 1e-300))
    return {"h1": rel[0], "x": rel[1:], "f": f_rel, "loss": out["loss"]}
