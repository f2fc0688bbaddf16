r"""Base shapes for any torch model: which dimensions are widths, and each parameter's role.

:func:`set_base_shapes` compares a model with a *base* model (the width at which µP equals the
standard parametrization) and, optionally, a *delta* model, parameter by parameter and by name,
as microsoft's ``mup`` does. A dimension is **infinite** (a width) if it differs between base and
delta, or, without a delta, between base and model; its width multiplier is
:math:`\rho = \text{model dim} / \text{base dim}`. Without a delta a model *at* the base width has
no infinite dimension at all (every role is ``"fixed"`` and every multiplier 1, which is right
for training but says nothing about roles): pass a delta to see the roles at the base width.

Axis 0 of a weight is its fan-out and axis 1 its fan-in (``nn.Linear``, convolutions, raw
parameters), except for ``nn.Embedding``/``nn.EmbeddingBag``, whose axis 0 (the vocabulary)
is the fan-in. The **role** follows:

===========  =================================  =============================================
role         which dimensions are infinite      examples
===========  =================================  =============================================
``hidden``   fan-in and fan-out                 attention and MLP projections
``input``    fan-out only                       embeddings, the first layer of an MLP
``output``   fan-in only                        the readout (:class:`~.readout.Readout`)
``vector``   the one axis of a 1-D tensor       biases, LayerNorm gains
``fixed``    none                               the readout's bias, a scalar gain
===========  =================================  =============================================

The rules that follow (:class:`ParamShape`): µP multiplies the readout's input by
:math:`1/\rho` (``output_mult``), rescales an SP initialization of the readout's weights and of
the biases of layers with infinite fan-in by :math:`\sqrt{\rho_\text{in}}` (``init_scale``), and
sets each tensor's learning rate to the base rate times ``lr_mult(optimizer)``:

===========  ===============================================  =====================
role         SGD                                              Adam, AdamW
===========  ===============================================  =====================
hidden       :math:`\rho_\text{out} / \rho_\text{in}`         :math:`1/\rho_\text{in}`
input        :math:`\rho_\text{out}`                          1
output       :math:`\rho_\text{in}`                           1
vector       :math:`\rho`                                     1
fixed        1                                                1
===========  ===============================================  =====================

This is Table 8 of Tensor Programs V (Yang et al. 2021), the form microsoft's ``mup`` implements
(``MuReadout``, ``MuSGD``, ``MuAdam``). Weight decay gets ``wd_mult = 1 / lr_mult``
(:mod:`widthlimits.mup.optim`).

Nothing is stored on tensors: :class:`Shapes` is a frozen record keyed by parameter names, with
the prefixes ``_orig_mod.`` (``torch.compile``) and ``module.`` (``DistributedDataParallel``,
``DataParallel``) removed (:func:`normalize_name`), so it serves the model, its compiled and
wrapped forms, a deep copy and a model rebuilt from a checkpoint alike, and it round-trips
through JSON (:meth:`Shapes.to_dict`, :meth:`Shapes.from_dict`).
"""

from __future__ import annotations

from torch import nn

from .shape_record import ParamShape, Shapes, normalize_name, same_names, shapes_of

__all__ = ["set_base_shapes"]  # the record and its names are documented in shape_record

_EMBEDDINGS = (nn.Embedding, nn.EmbeddingBag)


def _owners(model: nn.Module) -> dict[str, nn.Module]:
    """Parameter name -> the module that holds it directly."""
    owners = {}
    for mname, module in model.named_modules():
        for pname, _ in module.named_parameters(recurse=False):
            owners.setdefault(normalize_name(f"{mname}.{pname}" if mname else pname), module)
    return owners


def _head_dims(model) -> dict[str, int]:
    """Module name -> head_dim of every attention module (the marker protocol of lint)."""
    if not isinstance(model, nn.Module):
        return {}
    out = {}
    for name, m in model.named_modules():
        marked = isinstance(m, nn.MultiheadAttention) or hasattr(m, "attention_scale")
        if marked and isinstance(getattr(m, "head_dim", None), int):
            out[normalize_name(name)] = m.head_dim
    return out


def _infinite(name, shape, base, inf=None) -> tuple[bool, ...]:
    """Which axes are widths (``inf``, or those where model and base differ); check that the
    finite ones match and that widths are integer multiples or fractions of the base's."""
    if inf is None:
        inf = tuple(b != n for b, n in zip(base, shape, strict=True))
    for k, (n, b, is_inf) in enumerate(zip(shape, base, inf, strict=True)):
        if not is_inf and n != b:
            raise ValueError(
                f"dimension {k} of {name!r} is {n} in the model but {b} in the base, and it does "
                "not differ between base and delta, so it is not a width: finite dimensions "
                "must match"
            )
        if is_inf and (min(n, b) == 0 or max(n, b) % min(n, b) != 0):
            raise ValueError(
                f"dimension {k} of {name!r} is {n} in the model and {b} in the base: a width "
                "must be an integer multiple (or an integer fraction) of its base width"
            )
    return inf


def _axes(module, ndim: int) -> tuple[int | None, int | None]:
    if ndim < 2:
        return None, None
    return (1, 0) if isinstance(module, _EMBEDDINGS) else (0, 1)


