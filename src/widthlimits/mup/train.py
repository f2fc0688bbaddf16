"""Vectorized training of many MLPs of one width: every learning rate and seed in one model.

``_train_width`` stacks the parameters of ``len(lrs) * len(seeds)`` copies of
:class:`~widthlimits.mup.model.MLP` (one per learning rate and seed, each initialized from its
seed) and trains them together: one :func:`torch.func.vmap` of the model's own forward pass
computes every copy's gradient, and one SGD or Adam step (``_sgd_step``, ``_adam_step``, with
each tensor's learning-rate factor from :meth:`MLP.param_groups`) updates them all. It is what
makes the book-scale sweep of :func:`~widthlimits.mup.sweep.lr_sweep` fit in a minute or two of
CPU. It trusts its caller (:func:`~widthlimits.mup.sweep.lr_sweep`) to have checked the
arguments.
"""

from __future__ import annotations

import numpy as np
import torch

from .model import MLP

__all__: list[str] = []  # the sweep's engine: its caller, lr_sweep, checks the arguments

#: Adam's constants, torch's defaults.
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def _sgd_step(v: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> None:
    """One SGD step in place: ``v -= lr * grad`` (``lr`` broadcasts over the stacked models)."""
    v -= lr * grad


def _adam_step(v, grad, lr, state: tuple, t: int) -> None:
    """One Adam step in place, with torch's default betas and eps and bias correction.

    ``state`` is the pair of moment tensors ``(m1, v2)`` of ``v``, updated in place; ``t`` is the
    step number, from 1.
    """
    m1, v2 = state
    m1.mul_(BETA1).add_(grad, alpha=1 - BETA1)
    v2.mul_(BETA2).addcmul_(grad, grad, value=1 - BETA2)
    mhat = m1 / (1 - BETA1**t)
    vhat = v2 / (1 - BETA2**t)
    v -= lr * mhat / (vhat.sqrt() + EPS)


def _models(width, lrs, seeds, param, data, cfg) -> list[MLP]:
    x, y = data[0], data[1]
    d_in, d_out = x.shape[1], int(y.max()) + 1
    models = []
    for seed in seeds:
        for _ in lrs:
            g = torch.Generator().manual_seed(int(seed))
            models.append(
                MLP(
                    d_in,
                    width,
                    d_out,
                    cfg["depth"],
                    param,
                    cfg["base_width"],
                    cfg["nonlinearity"],
                    zero_readout=cfg["zero_readout"],
                    generator=g,
                    dtype=x.dtype,
                )
            )
    return models


def _lr_factors(net: MLP, optimizer: str) -> dict[str, float]:
    """Each parameter tensor's learning-rate factor, by name (param_groups at base rate 1)."""
    factors = {}
    for grp in net.param_groups(1.0, optimizer):
        (p,) = grp["params"]
        factors[next(n for n, q in net.named_parameters() if q is p)] = grp["lr"]
    return factors


def _train_width(width, lrs, seeds, param, optimizer, data, **cfg):
    """Train ``len(lrs) * len(seeds)`` models of one width together; return their final losses.

    Parameters
    ----------
    width : int
    lrs, seeds : list
    param : str or ABC
    optimizer : {"sgd", "adam"}
    data : tuple of torch.Tensor
        ``(x_train, y_train, x_test, y_test)``.
    **cfg
        ``depth``, ``steps``, ``batch_size``, ``base_width``, ``nonlinearity``, ``device``,
        ``zero_readout``.

    Returns
    -------
    train, test, acc : numpy arrays of shape ``(len(lrs), len(seeds))``
        Final training loss, held-out loss and held-out accuracy (non-finite where a run
        diverged).
    """
    from torch.func import functional_call, grad_and_value, stack_module_state, vmap

    device = cfg["device"]
    x, y, xt, yt = (d.to(device) for d in data)
    models = _models(width, lrs, seeds, param, data, cfg)
    base = models[0]
    factors = _lr_factors(base, optimizer)
    names = [n for n, _ in base.named_parameters()]
    params, _ = stack_module_state(models)
    params = {n: params[n].detach().to(device) for n in names}
    lr_vec = torch.tensor([lr for _ in seeds for lr in lrs], dtype=x.dtype, device=device)
    m = len(models)

    def loss_fn(p, xb, yb):
        out = functional_call(base, p, (xb,))
        return torch.nn.functional.cross_entropy(out, yb)

    step_fn = vmap(grad_and_value(loss_fn), in_dims=(0, 0, 0))
    eval_fn = vmap(loss_fn, in_dims=(0, None, None))
    # each seed has its own minibatch order, shared by all its learning rates
    gens = [torch.Generator().manual_seed(10_000 + int(s)) for s in seeds]
    state = {n: (torch.zeros_like(v), torch.zeros_like(v)) for n, v in params.items()}
    n_train, batch_size = x.shape[0], cfg["batch_size"]
    for t in range(1, cfg["steps"] + 1):
        idx = torch.stack([torch.randperm(n_train, generator=g)[:batch_size] for g in gens])
        idx = idx.repeat_interleave(len(lrs), dim=0).to(device)
        grads, _ = step_fn(params, x[idx], y[idx])
        with torch.no_grad():
            for n, v in params.items():
                lr = (lr_vec * factors[n]).view(m, *([1] * (v.ndim - 1)))
                if optimizer == "sgd":
                    _sgd_step(v, grads[n], lr)
                else:
                    _adam_step(v, grads[n], lr, state[n], t)
    with torch.no_grad():
        train = eval_fn(params, x, y).cpu().numpy()
        test = eval_fn(params, xt, yt).cpu().numpy()
        acc = vmap(lambda p: (functional_call(base, p, (xt,)).argmax(1) == yt).float().mean())
        acc = acc(params).cpu().numpy()
    shape = (len(seeds), len(lrs))
    return tuple(np.asarray(a).reshape(shape).T for a in (train, test, acc))
