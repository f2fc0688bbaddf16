r"""The scale of one SGD step at initialization: the per-logit NTK diagonal, layer by layer.

Under SGD with base learning rate :math:`\eta`, one step changes logit :math:`k` by about
:math:`-\eta\, \Theta_{kk}` times the loss's derivative in it, where :math:`\Theta_{kk}` is the
diagonal of the empirical neural tangent kernel weighted by the parametrization's per-layer
learning-rate factors. :func:`ntk_diagonal` computes it on the digits, split by layer, for the
transfer chapter's question of what sets SGD's largest stable learning rate.
"""

from __future__ import annotations

import numpy as np
import torch

from .._checks import check_int, check_memory
from .data import check_split, load_digits_split
from .model import MLP
from .names import parameter_count
from .train import _lr_factors

__all__ = ["ntk_diagonal"]

#: Inputs per vectorized Jacobian.
_CHUNK = 8


def ntk_diagonal(
    width: int,
    parametrization="sp",
    *,
    depth: int = 2,
    base_width: int | None = None,
    n_inputs: int = 32,
    seed: int = 0,
    data=None,
) -> dict:
    r"""The per-logit NTK diagonal of a digit classifier at initialization, split by layer.

    For logit :math:`k` and input :math:`x` it computes :math:`\Theta_{kk}(x, x) = \sum_l
    \lambda_l \lVert \partial f_k(x) / \partial w^l \rVert^2`, where :math:`\lambda_l` is
    the SGD learning-rate factor of tensor :math:`w^l` in :meth:`MLP.param_groups` (1 for every
    layer in SP), so that one SGD step of base learning rate :math:`\eta` changes logit
    :math:`k` by about :math:`-\eta\, \Theta_{kk}` times the loss's derivative in it. It
    averages over the 10 logits and the first ``n_inputs`` training digits, and reports each
    layer's contribution (weights and bias together).

    Parameters
    ----------
    width : int
    parametrization : {"sp", "ntk", "mup"} or ABC
    depth : int
    base_width : int, optional
        Passed to :class:`MLP`.
    n_inputs : int
        How many training digits to average over, at most the training set's size.
    seed : int
        Seed of the ``torch.Generator`` that initializes the network (>= 0).
    data : tuple of torch.Tensor, optional
        ``(x_train, y_train, x_test, y_test)``; by default :func:`load_digits_split`.

    Returns
    -------
    dict
        ``total``: the mean diagonal; ``layers``: array of the ``depth + 1`` layers'
        contributions (input layer first), summing to ``total``; ``share``: ``layers / total``.

    Raises
    ------
    ValueError, TypeError
        For sizes that are not positive integers, more inputs than the data has, bad data,
        an unknown parametrization, or a network whose Jacobians would not fit in memory.

    Examples
    --------
    >>> out = ntk_diagonal(16)
    >>> out["layers"].shape, bool(abs(out["share"].sum() - 1) < 1e-9)
    ((3,), True)
    """
    from torch.func import functional_call, jacrev, vmap

    width, depth = check_int("width", width, 1), check_int("depth", depth, 1)
    n_inputs, seed = check_int("n_inputs", n_inputs, 1), check_int("seed", seed, 0)
    data = load_digits_split() if data is None else check_split(data)
    if n_inputs > data[0].shape[0]:
        raise ValueError(
            f"n_inputs must be at most the {data[0].shape[0]} training inputs, got {n_inputs}"
        )
    x = data[0][:n_inputs]
    d_out = int(data[1].max()) + 1
    n_params = parameter_count(x.shape[1], width, d_out, depth)
    check_memory(f"the NTK diagonal at width {width}", 8.0 * n_params * (1 + _CHUNK * d_out))
    net = MLP(
        x.shape[1],
        width,
        d_out,
        depth,
        parametrization,
        base_width,
        generator=torch.Generator().manual_seed(seed),
    )
    factor = _lr_factors(net, "sgd")
    params = {n: v.detach() for n, v in net.named_parameters()}

    def f(p, xi):
        return functional_call(net, p, (xi[None, :],))[0]

    layers = np.zeros(depth + 1)
    for chunk in torch.split(x, _CHUNK):
        jac = vmap(jacrev(f), in_dims=(None, 0))(params, chunk)
        for n, j in jac.items():
            layer = int(n.split(".")[-1])
            sq = j.to(torch.float64).pow(2).reshape(j.shape[0], d_out, -1).sum(-1)
            layers[layer] += factor[n] * float(sq.sum())
    layers /= x.shape[0] * d_out
    total = float(layers.sum())
    return {"total": total, "layers": layers, "share": layers / total}
