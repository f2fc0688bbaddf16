r"""A learning-rate sweep of the character-level GPT across widths, in SP and µP, with Adam.

:func:`gpt_sweep` trains :class:`~widthlimits.mup.gpt.GPT` models on the standard library's
source text (:func:`~widthlimits.mup.corpus.load_corpus`) for every parametrization, width,
learning rate and seed, and returns a :class:`~widthlimits.mup.results.Sweep` over the axes
``("parametrization", "optimizer", "width", "lr", "seed")`` (the optimizer is Adam), so that
:func:`~widthlimits.mup.optimum.optimal_lr`, :func:`~widthlimits.mup.optimum.transfer_stats`,
:func:`~widthlimits.mup.transfer_plots.plot_transfer` and
:func:`~widthlimits.mup.transfer_plots.plot_optimum` read it as they read the MLP's sweep.

All learning rates and seeds of one width are trained *together*: their parameters are stacked
(:func:`torch.func.stack_module_state`), one forward pass of :func:`torch.vmap` over
:func:`torch.func.functional_call` evaluates every model on its own batch, and one Adam step
(written out below, with PyTorch's defaults :math:`\beta = (0.9, 0.999)`,
:math:`\epsilon = 10^{-8}` and bias correction) updates them all. Model :math:`(\eta, s)` has the
initialization and the batches of seed :math:`s`, so the learning rates of one seed differ only
in :math:`\eta`. Each tensor's learning rate is :math:`\eta` times its ``lr_mult`` from
:func:`~widthlimits.mup.optim.param_groups` (µP: hidden weights :math:`\eta/\rho_\text{in}`,
everything else :math:`\eta`; SP: :math:`\eta` everywhere).

The losses recorded: ``train_loss``, the mean training loss of the last ``tail`` steps (each on
a fresh batch, so it estimates the loss on the training distribution); ``test_loss`` and
``test_acc``, the loss and next-character accuracy on ``eval_batches`` fixed batches of the
validation split after the last step. A model whose training loss overflows is reported with
infinite losses and accuracy 0, as :func:`~widthlimits.mup.sweep.lr_sweep` does.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from .. import __version__
from .._checks import (
    check_choice,
    check_grid,
    check_int,
    check_ints,
    check_memory,
)
from ..sweeps import check_executor, check_sweep_device, fingerprint
from .attention import PARAMETRIZATIONS, bind_attention
from .corpus import load_corpus
from .gpt import GPT
from .grid import Grid, run_grids
from .optim import init_, param_groups
from .results import Sweep
from .shapes import set_base_shapes

__all__ = ["GPT_SETTINGS", "gpt_book_sweep", "gpt_sweep"]

#: The book's GPT transfer experiment (chapter "µP for transformers"): two blocks with heads of
#: fixed dimension 8, windows of 32 characters, batches of 8, Adam for 100 steps over a grid of
#: learning rates in factors of 2, widths 16-128 (µP's base width is 16), 3 seeds. It trains
#: 2 x 4 x 7 x 3 = 168 models in about 90 s of one CPU core.
GPT_SETTINGS: dict = {
    "widths": (16, 32, 64, 128),
    "lrs": tuple(2.0**k for k in range(-10, -3)),
    "seeds": (0, 1, 2),
    "steps": 100,
    "batch_size": 8,
    "context": 32,
    "n_layer": 2,
    "d_head": 8,
    "mlp_ratio": 2,
    "tail": 20,
    "eval_batches": 4,
    "corpus_bytes": 2_000_000,
}

_BETAS, _EPS = (0.9, 0.999), 1e-8


def _make(vocab: int, width: int, seed: int, param: str, cfg: dict) -> GPT:
    return GPT(
        vocab,
        width,
        n_layer=cfg["n_layer"],
        d_head=cfg["d_head"],
        context=cfg["context"],
        parametrization=param,
        mlp_ratio=cfg["mlp_ratio"],
        generator=torch.Generator().manual_seed(seed),
    )


def _models(vocab, width, seeds, param, cfg):
    """One model per seed at ``width`` (µP against ``base_width``) and each tensor's lr_mult."""
    models, mults = [], None
    for seed in seeds:
        model = _make(vocab, width, seed, param, cfg)
        if param == "mup":
            shapes = set_base_shapes(model, _make(vocab, cfg["base_width"], seed, param, cfg))
            bind_attention(model, shapes)
            init_(model, shapes)
            groups = param_groups(model, shapes, 1.0, optimizer="adam")
            mults = {n: g["lr_mult"] for g in groups for n in g["names"]}
        else:
            mults = {n: 1.0 for n, _ in model.named_parameters()}
        models.append(model.to(cfg["device"]))
    return models, mults


