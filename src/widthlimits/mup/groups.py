r"""Optimizer parameter groups: each layer's learning rate on its trained tensor, for SGD and Adam.

An abc-parametrization fixes how the learning rate of every layer scales with the width. With
:math:`\rho = n / n_0` the width over the base width, the trained tensor :math:`w^l` of an
:class:`~widthlimits.mup.model.MLP` gets :math:`\eta\, \rho^{-c}` with SGD and
:math:`\eta\, \rho^{a_l - e_l}` with Adam (:func:`lr_table`).

The tables, for SGD and Adam, in both conventions (µP; :math:`\eta` is the base learning rate,
constants omitted, "absorbed" is the talk's convention where the trained parameter is :math:`W^l`
itself; microsoft's ``mup`` absorbs the multipliers of the input and hidden layers only and keeps
a readout multiplier :math:`1/\rho`, see :mod:`widthlimits.mup.abc`):

============  ==================  ======================  =================  =====================
layer         TP4: (a, b, c)      absorbed: init var      SGD lr on W        Adam lr on W
============  ==================  ======================  =================  =====================
input         (-1/2, 1/2, 0)      :math:`1/d`             :math:`\eta n`     :math:`\eta`
hidden        (0, 1/2, 0)         :math:`1/n`             :math:`\eta`       :math:`\eta / n`
readout       (1/2, 1/2, 0)       :math:`1/n^2` (or 0)    :math:`\eta / n`   :math:`\eta / n`
============  ==================  ======================  =================  =====================

In the TP4 convention the multipliers :math:`n^{-a_l}` stay in the forward pass and one global
SGD learning rate :math:`\eta n^{-c}` acts on every :math:`w^l`; the absorbed learning rate on
:math:`W^l` is :math:`\eta n^{-(2a_l + c)}` because the multiplier acts twice (once in the
gradient, once in the update). For Adam the absorbed learning rate on :math:`W^l` is
:math:`\eta n^{-e_l}` with :math:`e_l` from
:meth:`widthlimits.mup.abc.ABC.adam_lr_exponents`, and
:meth:`~widthlimits.mup.model.MLP.param_groups` (:func:`param_groups`) converts it to the
learning rate on :math:`w^l`, :math:`\eta \rho^{a_l - e_l}`, since Adam's update does not scale
with the gradient.

Biases of hidden layers scale like input weights (a weight from a constant input coordinate,
exponents :math:`(a_1, b_1)`); the readout's bias uses :math:`(-c/2, c/2)` so that its SGD update
is of order one (:func:`bias_exponents`).
"""

from __future__ import annotations

from .._checks import check_choice, check_int, check_real
from .abc import ABC, check_abc

__all__ = ["OPTIMIZERS", "bias_exponents", "lr_table", "param_groups"]

#: The optimizers whose learning-rate tables the package knows.
OPTIMIZERS: tuple[str, ...] = ("sgd", "adam")


def bias_exponents(p: ABC, l: int) -> tuple[float, float]:
    r"""The exponents :math:`(a, b)` of the bias of weight matrix ``l`` (0-based; ``p.L`` is the
    readout): the input layer's :math:`(a_1, b_1)` for hidden layers, :math:`(-c/2, c/2)` for the
    readout.

    Examples
    --------
    >>> from widthlimits.mup import mup
    >>> bias_exponents(mup(2), 1), bias_exponents(mup(2), 2)
    ((-0.5, 0.5), (-0.0, 0.0))
    """
    check_abc("p", p)
    l = check_int("l", l, 0, p.L)
    a, b, c, L = p.a, p.b, p.c, p.L
    ab, bb = (a[0], b[0]) if l < L else (-c / 2, c / 2)
    return ab, bb


def lr_table(p: ABC, rho: float) -> dict[str, list[tuple[float, float]]]:
    r"""Per optimizer and per layer, the factors of the base learning rate on the layer's weight
    and bias, at width ratio :math:`\rho = n / n_0`.

    Returns
    -------
    dict
        ``{"sgd": [(weight, bias), ...], "adam": [...]}``, one pair per weight matrix.

    Examples
    --------
    >>> from widthlimits.mup import mup
    >>> lr_table(mup(2), 4.0)["adam"]
    [(0.5, 0.5), (0.25, 0.5), (0.5, 1.0)]
    """
    check_abc("p", p)
    rho = check_real("rho", rho, 0, low_open=True)
    a, c, L = p.a, p.c, p.L
    adam_e = p.adam_lr_exponents()
    out: dict[str, list[tuple[float, float]]] = {"sgd": [], "adam": []}
    for l in range(L + 1):
        ab, _ = bias_exponents(p, l)
        sgd = rho ** (-c)
        adam_w = rho ** (a[l] - adam_e[l])
        # hidden biases move like input weights; the readout bias by O(1)
        adam_b = rho ** (ab - adam_e[0]) if l < L else rho**ab
        out["sgd"].append((float(sgd), float(sgd)))
        out["adam"].append((float(adam_w), float(adam_b)))
    return out


def param_groups(weights, biases, factors: dict, lr, optimizer: str = "sgd") -> list[dict]:
    r"""Optimizer parameter groups: one per tensor, with its learning rate ``lr`` times its factor.

    Parameters
    ----------
    weights, biases : sequence of torch.nn.Parameter
        One weight per layer; one bias per layer, or none.
    factors : dict
        From :func:`lr_table`.
    lr : float
        The base learning rate :math:`\eta > 0`.
    optimizer : {"sgd", "adam"}
        Case-insensitive.

    Returns
    -------
    list of dict
        Keys ``params``, ``lr`` and ``name`` (``"weight1"``, ``"bias1"``, ...); pass it to
        ``torch.optim.SGD`` or ``torch.optim.Adam``.

    Raises
    ------
    TypeError, ValueError
        If ``lr`` is not a finite positive number or ``optimizer`` is unknown.

    Examples
    --------
    >>> import torch
    >>> from widthlimits.mup import mup
    >>> w = [torch.nn.Parameter(torch.zeros(2, 2)) for _ in range(3)]
    >>> [g["lr"] for g in param_groups(w, [], lr_table(mup(2), 4.0), 0.1, "Adam")]
    [0.05, 0.025, 0.05]
    """
    lr = check_real("lr", lr, 0, low_open=True)
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    groups = []
    for l, weight in enumerate(weights):
        fw, fb = factors[optimizer][l]
        groups.append({"params": [weight], "lr": lr * fw, "name": f"weight{l + 1}"})
        if len(biases):
            groups.append({"params": [biases[l]], "lr": lr * fb, "name": f"bias{l + 1}"})
    return groups
