r"""µP for any optimizer: the initialization and per-parameter learning rates and weight decay.

:func:`init_` turns a standard initialization (PyTorch's default, or any whose variance is
proportional to :math:`1/\text{fan-in}`) into µP's, and :func:`param_groups` gives every tensor
its learning rate and weight decay. With :math:`\rho` a tensor's width multiplier
(:class:`~widthlimits.mup.shape_record.ParamShape`) and :math:`\eta`, :math:`\lambda` the base
learning rate and weight decay:

* **learning rate** :math:`\eta \cdot` ``lr_mult``: with SGD, hidden weights
  :math:`\eta\,\rho_\text{out}/\rho_\text{in}` (:math:`\eta` when square), input weights,
  readout weights and vectors (biases, norm gains) :math:`\eta\rho`; with Adam and AdamW,
  hidden weights :math:`\eta/\rho_\text{in}` and everything else :math:`\eta` (Tensor
  Programs V, Table 8; microsoft's ``MuSGD``, ``MuAdam``, ``MuAdamW``). SGD-like optimizers
  (momentum, ``ASGD``) use ``"sgd"``; Adam-like ones that normalize the gradient entrywise
  (``RMSprop``, ``Adagrad``, ``Adamax``) use ``"adam"``.
* **weight decay** :math:`\lambda \cdot` ``wd_mult`` with ``wd_mult = 1 / lr_mult``: the
  product of a group's learning rate and weight decay is :math:`\eta\lambda` for every tensor
  at every width. For AdamW (decoupled: :math:`w \leftarrow w(1 - \text{lr}\cdot\text{wd})`)
  and for SGD (:math:`w \leftarrow w - \text{lr}(g + \text{wd}\, w)`) that product is the decay
  per step, so each hidden weight's decay per step is width-independent. For Adam with
  ``weight_decay`` (added to the gradient, then normalized) there is no such reading; the rule
  is microsoft's ``MuAdam``'s.
* **schedules**: each group carries ``lr_mult`` (and ``wd_mult``). Schedulers that multiply
  the initial rates (``LambdaLR``, ``StepLR``, ``CosineAnnealingLR``, warm-up by
  ``LinearLR``) work as they are. A schedule that sets *absolute* rates must set
  ``group["lr"] = rate * group["lr_mult"]`` (:func:`set_lr` does that); ``OneCycleLR`` and
  ``CyclicLR`` take ``max_lr=[rate * g["lr_mult"] for g in opt.param_groups]``.
* **depth**: a :class:`~widthlimits.mup.depth.DepthRule` multiplies the learning rates (not the
  weight decay) of the residual blocks' parameters.
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import check_choice, check_real
from .depth import DepthRule
from .shape_record import OPTIMIZERS
from .shapes import Shapes, normalize_name

__all__ = ["OPTIMIZERS", "init_", "param_groups", "set_lr"]


def _check(model, shapes) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(shapes, Shapes):
        raise TypeError(
            f"shapes must be the Shapes of set_base_shapes, got {type(shapes).__name__}"
        )
    shapes.check(model)


def init_(model: nn.Module, shapes: Shapes) -> nn.Module:
    r"""Rescale a standard initialization to µP's, in place, and return ``model``.

    Multiplies every parameter by its ``init_scale``: the weights of a
    :class:`~widthlimits.mup.readout.Readout` and the biases of layers with an infinite fan-in
    by :math:`\sqrt{\rho_\text{in}}` (their PyTorch-default variance :math:`\propto 1/\text{fan-in}`
    becomes that of the base width), everything else by 1 (untouched, so at the base width the
    model is unchanged bit for bit). Call it once, right after building the model: it is not
    idempotent (the record keeps no state), and a checkpoint is loaded after it, not before.

    Raises
    ------
    TypeError, ValueError
        If ``model`` is not a module, ``shapes`` is not a :class:`~.shape_record.Shapes`, or the
        model's parameter names and shapes are not those of ``shapes``.

    Examples
    --------
    >>> import torch
    >>> from widthlimits.mup import Readout, set_base_shapes
    >>> make = lambda n: torch.nn.Sequential(torch.nn.Linear(3, n), Readout(n, 2))
    >>> model = make(64)
    >>> before = model[1].weight.detach().clone()
    >>> shapes = set_base_shapes(model, make(16))
    >>> bool(torch.equal(init_(model, shapes)[1].weight, 2 * before))
    True
    """
    _check(model, shapes)
    with torch.no_grad():
        for name, p in model.named_parameters():
            scale = shapes[name].init_scale
            if scale != 1.0:
                p.mul_(scale)
    return model


def param_groups(
    model: nn.Module,
    shapes: Shapes,
    lr: float,
    *,
    optimizer: str = "sgd",
    weight_decay: float = 0.0,
    depth: DepthRule | None = None,
) -> list[dict]:
    r"""Optimizer parameter groups with µP's learning rate and weight decay for every tensor.

    Parameters
    ----------
    model : torch.nn.Module
        The model (compiled or DDP-wrapped is fine); parameters with ``requires_grad=False``
        are left out.
    shapes : Shapes
        From :func:`~widthlimits.mup.shapes.set_base_shapes`.
    lr : float
        The base learning rate :math:`\eta > 0`, the one tuned at the base width.
    optimizer : {"sgd", "adam", "adamw"}
        The rule family (module docstring), case-insensitive.
    weight_decay : float
        The base weight decay :math:`\lambda \ge 0`.
    depth : DepthRule, optional
        Depth-µP or CompleteP learning-rate factors for the residual blocks.

    Returns
    -------
    list of dict
        One group per distinct (``lr_mult``, ``wd_mult``), in the model's parameter order,
        with keys ``params``, ``names``, ``lr``, ``lr_mult``, ``weight_decay``, ``wd_mult``;
        pass it to any ``torch.optim`` optimizer.

    Raises
    ------
    TypeError, ValueError
        For a model that does not match ``shapes``, a learning rate that is not a finite
        positive number, a negative weight decay, an unknown optimizer or a ``depth`` that is
        not a :class:`~widthlimits.mup.depth.DepthRule`.

    Examples
    --------
    >>> import torch
    >>> from widthlimits.mup import Readout, set_base_shapes
    >>> make = lambda n: torch.nn.Sequential(torch.nn.Linear(3, n), torch.nn.Linear(n, n),
    ...                                      Readout(n, 2))
    >>> model = make(256)
    >>> shapes = set_base_shapes(model, make(64))
    >>> [(g["names"][0], g["lr"]) for g in param_groups(model, shapes, 0.1, optimizer="adam")]
    [('0.weight', 0.1), ('1.weight', 0.025)]
    >>> opt = torch.optim.AdamW(param_groups(model, shapes, 1e-3, optimizer="adamw",
    ...                                      weight_decay=0.1))
    >>> sorted({round(g["lr"] * g["weight_decay"], 12) for g in opt.param_groups})
    [0.0001]
    """
    _check(model, shapes)
    lr = check_real("lr", lr, 0, low_open=True)
    weight_decay = check_real("weight_decay", weight_decay, 0)
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    if depth is not None and not isinstance(depth, DepthRule):
        raise TypeError(
            f"depth must be a widthlimits.mup.DepthRule or None, got {type(depth).__name__}"
        )
    groups: dict[tuple[float, float], dict] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        entry = shapes[name]
        lr_mult, wd_mult = entry.lr_mult(optimizer), entry.wd_mult(optimizer)
        if depth is not None:
            lr_mult *= depth.lr_mult(name, optimizer)
        group = groups.setdefault(
            (lr_mult, wd_mult),
            {
                "params": [],
                "names": [],
                "lr": lr * lr_mult,
                "lr_mult": lr_mult,
                "weight_decay": weight_decay * wd_mult,
                "wd_mult": wd_mult,
            },
        )
        group["params"].append(p)
        group["names"].append(normalize_name(name))
    return list(groups.values())


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    r"""Set every group's learning rate to ``lr * group["lr_mult"]``: an absolute schedule.

    Raises
    ------
    TypeError, ValueError
        If ``optimizer`` is not a ``torch.optim.Optimizer``, ``lr`` is negative or not finite,
        or a group has no ``lr_mult`` (build the optimizer from :func:`param_groups`).

    Examples
    --------
    >>> import torch
    >>> from widthlimits.mup import set_base_shapes
    >>> make = lambda n: torch.nn.Sequential(torch.nn.Linear(n, n))
    >>> model = make(32)
    >>> opt = torch.optim.Adam(param_groups(model, set_base_shapes(model, make(8)), 1.0,
    ...                                     optimizer="adam"))
    >>> set_lr(opt, 0.4); [g["lr"] for g in opt.param_groups]
    [0.1, 0.4]
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}"
        )
    lr = check_real("lr", lr, 0)
    for i, group in enumerate(optimizer.param_groups):
        if "lr_mult" not in group:
            raise ValueError(
                f"parameter group {i} has no 'lr_mult': build the optimizer from "
                "widthlimits.mup.param_groups"
            )
    for group in optimizer.param_groups:
        group["lr"] = lr * group["lr_mult"]
