"""widthlimits.mup against microsoft's mup (PyPI ``mup==1.0.0``), the peer it replaces.

The two libraries give the same function after a few steps of SGD and of Adam, for an MLP and
a small transformer at width multipliers 1, 4 and 16, up to these equivalent forms (the
migration page, book/appendix/mup-migration.md, shows them side by side):

* ``Readout`` computes ``linear(x * (output_mult / width_mult))``; ``MuReadout`` computes
  ``linear(output_mult * x / width_mult)``: the same number up to rounding.
* ``init_(model, shapes)`` rescales what ``mup.set_base_shapes(..., rescale_params=True)``
  rescales (readout weight and bias, biases of layers with an infinite fan-in, by the square
  root of the fan-in multiplier); our ``set_base_shapes`` itself touches no tensor.
* µP attention: ``attention_scale(d, base_head_dim=d0)`` is ``(1/sqrt(d0)) * (d0/d)``;
  microsoft writes ``c/d`` with ``c = sqrt(d0)`` (its README's ``8/d`` is ``d0 = 64``).
* ``param_groups`` gives every parameter the learning rate ``MuSGD`` / ``MuAdam`` give it.

Both are also checked to equal SP at the base width bit for bit. Skipped when ``mup`` is not
importable (it is in the test extra, installed without its dependencies).
"""

from __future__ import annotations

import copy
import math

import pytest
import torch
from torch import nn

from widthlimits.mup import Readout, init_, param_groups, set_base_shapes
from widthlimits.mup.attention import SelfAttention, attention_scale, bind_attention
from widthlimits.mup.gpt import GPT

mup = pytest.importorskip("mup")

BASE = 16
MULTS = (1, 4, 16)
STEPS = 3
OPTS = {"sgd": (torch.optim.SGD, "MuSGD", 0.05), "adam": (torch.optim.Adam, "MuAdam", 3e-3)}
DT = torch.float64


def _mlp(width: int, readout, seed: int = 0) -> nn.Sequential:
    g = torch.Generator().manual_seed(seed)
    net = nn.Sequential(
        nn.Linear(5, width, dtype=DT), nn.ReLU(), nn.Linear(width, width, dtype=DT), nn.ReLU(),
        readout(width, 3, dtype=DT),
    )  # fmt: skip
    for m in net:
        if isinstance(m, nn.Linear):
            bound = 1 / math.sqrt(m.in_features)
            nn.init.uniform_(m.weight, -bound, bound, generator=g)
            nn.init.uniform_(m.bias, -bound, bound, generator=g)
    return net


def _gpt(width: int, seed: int = 0, **kw) -> GPT:
    kw = {"n_head": 2, "context": 8, "zero_readout": False, "dtype": DT, **kw}
    return GPT(11, width, generator=torch.Generator().manual_seed(seed), **kw)


def _data(kind: str):
    g = torch.Generator().manual_seed(1)
    if kind == "mlp":
        return [(torch.randn(8, 5, generator=g, dtype=DT), torch.randint(0, 3, (8,), generator=g))
                for _ in range(STEPS)]  # fmt: skip
    return [(torch.randint(0, 11, (4, 8), generator=g), torch.randint(0, 11, (4, 8), generator=g))
            for _ in range(STEPS)]  # fmt: skip


def _loss(model, x, y):
    out = model(x)
    return nn.functional.cross_entropy(out.flatten(0, -2), y.flatten()), out


def _train(model, opt, data):
    """The outputs on each batch before each of the steps and after the last one."""
    outs = []
    for x, y in data:
        ell, out = _loss(model, x, y)
        outs.append(out.detach())
        opt.zero_grad()
        ell.backward()
        opt.step()
    outs.append(model(data[0][0]).detach())
    return outs


