r"""Learning-rate sweeps over depth: a residual MLP of :math:`L` blocks, depth-µP versus plain µP.

The network (width :math:`n` fixed, so every width factor is 1 and µP is SP at this width) is

.. math::

    h^0 = W^0 x + b^0, \qquad h^{l} = h^{l-1} + m_L\, W^l \phi(h^{l-1}) \quad (l = 1..L),
    \qquad f(x) = W^{\mathrm{out}} h^L + b^{\mathrm{out}},

with Gaussian :math:`W^0` of variance :math:`1/d`, blocks :math:`W^l` of variance :math:`1/n`, a
zero readout and zero biases: blocks of one layer, the case Tensor Programs VI derives Depth-µP
for (module :mod:`widthlimits.mup.depth`). A *rule* fixes the branch multiplier :math:`m_L` and
the depth factor of the blocks' learning rates, relative to the base depth :math:`L_0`:

* ``"depth-mup"``: :func:`~widthlimits.mup.depth.branch_multiplier` and
  :func:`~widthlimits.mup.depth.depth_lr_mult` with ``alpha=0.5`` (:math:`m_L = (L_0/L)^{1/2}`;
  Adam's block learning rate times :math:`(L_0/L)^{1/2}`, SGD's unchanged);
* ``"completep"``: the same with ``alpha=1``;
* ``"mup"``: plain µP, :math:`m_L = 1` and no depth factor.

At :math:`L = L_0` all rules are the same network, bit for bit. :func:`depth_sweep` trains every
rule, depth, learning rate and seed on the digits of
:func:`~widthlimits.mup.data.load_digits_split` with all learning rates and seeds of one depth
stacked into one batched model, and returns a :class:`~widthlimits.mup.results.Sweep` whose
``"width"`` axis holds the **depths** :math:`L` (``settings["width_axis"] == "depth"``), so that
:func:`~widthlimits.mup.optimum.optimal_lr`, :func:`~widthlimits.mup.optimum.transfer_stats` and
:func:`~widthlimits.mup.transfer_plots.plot_transfer` work unchanged (their "width" is then the
depth, their slopes per doubling of :math:`L`). The same seed gives the same initial weights
and minibatches under every rule and learning rate.
"""

from __future__ import annotations

import torch

from .. import __version__
from .._checks import check_choice, check_grid, check_int, check_ints, check_memory, check_real
from ..sweeps import check_executor, fingerprint
from .data import check_split, load_digits_split
from .depth import branch_multiplier, depth_lr_mult
from .grid import Grid, run_grids
from .results import Sweep
from .train import _adam_step, _sgd_step

__all__ = ["RULES", "depth_sweep", "label_depths"]

#: The depth rules: name -> depth exponent alpha (None: plain µP, no depth scaling).
RULES: dict[str, float | None] = {"depth-mup": 0.5, "completep": 1.0, "mup": None}


def _factors(rule: str, blocks: int, base: int, optimizer: str) -> tuple[float, float]:
    """The branch multiplier and the blocks' learning-rate factor of ``rule`` at depth L."""
    alpha = RULES[rule]
    if alpha is None:
        return 1.0, 1.0
    return (
        branch_multiplier(blocks, base, alpha=alpha),
        depth_lr_mult(blocks, base, optimizer=optimizer, alpha=alpha),
    )


def _init(blocks, width, d_in, d_out, seeds, copies, dtype) -> dict:
    """Stacked initial parameters: ``copies`` models per seed, each seed its own generator."""
    out = {"w0": [], "b0": [], "wb": [], "wo": [], "bo": []}
    for seed in seeds:
        g = torch.Generator().manual_seed(int(seed))
        w0 = torch.randn(width, d_in, generator=g, dtype=dtype) / d_in**0.5
        wb = torch.randn(blocks, width, width, generator=g, dtype=dtype) / width**0.5
        for _ in range(copies):
            out["w0"].append(w0)
            out["wb"].append(wb)
            out["b0"].append(torch.zeros(width, dtype=dtype))
            out["wo"].append(torch.zeros(d_out, width, dtype=dtype))
            out["bo"].append(torch.zeros(d_out, dtype=dtype))
    return {k: torch.stack(v).requires_grad_(True) for k, v in out.items()}