def _batches(corpus, split, n, seeds, cfg, offset=0):
    """``n`` batches per seed, stacked over seeds: shape (n, seeds, batch, context)."""
    xs, ys = [], []
    for seed in seeds:
        g = torch.Generator().manual_seed(1_000_003 * (seed + 1) + offset)
        pairs = corpus.batches(split, n, cfg["batch_size"], cfg["context"], g)
        xs.append(torch.stack([x for x, _ in pairs]))
        ys.append(torch.stack([y for _, y in pairs]))
    dev = cfg["device"]
    return torch.stack(xs, 1).to(dev), torch.stack(ys, 1).to(dev)


def _loss_fn(template):
    def one(params, x, y):
        logits = torch.func.functional_call(template, params, (x,))
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        acc = (logits.argmax(-1) == y).float().mean()
        return loss, acc

    return torch.vmap(one)


def _adam(params, grads, state, lr, t):
    """One Adam step of every stacked tensor, in place; ``lr[name]`` broadcasts over models."""
    b1, b2 = _BETAS
    with torch.no_grad():
        for name, p in params.items():
            m, v = state[name]
            m.mul_(b1).add_(grads[name], alpha=1 - b1)
            v.mul_(b2).addcmul_(grads[name], grads[name], value=1 - b2)
            denom = (v / (1 - b2**t)).sqrt_().add_(_EPS)
            p.sub_(lr[name] * (m / (1 - b1**t)) / denom)


def _train_width(corpus, width, lrs, seeds, param, cfg):
    """Train every (lr, seed) model of one width together; (train, test, acc) of shape
    (lrs, seeds)."""
    models, mults = _models(corpus.vocab_size, width, seeds, param, cfg)
    params, _ = torch.func.stack_module_state(models)
    params = {k: v.repeat(len(lrs), *([1] * (v.ndim - 1))) for k, v in params.items()}
    n_models, dev = len(lrs) * len(seeds), cfg["device"]
    base = torch.tensor(lrs, dtype=torch.float32, device=dev).repeat_interleave(len(seeds))
    lr = {k: (base * mults[k]).view(-1, *([1] * (p.ndim - 1))) for k, p in params.items()}
    state = {k: (torch.zeros_like(p), torch.zeros_like(p)) for k, p in params.items()}
    template = models[0].to("meta")
    f = _loss_fn(template)
    xs, ys = _batches(corpus, "train", cfg["steps"], seeds, cfg)
    alive = torch.ones(n_models, dtype=torch.bool, device=dev)
    tail = torch.zeros(n_models, device=dev)
    for t in range(cfg["steps"]):
        x, y = xs[t].repeat(len(lrs), 1, 1), ys[t].repeat(len(lrs), 1, 1)
        loss, _ = f(params, x, y)
        alive &= torch.isfinite(loss)
        if t >= cfg["steps"] - cfg["tail"]:
            tail += loss.detach()
        total = torch.where(alive, loss, torch.zeros_like(loss)).sum()
        grads = dict(zip(params, torch.autograd.grad(total, list(params.values())), strict=True))
        _adam(params, grads, state, lr, t + 1)
    test, acc = _evaluate(f, params, corpus, seeds, len(lrs), cfg)
    out = [tail / cfg["tail"], test, acc]
    out = [a.view(len(lrs), len(seeds)).cpu().double().numpy() for a in out]
    dead = ~alive.view(len(lrs), len(seeds)).cpu().numpy() | ~np.isfinite(out[0] + out[1])
    out[0][dead], out[1][dead], out[2][dead] = np.inf, np.inf, 0.0
    return out


def _evaluate(f, params, corpus, seeds, n_lrs, cfg):
    """Mean validation loss and accuracy of every model over ``eval_batches`` fixed batches."""
    xs, ys = _batches(corpus, "valid", cfg["eval_batches"], seeds, cfg, offset=7)
    loss, acc = 0.0, 0.0
    with torch.no_grad():
        for x, y in zip(xs, ys, strict=True):
            ell, a = f(params, x.repeat(n_lrs, 1, 1), y.repeat(n_lrs, 1, 1))
            loss, acc = loss + ell, acc + a
    return loss / len(xs), acc / len(xs)


