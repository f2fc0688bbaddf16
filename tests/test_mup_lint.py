"""widthlimits.mup.lint: every kind of finding, a clean model, strict mode."""

import pytest
import torch
from torch import nn

from widthlimits.mup import LintError, Readout, check, set_base_shapes


class Attention(nn.Module):
    """A marked attention module: head_dim and attention_scale (the lint's protocol)."""

    def __init__(self, d, heads, mup=True):
        super().__init__()
        self.head_dim = d // heads
        self.attention_scale = 1 / self.head_dim if mup else None
        self.qkv = nn.Linear(d, 3 * d)


class LM(nn.Module):
    def __init__(self, d, heads=2, mup=True, tie=False, plain=False):
        super().__init__()
        self.wte = nn.Embedding(7, d)
        self.attn = Attention(d, heads, mup)
        self.head = nn.Linear(d, 7, bias=False) if plain else Readout(d, 7, bias=False)
        if tie:
            self.head.weight = self.wte.weight


def kinds(model, base):
    return [f.kind for f in check(model, set_base_shapes(model, base))]


def test_a_clean_model_has_no_findings():
    assert kinds(LM(32), LM(8)) == []
    assert kinds(LM(32, heads=4, mup=False), LM(8, heads=1, mup=False)) == []  # fixed head_dim


def test_each_kind_is_found():
    assert kinds(LM(32, plain=True), LM(8, plain=True)) == ["plain-readout"]
    assert kinds(LM(32, mup=False), LM(8, mup=False)) == ["attention-scale"]
    mha = lambda d: nn.Sequential(nn.MultiheadAttention(d, 2))  # noqa: E731
    assert "attention-scale" in kinds(mha(32), mha(8))
    tied = LM(32, tie=True)
    assert kinds(tied, LM(8, tie=True)) == ["tied-weights"]
    raw = nn.Module()
    raw.table = nn.Parameter(torch.zeros(7, 32))
    base = nn.Module()
    base.table = nn.Parameter(torch.zeros(7, 8))
    assert kinds(raw, base) == ["ambiguous-role"]
    model = LM(32)
    shapes = set_base_shapes(model, LM(8))
    model.head.base_in_features = None
    assert [f.kind for f in check(model, shapes)] == ["unbound-readout"]


def test_strict_raises_and_bad_input():
    model, base = LM(32, plain=True), LM(8, plain=True)
    shapes = set_base_shapes(model, base)
    with pytest.raises(LintError, match=r"\[plain-readout\] head.weight"):
        check(model, shapes, strict=True)
    with pytest.raises(TypeError, match="strict"):
        check(model, shapes, strict=1)
    with pytest.raises(TypeError, match="Shapes"):
        check(model, None)
    with pytest.raises(ValueError, match="shape"):
        check(LM(64, plain=True), shapes)
