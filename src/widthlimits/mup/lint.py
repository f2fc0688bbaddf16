r"""A linter for µP models: the mistakes that make a coordinate check pass while transfer fails.

:func:`check` compares a model with its
:class:`~widthlimits.mup.shape_record.Shapes` and returns one :class:`Finding` per problem.
The kinds and their heuristics:

``plain-readout``
    A weight with an infinite fan-in and a finite fan-out (the role ``"output"``) held by an
    ``nn.Linear`` or a convolution that is not a :class:`~widthlimits.mup.readout.Readout`:
    nothing multiplies its input by :math:`1/\rho`, so the output blows up with the width
    (microsoft's ``mup`` asserts the same for ``nn.Linear``).
``unbound-readout``
    A :class:`~widthlimits.mup.readout.Readout` whose ``base_in_features`` disagrees with the
    shapes or was never set (a model rebuilt from a checkpoint and not bound again).
``ambiguous-role``
    A weight with exactly one infinite dimension held by a module the rules do not know
    (not ``nn.Linear``, a convolution, an embedding or a ``Readout``; a raw ``nn.Parameter``):
    its axes were read as (fan-out, fan-in), which makes an embedding table look like a readout
    and the other way round. Check its role, or hold it in a known module.
``attention-scale``
    An attention module whose logits are scaled by :math:`1/\sqrt{d_\text{head}}` while
    :math:`d_\text{head}` grows with the width (µP wants :math:`1/d_\text{head}`). A module is
    recognized as attention if it is ``nn.MultiheadAttention`` (always
    :math:`1/\sqrt{d_\text{head}}`) or declares the marker attributes ``head_dim`` (int) and
    ``attention_scale`` (the float multiplying :math:`q \cdot k`, or ``None`` for
    :math:`1/\sqrt{d_\text{head}}`, the default of ``scaled_dot_product_attention``). Whether the
    head dimension grows comes from the shapes (recorded when the base is a module); with a
    fixed head dimension (more heads instead) :math:`1/\sqrt{d_\text{head}}` is fine and
    nothing is reported. Attention computed inline, without a marker, cannot be seen.
``tied-weights``
    One tensor under two names (``named_parameters(remove_duplicate=False)``), such as an
    embedding tied to the readout: its role and learning rate are those of the first name only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from torch import nn

from .._checks import check_bool
from .readout import Readout
from .shapes import Shapes, normalize_name

__all__ = ["KINDS", "Finding", "LintError", "check"]

#: The kinds of finding, in the order :func:`check` reports them.
KINDS: tuple[str, ...] = (
    "plain-readout",
    "unbound-readout",
    "ambiguous-role",
    "attention-scale",
    "tied-weights",
)
_KNOWN = (nn.Linear, nn.Embedding, nn.EmbeddingBag, nn.modules.conv._ConvNd)


class LintError(ValueError):
    """Raised by :func:`check` with ``strict=True`` when there are findings."""


@dataclass(frozen=True)
class Finding:
    """One problem: its kind (one of :data:`KINDS`), the parameter or module, and a sentence."""

    kind: str
    name: str
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.name}: {self.message}"


def _param_findings(model, shapes) -> list[Finding]:
    out = []
    for mname, m in model.named_modules():
        for pname, _ in m.named_parameters(recurse=False):
            name = normalize_name(f"{mname}.{pname}" if mname else pname)
            if name not in shapes:
                continue
            e = shapes[name]
            if e.role == "output" and isinstance(m, _KNOWN) and not isinstance(m, Readout):
                out.append(
                    Finding(
                        "plain-readout",
                        name,
                        (
                            f"infinite fan-in ({e.shape[e.fan_in_axis]}) and finite fan-out "
                            f"in a {type(m).__name__}, not a widthlimits.mup.Readout: nothing "
                            "multiplies its input by 1/width_mult"
                        ),
                    )
                )
            one_inf = sum(e.infinite) == 1 and len(e.shape) >= 2
            if one_inf and not isinstance(m, (*_KNOWN, Readout)):
                out.append(
                    Finding(
                        "ambiguous-role",
                        name,
                        (
                            f"a {len(e.shape)}-D parameter of a {type(m).__name__} with one "
                            f"infinite dimension, read as (fan-out, fan-in): role {e.role!r}; "
                            "an embedding and a readout look alike here"
                        ),
                    )
                )
    return out


def _readout_findings(model, shapes) -> list[Finding]:
    names, out = {id(p): normalize_name(n) for n, p in model.named_parameters()}, []
    for mname, m in model.named_modules():
        if not isinstance(m, Readout):
            continue
        name = names.get(id(m.weight))
        base = shapes[name].base_shape[1] if name in shapes else None
        if m.base_in_features is None or m.base_in_features != base:
            out.append(
                Finding(
                    "unbound-readout",
                    normalize_name(mname),
                    (
                        f"base_in_features is {m.base_in_features} but the shapes say {base}: call "
                        "shapes.bind(model)"
                    ),
                )
            )
    return out


def _attention_findings(model, shapes) -> list[Finding]:
    grows = {name: head != base for name, base, head in shapes.attention}
    out = []
    for mname, m in model.named_modules():
        name = normalize_name(mname)
        is_mha = isinstance(m, nn.MultiheadAttention)
        if not (is_mha or hasattr(m, "attention_scale")):
            continue
        head = getattr(m, "head_dim", None)
        if not isinstance(head, int) or not grows.get(name, False):
            continue
        scale = None if is_mha else m.attention_scale
        if scale is None or math.isclose(float(scale), head**-0.5, rel_tol=1e-6):
            out.append(
                Finding(
                    "attention-scale",
                    name,
                    (
                        f"logits scaled by 1/sqrt(head_dim) = 1/sqrt({head}) while head_dim grows "
                        "with the width; µP scales them by 1/head_dim"
                    ),
                )
            )
    return out


def _tied_findings(model) -> list[Finding]:
    first, out = {}, []
    for name, p in model.named_parameters(remove_duplicate=False):
        name = normalize_name(name)
        if id(p) in first and first[id(p)] != name:
            out.append(
                Finding(
                    "tied-weights",
                    name,
                    (
                        f"the same tensor as {first[id(p)]!r}: it gets that name's role "
                        "and learning rate"
                    ),
                )
            )
        first.setdefault(id(p), name)
    return out


def check(model: nn.Module, shapes: Shapes, *, strict: bool = False) -> list[Finding]:
    """Lint ``model`` against its ``shapes``: a list of :class:`Finding` (empty if clean).

    Parameters
    ----------
    model : torch.nn.Module
    shapes : Shapes
        From :func:`~widthlimits.mup.shapes.set_base_shapes` for this model.
    strict : bool
        Raise :class:`LintError` (a ``ValueError``) listing the findings instead of returning
        a non-empty list.

    Examples
    --------
    >>> import torch
    >>> from widthlimits.mup import set_base_shapes
    >>> make = lambda n: torch.nn.Sequential(torch.nn.Linear(3, n), torch.nn.Linear(n, 2))
    >>> [f.kind for f in check(make(32), set_base_shapes(make(32), make(8)))]
    ['plain-readout']
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(shapes, Shapes):
        raise TypeError(
            f"shapes must be the Shapes of set_base_shapes, got {type(shapes).__name__}"
        )
    strict = check_bool("strict", strict)
    shapes.check(model)
    found = (
        _param_findings(model, shapes)
        + _readout_findings(model, shapes)
        + _attention_findings(model, shapes)
        + _tied_findings(model)
    )
    found.sort(key=lambda f: KINDS.index(f.kind))
    if strict and found:
        raise LintError("µP lint found:\n" + "\n".join(map(str, found)))
    return found