def _checked(widths, lrs, seeds, parametrizations, kw) -> dict:
    """Every argument of :func:`gpt_sweep`, checked; raises before any work."""
    widths = check_ints("widths", widths, 1)
    check_grid("widths", widths)
    lrs = check_grid("lrs", lrs, geometric=True)
    seeds = check_ints("seeds", seeds, 0, unique=True)
    if isinstance(parametrizations, str) or not len(parametrizations):
        raise TypeError("parametrizations must be a non-empty list such as ('sp', 'mup')")
    params = [check_choice("parametrizations", p, PARAMETRIZATIONS) for p in parametrizations]
    if len(set(params)) != len(params):
        raise ValueError(f"parametrizations must not repeat an entry, got {params}")
    cfg = {
        k: check_int(k, kw[k], 1)
        for k in (
            "steps",
            "batch_size",
            "context",
            "n_layer",
            "d_head",
            "mlp_ratio",
            "eval_batches",
        )
    }
    cfg["tail"] = check_int("tail", kw["tail"], 1, cfg["steps"])
    cfg["corpus_bytes"] = check_int("corpus_bytes", kw["corpus_bytes"], 2048)
    base = kw["base_width"]
    cfg["base_width"] = widths[0] if base is None else check_int("base_width", base, 1)
    for w in (*widths, cfg["base_width"]):
        if w % cfg["d_head"]:
            raise ValueError(f"every width must be a multiple of d_head={cfg['d_head']}, got {w}")
    cfg["device"] = check_sweep_device(kw["device"], check_executor(kw["executor"]))
    w, n_models = max(widths), len(lrs) * len(seeds)
    n_params = (12 + 4 * (cfg["mlp_ratio"] - 2)) * w * w * cfg["n_layer"] + 200 * w
    acts = cfg["batch_size"] * cfg["context"] * w * cfg["n_layer"] * (12 + 4 * cfg["mlp_ratio"])
    check_memory(
        f"a GPT sweep of {n_models} models of width {w}", 4.0 * n_models * (4 * n_params + 2 * acts)
    )
    return {"widths": widths, "lrs": lrs, "seeds": seeds, "params": params, "cfg": cfg}


def gpt_sweep(
    widths,
    lrs,
    seeds=(0, 1, 2),
    parametrizations=("sp", "mup"),
    *,
    steps: int = 100,
    batch_size: int = 8,
    context: int = 32,
    n_layer: int = 2,
    d_head: int = 8,
    mlp_ratio: int = 2,
    tail: int = 20,
    eval_batches: int = 4,
    base_width: int | None = None,
    corpus_bytes: int = 2_000_000,
    device="cpu",
    progress: bool = False,
    executor=None,
    store=None,
    resume: bool = False,
) -> Sweep:
    r"""Train character-level GPTs with Adam over widths and learning rates; return the losses.

    Parameters
    ----------
    widths : sequence of int
        Strictly increasing widths ``d_model``, multiples of ``d_head``.
    lrs : sequence of float
        Base learning rates :math:`\eta`: a strictly increasing geometric grid.
    seeds : sequence of int
        Distinct seeds >= 0; each fixes the initialization and the batches of its models.
    parametrizations : sequence of {"sp", "mup"}
    steps, batch_size, context, n_layer, d_head, mlp_ratio : int
        Adam steps, windows per batch, characters per window, blocks, the head dimension
        (the number of heads grows with the width) and the MLP's hidden size over the width.
    tail : int
        The training loss is the mean of the last ``tail`` steps' losses (``1..steps``).
    eval_batches : int
        Validation batches (of ``batch_size`` windows) for ``test_loss`` and ``test_acc``.
    base_width : int, optional
        Where µP equals SP; default ``widths[0]``.
    corpus_bytes : int
        Bytes of the standard library's sources to read (:func:`~.corpus.load_corpus`).
    device : str or torch.device
        A device this machine has, such as ``"cpu"`` or ``"cuda"``.
    progress : bool
        Show one ``tqdm`` bar over all the runs, advanced as each (parametrization, width)
        finishes on any worker.
    executor, store, resume
        As in :func:`~widthlimits.mup.sweep.lr_sweep`: where the (parametrization, width) tasks
        run, the folder of run records, and whether to reuse its records. The corpus is read
        here and sent with each task, so every worker trains on the same text.

    Returns
    -------
    Sweep
        Axes ``("parametrization", "optimizer", "width", "lr", "seed")`` with the optimizer
        ``"adam"``; ``settings`` holds the model and training sizes, the corpus' fingerprint,
        the device type and the library's version; ``seconds`` the training time, ``reused``
        the runs read from the store.

    Raises
    ------
    TypeError, ValueError
        For unsorted or non-geometric grids, repeated seeds, an unknown parametrization,
        non-positive sizes, a width that is not a multiple of ``d_head``, a device this machine
        lacks, or a sweep too large for memory; all before anything is trained.

    Examples
    --------
    >>> out = gpt_sweep([16, 32], [1e-3, 2e-3], seeds=(0, 1), steps=2, tail=1, context=8,
    ...                 batch_size=2, n_layer=1, eval_batches=1, corpus_bytes=20_000)
    >>> out.axes, out.shape
    (('parametrization', 'optimizer', 'width', 'lr', 'seed'), (2, 1, 2, 2, 2))
    >>> bool(np.isfinite(out.train_loss).all())
    True
    """
    job = _checked(
        widths,
        lrs,
        seeds,
        parametrizations,
        dict(
            steps=steps,
            batch_size=batch_size,
            context=context,
            n_layer=n_layer,
            d_head=d_head,
            mlp_ratio=mlp_ratio,
            tail=tail,
            eval_batches=eval_batches,
            base_width=base_width,
            corpus_bytes=corpus_bytes,
            device=device,
            executor=executor,
        ),
    )
    (sweep,) = run_grids([_grid(job)], executor=executor, store=store, resume=resume,
                         progress=progress, desc="gpt sweep")  # fmt: skip
    return sweep


