r"""µP attention: logits scaled by :math:`1/d_\text{head}`, zero queries, and the embeddings.

Standard attention computes :math:`\operatorname{softmax}(q^\top k / \sqrt{d})` with
:math:`d` the head dimension: right at initialization, where :math:`q` and :math:`k` are
independent and :math:`q^\top k` is a sum of :math:`d` uncorrelated terms of size
:math:`\sqrt d`. After training starts, :math:`q` and :math:`k` become correlated (they are
computed from the same features and updated by the same gradients), :math:`q^\top k` grows like
:math:`d` by the law of large numbers, and the :math:`1/\sqrt d` logits blow up with the
width. µP scales the logits by :math:`1/d` instead (Tensor Programs V :cite:p:`yang2021tp5`,
its µP table for Transformers; microsoft's ``mup`` README and its Transformer example).
:func:`attention_scale` returns the factor, to pass as ``scale=`` to
:func:`torch.nn.functional.scaled_dot_product_attention`. With a base head dimension
:math:`d_0` it is :math:`\frac{1}{\sqrt{d_0}} \cdot \frac{d_0}{d}`: :math:`\propto 1/d` as the
width grows and exactly :math:`1/\sqrt{d_0}` at the base width, so µP equals SP there, bit for
bit (microsoft writes :math:`8/d`, the same rule with :math:`d_0 = 64`).

The documented treatment of the rest of an attention model:

* **Queries start at zero** (``zero_query=True``, microsoft's README and its Transformer
  example). Under :math:`1/d` scaling random queries give logits of order
  :math:`1/\sqrt d` at initialization, which vanish with the width; zero queries make them
  exactly zero at every width (uniform attention), so the coordinate check is flat from step 0.
  The query weight is a hidden weight all the same: it learns at the hidden learning rate.
* **Token and positional embeddings are input weights** (``nn.Embedding`` of shape
  ``(vocab or context, d_model)``: only the fan-out is a width). µP keeps their initial variance
  constant, gives them Adam's base learning rate :math:`\eta` and SGD's :math:`\eta\rho`
  (:func:`~widthlimits.mup.optim.param_groups`). A learned absolute positional embedding is
  such a weight; with zero queries, position enters the logits only after the first step.
* **Tied embeddings** (one matrix :math:`E` both embeds and reads out): the shared matrix keeps
  the input role (its owner is the embedding) and the readout applies its multiplier
  :math:`1/\rho` in the forward pass, microsoft's ``MuSharedReadout``. In this convention the
  input and output roles have the same learning rates (:math:`\eta` with Adam, :math:`\eta\rho`
  with SGD) and both keep a constant initial variance, so one tensor can serve both;
  :func:`~widthlimits.mup.lint.check` still reports the tie, so that it is a decision.

:class:`SelfAttention` is a causal multi-head self-attention layer with these rules; it carries
the marker attributes ``head_dim`` and ``attention_scale`` that
:func:`~widthlimits.mup.shapes.set_base_shapes` records and
:func:`~widthlimits.mup.lint.check` reads, and a probe ``logits`` (an ``nn.Identity``) through
which it passes its attention logits when, and only when, a forward hook is registered on it
(the coordinate check does), since ``scaled_dot_product_attention`` does not return them.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._checks import check_bool, check_choice, check_int, check_real
from .shapes import normalize_name

__all__ = [
    "PARAMETRIZATIONS",
    "SelfAttention",
    "attention_scale",
    "bind_attention",
    "zero_query_",
]

#: The parametrizations of the attention layer and of :class:`~widthlimits.mup.gpt.GPT`.
PARAMETRIZATIONS: tuple[str, ...] = ("sp", "mup")


def attention_scale(
    head_dim: int, parametrization: str = "mup", *, base_head_dim=None, attn_mult: float = 1.0
) -> float:
    r"""The factor of the attention logits :math:`q^\top k`: SP's or µP's.

    Parameters
    ----------
    head_dim : int
        The head dimension :math:`d`.
    parametrization : {"sp", "mup"}
        ``"sp"`` gives :math:`m/\sqrt d`; ``"mup"`` gives :math:`m / d`, or
        :math:`m\, d_0^{-1/2}\, (d_0/d)` with a base head dimension :math:`d_0`.
    base_head_dim : int, optional
        :math:`d_0`, the head dimension of the base model (µP only).
    attn_mult : float
        The constant :math:`m > 0`, a hyperparameter that transfers across widths.

    Returns
    -------
    float
        The ``scale`` of :func:`torch.nn.functional.scaled_dot_product_attention`.

    Raises
    ------
    TypeError, ValueError
        For a dimension that is not a positive integer, an unknown parametrization or a
        multiplier that is not a finite positive number.

    Examples
    --------
    >>> attention_scale(64, "sp"), attention_scale(64), attention_scale(256, base_head_dim=64)
    (0.125, 0.015625, 0.03125)
    >>> attention_scale(16, "mup", base_head_dim=16) == attention_scale(16, "sp")
    True
    """
    head_dim = check_int("head_dim", head_dim, 1)
    parametrization = check_choice("parametrization", parametrization, PARAMETRIZATIONS)
    attn_mult = check_real("attn_mult", attn_mult, 0, low_open=True)
    if parametrization == "sp":
        return attn_mult * (1.0 / math.sqrt(head_dim))
    if base_head_dim is None:
        return attn_mult / head_dim
    base = check_int("base_head_dim", base_head_dim, 1)
    return attn_mult * (1.0 / math.sqrt(base)) * (base / head_dim)


class SelfAttention(nn.Module):
    r"""Causal multi-head self-attention with SP's or µP's logit scale (module docstring).

    The four projections ``query``, ``key``, ``value`` and ``proj`` are ``nn.Linear`` layers of
    shape ``(d_model, d_model)``, hidden weights of µP, with PyTorch's default initialization
    (which :func:`~widthlimits.mup.optim.init_` leaves as it is: its variance is
    :math:`1/(3\,\text{fan-in})`).

    Parameters
    ----------
    d_model, n_head : int
        Model width and number of heads; ``head_dim = d_model // n_head``.
    parametrization : {"sp", "mup"}
    base_head_dim : int, optional
        µP's :math:`d_0` (:func:`attention_scale`); :func:`bind_attention` sets it from a
        :class:`~widthlimits.mup.shape_record.Shapes`.
    attn_mult : float
        The logit multiplier :math:`m`.
    zero_query : bool, optional
        Start the query weight (and bias) at zero; default: ``True`` for µP, ``False`` for SP.
    bias : bool
        Whether the projections have biases.
    causal : bool
        Mask future positions.

    Raises
    ------
    TypeError, ValueError
        For sizes that are not positive integers, ``d_model`` not a multiple of ``n_head``, an
        unknown parametrization, a flag that is not a bool, or a bad multiplier.

    Examples
    --------
    >>> att = SelfAttention(32, 4, base_head_dim=4)
    >>> att.head_dim, att.attention_scale, float(att.query.weight.detach().abs().sum())
    (8, 0.25, 0.0)
    >>> att(torch.ones(2, 5, 32)).shape
    torch.Size([2, 5, 32])
    """

    def __init__(
        self,
        d_model: int,
        n_head: int,
        *,
        parametrization: str = "mup",
        base_head_dim: int | None = None,
        attn_mult: float = 1.0,
        zero_query: bool | None = None,
        bias: bool = False,
        causal: bool = True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        d_model, n_head = check_int("d_model", d_model, 1), check_int("n_head", n_head, 1)
        if d_model % n_head:
            raise ValueError(f"d_model ({d_model}) must be a multiple of n_head ({n_head})")
        self.parametrization = check_choice("parametrization", parametrization, PARAMETRIZATIONS)
        if zero_query is None:
            zero_query = self.parametrization == "mup"
        self.zero_query = check_bool("zero_query", zero_query)
        self.causal, bias = check_bool("causal", causal), check_bool("bias", bias)
        self.base_head_dim = (
            None if base_head_dim is None else check_int("base_head_dim", base_head_dim, 1)
        )
        self.attn_mult = check_real("attn_mult", attn_mult, 0, low_open=True)
        self.d_model, self.n_head, self.head_dim = d_model, n_head, d_model // n_head
        kw = {"bias": bias, "device": device, "dtype": dtype}
        self.query = nn.Linear(d_model, d_model, **kw)
        self.key = nn.Linear(d_model, d_model, **kw)
        self.value = nn.Linear(d_model, d_model, **kw)
        self.proj = nn.Linear(d_model, d_model, **kw)
        self.logits = nn.Identity()
        if self.zero_query:
            zero_query_(self)

    @property
    def attention_scale(self) -> float:
        r"""The factor of :math:`q^\top k` (:func:`attention_scale` of this layer's settings)."""
        return attention_scale(
            self.head_dim,
            self.parametrization,
            base_head_dim=self.base_head_dim,
            attn_mult=self.attn_mult,
        )

    def _heads(self, t: torch.Tensor) -> torch.Tensor:
        b, n, _ = t.shape
        return t.view(b, n, self.n_head, self.head_dim).transpose(1, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Attention of ``x`` (shape ``(batch, tokens, d_model)``) to itself, same shape."""
        if x.ndim != 3 or x.shape[-1] != self.d_model:
            raise ValueError(
                f"x must have shape (batch, tokens, {self.d_model}), got {tuple(x.shape)}"
            )
        q, k, v = (self._heads(f(x)) for f in (self.query, self.key, self.value))
        scale = self.attention_scale
        if self.logits._forward_hooks:
            self.logits((q @ k.transpose(-2, -1)) * scale)
        out = nn.functional.scaled_dot_product_attention(
            q, k, v, is_causal=self.causal, scale=scale
        )
        return self.proj(out.transpose(1, 2).reshape(x.shape))

    def extra_repr(self) -> str:
        return (
            f"n_head={self.n_head}, head_dim={self.head_dim}, parametrization="
            f"{self.parametrization!r}, base_head_dim={self.base_head_dim}, "
            f"zero_query={self.zero_query}"
        )


def zero_query_(module: SelfAttention) -> SelfAttention:
    """Set the query weight (and bias) of ``module`` to zero, in place; return it."""
    with torch.no_grad():
        module.query.weight.zero_()
        if module.query.bias is not None:
            module.query.bias.zero_()
    return module


def bind_attention(model: nn.Module, shapes) -> int:
    """Set ``base_head_dim`` of every µP :class:`SelfAttention` of ``model`` from ``shapes``.

    ``shapes.attention`` (recorded by :func:`~widthlimits.mup.shapes.set_base_shapes` from the
    base model) gives each attention module's base head dimension. Call it after
    ``set_base_shapes`` (and again on a model rebuilt from a checkpoint, like
    :meth:`~widthlimits.mup.shape_record.Shapes.bind`).

    Returns
    -------
    int
        The number of layers bound.

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Module`` or ``shapes`` has no ``attention`` record.
    ValueError
        If a layer was given another base head dimension at construction.

    Examples
    --------
    >>> from widthlimits.mup import set_base_shapes
    >>> model, base = SelfAttention(64, 2), SelfAttention(16, 2)
    >>> bind_attention(model, set_base_shapes(model, base)), model.base_head_dim
    (1, 8)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not hasattr(shapes, "attention"):
        raise TypeError(f"shapes must be a widthlimits.mup.Shapes, got {type(shapes).__name__}")
    base = {name: b for name, b, _ in shapes.attention}
    bound = 0
    for name, m in model.named_modules():
        key = normalize_name(name)
        if isinstance(m, SelfAttention) and key in base:
            if m.base_head_dim not in (None, base[key]):
                raise ValueError(
                    f"attention {key!r} has base_head_dim={m.base_head_dim} but "
                    f"the base has {base[key]}"
                )
            m.base_head_dim = base[key]
            bound += 1
    return bound
