"""The checks and the evaluation that every torch function of :mod:`widthlimits.kernels` shares:
the model is a scalar-output :class:`widthlimits.mup.model.MLP`, the inputs are finite real
arrays with its input dimension, converted to its dtype and device."""

from __future__ import annotations

import numpy as np
import torch

from .._checks import check_array
from ..mup.model import MLP


def check_model(model) -> MLP:
    """Return ``model`` if it is an :class:`~widthlimits.mup.model.MLP` with ``d_out = 1``."""
    if not isinstance(model, MLP):
        raise TypeError(
            f"model must be a widthlimits.mup.MLP with d_out = 1, got {type(model).__name__}"
        )
    if model.d_out != 1:
        raise ValueError(
            f"these kernels are for a scalar output, but the model has d_out = {model.d_out}"
        )
    return model


def as_tensor(X, name: str = "X") -> torch.Tensor:
    """``X`` as a float64 torch tensor of shape ``(N, d)``: finite, real, non-empty."""
    return torch.as_tensor(check_array(name, X, ndim=2))


def model_input(model: MLP, X, name: str = "X") -> torch.Tensor:
    """``X`` checked, with the model's input dimension, in the model's dtype and on its device."""
    x = as_tensor(X, name)
    if x.shape[1] != model.d_in:
        raise ValueError(
            f"{name} must have {model.d_in} columns (the model's d_in), got shape {tuple(x.shape)}"
        )
    w = model.weights[0]
    return x.to(device=w.device, dtype=w.dtype)


def output(model: MLP, X: torch.Tensor) -> torch.Tensor:
    """The scalar output ``f(x)`` on each row of a tensor already in the model's dtype."""
    return model(X)[:, 0]


def numpy64(t: torch.Tensor) -> np.ndarray:
    """A tensor as a float64 numpy array on the CPU (a copy)."""
    return t.detach().to(device="cpu", dtype=torch.float64).numpy().copy()


def parameter_count(model: MLP) -> int:
    """The number of trained entries of the model."""
    return sum(p.numel() for p in model.parameters())