def _grid(job: dict) -> Grid:
    """One cell per (parametrization, width); the settings name everything a run depends on."""
    cfg, widths, lrs, seeds, params = (job[k] for k in ("cfg", "widths", "lrs", "seeds", "params"))
    corpus = load_corpus(cfg["corpus_bytes"])
    coords = {"parametrization": tuple(params), "optimizer": ("adam",), "width": tuple(widths),
              "lr": tuple(lrs), "seed": tuple(seeds)}  # fmt: skip
    keys = ("steps", "batch_size", "context", "n_layer", "d_head", "mlp_ratio", "base_width")
    settings = {k: cfg[k] for k in keys}
    settings |= {"sweep": "gpt", "tail": cfg["tail"], "eval_batches": cfg["eval_batches"],
                 "corpus_bytes": cfg["corpus_bytes"],
                 "corpus": fingerprint(corpus.train, corpus.valid, np.array(corpus.vocab)),
                 "device": cfg["device"].type, "widthlimits": __version__}  # fmt: skip
    cells = [((i, 0, k), (corpus, w, list(lrs), list(seeds), p, cfg))
             for i, p in enumerate(params) for k, w in enumerate(widths)]  # fmt: skip
    return Grid(_train_cell, cells, coords, settings)


def _train_cell(corpus, width, lrs, seeds, param, cfg):
    """One (parametrization, width) cell, module level so that a process pool can pickle it."""
    with warnings.catch_warnings():  # torch's vmap runs attention per model: known, harmless
        warnings.filterwarnings("ignore", message="There is a performance drop")
        return _train_width(corpus, width, lrs, seeds, param, cfg)


def gpt_book_sweep(*, device="cpu", progress: bool = False, executor=None, store=None,
                   resume: bool = False, **overrides) -> Sweep:  # fmt: skip
    """The book's GPT sweep, :data:`GPT_SETTINGS` with any entry replaced by ``overrides``
    (``executor``, ``store`` and ``resume`` as in :func:`gpt_sweep`).

    Examples
    --------
    >>> gpt_book_sweep(widths=(16, 32), lrs=(1e-3,), seeds=(0,), steps=1, tail=1, context=4,
    ...                batch_size=1, n_layer=1, eval_batches=1, corpus_bytes=20_000).shape
    (2, 1, 2, 1, 1)
    """
    unknown = set(overrides) - set(GPT_SETTINGS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(GPT_SETTINGS)}")
    cfg = {**GPT_SETTINGS, **overrides}
    widths, lrs, seeds = cfg.pop("widths"), cfg.pop("lrs"), cfg.pop("seeds")
    return gpt_sweep(widths, lrs, seeds, device=device, progress=progress, executor=executor,
                     store=store, resume=resume, **cfg)  # fmt: skip
