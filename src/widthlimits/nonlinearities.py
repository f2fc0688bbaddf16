"""The nonlinearities the package knows by name: one table, shared by the kernels
(:mod:`widthlimits.kernels`, which need numpy functions and their derivatives) and the torch
model (:class:`widthlimits.mup.model.MLP`, which needs torch functions), so that both accept the
same names, case-insensitively.

=========  ===============================================  ==========================
name       :math:`\\phi(x)`                                   derivative
=========  ===============================================  ==========================
relu       :math:`\\max(x, 0)`                                :math:`1[x > 0]`
tanh       :math:`\\tanh x`                                   :math:`1 - \\tanh^2 x`
erf        :math:`\\operatorname{erf} x`                      :math:`2 e^{-x^2}/\\sqrt\\pi`
gelu       :math:`x\\,\\Phi(x)` (exact, not the tanh form)     :math:`\\Phi(x) + x\\varphi(x)`
sigmoid    :math:`1/(1+e^{-x})`                              :math:`\\sigma(1-\\sigma)`
silu       :math:`x\\,\\sigma(x)`                              :math:`\\sigma(1 + x(1-\\sigma))`
softplus   :math:`\\log(1+e^x)`                               :math:`\\sigma(x)`
sin, cos   :math:`\\sin x`, :math:`\\cos x`                    :math:`\\cos x`, :math:`-\\sin x`
identity   :math:`x` (also called ``linear``)                :math:`1`
=========  ===============================================  ==========================
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.special import erf as _erf

from ._checks import check_choice

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

#: Every nonlinearity name the package accepts, in the order the tables list them.
NAMES: tuple[str, ...] = (
    "relu",
    "tanh",
    "erf",
    "gelu",
    "sigmoid",
    "silu",
    "softplus",
    "sin",
    "cos",
    "identity",
)
ALIASES = {"linear": "identity"}


def canonical(name, argument: str = "nonlinearity") -> str:
    """The canonical name of a nonlinearity (``"ReLU"`` -> ``"relu"``, ``"linear"`` ->
    ``"identity"``), or a ``ValueError`` that lists the names.

    >>> canonical("Linear")
    'identity'
    """
    return check_choice(argument, name, NAMES, ALIASES)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _gelu(x):
    return x * 0.5 * (1.0 + _erf(x * _INV_SQRT2))


def _gelu_prime(x):
    return 0.5 * (1.0 + _erf(x * _INV_SQRT2)) + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x)


_NUMPY: dict[str, tuple[Callable, Callable]] = {
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(np.float64)),
    "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "erf": (_erf, lambda x: 2.0 / math.sqrt(math.pi) * np.exp(-x * x)),
    "gelu": (_gelu, _gelu_prime),
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1.0 - _sigmoid(x))),
    "silu": (lambda x: x * _sigmoid(x), lambda x: _sigmoid(x) * (1.0 + x * (1.0 - _sigmoid(x)))),
    "softplus": (lambda x: np.logaddexp(0.0, x), _sigmoid),
    "sin": (np.sin, np.cos),
    "cos": (np.cos, lambda x: -np.sin(x)),
    "identity": (lambda x: np.asarray(x, dtype=np.float64), np.ones_like),
}


def numpy_pair(name) -> tuple[Callable, Callable]:
    """``(phi, phi')`` as vectorized numpy functions, for the name of a nonlinearity.

    >>> phi, dphi = numpy_pair("tanh")
    >>> float(dphi(np.array(0.0)))
    1.0
    """
    return _NUMPY[canonical(name)]


def torch_function(name) -> Callable:
    """:math:`\\phi` as a torch function, for the name of a nonlinearity."""
    import torch
    from torch.nn import functional

    table = {
        "relu": torch.relu,
        "tanh": torch.tanh,
        "erf": torch.erf,
        "gelu": functional.gelu,
        "sigmoid": torch.sigmoid,
        "silu": functional.silu,
        "softplus": functional.softplus,
        "sin": torch.sin,
        "cos": torch.cos,
        "identity": _identity,
    }
    return table[canonical(name)]


def _identity(x):
    return x
