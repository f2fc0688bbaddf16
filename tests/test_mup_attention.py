"""µP attention: the 1/d logit scale, zero queries, the marker protocol and the binding."""

from __future__ import annotations

import math

import pytest
import torch

from widthlimits.mup import set_base_shapes
from widthlimits.mup.attention import SelfAttention, attention_scale, bind_attention
from widthlimits.mup.lint import check


def test_the_scale_is_one_over_d_in_mup_and_one_over_sqrt_d_in_sp():
    for d in (4, 16, 64, 256):
        assert attention_scale(d, "sp") == pytest.approx(d**-0.5, rel=1e-15)
        assert attention_scale(d, "MUP") == pytest.approx(1 / d, rel=1e-15)
        assert attention_scale(d, base_head_dim=16, attn_mult=2.0) == pytest.approx(8 / d)
    for d0 in (3, 8, 17, 64):  # bit for bit at the base, also where sqrt(d0) is irrational
        assert attention_scale(d0, "mup", base_head_dim=d0) == attention_scale(d0, "sp")


def test_the_layer_computes_softmax_attention_with_that_scale():
    g = torch.Generator().manual_seed(0)
    att = SelfAttention(16, 2, parametrization="mup", base_head_dim=4, zero_query=False)
    for p in att.parameters():
        torch.nn.init.normal_(p, generator=g)
    x = torch.randn(3, 5, 16, generator=g)
    q, k, v = (f(x).view(3, 5, 2, 8).transpose(1, 2) for f in (att.query, att.key, att.value))
    logits = (q @ k.transpose(-2, -1)) * (0.5 * 4 / 8)
    logits = logits.masked_fill(torch.ones(5, 5, dtype=torch.bool).triu(1), -math.inf)
    want = att.proj((logits.softmax(-1) @ v).transpose(1, 2).reshape(3, 5, 16))
    torch.testing.assert_close(att(x), want, rtol=1e-5, atol=1e-5)


def test_zero_queries_give_uniform_causal_attention():
    att = SelfAttention(8, 2)  # µP: zero queries by default
    assert att.zero_query and float(att.query.weight.detach().abs().sum()) == 0.0
    assert not SelfAttention(8, 2, parametrization="sp").zero_query
    x = torch.randn(1, 4, 8, generator=torch.Generator().manual_seed(1))
    v = att.value(x).detach()
    mean_v = v.cumsum(1) / torch.arange(1, 5).view(1, 4, 1)  # uniform over the past
    torch.testing.assert_close(att(x).detach(), att.proj(mean_v).detach())


def test_the_logit_probe_runs_only_when_hooked():
    att = SelfAttention(8, 2, zero_query=False)
    seen = []
    att(torch.ones(1, 3, 8))
    handle = att.logits.register_forward_hook(lambda m, i, o: seen.append(o.shape))
    att(torch.ones(1, 3, 8))
    handle.remove()
    assert seen == [torch.Size([1, 2, 3, 3])]


def test_set_base_shapes_records_the_head_dims_and_bind_attention_uses_them():
    model, base = SelfAttention(64, 2), SelfAttention(16, 2)
    shapes = set_base_shapes(model, base)
    assert shapes.attention == (("", 8, 32),)
    assert model.attention_scale == pytest.approx(1 / 32)  # unbound: pure 1/d
    assert bind_attention(model, shapes) == 1
    assert model.attention_scale == pytest.approx(8**-0.5 * 8 / 32)
    with pytest.raises(ValueError, match="base_head_dim"):
        bind_attention(SelfAttention(64, 2, base_head_dim=4), shapes)
    with pytest.raises(TypeError, match="Shapes"):
        bind_attention(model, {})


def test_the_linter_flags_sp_attention_that_grows_with_width():
    model, base = (
        SelfAttention(64, 2, parametrization="sp"),
        SelfAttention(16, 2, parametrization="sp"),
    )
    kinds = {f.kind for f in check(model, set_base_shapes(model, base))}
    assert "attention-scale" in kinds
    model, base = SelfAttention(64, 2), SelfAttention(16, 2)
    assert "attention-scale" not in {f.kind for f in check(model, set_base_shapes(model, base))}


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: attention_scale(0), "head_dim"),
        (lambda: attention_scale(8, "ntk"), "parametrization"),
        (lambda: attention_scale(8, base_head_dim=0), "base_head_dim"),
        (lambda: attention_scale(8, attn_mult=-1.0), "attn_mult"),
        (lambda: SelfAttention(10, 3), "multiple of n_head"),
        (lambda: SelfAttention(8, 2, zero_query=1), "zero_query"),
        (lambda: SelfAttention(8, 2)(torch.ones(2, 8)), "shape"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
