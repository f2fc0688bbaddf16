"""widthlimits.mup.shapes and readout: roles, round trips, wrappers and bad input."""

import copy
import json
import os
import socket

import pytest
import torch
from torch import nn

from widthlimits import mup
from widthlimits.mup import Readout, Shapes, normalize_name, param_groups, set_base_shapes


def mlp(n, d_in=5, d_out=3, seed=0):
    # nn.Linear's default init takes no generator: seed torch's inside fork_rng, which restores it
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return nn.Sequential(
            nn.Linear(d_in, n), nn.ReLU(), nn.Linear(n, n), nn.ReLU(), Readout(n, d_out)
        )


class Block(nn.Module):
    """A pre-LayerNorm transformer block with embeddings and a readout, built for the test."""

    def __init__(self, d, vocab=11, context=4):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(context, d)
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.up, self.down = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.head = Readout(d, vocab)


def test_roles_of_an_mlp():
    roles = set_base_shapes(mlp(128), mlp(32)).roles()
    assert roles == {
        "0.weight": "input",
        "0.bias": "vector",
        "2.weight": "hidden",
        "2.bias": "vector",
        "4.weight": "output",
        "4.bias": "fixed",
    }


def test_roles_and_multipliers_of_a_transformer_block():
    shapes = set_base_shapes(Block(64), Block(16))
    roles = shapes.roles()
    assert roles["wte.weight"] == roles["wpe.weight"] == "input"  # (vocab, d): axis 0 is fan-in
    assert {roles[f"{m}.weight"] for m in ("qkv", "proj", "up", "down")} == {"hidden"}
    assert roles["ln1.weight"] == roles["qkv.bias"] == "vector"
    assert roles["head.weight"] == "output" and roles["head.bias"] == "fixed"
    wte = shapes["wte.weight"]
    assert (wte.fan_in_axis, wte.fan_out_axis, wte.width_mult) == (0, 1, 4.0)
    down = shapes["down.weight"]
    assert (down.fan_in_mult, down.fan_out_mult, down.lr_mult("sgd")) == (4.0, 4.0, 1.0)
    assert shapes["head.weight"].output_mult == 0.25 and shapes["head.weight"].init_scale == 2.0
    assert shapes["up.bias"].init_scale == 2.0 and shapes["head.bias"].init_scale == 2.0
    assert shapes["wte.weight"].init_scale == 1.0 and shapes["ln1.bias"].init_scale == 1.0


def test_a_delta_gives_the_roles_at_the_base_width():
    plain = set_base_shapes(mlp(32), mlp(32))
    assert set(plain.roles().values()) == {"fixed"}
    with_delta = set_base_shapes(mlp(32), mlp(32), delta=mlp(64))
    assert with_delta.roles() == set_base_shapes(mlp(128), mlp(32)).roles()
    assert with_delta["2.weight"].fan_in_mult == 1.0
    # a base given as a dict of shapes, and as the Shapes of another width
    as_dict = {n: tuple(p.shape) for n, p in mlp(32).named_parameters()}
    assert set_base_shapes(mlp(128), as_dict) == set_base_shapes(mlp(128), mlp(32))
    again = set_base_shapes(mlp(256), with_delta)
    assert again["2.weight"].fan_in_mult == 8.0 and again.roles() == with_delta.roles()


def test_json_and_checkpoint_round_trips(tmp_path):
    model = Block(32)
    shapes = set_base_shapes(model, Block(16))
    text = json.dumps(shapes.to_dict())
    assert Shapes.from_dict(json.loads(text)) == shapes
    path = tmp_path / "ckpt.pt"
    torch.save({"model": model.state_dict(), "shapes": shapes.to_dict()}, path)
    ckpt = torch.load(path, weights_only=True)
    rebuilt = Block(32)
    rebuilt.load_state_dict(ckpt["model"])
    loaded = Shapes.from_dict(ckpt["shapes"])
    assert loaded == shapes and rebuilt.head.base_in_features is None
    loaded.bind(rebuilt)
    x = torch.randn(2, 32, generator=torch.Generator().manual_seed(0))
    assert torch.equal(rebuilt.head(x), model.head(x))
    a = [(g["names"], g["lr"]) for g in param_groups(rebuilt, loaded, 0.1, optimizer="adam")]
    b = [(g["names"], g["lr"]) for g in param_groups(model, shapes, 0.1, optimizer="adam")]
    assert a == b


