r"""Full-batch SGD of finite MLPs of one width, many seeds at once: the finite-width counterpart
of :func:`widthlimits.tp.training.training_limit`.

:func:`full_batch_training` builds one :class:`~widthlimits.mup.model.MLP` per seed (without
biases, its initialization drawn from ``torch.Generator().manual_seed(seed)``), stacks their
parameters and trains them together: one :func:`torch.func.vmap` of the model's own forward
pass gives every copy's outputs and gradient, and one SGD step
:math:`w \leftarrow w - \eta_w\,\partial\mathcal L/\partial w` with each tensor's rate from
``net.param_groups`` updates them all, on the loss
:math:`\mathcal L = \frac1{2N}\sum_{i=1}^N (f(\xi_i) - y_i)^2`. These are exactly the conventions
of ``training_limit``: the rates are ``net.param_groups(lr)`` in µP and the NTK
parametrization, and ``net.param_groups(lr * base_width / width)`` in SP (SP with the
learning rate scaled by :math:`n_0/n`, the scaling with a kernel limit). So as the width grows
the seed means returned here converge to ``training_limit``'s outputs, at rate
:math:`n^{-1/2}` per seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .._checks import (
    check_array,
    check_bool,
    check_choice,
    check_device,
    check_int,
    check_ints,
    check_real,
)
from ..training_run import TrainingRun, check_parametrization
from .model import MLP
from .names import check_dtype, check_size

__all__ = ["FullBatchTraining", "full_batch_training"]


@dataclass(frozen=True)
class FullBatchTraining(TrainingRun):
    """Seed means of a finite-width training run, with their standard errors.

    The fields of :class:`~widthlimits.tp.training.TrainingLimit` with the same meaning, as
    means over the seeds: ``f_train[t, i]`` and ``f_test[t, k]`` (outputs after ``t`` steps),
    ``loss[t]`` (the mean of each seed's loss), ``kernels[l] = (K_0, K_T)`` (feature kernels
    :math:`\\frac1n x^l(\\xi)^\\top x^l(\\xi')` of hidden layer ``l`` over the training then
    test inputs); ``*_err`` are the standard errors of these means, ``f_train_sd`` and
    ``f_test_sd`` the standard deviations over seeds. The per-seed values are in
    ``f_train_seeds`` (shape ``(seeds, steps + 1, N)``), ``f_test_seeds`` and ``loss_seeds``.
    """

    f_train_seeds: np.ndarray
    f_test_seeds: np.ndarray
    loss_seeds: np.ndarray
    width: int


class _Features(nn.Module):
    """The stacked hidden activations of ``net``: a module whose forward is ``activations``."""

    def __init__(self, net: MLP):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.stack(self.net.activations(x))


def _check_data(X_train, y_train, X_test):
    X = check_array("X_train", X_train, ndim=2)
    y = check_array("y_train", y_train, ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y_train must hold one label per row of X_train ({X.shape[0]}), got {y.shape[0]}"
        )
    Xt = np.zeros((0, X.shape[1])) if X_test is None else check_array("X_test", X_test, ndim=2)
    if Xt.shape[1] != X.shape[1]:
        raise ValueError(f"X_test must have {X.shape[1]} columns like X_train, got {Xt.shape[1]}")
    return X, y, Xt


def _seeds(seeds) -> list[int]:
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        seeds = range(check_int("seeds", seeds, 2))
    out = check_ints("seeds", list(seeds) if isinstance(seeds, range) else seeds, 0, unique=True)
    if len(out) < 2:
        raise ValueError(f"seeds must give at least two seeds (for standard errors), got {out}")
    return out


def full_batch_training(
    X_train,
    y_train,
    X_test=None,
    *,
    width: int,
    seeds=8,
    hidden_layers: int = 1,
    nonlinearity="tanh",
    parametrization: str = "mup",
    lr: float = 0.1,
    steps: int = 1,
    loss: str = "mse",
    base_width: int = 1,
    weight_std: float = 1.0,
    zero_readout: bool = False,
    device="cpu",
    dtype: torch.dtype = torch.float64,
) -> FullBatchTraining:
    r"""Train one MLP of width ``width`` per seed by full-batch SGD, as ``training_limit`` assumes.

    Parameters
    ----------
    X_train, y_train, X_test
        As for :func:`~widthlimits.tp.training.training_limit` (any number of rows here).
    width : int
        :math:`n \ge 1`.
    seeds : int or sequence of int
        The seeds (``8`` means ``0..7``); at least two, distinct and non-negative.
    hidden_layers, nonlinearity, parametrization, lr, steps, loss
        As for :func:`~widthlimits.tp.training.training_limit`.
    base_width, weight_std, zero_readout
        As for :func:`~widthlimits.tp.training.training_limit`.
    device : str or torch.device
        Where to train (``"cpu"``, ``"cuda"``).
    dtype : torch.dtype
        The parameters' dtype (float64 by default, so that differences of order
        :math:`n^{-1/2}` are not rounding).

    Returns
    -------
    FullBatchTraining

    Raises
    ------
    ValueError, TypeError
        For bad data, seeds, sizes, names or numbers (before anything is allocated), or
        parameters that would not fit in memory.

    Examples
    --------
    >>> out = full_batch_training([[1.0, 0.0]], [1.0], width=256, seeds=4, lr=0.5, steps=3)
    >>> out.f_train.shape, out.f_train_seeds.shape, bool(out.loss[-1] < out.loss[0])
    ((4, 1), (4, 4, 1), True)
    """
    X, y, Xt = _check_data(X_train, y_train, X_test)
    width, seeds = check_int("width", width, 1), _seeds(seeds)
    depth = check_int("hidden_layers", hidden_layers, 1)
    par = check_parametrization(parametrization)
    check_choice("loss", loss, ("mse",))
    lr, steps = check_real("lr", lr, 0, low_open=True), check_int("steps", steps, 1)
    n0 = check_int("base_width", base_width, 1)
    sw = check_real("weight_std", weight_std, 0, low_open=True)
    zero_readout = check_bool("zero_readout", zero_readout)
    device, dtype = check_device(device), check_dtype(dtype)
    check_size(X.shape[1], width, 1, depth, bias=False, dtype=dtype, copies=3 * len(seeds))
    nets = [
        MLP(X.shape[1], width, 1, depth, par, n0, nonlinearity, weight_std=sw,
            zero_readout=zero_readout, generator=torch.Generator().manual_seed(s), bias=False,
            dtype=dtype)
        for s in seeds
    ]  # fmt: skip
    rate = lr * n0 / width if par == "sp" else lr
    data = [torch.as_tensor(a, dtype=dtype, device=device) for a in (np.vstack([X, Xt]), y)]
    f, losses, kernels = _train(nets, rate, steps, *data)
    return _summary(f, losses, kernels, X.shape[0], width)


def _train(nets, rate, steps, inputs, y):
    """Outputs ``(S, T+1, K)``, losses ``(S, T+1)`` and kernels ``{t: (S, L, K, K)}``."""
    from torch.func import functional_call, grad, stack_module_state, vmap

    base, N = nets[0], y.shape[0]
    names = [n for n, _ in base.named_parameters()]
    factors = {}
    for group in base.param_groups(rate):
        (q,) = group["params"]
        factors[next(n for n, p in base.named_parameters() if p is q)] = group["lr"]
    stacked, _ = stack_module_state(nets)
    params = {n: stacked[n].detach().to(inputs.device) for n in names}
    features = _Features(base)

    def outputs(p):
        return functional_call(base, p, (inputs,))[:, 0]

    def loss_fn(p):
        return 0.5 * ((outputs(p)[:N] - y) ** 2).mean()

    def kernel(p):
        acts = functional_call(features, {f"net.{k}": v for k, v in p.items()}, (inputs,))
        return acts @ acts.transpose(-1, -2) / acts.shape[-1]

    fs, kernels = [], {}
    with torch.no_grad():
        kernels[0] = vmap(kernel)(params)
    for t in range(steps + 1):
        with torch.no_grad():
            fs.append(vmap(outputs)(params))
        if t < steps:
            grads = vmap(grad(loss_fn))(params)
            with torch.no_grad():
                for n, v in params.items():
                    v -= factors[n] * grads[n]
    with torch.no_grad():
        kernels[steps] = vmap(kernel)(params)
    f = torch.stack(fs, dim=1).cpu().numpy()
    losses = 0.5 * ((f[:, :, :N] - y.cpu().numpy()) ** 2).mean(axis=2)
    return f, losses, {t: k.cpu().numpy() for t, k in kernels.items()}


def _summary(f, losses, kernels, N, width) -> FullBatchTraining:
    S = f.shape[0]
    mean, sd = f.mean(0), f.std(0, ddof=1)
    se = sd / np.sqrt(S)
    (k0, kT) = (kernels[t] for t in sorted(kernels))
    depth = k0.shape[1]
    return FullBatchTraining(
        f_train=mean[:, :N], f_train_err=se[:, :N], f_test=mean[:, N:], f_test_err=se[:, N:],
        loss=losses.mean(0), loss_err=losses.std(0, ddof=1) / np.sqrt(S),
        kernels={l + 1: (k0[:, l].mean(0), kT[:, l].mean(0)) for l in range(depth)},
        kernels_err={l + 1: tuple(k[:, l].std(0, ddof=1) / np.sqrt(S) for k in (k0, kT))
                     for l in range(depth)},
        f_train_sd=sd[:, :N], f_test_sd=sd[:, N:], f_train_seeds=f[:, :, :N],
        f_test_seeds=f[:, :, N:], loss_seeds=losses, width=width,
    )  # fmt: skip
