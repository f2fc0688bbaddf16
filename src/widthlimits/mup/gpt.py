r"""A small GPT-style character-level language model, in SP or µP, for width sweeps on a CPU.

:class:`GPT` embeds tokens and positions (``tok``, ``pos``: ``nn.Embedding``), runs
``n_layer`` pre-LayerNorm blocks

.. math::

    x \leftarrow x + m\,\mathrm{Attn}(\mathrm{LN}_1(x)), \qquad
    x \leftarrow x + m\,\mathrm{MLP}(\mathrm{LN}_2(x)),

with :math:`\mathrm{MLP}(x) = W_2\,\mathrm{gelu}(W_1 x)` of hidden size ``mlp_ratio * d_model``
and :math:`m` the residual-branch multiplier (``branch_mult``, 1 by default; depth-µP uses
:func:`~widthlimits.mup.depth.branch_multiplier`), then a final LayerNorm and the readout
``head``. With ``parametrization="sp"`` the attention uses :math:`1/\sqrt{d_\text{head}}` and
the readout is ``nn.Linear``; with ``"mup"`` the attention uses µP's :math:`1/d_\text{head}`
(:mod:`~widthlimits.mup.attention`, zero queries by default) and the readout is a
:class:`~widthlimits.mup.readout.Readout` (zero by default). Every parameter's name and number
of dimensions are the same at every width, so :func:`~widthlimits.mup.shapes.set_base_shapes`
compares two of them; the width scales ``d_model`` with either the number of heads fixed
(``n_head``: the head dimension grows) or the head dimension fixed (``d_head``: heads are
added).

Initialization is PyTorch's default for every layer (linear weights and biases uniform on
:math:`\pm 1/\sqrt{\text{fan-in}}`, embeddings :math:`\mathcal N(0, 1)`, LayerNorm gains one and
biases zero), drawn from the ``generator`` given, so a seed fixes the model. That is SP; µP
follows from it with :func:`~widthlimits.mup.optim.init_`, which rescales only the readout (and
biases of layers with an infinite fan-in). The µP recipe:

>>> from widthlimits.mup import attention, init_, param_groups, set_base_shapes
>>> g = torch.Generator().manual_seed(0)
>>> model = GPT(96, 64, n_head=2, context=16, generator=g)
>>> base = GPT(96, 16, n_head=2, context=16, generator=torch.Generator())
>>> shapes = set_base_shapes(model, base)
>>> attention.bind_attention(model, shapes), init_(model, shapes) is model
(2, True)
>>> opt = torch.optim.Adam(param_groups(model, shapes, 1e-2, optimizer="adam"))
>>> round(model.blocks[0].attn.attention_scale, 6), round(8**-0.5 * 8 / 32, 6)  # d0 = 8, d = 32
(0.088388, 0.088388)
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._checks import check_bool, check_choice, check_int, check_real, check_torch_generator
from .attention import PARAMETRIZATIONS, SelfAttention, zero_query_
from .names import check_dtype
from .readout import Readout

__all__ = ["GPT", "Block"]


class Block(nn.Module):
    """One pre-LayerNorm transformer block: attention then MLP, each on a residual branch.

    Parameters are those of :class:`GPT` (``d_model``, ``n_head``, ``mlp_ratio``,
    ``branch_mult`` and the attention's settings, passed through as keywords).
    """

    def __init__(self, d_model: int, n_head: int, mlp_ratio: int, branch_mult: float, **att):
        super().__init__()
        bias, kw = att["bias"], {"device": att["device"], "dtype": att["dtype"]}
        self.ln1 = nn.LayerNorm(d_model, **kw)
        self.attn = SelfAttention(d_model, n_head, **att)
        self.ln2 = nn.LayerNorm(d_model, **kw)
        self.fc = nn.Linear(d_model, mlp_ratio * d_model, bias=bias, **kw)
        self.proj = nn.Linear(mlp_ratio * d_model, d_model, bias=bias, **kw)
        self.branch_mult = branch_mult

    def _branch(self, y: torch.Tensor) -> torch.Tensor:
        return y if self.branch_mult == 1.0 else self.branch_mult * y

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self._branch(self.attn(self.ln1(x)))
        return x + self._branch(self.proj(nn.functional.gelu(self.fc(self.ln2(x)))))


class GPT(nn.Module):
    r"""A character-level GPT in SP or µP (module docstring).

    Parameters
    ----------
    vocab_size, d_model : int
        Vocabulary size and width.
    n_layer : int
        Number of blocks.
    n_head, d_head : int, optional
        Give one: the number of heads (the head dimension is ``d_model // n_head``) or the
        head dimension (``d_model // d_head`` heads). Default: 4 heads.
    context : int
        The longest sequence (the positional embedding's rows).
    parametrization : {"sp", "mup"}
    mlp_ratio : int
        The MLP's hidden size over ``d_model``.
    branch_mult : float
        The residual-branch multiplier :math:`m > 0`.
    tie : bool
        Read out with the token embedding's matrix (microsoft's ``MuSharedReadout`` in µP).
    zero_query, zero_readout : bool, optional
        Start queries / readout at zero; default ``True`` for µP, ``False`` for SP. Give them
        explicitly to compare SP with µP at the base width bit for bit.
    attn_mult, output_mult : float
        The attention logits' and the µP readout's multipliers.
    bias : bool
        Biases in the attention and MLP layers (LayerNorms always have them).
    generator : torch.Generator, optional
        The only source of randomness; ``None`` uses a new generator with torch's default seed.
    dtype : torch.dtype

    Raises
    ------
    TypeError, ValueError
        For sizes that are not positive integers, both or a non-dividing ``n_head`` /
        ``d_head``, an unknown parametrization, a flag that is not a bool, a multiplier that
        is not a finite positive number, or a generator that is not a ``torch.Generator``.

    Examples
    --------
    >>> net = GPT(96, 32, n_layer=2, context=8, parametrization="sp",
    ...           generator=torch.Generator().manual_seed(0))
    >>> net(torch.zeros(3, 8, dtype=torch.long)).shape
    torch.Size([3, 8, 96])
    >>> [n for n, _ in net.named_parameters()][:4]
    ['tok.weight', 'pos.weight', 'blocks.0.ln1.weight', 'blocks.0.ln1.bias']
    """

    def __init__(
        self,
        vocab_size: int,
        d_model: int,
        *,
        n_layer: int = 2,
        n_head: int | None = None,
        d_head: int | None = None,
        context: int = 64,
        parametrization: str = "mup",
        mlp_ratio: int = 4,
        branch_mult: float = 1.0,
        tie: bool = False,
        zero_query: bool | None = None,
        zero_readout: bool | None = None,
        attn_mult: float = 1.0,
        output_mult: float = 1.0,
        bias: bool = False,
        generator: torch.Generator | None = None,
        dtype: torch.dtype = torch.float32,
    ):
        super().__init__()
        self.vocab_size = check_int("vocab_size", vocab_size, 1)
        self.d_model = d_model = check_int("d_model", d_model, 1)
        self.n_layer = check_int("n_layer", n_layer, 1)
        self.context = check_int("context", context, 1)
        self.n_head = _heads(d_model, n_head, d_head)
        mup = check_choice("parametrization", parametrization, PARAMETRIZATIONS) == "mup"
        self.parametrization = "mup" if mup else "sp"
        mlp_ratio = check_int("mlp_ratio", mlp_ratio, 1)
        branch_mult = check_real("branch_mult", branch_mult, 0, low_open=True)
        self.tie = check_bool("tie", tie)
        zero_readout = mup if zero_readout is None else check_bool("zero_readout", zero_readout)
        generator = torch.Generator() if generator is None else check_torch_generator(generator)
        dtype = check_dtype(dtype)
        att = {"parametrization": self.parametrization, "attn_mult": attn_mult,
               "zero_query": zero_query, "bias": check_bool("bias", bias), "causal": True,
               "device": None, "dtype": dtype}  # fmt: skip
        self.tok = nn.Embedding(vocab_size, d_model, dtype=dtype)
        self.pos = nn.Embedding(self.context, d_model, dtype=dtype)
        self.blocks = nn.ModuleList(
            Block(d_model, self.n_head, mlp_ratio, branch_mult, **att) for _ in range(n_layer)
        )
        self.ln_f = nn.LayerNorm(d_model, dtype=dtype)
        self.head = self._readout(mup, zero_readout, output_mult, dtype)
        _init_(self, generator, zero_readout and not self.tie)

    def _readout(self, mup: bool, zero: bool, output_mult: float, dtype) -> nn.Linear:
        V, d = self.vocab_size, self.d_model
        if mup:
            head = Readout(d, V, bias=False, zero_init=zero, output_mult=output_mult, dtype=dtype)
        else:
            head = nn.Linear(d, V, bias=False, dtype=dtype)
        if self.tie:
            head.weight = self.tok.weight
        return head

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """Next-character logits of shape ``(batch, tokens, vocab_size)`` for token ids ``idx``
        of shape ``(batch, tokens)``, ``tokens <= context``."""
        if not isinstance(idx, torch.Tensor) or idx.dtype not in (torch.long, torch.int32):
            raise TypeError(
                f"idx must be a tensor of token ids (torch.long), got "
                f"{getattr(idx, 'dtype', type(idx).__name__)}"
            )
        if idx.ndim != 2 or not 1 <= idx.shape[1] <= self.context or idx.shape[0] < 1:
            raise ValueError(
                f"idx must have shape (batch, tokens) with 1 <= tokens <= "
                f"{self.context}, got {tuple(idx.shape)}"
            )
        positions = torch.arange(idx.shape[1], device=idx.device)
        x = self.tok(idx) + self.pos(positions)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))

    def loss(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """The mean cross-entropy of the next-character predictions against ``targets``.

        Examples
        --------
        >>> net = GPT(10, 16, n_head=2, context=4, parametrization="sp", zero_readout=True)
        >>> x = torch.zeros(2, 4, dtype=torch.long)
        >>> round(float(net.loss(x, x).detach()), 4) == round(math.log(10), 4)  # zero readout
        True
        """
        logits = self(idx)
        return nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())

    def extra_repr(self) -> str:
        return (
            f"vocab_size={self.vocab_size}, d_model={self.d_model}, n_layer={self.n_layer}, "
            f"n_head={self.n_head}, context={self.context}, "
            f"parametrization={self.parametrization!r}, tie={self.tie}"
        )


def _heads(d_model: int, n_head, d_head) -> int:
    """The number of heads from ``n_head`` or ``d_head`` (exactly one, or neither: 4)."""
    if n_head is not None and d_head is not None:
        raise ValueError("give n_head or d_head, not both")
    if d_head is not None:
        d_head = check_int("d_head", d_head, 1)
        if d_model % d_head:
            raise ValueError(f"d_model ({d_model}) must be a multiple of d_head ({d_head})")
        return d_model // d_head
    n_head = 4 if n_head is None else check_int("n_head", n_head, 1)
    if d_model % n_head:
        raise ValueError(f"d_model ({d_model}) must be a multiple of n_head ({n_head})")
    return n_head


@torch.no_grad()
def _init_(model: GPT, generator: torch.Generator, zero_readout: bool) -> None:
    """PyTorch's default initialization of every layer, drawn from ``generator`` in the order
    of ``model.modules()``; zero queries and readout where asked."""
    for m in model.modules():
        if isinstance(m, nn.Linear) and m.weight is not model.tok.weight:
            bound = 1 / math.sqrt(m.in_features)
            nn.init.uniform_(m.weight, -bound, bound, generator=generator)
            if m.bias is not None:
                nn.init.uniform_(m.bias, -bound, bound, generator=generator)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, generator=generator)
    for m in model.modules():
        if isinstance(m, SelfAttention) and m.zero_query:
            zero_query_(m)
    if zero_readout:
        model.head.weight.zero_()
