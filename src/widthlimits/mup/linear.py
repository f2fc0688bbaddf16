r"""The linear µP network of Tensor Programs IV, trained by SGD: the finite-width side of
:func:`~widthlimits.tp.programs.linear_mup_program`.

:func:`train_linear_mup` trains ``MLP(1, n, 1, 2, "mup", nonlinearity="identity", bias=False)``
on one input :math:`\xi = 1` with the loss :math:`\tfrac12 (f - y)^2`; its outputs
:math:`f_0, \dots, f_T` converge, as :math:`n \to \infty`, to the values the Tensor Program's
limit predicts.
"""

from __future__ import annotations

import numpy as np
import torch

from .._checks import check_int, check_real, check_torch_generator
from .model import MLP

__all__ = ["train_linear_mup"]


def train_linear_mup(
    width: int, lr: float, target: float, steps: int, generator: torch.Generator | None = None
) -> np.ndarray:
    r"""Train the network of :func:`~widthlimits.tp.programs.linear_mup_program` at width ``n``;
    return :math:`f_t`.

    Parameters
    ----------
    width : int
        The width :math:`n \ge 1`.
    lr : float
        The SGD learning rate :math:`\eta > 0`.
    target : float
        The label :math:`y`, a finite real.
    steps : int
        The number of SGD steps :math:`T \ge 1`.
    generator : torch.Generator, optional
        The only source of randomness.

    Returns
    -------
    numpy.ndarray
        The outputs :math:`f_0, \dots, f_T` on the training input, shape ``(steps + 1,)``.

    Raises
    ------
    TypeError, ValueError
        For a width or step count that is not a positive integer, a learning rate that is not
        a finite positive number, a target that is not finite, a generator that is not a
        ``torch.Generator``, a width too large for memory, or outputs that became infinite (the
        learning rate is too large).

    Examples
    --------
    >>> import torch
    >>> f = train_linear_mup(4096, 0.1, 1.0, 1, torch.Generator().manual_seed(0))
    >>> f.shape, bool(abs(f[1] - 0.3) < 0.1)
    ((2,), True)
    """
    width, steps = check_int("width", width, 1), check_int("steps", steps, 1)
    lr, target = check_real("lr", lr, 0, low_open=True), check_real("target", target)
    if generator is not None:
        check_torch_generator(generator)
    net = MLP(
        1,
        width,
        1,
        2,
        "mup",
        nonlinearity="identity",
        bias=False,
        weight_std=1.0,
        generator=generator,
        dtype=torch.float64,
    )
    opt = torch.optim.SGD(net.param_groups(lr))
    xi = torch.ones(1, 1, dtype=torch.float64)
    out = []
    for t in range(steps + 1):
        f = net(xi)[0, 0]
        out.append(f.item())
        if not np.isfinite(out[-1]):
            raise ValueError(
                f"the output became {out[-1]} at step {t}: the learning rate {lr} is too large"
            )
        if t < steps:
            opt.zero_grad()
            (0.5 * (f - target) ** 2).backward()
            opt.step()
    return np.array(out)
