"""widthlimits.mup.depth: branch multipliers, the depth factors of learning rates, Residual."""

import pytest
import torch
from torch import nn

from widthlimits.mup import (
    DepthRule,
    Residual,
    branch_multiplier,
    depth_lr_mult,
    param_groups,
    set_base_shapes,
)


def test_multipliers_and_learning_rate_factors():
    # lambda = L / L0 = 4: Depth-µP 4^(-1/2) on the branch and on Adam's rates, 1 for SGD;
    # CompleteP 4^(-1) on the branch, 1 for Adam, 4 for SGD (module docstring)
    assert branch_multiplier(8, 2) == 0.5 and branch_multiplier(8, 2, alpha=1) == 0.25
    assert depth_lr_mult(8, 2, optimizer="adam") == 0.5
    assert depth_lr_mult(8, 2, optimizer="sgd") == 1.0
    assert depth_lr_mult(8, 2, optimizer="adamw", alpha=1.0) == 1.0
    assert depth_lr_mult(8, 2, optimizer="sgd", alpha=1) == 4.0
    assert branch_multiplier(2, 2) == depth_lr_mult(2, 2, optimizer="adam") == 1.0


def test_bad_arguments():
    with pytest.raises(ValueError, match="alpha must be 0.5"):
        branch_multiplier(4, alpha=0.7)
    with pytest.raises(ValueError, match="blocks must be"):
        branch_multiplier(0)
    with pytest.raises(ValueError, match="optimizer"):
        depth_lr_mult(4, optimizer="lamb")
    with pytest.raises(TypeError, match="branch"):
        Residual(lambda x: x, 4)
    with pytest.raises(ValueError, match="prefixes"):
        DepthRule(4, prefixes=())


class Net(nn.Module):
    def __init__(self, n, blocks, base_blocks=2, alpha=0.5):
        super().__init__()
        with torch.random.fork_rng():
            torch.manual_seed(0)
            self.embed = nn.Linear(3, n)
            self.blocks = nn.Sequential(
                *[
                    Residual(
                        nn.Sequential(nn.LayerNorm(n), nn.Linear(n, n)),
                        blocks,
                        base_blocks,
                        alpha=alpha,
                    )
                    for _ in range(blocks)
                ]
            )

    def forward(self, x):
        return self.blocks(self.embed(x))


def test_residual_is_plain_at_the_base_depth_and_scaled_above_it():
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    net = Net(8, 2)
    h = net.embed(x)
    for block in net.blocks:
        h = h + block.branch(h)
    assert torch.equal(net(x), h)
    deep = Net(8, 8)
    assert {b.multiplier for b in deep.blocks} == {0.5}


def test_depth_rule_in_param_groups():
    model, base = Net(32, 8), Net(8, 8)
    shapes = set_base_shapes(model, base)
    rule = DepthRule(8, 2, alpha=0.5, prefixes="blocks.")
    groups = param_groups(model, shapes, 1.0, optimizer="adam", weight_decay=0.1, depth=rule)
    lr = {n: (g["lr"], g["weight_decay"]) for g in groups for n in g["names"]}
    assert lr["embed.weight"] == (1.0, 0.1)
    assert lr["blocks.0.branch.1.weight"] == (0.5 / 4, 0.4)  # width 1/4, depth 1/2; wd: width
    assert lr["blocks.3.branch.0.weight"] == (0.5, 0.1)  # a LayerNorm gain in a block
    sgd = param_groups(model, shapes, 1.0, optimizer="sgd", depth=DepthRule(8, 2, alpha=1))
    lr = {n: g["lr"] for g in sgd for n in g["names"]}
    assert lr["blocks.0.branch.1.weight"] == 4.0 and lr["embed.weight"] == 4.0