def test_deepcopy_keeps_the_record_and_the_readout():
    model = mlp(64)
    shapes = set_base_shapes(model, mlp(16))
    twin = copy.deepcopy(model)
    assert copy.deepcopy(shapes) == shapes and twin[4].base_in_features == 16
    x = torch.ones(3, 5)
    assert torch.equal(twin(x), model(x))
    shapes.check(twin)


def test_torch_compile_names_are_normalized():
    model = mlp(64)
    shapes = set_base_shapes(model, mlp(16))
    compiled = torch.compile(model, backend="eager")
    assert next(iter(dict(compiled.named_parameters()))).startswith("_orig_mod.")
    assert set_base_shapes(compiled, mlp(16)) == shapes
    groups = param_groups(compiled, shapes, 0.1, optimizer="sgd")
    assert sum(len(g["params"]) for g in groups) == 6
    opt = torch.optim.SGD(groups)
    compiled(torch.ones(2, 5)).sum().backward()
    opt.step()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_distributed_data_parallel_single_process_gloo():
    import torch.distributed as dist

    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ["MASTER_PORT"] = str(_free_port())
    dist.init_process_group("gloo", rank=0, world_size=1)
    try:
        model = mlp(64)
        shapes = set_base_shapes(model, mlp(16))
        ddp = nn.parallel.DistributedDataParallel(model)
        assert next(iter(dict(ddp.named_parameters()))).startswith("module.")
        assert set_base_shapes(ddp, mlp(16)) == shapes
        opt = torch.optim.Adam(param_groups(ddp, shapes, 1e-2, optimizer="adam"))
        ddp(torch.ones(2, 5)).sum().backward()
        opt.step()
        assert mup.check(ddp, shapes) == []
    finally:
        dist.destroy_process_group()


def test_normalize_name():
    assert normalize_name("module._orig_mod.module.a.b") == "a.b"
    assert normalize_name("modules.a") == "modules.a"
    with pytest.raises(TypeError, match="must be a str"):
        normalize_name(3)


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="same parameter names"):
        set_base_shapes(mlp(64), nn.Sequential(nn.Linear(5, 16)))
    with pytest.raises(ValueError, match="2 dimensions in the model but 1"):
        set_base_shapes(nn.Linear(4, 8), {"weight": (4,), "bias": (8,)})
    with pytest.raises(ValueError, match="integer multiple"):
        set_base_shapes(mlp(24), mlp(16))
    with pytest.raises(ValueError, match="finite dimensions must match"):
        set_base_shapes(mlp(32, d_in=7), mlp(16), delta=mlp(32))
    with pytest.raises(TypeError, match="torch.nn.Module"):
        set_base_shapes("model", mlp(16))
    with pytest.raises(TypeError, match="Module or a dict"):
        set_base_shapes(mlp(16), [1, 2])
    with pytest.raises(ValueError, match="besides its fan-in and fan-out"):
        set_base_shapes(nn.Conv1d(8, 8, 8), nn.Conv1d(4, 4, 4))
    with pytest.raises(ValueError, match="Shapes.to_dict"):
        Shapes.from_dict({"params": []})
    shapes = set_base_shapes(mlp(64), mlp(16))
    with pytest.raises(ValueError, match="shape"):
        shapes.check(mlp(128))
    with pytest.raises(KeyError, match="no parameter named"):
        shapes["nope"]


def test_readout_is_linear_at_the_base_width_and_scales_above_it():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 16, generator=g)
    with torch.random.fork_rng():
        torch.manual_seed(3)
        linear = nn.Linear(16, 2)
        torch.manual_seed(3)
        readout = Readout(16, 2, base_in_features=16)
    assert torch.equal(readout.weight, linear.weight) and torch.equal(readout(x), linear(x))
    wide = Readout(16, 2, base_in_features=4, output_mult=2.0)
    expected = nn.functional.linear(x * 0.5, wide.weight, wide.bias)
    assert wide.width_mult == 4.0 and torch.allclose(wide(x), expected, rtol=0, atol=1e-6)
    zero = Readout(16, 2, zero_init=True)
    assert not zero.weight.any() and not zero.bias.any()
    with pytest.raises(RuntimeError, match="set_base_shapes"):
        zero(x)
    with pytest.raises(ValueError, match="base_in_features=8"):
        set_base_shapes(
            nn.Sequential(Readout(32, 2, base_in_features=8)), nn.Sequential(Readout(16, 2))
        )
    with pytest.raises(TypeError, match="zero_init"):
        Readout(4, 2, zero_init="yes")
    with pytest.raises(ValueError, match="output_mult"):
        Readout(4, 2, output_mult=0.0)