def _forward(p: dict, x: torch.Tensor, mult: float) -> torch.Tensor:
    """Logits of every stacked model; ``x`` is ``(models, batch, d)`` or ``(batch, d)``."""
    if x.ndim == 2:
        x = x.expand(p["w0"].shape[0], *x.shape)
    h = torch.baddbmm(p["b0"][:, None, :], x, p["w0"].transpose(1, 2))
    for l in range(p["wb"].shape[1]):
        h = h + mult * torch.bmm(torch.relu(h), p["wb"][:, l].transpose(1, 2))
    return torch.baddbmm(p["bo"][:, None, :], h, p["wo"].transpose(1, 2))


def _losses(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-model mean cross-entropy; ``y`` is ``(models, batch)`` or ``(batch,)``."""
    y = y.expand(logits.shape[:2])
    ce = torch.nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="none")
    return ce.view(logits.shape[:2]).mean(dim=1)


def _train_depth(blocks, rule, lrs, seeds, data, cfg):
    """Train every learning rate and seed of one depth and rule; losses of shape (lrs, seeds)."""
    x, y, xt, yt = data
    p = _init(blocks, cfg["width"], x.shape[1], int(y.max()) + 1, seeds, len(lrs), x.dtype)
    mult, block_lr = _factors(rule, blocks, cfg["base_depth"], cfg["optimizer"])
    lr = torch.tensor([r for _ in seeds for r in lrs], dtype=x.dtype)
    gens = [torch.Generator().manual_seed(10_000 + int(s)) for s in seeds]
    state = {k: (torch.zeros_like(v), torch.zeros_like(v)) for k, v in p.items()}
    wd, batch = cfg["weight_decay"], min(cfg["batch_size"], x.shape[0])
    for t in range(1, cfg["steps"] + 1):
        idx = torch.stack([torch.randperm(x.shape[0], generator=g)[:batch] for g in gens])
        idx = idx.repeat_interleave(len(lrs), dim=0)
        loss = _losses(_forward(p, x[idx], mult), y[idx])
        grads = torch.autograd.grad(loss.sum(), list(p.values()))
        with torch.no_grad():
            for (k, v), gk in zip(p.items(), grads, strict=True):
                rate = (lr * (block_lr if k == "wb" else 1.0)).view(-1, *[1] * (v.ndim - 1))
                if wd and k != "b0" and k != "bo":
                    v.mul_(1 - rate * wd)  # decoupled (AdamW-style) decay, as torch's AdamW
                if cfg["optimizer"] == "sgd":
                    _sgd_step(v, gk, rate)
                else:
                    _adam_step(v, gk, rate, state[k], t)
    with torch.no_grad():
        out = []
        for xs, ys in ((x, y), (xt, yt)):
            logits = _forward(p, xs, mult)
            out += [_losses(logits, ys), (logits.argmax(-1) == ys).to(x.dtype).mean(-1)]
    shape = (len(seeds), len(lrs))
    return tuple(a.numpy().reshape(shape).T for a in (out[0], out[2], out[3]))


def _checked(depths, lrs, seeds, rules, kw) -> dict:
    depths = check_grid("depths", check_ints("depths", depths, 1))
    cfg = {k: check_int(k, kw[k], 1) for k in ("width", "steps", "batch_size")}
    base = kw["base_depth"]
    cfg["base_depth"] = int(depths[0]) if base is None else check_int("base_depth", base, 1)
    cfg["optimizer"] = check_choice("optimizer", kw["optimizer"], ("sgd", "adam"))
    cfg["weight_decay"] = check_real("weight_decay", kw["weight_decay"], 0)
    if isinstance(rules, str) or not rules:
        raise TypeError(f"rules must be a non-empty list or tuple of rule names, got {rules!r}")
    rules = [check_choice(f"rules[{i}]", r, tuple(RULES)) for i, r in enumerate(rules)]
    if len(set(rules)) != len(rules):
        raise ValueError(f"rules must not repeat an entry, got {rules}")
    data = load_digits_split() if kw["data"] is None else check_split(kw["data"])
    models = len(lrs) * len(seeds)
    n, L = cfg["width"], int(max(depths))
    rows = cfg["batch_size"] + data[0].shape[0] + data[2].shape[0]
    per_model = 6 * L * n * n + 8 * rows * n * (L + 1)
    check_memory(f"a depth sweep of {models} networks of depth {L}", 4.0 * models * per_model)
    coords = {
        "parametrization": tuple(rules),
        "optimizer": (cfg["optimizer"],),
        "width": tuple(int(d) for d in depths),
        "lr": tuple(float(r) for r in check_grid("lrs", lrs, geometric=True)),
        "seed": tuple(check_ints("seeds", seeds, 0, unique=True)),
    }
    return {"coords": coords, "cfg": cfg, "data": data}


def depth_sweep(
    depths,
    lrs,
    seeds=(0, 1, 2),
    rules=("depth-mup", "mup"),
    *,
    optimizer: str = "adam",
    width: int = 64,
    base_depth: int | None = None,
    steps: int = 50,
    batch_size: int = 128,
    weight_decay: float = 0.0,
    data=None,
    executor=None,
    store=None,
    resume: bool = False,
    progress: bool = False,
) -> Sweep:
    r"""Train residual MLPs over a grid of depths and learning rates; return their losses.

    Parameters
    ----------
    depths : sequence of int
        Numbers of blocks :math:`L`, strictly increasing.
    lrs : sequence of float
        Base learning rates, a strictly increasing geometric grid.
    seeds : sequence of int
        Distinct seeds >= 0 (initialization and minibatch order).
    rules : sequence of {"depth-mup", "completep", "mup"}
        The depth rules of the module docstring.
    optimizer : {"adam", "sgd"}
    width, steps, batch_size : int
        Positive.
    base_depth : int, optional
        :math:`L_0`, where every rule is the same network; defaults to ``depths[0]``.
    weight_decay : float
        Decoupled weight decay :math:`\lambda \ge 0` on the weights (not the biases): each step
        multiplies them by :math:`1 - \eta_{\text{param}} \lambda`, as ``torch.optim.AdamW``.
    data : tuple, optional
        ``(x_train, y_train, x_test, y_test)``; by default the digits.
    executor, store, resume, progress
        As in :func:`~widthlimits.mup.sweep.lr_sweep`: one task per (rule, depth). Records name
        the rule ``"rule"`` and the depth ``"blocks"``; ``"width"`` is the network's width.

    Returns
    -------
    Sweep
        Axes ``("parametrization", "optimizer", "width", "lr", "seed")``; the parametrization
        coordinates are the rules and the **width coordinates are the depths**.

    Raises
    ------
    ValueError, TypeError
        For bad grids, unknown rules or optimizers, non-positive sizes, a negative weight decay,
        bad data, or a sweep too large for memory; all before training.

    Examples
    --------
    >>> out = depth_sweep([1, 2, 4], [0.01, 0.02], seeds=(0, 1), steps=2, width=16)
    >>> out.shape, out.coords["width"], out.settings["width_axis"]
    ((2, 1, 3, 2, 2), (1, 2, 4), 'depth')
    >>> import numpy as np
    >>> bool(np.array_equal(out.train_loss[0, 0, 0], out.train_loss[1, 0, 0]))  # L = L_0
    True
    """
    kw = dict(optimizer=optimizer, width=width, base_depth=base_depth, steps=steps)
    kw.update(batch_size=batch_size, weight_decay=weight_decay, data=data)
    check_executor(executor)
    job = _checked(depths, lrs, seeds, rules, kw)
    coords, cfg, data = job["coords"], job["cfg"], job["data"]
    settings = {k: cfg[k] for k in ("width", "base_depth", "steps", "batch_size", "weight_decay")}
    settings |= {
        "width_axis": "depth",
        "sweep": "depth",
        "data": fingerprint(*data),
        "dtype": str(data[0].dtype).replace("torch.", ""),
        "widthlimits": __version__,
    }
    cells = [((i, 0, k), (blocks, rule, list(coords["lr"]), list(coords["seed"]), data, cfg))
             for i, rule in enumerate(coords["parametrization"])
             for k, blocks in enumerate(coords["width"])]  # fmt: skip
    grid = Grid(_train_depth, cells, coords, settings, {"parametrization": "rule",
                                                       "width": "blocks"})  # fmt: skip
    (sweep,) = run_grids([grid], executor=executor, store=store, resume=resume,
                         progress=progress, desc="depth sweep")  # fmt: skip
    return sweep


def label_depths(ax):
    """Relabel a :func:`~widthlimits.mup.transfer_plots.plot_transfer` panel of a depth sweep:
    its legend entries ``n = L`` become ``L = L`` and its x label of an optimum plot says depth.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.plot([1], [1], label="n = 4"); _ = ax.legend()
    >>> [t.get_text() for t in label_depths(ax).get_legend().get_texts()]
    ['L = 4']
    >>> plt.close(fig)
    """
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_text(text.get_text().replace("n = ", "L = "))
    if ax.get_xlabel() == "width n":
        ax.set_xlabel("number of blocks L")
    return ax
