r"""Depth: residual-branch multipliers and learning rates that transfer across the number of blocks.

A residual network :math:`x^{l+1} = x^l + m_L\, F_l(x^l)` with :math:`L` blocks (a transformer's
attention and MLP branches are blocks) keeps its hyperparameters across depth if the branch
multiplier and the learning rates of the blocks' parameters scale with :math:`L`. Relative to a
base depth :math:`L_0` (where everything equals the base model bit for bit), with
:math:`\lambda = L / L_0`:

==============================  ==========================  ==========================
                                ``alpha=0.5`` (Depth-µP)    ``alpha=1`` (CompleteP)
==============================  ==========================  ==========================
branch multiplier :math:`m_L`   :math:`\lambda^{-1/2}`      :math:`\lambda^{-1}`
Adam/AdamW lr, block params     :math:`\lambda^{-1/2}`      1
SGD lr, block params            1                           :math:`\lambda` (see below)
==============================  ==========================  ==========================

In general the multiplier is :math:`\lambda^{-\alpha}`, Adam's factor :math:`\lambda^{\alpha-1}`
and SGD's :math:`\lambda^{2\alpha-1}`; parameters outside the blocks (embeddings, the readout,
the final norm) get no depth factor, and weight decay gets none either (its width factor stays).

Sources, and what was checked:

* ``alpha=0.5`` is Depth-µP of Tensor Programs VI (Yang, Yu, Zhu and Hayou 2023,
  arXiv 2310.02244): block multiplier :math:`a/\sqrt{L}`, SGD learning rate constant in depth,
  Adam's :math:`\eta/\sqrt{L}`, derived there for blocks of one layer (its abstract and main
  text; the paper also shows that no depth parametrization is fully satisfactory for blocks of
  two or more layers such as transformers'). The section numbers of those statements were not
  verified here.
* ``alpha=1`` is CompleteP (Dey et al. 2025, arXiv 2505.01618, its Table 1, for AdamW): branch
  multiplier :math:`L^{-1}`, hidden weights' learning rate :math:`\eta\, m_N^{-1} L^{\alpha-1}`
  (so no depth factor at :math:`\alpha = 1`), the same depth factor for the blocks' biases and
  norm gains. This module's rules were checked against a public implementation that follows
  that table (the depth factor :math:`\lambda^{\alpha - 1}` on the blocks' weights, biases and
  norms, none on embeddings and the final norm, weight decay scaled with width only); the
  table's further rules (Adam's epsilon times :math:`m_N^{-1}\lambda^{-\alpha}`, the
  initialization of the last layer) are not implemented.
* SGD with ``alpha=1`` (factor :math:`\lambda`) is *not* from either paper, which treat SGD at
  :math:`\alpha = 1/2` and AdamW at :math:`\alpha = 1`: it is the same counting (a block's
  parameter moves the residual stream by its learning rate times :math:`m_L^2` with SGD and
  times :math:`m_L` with Adam, and each block's share should be :math:`\lambda^{-1}` at
  :math:`\alpha = 1`), unverified.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .._checks import check_choice, check_int, check_real
from .shape_record import OPTIMIZERS
from .shapes import normalize_name

__all__ = ["ALPHAS", "DepthRule", "Residual", "branch_multiplier", "depth_lr_mult"]

#: The depth exponents implemented: 0.5 (Depth-µP) and 1 (CompleteP).
ALPHAS: tuple[float, ...] = (0.5, 1.0)


def _check_alpha(alpha) -> float:
    alpha = check_real("alpha", alpha)
    if alpha not in ALPHAS:
        raise ValueError(f"alpha must be 0.5 (Depth-µP) or 1 (CompleteP), got {alpha}")
    return alpha


def _ratio(blocks, base_blocks) -> float:
    blocks = check_int("blocks", blocks, 1)
    return blocks / check_int("base_blocks", base_blocks, 1)


def branch_multiplier(blocks: int, base_blocks: int = 1, *, alpha: float = 0.5) -> float:
    r"""The residual-branch multiplier :math:`(L_0 / L)^\alpha`.

    Examples
    --------
    >>> branch_multiplier(16, 4), branch_multiplier(16, 4, alpha=1), branch_multiplier(4, 4)
    (0.5, 0.25, 1.0)
    """
    alpha = _check_alpha(alpha)
    return float(_ratio(blocks, base_blocks) ** (-alpha))


def depth_lr_mult(
    blocks: int, base_blocks: int = 1, *, optimizer: str = "adam", alpha: float = 0.5
) -> float:
    r"""The depth factor of the learning rate of a block's parameters.

    :math:`\lambda^{\alpha - 1}` for Adam and AdamW, :math:`\lambda^{2\alpha - 1}` for SGD,
    with :math:`\lambda = L / L_0` (module docstring, with its sources).

    Examples
    --------
    >>> depth_lr_mult(16, 4, optimizer="adam"), depth_lr_mult(16, 4, optimizer="sgd")
    (0.5, 1.0)
    >>> [depth_lr_mult(16, 4, optimizer=o, alpha=1) for o in ("adamw", "sgd")]
    [1.0, 4.0]
    """
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    alpha, lam = _check_alpha(alpha), _ratio(blocks, base_blocks)
    return float(lam ** (2 * alpha - 1 if optimizer == "sgd" else alpha - 1))


class Residual(nn.Module):
    r"""A residual block :math:`x + m_L\, F(x)` with the branch multiplier of
    :func:`branch_multiplier`.

    Examples
    --------
    >>> import torch
    >>> block = Residual(torch.nn.Identity(), blocks=16, base_blocks=4)
    >>> block(torch.ones(2)).tolist(), block.multiplier
    ([1.5, 1.5], 0.5)
    """

    def __init__(self, branch: nn.Module, blocks: int, base_blocks: int = 1, *, alpha: float = 0.5):
        super().__init__()
        if not isinstance(branch, nn.Module):
            raise TypeError(f"branch must be a torch.nn.Module, got {type(branch).__name__}")
        self.branch = branch
        self.multiplier = branch_multiplier(blocks, base_blocks, alpha=alpha)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.branch(x)
        return x + (out if self.multiplier == 1.0 else self.multiplier * out)


@dataclass(frozen=True)
class DepthRule:
    r"""Which parameters are in residual blocks, and the depth rule for their learning rates.

    Pass it as ``depth=`` to :func:`~widthlimits.mup.optim.param_groups`: every parameter whose
    normalized name starts with one of ``prefixes`` gets its learning rate multiplied by
    :func:`depth_lr_mult`.

    Examples
    --------
    >>> rule = DepthRule(8, 2, alpha=0.5, prefixes=("blocks.",))
    >>> rule.lr_mult("module.blocks.3.attn.weight", "adam"), rule.lr_mult("head.weight", "adam")
    (0.5, 1.0)
    """

    blocks: int
    base_blocks: int = 1
    alpha: float = 0.5
    prefixes: tuple[str, ...] = ("blocks.",)

    def __post_init__(self):
        _ratio(self.blocks, self.base_blocks)
        _check_alpha(self.alpha)
        prefixes = (self.prefixes,) if isinstance(self.prefixes, str) else tuple(self.prefixes)
        if not prefixes or not all(isinstance(p, str) and p for p in prefixes):
            raise ValueError(f"prefixes must be non-empty strings, got {self.prefixes!r}")
        object.__setattr__(self, "prefixes", prefixes)

    @property
    def multiplier(self) -> float:
        """The branch multiplier of these blocks."""
        return branch_multiplier(self.blocks, self.base_blocks, alpha=self.alpha)

    def lr_mult(self, name: str, optimizer: str) -> float:
        """The depth factor of parameter ``name``'s learning rate (1 outside the blocks)."""
        if not normalize_name(name).startswith(self.prefixes):
            return 1.0
        return depth_lr_mult(self.blocks, self.base_blocks, optimizer=optimizer, alpha=self.alpha)
