r"""Empirical kernels of finite torch networks, to measure against their infinite-width limits.

Everything here acts on a :class:`widthlimits.mup.model.MLP` (``mup.MLP``), usually in the NTK
parametrization, whose infinite-width limits are :func:`widthlimits.kernels.recursion.nngp` and
:func:`widthlimits.kernels.recursion.ntk`:

* :func:`sample_outputs` draws the outputs of many independently initialized networks, whose
  covariance tends to the NNGP kernel;
* :func:`readout_kernel` is the covariance of one network's output over its readout weights
  alone, :math:`m^2\, x^L (x^L)^\top + \beta^2`, the finite-width NNGP kernel of its features;
* :func:`empirical_ntk` computes :math:`\sum_p \partial_p f(x)\, \partial_p f(y)` over every
  weight and bias with ``torch.func``.

Training is in :mod:`widthlimits.kernels.training`. Randomness comes only from an explicit
``torch.Generator``; sizes are checked against memory before anything is allocated.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.func import functional_call, jacrev, vmap

from .._checks import check_int, check_memory, check_torch_generator
from ..mup.model import MLP
from ._model import as_tensor, check_model, model_input, numpy64, output, parameter_count

__all__ = ["sample_outputs", "readout_kernel", "empirical_ntk"]


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

    Each sample is an :class:`~widthlimits.mup.model.MLP` ``(d, width, 1, depth)`` in float64
    with its own random parameters from ``generator``. In the NTK parametrization, where every
    parameter is :math:`N(0, 1)`, the parameter sets are drawn in batches and the same module is
    evaluated on each with ``torch.func.vmap``; otherwise a fresh module is built per sample. In
    the NTK parametrization the rows of the result are iid draws of a random function whose
    covariance tends, as ``width`` grows, to :func:`widthlimits.kernels.recursion.nngp` with the
    same ``depth``, ``nonlinearity`` and stds :cite:p:`lee2018dnngp`.

    Parameters
    ----------
    X : array_like, shape (N, d)
        Inputs.
    width, depth, n_samples : int
        Hidden width, number of hidden layers, number of networks.
    generator : torch.Generator
        The only source of randomness.
    nonlinearity, weight_std, bias_std, parametrization
        Passed to :class:`~widthlimits.mup.model.MLP` (names are case-insensitive).

    Returns
    -------
    ndarray, shape (n_samples, N)

    Raises
    ------
    ValueError, TypeError
        For sizes that are not positive integers, inputs that are not a finite real 2-D array,
        a generator that is not a ``torch.Generator``, an argument the model refuses, or
        samples that would not fit in memory.

    Examples
    --------
    >>> import torch
    >>> f = sample_outputs([[1.0, 0.0], [0.0, 1.0]], 32, 2, 5, torch.Generator().manual_seed(0))
    >>> f.shape
    (5, 2)
    """
    X = as_tensor(X)
    width, depth = check_int("width", width, 1), check_int("depth", depth, 1)
    n_samples = check_int("n_samples", n_samples, 1)
    generator = check_torch_generator(generator)

    def make():
        return MLP(X.shape[1], width, 1, depth, parametrization, nonlinearity=nonlinearity,
                   weight_std=weight_std, bias_std=bias_std, generator=generator,
                   dtype=torch.float64)  # fmt: skip

    model = make()  # checks the remaining arguments (and draws the first network)
    size = parameter_count(model)
    chunk = max(1, min(n_samples, 2**22 // size))
    check_memory(
        f"{n_samples:,} networks of width {width:,} on {X.shape[0]:,} inputs",
        8.0 * (n_samples * X.shape[0] + 2 * chunk * size + 4 * chunk * X.shape[0] * width),
    )
    out = np.empty((n_samples, X.shape[0]))
    if model.name != "ntk":  # the model's own reading of the name ("NTK" is "ntk")
        with torch.no_grad():
            out[0] = output(model, X).numpy()
            for s in range(1, n_samples):
                out[s] = output(make(), X).numpy()
        return out
    return _sample_ntk(model, X, n_samples, chunk, generator, out)


def _sample_ntk(model, X, n_samples, chunk, generator, out):
    """NTK parametrization: every weight and bias is N(0, 1), so draw a batch of parameter sets
    at once and evaluate the same MLP on each with torch.func (much faster than one module each).
    """
    shapes = {k: tuple(v.shape) for k, v in model.named_parameters()}

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
    regression is GP regression with this kernel, and it tends to
    :func:`~widthlimits.kernels.recursion.nngp` as the width grows.

    Parameters
    ----------
    model : widthlimits.mup.model.MLP
        A model with ``parametrization="ntk"`` and ``d_out = 1``.
    X : array_like, shape (N, d_in)

    Returns
    -------
    ndarray, shape (N, N)

    Raises
    ------
    ValueError
        If the model is not in the NTK parametrization or has ``d_out != 1``, ``X`` is not a
        finite 2-D array with ``d_in`` columns, or the kernel would not fit in memory.
    TypeError
        If ``model`` is not an MLP or ``X`` not an array of real numbers.

    Examples
    --------
    >>> import torch
    >>> from widthlimits import mup
    >>> net = mup.MLP(2, 4096, 1, 1, "ntk", generator=torch.Generator().manual_seed(0),
    ...               dtype=torch.float64)
    >>> K = readout_kernel(net, [[1.0, 1.0]])  # tends to nngp = 2 |x|^2 / d = 2
    >>> bool(abs(K[0, 0] - 2.0) < 0.15)
    True
    """
    model = check_model(model)
    if model.name != "ntk":
        raise ValueError(
            "readout_kernel needs parametrization='ntk' (readout entries N(0, 1)), got "
            f"{model.name!r}"
        )
    X = model_input(model, X)
    n = X.shape[0]
    check_memory(
        f"the readout kernel of {n:,} inputs at width {model.width:,}",
        8.0 * n * (model.width * (model.depth + 1) + n),
    )
    with torch.no_grad():
        feats = model.activations(X)[-1].to(torch.float64)
        K = model.w_mult[-1] ** 2 * feats @ feats.T
        if len(model.biases):
            K = K + model.b_mult[-1] ** 2
    return numpy64(K)


def empirical_ntk(model: MLP, X) -> np.ndarray:
    r"""Return the empirical NTK :math:`\Theta(x, y) = \sum_p \partial_p f(x)\,\partial_p f(y)`.

    The sum runs over every trained tensor (weights and biases, equal learning rates), with the
    Jacobian computed by ``torch.func.jacrev`` of a ``functional_call`` on all inputs at once.
    For an NTK-parametrized network it tends to :func:`widthlimits.kernels.recursion.ntk` as the
    width grows :cite:p:`jacot2018ntk`, with fluctuations of order :math:`n^{-1/2}`.

    Parameters
    ----------
    model : widthlimits.mup.model.MLP
        A model with ``d_out = 1``, in any parametrization, dtype and device.
    X : array_like, shape (N, d_in)

    Returns
    -------
    ndarray, shape (N, N)

    Raises
    ------
    ValueError
        If the model has ``d_out != 1``, ``X`` is not a finite 2-D array with ``d_in``
        columns, or the Jacobian would not fit in memory.
    TypeError
        If ``model`` is not an MLP or ``X`` not an array of real numbers.

    Examples
    --------
    One hidden relu layer, width 1 and zero biases: :math:`f = m_2 w_2 \mathrm{relu}(m_1 w_1 x)`,
    so for :math:`x = 1`, :math:`\Theta = m_2^2 \mathrm{relu}(m_1 w_1)^2 + m_2^2 w_2^2 m_1^2
    [w_1 > 0]`.

    >>> import torch
    >>> from widthlimits import mup
    >>> net = mup.MLP(1, 1, 1, 1, "ntk", generator=torch.Generator().manual_seed(3),
    ...               dtype=torch.float64)
    >>> m1, m2 = net.w_mult
    >>> w1, w2 = net.weights[0].item(), net.weights[1].item()
    >>> hand = m2**2 * max(m1 * w1, 0) ** 2 + m2**2 * w2**2 * m1**2 * (w1 > 0)
    >>> bool(abs(empirical_ntk(net, [[1.0]])[0, 0] - hand) < 1e-12)
    True
    """
    model = check_model(model)
    X = model_input(model, X)
    n, size = X.shape[0], parameter_count(model)
    check_memory(
        f"the Jacobian of {size:,} parameters on {n:,} inputs",
        8.0 * n * (2 * size + n + 2 * n * model.width * (model.depth + 1)),
    )
    params = {k: v.detach() for k, v in model.named_parameters()}

    def f(p):
        return functional_call(model, p, (X,))[:, 0]

    # one reverse pass per output, batched by jacrev over the N cotangents (the inputs are not
    # vmapped, so the model's own input checks run unbatched)
    jac = jacrev(f)(params)
    theta = torch.zeros(n, n, dtype=torch.float64, device=X.device)
    for j in jac.values():
        j = j.reshape(n, -1).to(torch.float64)
        theta += j @ j.T
    return numpy64(theta)
