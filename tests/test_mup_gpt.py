"""The small GPT: its parameters, roles, parametrizations, and a coordinate check of it."""

from __future__ import annotations

import copy
import math

import pytest
import torch

from widthlimits.mup import Readout, init_, param_groups, set_base_shapes
from widthlimits.mup.attention import bind_attention
from widthlimits.mup.coord_any import coord_check_model
from widthlimits.mup.coordinates import coord_slopes
from widthlimits.mup.corpus import load_corpus
from widthlimits.mup.gpt import GPT


def _gpt(width, seed=0, **kw):
    kw = {"n_head": 2, "context": 16, **kw}
    return GPT(20, width, generator=torch.Generator().manual_seed(seed), **kw)


def test_names_and_ndims_are_the_same_at_every_width_and_roles_are_mups():
    a, b = _gpt(64), _gpt(16)
    assert [(n, p.ndim) for n, p in a.named_parameters()] == [
        (n, p.ndim) for n, p in b.named_parameters()
    ]
    roles = set_base_shapes(a, b).roles()
    assert roles["tok.weight"] == roles["pos.weight"] == "input"
    assert roles["blocks.0.attn.query.weight"] == roles["blocks.1.fc.weight"] == "hidden"
    assert roles["head.weight"] == "output" and roles["ln_f.weight"] == "vector"
    assert isinstance(a.head, Readout) and not isinstance(
        _gpt(16, parametrization="sp").head, Readout
    )


def test_heads_fixed_or_head_dim_fixed():
    assert _gpt(64, n_head=4).blocks[0].attn.head_dim == 16
    wide = GPT(20, 64, d_head=8, context=4)
    assert wide.n_head == 8 and wide.blocks[0].attn.head_dim == 8


def test_the_generator_fixes_the_model_and_the_sp_init_is_pytorchs():
    a, b, c = _gpt(32, 1, parametrization="sp"), _gpt(32, 1, parametrization="sp"), _gpt(32, 2)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.tok.weight, c.tok.weight)
    w = a.blocks[0].fc.weight.detach()
    assert float(w.abs().max()) <= 1 / math.sqrt(32)
    assert float(w.var()) == pytest.approx(1 / (3 * 32), rel=0.1)  # uniform on +-1/sqrt(fan-in)
    assert float(a.tok.weight.detach().std()) == pytest.approx(1.0, rel=0.1)


def test_mup_starts_with_zero_queries_and_readout_so_the_loss_is_log_vocab():
    net = _gpt(32)
    set_base_shapes(net, _gpt(16))
    x = torch.zeros(2, 16, dtype=torch.long)
    assert float(net.blocks[1].attn.query.weight.detach().abs().sum()) == 0.0
    assert float(net.loss(x, x).detach()) == pytest.approx(math.log(20), rel=1e-6)


def test_tied_embeddings_share_one_tensor():
    net = _gpt(32, tie=True)
    assert net.head.weight is net.tok.weight
    assert "head.weight" not in dict(net.named_parameters())
    assert set_base_shapes(net, _gpt(16, tie=True)).roles()["tok.weight"] == "input"


def test_state_dict_and_deepcopy_round_trips_keep_the_function():
    net = _gpt(32, zero_readout=False)
    shapes = set_base_shapes(net, _gpt(16))
    bind_attention(net, shapes)
    init_(net, shapes)
    x = torch.randint(0, 20, (2, 16), generator=torch.Generator().manual_seed(0))
    again = _gpt(32, seed=5, zero_readout=False)
    again.load_state_dict(net.state_dict())
    shapes.bind(again)
    bind_attention(again, shapes)
    assert torch.equal(again(x), net(x)) and torch.equal(copy.deepcopy(net)(x), net(x))


def test_the_coordinate_check_of_mup_is_flat_and_of_sp_is_not():
    """Slopes of each layer's change after 2 Adam steps over widths 16-64 (3 seeds). µP's
    hidden and readout slopes are within 0.25 of 0; SP's, the rival, are above 0.5 (measured
    about 0.7-0.9). The attention logits (zero queries) are not yet flat at these widths (µP
    about -0.6, pre-asymptotic) but still far from SP's (about +1)."""
    c = load_corpus(100_000)
    batches = c.batches("train", 2, 8, 16, torch.Generator().manual_seed(0))
    layers = ["blocks.1.fc", "ln_f", "head", "blocks.0.attn.logits"]
    slopes = {}
    for par, base in (("mup", 16), ("sp", None)):

        def make(n, g, par=par):
            return GPT(c.vocab_size, n, n_head=2, context=16, parametrization=par, generator=g)

        out = coord_check_model(make, [16, 32, 64], batches, steps=2, lr=1e-2, base_width=base,
                                seeds=(0, 1, 2), modules=layers)  # fmt: skip
        slopes[par] = coord_slopes(out, -1)[0]
    assert all(abs(s) < 0.25 for s in slopes["mup"][:3]), slopes
    assert all(s > 0.5 for s in slopes["sp"][:3]), slopes
    assert slopes["sp"][3] - slopes["mup"][3] > 1.0, slopes


def test_mup_learning_rates_follow_the_roles():
    net = _gpt(64)
    shapes = set_base_shapes(net, _gpt(16))
    lrs = {n: g["lr"] for g in param_groups(net, shapes, 1.0, optimizer="adam") for n in g["names"]}
    assert lrs["tok.weight"] == lrs["head.weight"] == lrs["ln_f.bias"] == 1.0
    assert lrs["blocks.0.fc.weight"] == 0.25


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: GPT(20, 30, n_head=4), "multiple of n_head"),
        (lambda: GPT(20, 32, n_head=2, d_head=16), "not both"),
        (lambda: GPT(20, 32, d_head=5), "multiple of d_head"),
        (lambda: GPT(20, 32, parametrization="ntk"), "parametrization"),
        (lambda: GPT(20, 32, tie="yes"), "tie"),
        (lambda: GPT(20, 32, branch_mult=0.0), "branch_mult"),
        (lambda: GPT(20, 32, generator=1), "generator"),
        (lambda: GPT(0, 32), "vocab_size"),
        (lambda: _gpt(16, parametrization="sp")(torch.zeros(2, 17, dtype=torch.long)), "tokens"),
        (lambda: _gpt(16, parametrization="sp")(torch.zeros(2, 4)), "token ids"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"make_model": 3}, "make_model"),
        ({"widths": [32, 16]}, "widths"),
        ({"batches": []}, "batches"),
        ({"optimizer": "lion"}, "optimizer"),
        ({"modules": ["nope"]}, "modules not in the model"),
        ({"modules": "head"}, "modules"),
        ({"lr": 0.0}, "lr"),
    ],
)
def test_the_generic_coordinate_check_refuses_bad_input(kw, match):
    x = torch.zeros(2, 16, dtype=torch.long)
    args = {"make_model": lambda n, g: _gpt(n, parametrization="sp"), "widths": [16, 32],
            "batches": (x, x), **kw}  # fmt: skip
    with pytest.raises((TypeError, ValueError), match=match):
        coord_check_model(args.pop("make_model"), args.pop("widths"), args.pop("batches"), **args)