def _ours_and_theirs(kind: str, mult: int):
    """Our µP model (set up by our API) and microsoft's (by theirs), from the same SP draws."""
    width = BASE * mult
    if kind == "mlp":
        ours, base = _mlp(width, Readout), _mlp(BASE, Readout)
        theirs = _mlp(width, mup.MuReadout)
        theirs.load_state_dict(ours.state_dict())
    else:
        ours, base = _gpt(width), _gpt(BASE)
        theirs = copy.deepcopy(ours)
        theirs.head = mup.MuReadout(width, 11, bias=False, dtype=DT)
        theirs.head.weight.data.copy_(ours.head.weight.data)
        for m in theirs.modules():  # microsoft's form of the µP logit scale: c / d
            if isinstance(m, SelfAttention):
                m.attn_mult = math.sqrt(BASE // 2)
    shapes = set_base_shapes(ours, base)
    bind_attention(ours, shapes)
    init_(ours, shapes)
    mup.set_base_shapes(theirs, {n: p.shape for n, p in base.named_parameters()})
    return ours, theirs, shapes


@pytest.mark.parametrize("kind", ["mlp", "gpt"])
@pytest.mark.parametrize("mult", MULTS)
@pytest.mark.parametrize("opt_name", list(OPTS))
def test_the_two_libraries_train_the_same_function(kind, mult, opt_name):
    ours, theirs, shapes = _ours_and_theirs(kind, mult)
    torch_opt, mu_opt, lr = OPTS[opt_name]
    for n, p in ours.state_dict().items():  # same weights after both inits
        torch.testing.assert_close(p, theirs.state_dict()[n], rtol=0, atol=0)
    a = _train(ours, torch_opt(param_groups(ours, shapes, lr, optimizer=opt_name)), _data(kind))
    b = _train(theirs, getattr(mup, mu_opt)(theirs.parameters(), lr=lr), _data(kind))
    assert not torch.equal(a[0], a[-1])  # training moved the function
    for out_a, out_b in zip(a, b, strict=True):
        torch.testing.assert_close(out_a, out_b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind", ["mlp", "gpt"])
@pytest.mark.parametrize("opt_name", list(OPTS))
def test_the_learning_rates_map_one_to_one(kind, opt_name):
    ours, theirs, shapes = _ours_and_theirs(kind, 4)
    _, mu_opt, lr = OPTS[opt_name]
    names = {id(p): n for n, p in theirs.named_parameters()}
    theirs_lr = {names[id(p)]: g["lr"] for g in getattr(mup, mu_opt)(theirs.parameters(), lr=lr)
                 .param_groups for p in g["params"]}  # fmt: skip
    ours_lr = {n: g["lr"] for g in param_groups(ours, shapes, lr, optimizer=opt_name)
               for n in g["names"]}  # fmt: skip
    assert ours_lr.keys() == theirs_lr.keys()
    for n, rate in ours_lr.items():
        assert rate == pytest.approx(theirs_lr[n], rel=1e-12), n
    assert {p.infshape.width_mult() for p in theirs.parameters()} >= {4.0}
    for n, p in theirs.named_parameters():
        assert shapes[n].width_mult == pytest.approx(p.infshape.width_mult()), n


def test_the_attention_scale_is_microsofts_c_over_d():
    for d0, d in [(64, 64), (64, 256), (8, 128)]:
        assert attention_scale(d, base_head_dim=d0) == pytest.approx(math.sqrt(d0) / d, rel=1e-15)
    assert attention_scale(64, base_head_dim=64) == 8 / 64  # the README's 8/d at d = 64


@pytest.mark.parametrize("kind", ["mlp", "gpt"])
@pytest.mark.parametrize("opt_name", list(OPTS))
def test_mup_equals_sp_at_the_base_width_bit_for_bit(kind, opt_name):
    torch_opt, mu_opt, lr = OPTS[opt_name]
    if kind == "mlp":
        sp, ours, theirs = (_mlp(BASE, r) for r in (nn.Linear, Readout, mup.MuReadout))
    else:
        sp = _gpt(BASE, parametrization="sp", zero_query=True)
        ours = _gpt(BASE, parametrization="mup", zero_query=True)
        theirs = copy.deepcopy(sp)
    shapes = set_base_shapes(ours, ours)
    bind_attention(ours, shapes)
    init_(ours, shapes)
    mup.set_base_shapes(theirs, None)
    a = _train(sp, torch_opt(sp.parameters(), lr=lr), _data(kind))
    b = _train(ours, torch_opt(param_groups(ours, shapes, lr, optimizer=opt_name)), _data(kind))
    c = _train(theirs, getattr(mup, mu_opt)(theirs.parameters(), lr=lr), _data(kind))
    assert not torch.equal(a[0], a[-1])
    for x, y, z in zip(a, b, c, strict=True):
        assert torch.equal(x, y) and torch.equal(x, z)