def _role(name, infinite, fan_out, fan_in) -> str:
    if not any(infinite):
        return "fixed"
    if fan_out is None:
        return "vector"
    if any(infinite[k] for k in range(len(infinite)) if k not in (fan_out, fan_in)):
        raise ValueError(
            f"parameter {name!r} has an infinite dimension besides its fan-in and fan-out "
            f"(infinite axes {[k for k, v in enumerate(infinite) if v]}); µP rules are defined "
            "for at most two width dimensions, fan-out (axis 0) and fan-in (axis 1)"
        )
    return {(True, True): "hidden", (True, False): "input", (False, True): "output"}[
        (infinite[fan_out], infinite[fan_in])
    ]


def _bias_scales(entries: dict) -> dict[str, float]:
    """``sqrt(fan-in multiplier)`` for each bias of a module whose weight has an infinite fan-in."""
    out = {}
    for name in entries:
        prefix, _, last = name.rpartition(".")
        weight = entries.get(f"{prefix}.weight" if prefix else "weight")
        if last == "bias" and weight is not None and weight.fan_in_axis is not None:
            if weight.infinite[weight.fan_in_axis]:
                out[name] = weight.fan_in_mult**0.5
    return out


def _base_record(base, delta):
    if isinstance(base, Shapes):
        if delta is not None:
            raise ValueError("give a delta only with a base model, not with base Shapes")
        return {p.name: p.base_shape for p in base.params}, {
            p.name: p.infinite for p in base.params
        }
    base_shapes = shapes_of(base, "base")
    if delta is None:
        return base_shapes, None
    delta_shapes = shapes_of(delta, "delta")
    same_names(delta_shapes, base_shapes, "base (compared with the delta)")
    return base_shapes, {
        n: tuple(b != d for b, d in zip(base_shapes[n], delta_shapes[n], strict=True))
        for n in base_shapes
    }


def set_base_shapes(model: nn.Module, base, delta=None) -> Shapes:
    r"""Compare ``model`` with its ``base`` (and ``delta``) and return their :class:`Shapes`.

    Parameters
    ----------
    model : torch.nn.Module
        The model to train (possibly compiled or wrapped in DDP).
    base : torch.nn.Module, dict or Shapes
        The base model (µP equals SP at its width), a dict of parameter name -> shape, or the
        :class:`Shapes` of another width of the same architecture (its infinite dimensions and
        base shapes are reused).
    delta : torch.nn.Module or dict, optional
        A model of another width: the dimensions that differ between base and delta are the
        widths. Without it, those that differ between base and model are.

    Returns
    -------
    Shapes
        No tensor is modified; every :class:`~.readout.Readout` of ``model`` gets its
        ``base_in_features`` (:meth:`Shapes.bind`).

    Raises
    ------
    TypeError, ValueError
        If ``model`` is not a module, if the parameter names or numbers of dimensions of model
        and base (or base and delta) differ, if a finite dimension differs, if a width is not an
        integer multiple or fraction of its base width, or if a weight has an infinite dimension
        besides its fan-in and fan-out.

    Examples
    --------
    >>> import torch
    >>> make = lambda n: torch.nn.Sequential(torch.nn.Linear(3, n), torch.nn.ReLU(),
    ...                                      torch.nn.Linear(n, 2))
    >>> set_base_shapes(make(32), make(8))["2.weight"].role
    'output'
    >>> set_base_shapes(make(8), make(8), delta=make(16)).roles()["0.weight"]
    'input'
    >>> set_base_shapes(make(12), make(8))
    Traceback (most recent call last):
    ...
    ValueError: dimension 0 of '0.weight' is 12 in the model and 8 in the base: a width must ...
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    shapes = shapes_of(model, "model")
    base_shapes, infinite = _base_record(base, delta)
    same_names(shapes, base_shapes, "base")
    owners, entries = _owners(model), {}
    for name, shape in shapes.items():
        inf = _infinite(
            name, shape, base_shapes[name], None if infinite is None else infinite[name]
        )
        fan_out, fan_in = _axes(owners.get(name), len(shape))
        owner = type(owners.get(name)).__name__
        entries[name] = ParamShape(
            name,
            shape,
            base_shapes[name],
            inf,
            fan_out,
            fan_in,
            _role(name, inf, fan_out, fan_in),
            owner,
        )
    scales = _bias_scales(entries)
    scales.update(
        {
            n: e.fan_in_mult**0.5
            for n, e in entries.items()
            if e.role == "output" and e.owner == "Readout"
        }
    )
    for name, scale in scales.items():
        entries[name] = entries[name].with_init_scale(scale)
    heads = _head_dims(model)
    base_heads = _head_dims(base) if isinstance(base, nn.Module) else {}
    att = tuple((n, base_heads.get(n, h), h) for n, h in heads.items())
    if isinstance(base, Shapes):
        att = tuple(
            (n, dict((a, b) for a, b, _ in base.attention).get(n, h), h) for n, h in heads.items()
        )
    result = Shapes(tuple(entries.values()), att)
    result.bind(model)
    return result
