r"""Hyperparameter transfer: learning-rate sweeps over widths, on data that ships with scikit-learn.

:func:`lr_sweep` trains :class:`~widthlimits.nn.MLP` classifiers on the handwritten digits of
:func:`sklearn.datasets.load_digits` (1797 images of 8 x 8 pixels, nothing downloaded) for every
combination of parametrization, optimizer, width, learning rate and seed, and returns the held-out
loss of each. All learning rates and seeds of one width are trained *together*: their parameters
are stacked and one vectorized step (:func:`torch.func.vmap` of the model's own forward pass)
updates them all, which is what makes the book-scale sweep fit in a minute of CPU.

:func:`optimal_lr` reads off the best learning rate of each width (by grid index and, per seed,
by a parabola through the best grid point and its neighbours in :math:`\log_2 \eta`), and
:func:`plot_transfer` draws the classic figure: loss against learning rate, one curve per width.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Sequence

import numpy as np
import torch

from .data import load_digits_split
from .model import MLP, _positive_int

__all__ = [
    "BOOK_SETTINGS",
    "book_sweep",
    "lr_sweep",
    "ntk_diagonal",
    "optimal_lr",
    "plot_transfer",
    "transfer_stats",
]

_BETA1, _BETA2, _EPS = 0.9, 0.999, 1e-8

#: The book's transfer experiment (chapter "Hyperparameter transfer"): 50 minibatch steps of 128
#: digits, two hidden layers, learning-rate grids in factors of 2. Each optimizer has its own
#: widths: Adam at 16-256, where SP's shift already shows, and SGD at 256-2048, the widths where
#: SP's SGD shift appears on the digits (at 16-256 it does not). µP's base width is the narrowest
#: width of each sweep. The seeds, learning rates and widths are chosen so that the whole sweep
#: takes about 1.5 minutes on a 2-core CPU: SGD at width 2048 is 80% of the cost, so it gets 4
#: seeds and 5 learning rates (the grid from a factor 2 below SP's widest optimum to the first
#: diverging one).
BOOK_SETTINGS: dict = {
    "widths": {"sgd": (256, 512, 1024, 2048), "adam": (16, 32, 64, 128, 256)},
    "lrs": {
        "sgd": tuple(2.0**k for k in range(-3, 2)),
        "adam": tuple(2.0**k for k in range(-11, -3)),
    },
    "seeds": {"sgd": 4, "adam": 5},
    "depth": 2,
    "steps": 50,
    "batch_size": 128,
}


def _setting(cfg: dict, key: str, opt: str):
    value = cfg[key]
    return value[opt] if isinstance(value, dict) else value


def book_sweep(
    base_seed: int = 0, *, device: str = "cpu", progress: bool = False, **overrides
) -> dict:
    """Run the book's transfer experiment (:data:`BOOK_SETTINGS`) for SP and µP, SGD and Adam.

    Parameters
    ----------
    base_seed : int
        The seeds are ``1000 * base_seed + (0, 1, ...)``.
    device : str
    progress : bool
    **overrides
        Replace entries of :data:`BOOK_SETTINGS`: ``widths``, ``lrs`` and ``seeds`` take either
        one value for both optimizers or a dict ``{"sgd": ..., "adam": ...}``.

    Returns
    -------
    dict
        ``{"sgd": lr_sweep(...), "adam": lr_sweep(...)}``, each over ``("sp", "mup")``, with µP's
        base width the narrowest width of that sweep.

    Examples
    --------
    >>> out = book_sweep(widths=(16, 32), steps=2, seeds=2,
    ...                  lrs={"sgd": (0.1, 0.2), "adam": (0.001, 0.002)})
    >>> sorted(out), out["adam"]["test_loss"].shape
    (['adam', 'sgd'], (2, 1, 2, 2, 2))
    """
    unknown = set(overrides) - set(BOOK_SETTINGS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(BOOK_SETTINGS)}")
    cfg = {**BOOK_SETTINGS, **overrides}
    out = {}
    for opt in ("sgd", "adam"):
        n_seeds = int(_setting(cfg, "seeds", opt))
        seeds = [1000 * int(base_seed) + i for i in range(n_seeds)]
        out[opt] = lr_sweep(
            list(_setting(cfg, "widths", opt)),
            list(_setting(cfg, "lrs", opt)),
            seeds,
            ("sp", "mup"),
            (opt,),
            depth=cfg["depth"],
            steps=cfg["steps"],
            batch_size=cfg["batch_size"],
            device=device,
            progress=progress,
        )
    return out


def _check_list(name, xs, kind):
    if isinstance(xs, str | bytes) or not isinstance(xs, Sequence) or len(xs) == 0:
        raise ValueError(f"{name} must be a non-empty sequence, got {xs!r}")
    for x in xs:
        if isinstance(x, bool) or not isinstance(x, kind):
            raise TypeError(f"{name} must contain {kind.__name__} values, got {x!r}")
    return list(xs)


def _train_width(
    width,
    lrs,
    seeds,
    param,
    optimizer,
    data,
    *,
    depth,
    steps,
    batch_size,
    base_width,
    nonlinearity,
    device,
    zero_readout,
):
    """Train len(lrs) * len(seeds) models of one width together; return their final losses."""
    from torch.func import functional_call, grad_and_value, stack_module_state, vmap

    x, y, xt, yt = (d.to(device) for d in data)
    d_in, d_out = x.shape[1], int(y.max()) + 1
    models = []
    for seed in seeds:
        for _ in lrs:
            g = torch.Generator().manual_seed(int(seed))
            models.append(
                MLP(
                    d_in,
                    width,
                    d_out,
                    depth,
                    param,
                    base_width,
                    nonlinearity,
                    zero_readout=zero_readout,
                    generator=g,
                    dtype=x.dtype,
                )
            )
    base = models[0]
    groups = base.param_groups(1.0, optimizer)
    names = [n for n, _ in base.named_parameters()]
    factors = {}
    for grp in groups:  # param_groups' order is the order of named_parameters' tensors
        (p,) = grp["params"]
        factors[next(n for n, q in base.named_parameters() if q is p)] = grp["lr"]
    params, _ = stack_module_state(models)
    params = {n: params[n].detach().to(device) for n in names}
    lr_vec = torch.tensor([lr for _ in seeds for lr in lrs], dtype=x.dtype, device=device)
    m = len(models)

    def loss_fn(p, xb, yb):
        out = functional_call(base, p, (xb,))
        return torch.nn.functional.cross_entropy(out, yb)

    step_fn = vmap(grad_and_value(loss_fn), in_dims=(0, 0, 0))
    eval_fn = vmap(loss_fn, in_dims=(0, None, None))
    # each seed has its own minibatch order, shared by all its learning rates
    gens = [torch.Generator().manual_seed(10_000 + int(s)) for s in seeds]
    state = {n: (torch.zeros_like(v), torch.zeros_like(v)) for n, v in params.items()}
    n_train = x.shape[0]
    for t in range(1, steps + 1):
        idx = torch.stack([torch.randperm(n_train, generator=g)[:batch_size] for g in gens])
        idx = idx.repeat_interleave(len(lrs), dim=0).to(device)
        grads, _ = step_fn(params, x[idx], y[idx])
        with torch.no_grad():
            for n, v in params.items():
                lr = (lr_vec * factors[n]).view(m, *([1] * (v.ndim - 1)))
                gr = grads[n]
                if optimizer == "sgd":
                    v -= lr * gr
                else:
                    m1, v2 = state[n]
                    m1.mul_(_BETA1).add_(gr, alpha=1 - _BETA1)
                    v2.mul_(_BETA2).addcmul_(gr, gr, value=1 - _BETA2)
                    mhat = m1 / (1 - _BETA1**t)
                    vhat = v2 / (1 - _BETA2**t)
                    v -= lr * mhat / (vhat.sqrt() + _EPS)
    with torch.no_grad():
        train = eval_fn(params, x, y).cpu().numpy()
        test = eval_fn(params, xt, yt).cpu().numpy()
        acc = (
            vmap(lambda p: (functional_call(base, p, (xt,)).argmax(1) == yt).float().mean())(params)
            .cpu()
            .numpy()
        )
    shape = (len(seeds), len(lrs))
    return train.reshape(shape).T, test.reshape(shape).T, acc.reshape(shape).T


def ntk_diagonal(
    width: int,
    parametrization="sp",
    *,
    depth: int = 2,
    base_width: int | None = None,
    n_inputs: int = 32,
    seed: int = 0,
    data=None,
) -> dict:
    r"""The per-logit NTK diagonal of a digit classifier at initialization, split by layer.

    For logit :math:`k` and input :math:`x` it computes :math:`\Theta_{kk}(x, x) = \sum_l
    \lambda_l \lVert \partial f_k(x) / \partial w^l \rVert^2`, where :math:`\lambda_l` is
    the SGD learning-rate factor of tensor :math:`w^l` in :meth:`MLP.param_groups` (1 for every
    layer in SP), so that one SGD step of base learning rate :math:`\eta` changes logit
    :math:`k` by about :math:`-\eta\, \Theta_{kk}` times the loss's derivative in it. It
    averages over the 10 logits and the first ``n_inputs`` training digits, and reports each
    layer's contribution (weights and bias together).

    Parameters
    ----------
    width : int
    parametrization : {"sp", "ntk", "mup"} or ABC
    depth : int
    base_width : int, optional
        Passed to :class:`MLP`.
    n_inputs : int
        How many training digits to average over.
    seed : int
        Seed of the ``torch.Generator`` that initializes the network.
    data : tuple of torch.Tensor, optional
        As for :func:`lr_sweep`.

    Returns
    -------
    dict
        ``total``: the mean diagonal; ``layers``: array of the ``depth + 1`` layers'
        contributions (input layer first), summing to ``total``; ``share``: ``layers / total``.

    Examples
    --------
    >>> out = ntk_diagonal(16)
    >>> out["layers"].shape, bool(abs(out["share"].sum() - 1) < 1e-9)
    ((3,), True)
    """
    from torch.func import functional_call, jacrev, vmap

    data = load_digits_split() if data is None else data
    n_inputs = _positive_int("n_inputs", n_inputs)
    x = data[0][:n_inputs]
    d_out = int(data[1].max()) + 1
    net = MLP(
        x.shape[1],
        _positive_int("width", width),
        d_out,
        depth,
        parametrization,
        base_width,
        generator=torch.Generator().manual_seed(int(seed)),
    )
    factor = {}
    for grp in net.param_groups(1.0, "sgd"):
        (q,) = grp["params"]
        factor[next(n for n, r in net.named_parameters() if r is q)] = grp["lr"]
    params = {n: v.detach() for n, v in net.named_parameters()}

    def f(p, xi):
        return functional_call(net, p, (xi[None, :],))[0]

    layers = np.zeros(depth + 1)
    for chunk in torch.split(x, 8):
        jac = vmap(jacrev(f), in_dims=(None, 0))(params, chunk)
        for n, j in jac.items():
            layer = int(n.split(".")[-1])
            sq = j.to(torch.float64).pow(2).reshape(j.shape[0], d_out, -1).sum(-1)
            layers[layer] += factor[n] * float(sq.sum())
    layers /= x.shape[0] * d_out
    total = float(layers.sum())
    return {"total": total, "layers": layers, "share": layers / total}


def lr_sweep(
    widths: Sequence[int],
    lrs: Sequence[float],
    seeds: Sequence[int] = (0, 1, 2),
    parametrizations: Sequence = ("sp", "mup"),
    optimizers: Sequence[str] = ("sgd", "adam"),
    *,
    depth: int = 2,
    steps: int = 100,
    batch_size: int = 128,
    base_width: int | None = None,
    nonlinearity="relu",
    zero_readout: bool = False,
    device: str = "cpu",
    progress: bool = False,
    data=None,
) -> dict:
    r"""Train digit classifiers over a grid of widths and learning rates; return held-out losses.

    Every run trains an :class:`~widthlimits.nn.MLP` with ``depth`` hidden layers for ``steps``
    minibatch steps of SGD or Adam (learning rates from :meth:`MLP.param_groups`, so each
    parametrization is trained as it prescribes) on the cross-entropy loss. A run whose loss
    overflows is reported with an infinite loss and counted in ``diverged``.

    Parameters
    ----------
    widths : sequence of int
        Widths, increasing.
    lrs : sequence of float
        The base learning rates :math:`\eta`, increasing (a geometric grid is best).
    seeds : sequence of int
        Each seed fixes a network's initialization and its minibatch order.
    parametrizations : sequence of {"sp", "ntk", "mup"} or ABC
    optimizers : sequence of {"sgd", "adam"}
    depth, steps, batch_size : int
    base_width : int, optional
        Width at which µP equals SP; defaults to ``widths[0]``.
    nonlinearity : str or callable
    zero_readout : bool
    device : str
        A torch device, such as ``"cpu"`` or ``"cuda"``.
    progress : bool
        Show a ``tqdm`` progress bar over the widths.
    data : tuple of torch.Tensor, optional
        ``(x_train, y_train, x_test, y_test)``; by default :func:`load_digits_split`.

    Returns
    -------
    dict
        ``train_loss``, ``test_loss``, ``test_acc``: arrays of shape ``(len(parametrizations),
        len(optimizers), len(widths), len(lrs), len(seeds))``; the coordinates ``widths``,
        ``lrs``, ``seeds``, ``parametrizations`` (names), ``optimizers``; ``diverged`` (count),
        ``seconds`` (wall time) and the settings.

    Raises
    ------
    ValueError, TypeError
        For empty or malformed grids, unknown optimizers, or non-positive sizes.

    Examples
    --------
    >>> out = lr_sweep([16, 32], [0.01, 0.1], seeds=(0, 1), optimizers=("sgd",), steps=3)
    >>> out["test_loss"].shape
    (2, 1, 2, 2, 2)
    """
    widths = [_positive_int("width", w) for w in _check_list("widths", widths, numbers.Integral)]
    lrs = [float(v) for v in _check_list("lrs", lrs, numbers.Real)]
    if any(not (math.isfinite(v) and v > 0) for v in lrs):
        raise ValueError(f"learning rates must be positive and finite, got {lrs}")
    seeds = [int(s) for s in _check_list("seeds", seeds, numbers.Integral)]
    parametrizations = list(parametrizations)
    optimizers = list(optimizers)
    for o in optimizers:
        if o not in ("sgd", "adam"):
            raise ValueError(f"optimizers must be 'sgd' or 'adam', got {o!r}")
    if not parametrizations:
        raise ValueError("give at least one parametrization")
    depth, steps = _positive_int("depth", depth), _positive_int("steps", steps)
    batch_size = _positive_int("batch_size", batch_size)
    base_width = widths[0] if base_width is None else _positive_int("base_width", base_width)
    data = load_digits_split() if data is None else data
    shape = (len(parametrizations), len(optimizers), len(widths), len(lrs), len(seeds))
    train, test, acc = np.empty(shape), np.empty(shape), np.empty(shape)
    jobs = [(i, j, k) for i in range(shape[0]) for j in range(shape[1]) for k in range(shape[2])]
    if progress:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="lr sweep")
    start = time.perf_counter()
    for i, j, k in jobs:
        tr, te, ac = _train_width(
            widths[k],
            lrs,
            seeds,
            parametrizations[i],
            optimizers[j],
            data,
            depth=depth,
            steps=steps,
            batch_size=min(batch_size, data[0].shape[0]),
            base_width=base_width,
            nonlinearity=nonlinearity,
            device=device,
            zero_readout=zero_readout,
        )
        train[i, j, k], test[i, j, k], acc[i, j, k] = tr, te, ac
    bad = ~np.isfinite(test) | ~np.isfinite(train)
    train[bad], test[bad], acc[bad] = np.inf, np.inf, 0.0
    names = [p if isinstance(p, str) else repr(p) for p in parametrizations]
    return {
        "train_loss": train,
        "test_loss": test,
        "test_acc": acc,
        "widths": np.array(widths),
        "lrs": np.array(lrs),
        "seeds": np.array(seeds),
        "parametrizations": names,
        "optimizers": optimizers,
        "diverged": int(bad.sum()),
        "seconds": time.perf_counter() - start,
        "depth": depth,
        "steps": steps,
        "batch_size": batch_size,
        "base_width": base_width,
    }


def optimal_lr(losses: np.ndarray, lrs: Sequence[float], *, cliff: float = 2.0) -> dict:
    r"""The best learning rate of each width: grid index of the seed-mean, and per-seed refined.

    The per-seed optimum of :math:`\log_2 \eta` is refined between grid points by the vertex of
    the parabola through the per-seed best grid point and its two neighbours, **but not across a
    cliff**: when a neighbour diverged (infinite loss) or its loss exceeds ``cliff`` times the best
    one, the minimum is narrower than the grid resolves (or sits at the edge of divergence, as
    SGD's often does) and a parabola through it would be dragged towards the smooth side by up to
    half a grid step; the optimum is then left at the grid point. It is also left there at an edge
    of the grid.

    Parameters
    ----------
    losses : array of shape ``(..., n_lrs, n_seeds)``
        For example ``lr_sweep(...)["test_loss"][p, o]`` of shape ``(n_widths, n_lrs, n_seeds)``.
    lrs : sequence of float
        The geometric grid of learning rates.
    cliff : float
        A neighbour whose loss is more than ``cliff`` times the best loss counts as across a
        cliff; at least 1.

    Returns
    -------
    dict
        ``index``: grid index of the minimum of the seed-mean loss, shape ``(...)``;
        ``log2_lr``: per-seed optimum of :math:`\log_2 \eta`, shape ``(..., n_seeds)``;
        ``refined``: whether that optimum was refined (boolean, same shape).

    Raises
    ------
    ValueError
        For a shape that does not match the grid, NaN losses, or ``cliff < 1``.

    Examples
    --------
    >>> lrs = [0.25, 0.5, 1.0, 2.0]
    >>> loss = np.array([[3.0], [2.0], [2.0], [3.0]])[None]  # one width, one seed
    >>> out = optimal_lr(np.repeat(loss, 2, axis=-1), lrs)
    >>> int(out["index"][0]), float(out["log2_lr"][0, 0])
    (1, -0.5)

    Next to a diverged learning rate the optimum stays on the grid:

    >>> edge = np.array([[0.5], [0.3], [0.2], [np.inf]])[None]
    >>> float(optimal_lr(np.repeat(edge, 2, axis=-1), lrs)["log2_lr"][0, 0])
    0.0
    """
    losses = np.asarray(losses, dtype=float)
    u = np.log2(np.asarray(lrs, dtype=float))
    if losses.ndim < 2 or losses.shape[-2] != u.size:
        raise ValueError(f"losses must have shape (..., {u.size}, n_seeds), got {losses.shape}")
    if np.isnan(losses).any():
        raise ValueError("losses must not contain NaN (diverged runs are +inf)")
    if isinstance(cliff, bool) or not isinstance(cliff, numbers.Real) or not cliff >= 1:
        raise ValueError(f"cliff must be a number >= 1, got {cliff!r}")
    with np.errstate(invalid="ignore"):
        mean = losses.mean(axis=-1)
    index = np.argmin(np.where(np.isfinite(mean), mean, np.inf), axis=-1)
    best = np.argmin(losses, axis=-2)  # (..., n_seeds)
    refined = u[best].astype(float)
    lo, hi = np.clip(best - 1, 0, u.size - 1), np.clip(best + 1, 0, u.size - 1)
    take = np.take_along_axis
    fl = take(losses, lo[..., None, :], axis=-2)[..., 0, :]
    f0 = take(losses, best[..., None, :], axis=-2)[..., 0, :]
    fh = take(losses, hi[..., None, :], axis=-2)[..., 0, :]
    ok = (best > 0) & (best < u.size - 1) & np.isfinite(fl) & np.isfinite(fh) & np.isfinite(f0)
    with np.errstate(invalid="ignore", over="ignore"):
        ok &= (fl <= cliff * f0) & (fh <= cliff * f0)
    step = u[1] - u[0] if u.size > 1 else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        curv = fl - 2 * f0 + fh
        shift = 0.5 * step * (fl - fh) / curv
    ok &= curv > 0
    refined = np.where(ok, refined + np.clip(np.nan_to_num(shift), -step / 2, step / 2), refined)
    return {"index": index, "log2_lr": refined, "refined": ok}


def plot_transfer(
    result: dict, parametrization: int = 0, optimizer: int = 0, *, loss: str = "test_loss", ax=None
):
    """The classic transfer figure: seed-mean loss against learning rate, one curve per width.

    Parameters
    ----------
    result : dict
        The output of :func:`lr_sweep`.
    parametrization, optimizer : int
        Indices into ``result["parametrizations"]`` and ``result["optimizers"]``.
    loss : {"test_loss", "train_loss"}
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> out = lr_sweep([16, 32], [0.01, 0.1], seeds=(0, 1), optimizers=("sgd",), steps=2)
    >>> ax = plot_transfer(out, 1, 0)
    >>> ax.get_xscale()
    'log'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from .. import plotting

    if loss not in ("test_loss", "train_loss"):
        raise ValueError(f"loss must be 'test_loss' or 'train_loss', got {loss!r}")
    if ax is None:
        _, ax = plotting.subplots()
    vals = result[loss][parametrization, optimizer]  # width, lr, seed
    lrs = result["lrs"]
    finite = vals[np.isfinite(vals)]
    cap = 2.0 * np.median(finite) if finite.size else 1.0
    for k, w in enumerate(result["widths"]):
        m = np.where(np.isfinite(vals[k]), vals[k], np.nan).mean(axis=1)
        color = plotting.COLORS[k % len(plotting.COLORS)]
        ax.plot(lrs, np.minimum(m, cap), "o-", ms=3, color=color, label=f"n = {w}")
        j = int(np.nanargmin(m)) if np.isfinite(m).any() else None
        if j is not None:
            ax.plot(lrs[j], m[j], "*", ms=11, color=color)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("base learning rate η")
    ax.set_ylabel("held-out loss" if loss == "test_loss" else "training loss")
    ax.set_title(
        f"{result['parametrizations'][parametrization]}, {result['optimizers'][optimizer]}"
    )
    ax.legend(fontsize=8)
    return ax


def transfer_stats(
    result: dict, parametrization: int, optimizer: int, *, loss: str = "train_loss"
) -> dict:
    r"""Summarize one sweep of :func:`lr_sweep`: where the optimum sits and how it moves with width.

    Every standard error is over seeds: each seed is one independent replicate of the whole
    experiment (its own initializations and minibatch order at every width).

    Parameters
    ----------
    result : dict
        The output of :func:`lr_sweep` (at least 2 seeds and 3 widths).
    parametrization, optimizer : int
        Indices into ``result["parametrizations"]`` and ``result["optimizers"]``.
    loss : {"train_loss", "test_loss"}

    Returns
    -------
    dict
        ``index``: grid index of the best seed-mean loss per width; ``spread``: its max minus
        min; ``shift``: its value at the narrowest width minus at the widest (grid steps, > 0
        when the optimum moves to smaller learning rates);
        ``log2_lr``, ``log2_lr_se``: the per-seed optimum of :func:`optimal_lr` (refined, not
        across cliffs) per width, mean and standard error;
        ``slope``, ``slope_se``: the least-squares slope of the per-seed optimum
        :math:`\log_2 \eta^*` against :math:`\log_2 n` (octaves per doubling of the width), mean
        and standard error of the per-seed slopes;
        ``drift``, ``drift_se``: that slope times :math:`\log_2 (n_{\max} / n_{\min})`, the
        fitted move of the optimum across the widths, in octaves (grid steps of a factor 2);
        ``log_ratio``, ``log_ratio_se``: at the narrowest width's best grid learning rate,
        :math:`\log` (widest width's loss / narrowest width's loss) per seed, mean and standard
        error (> 0 when the wider network is worse; ``inf`` and 0 if a widest run diverged).

    Raises
    ------
    ValueError
        For fewer than 2 seeds or 3 widths, or an unknown ``loss``.

    Examples
    --------
    >>> out = lr_sweep([16, 32, 64], [0.05, 0.1, 0.2], seeds=(0, 1), optimizers=("sgd",),
    ...                parametrizations=("mup",), steps=3)
    >>> s = transfer_stats(out, 0, 0)
    >>> s["index"].shape, s["spread"] >= 0, s["log_ratio"] < 0  # wider trains faster here
    ((3,), True, True)
    """
    from ..stats import mean_se

    if loss not in ("test_loss", "train_loss"):
        raise ValueError(f"loss must be 'test_loss' or 'train_loss', got {loss!r}")
    vals = np.asarray(result[loss][parametrization, optimizer])  # width, lr, seed
    widths = np.asarray(result["widths"], dtype=float)
    if vals.shape[-1] < 2 or widths.size < 3:
        raise ValueError("transfer_stats needs at least 2 seeds and 3 widths")
    opt = optimal_lr(vals, result["lrs"])
    idx = opt["index"]
    u = opt["log2_lr"]  # width, seed
    m, se = mean_se(u, axis=1)
    lw = np.log2(widths)
    lwc = lw - lw.mean()
    per_seed = (lwc @ (u - u.mean(axis=0))) / (lwc @ lwc)
    slope, slope_se = mean_se(per_seed)
    span = float(lw[-1] - lw[0])
    j = int(idx[0])
    ratio = vals[-1, j] / vals[0, j]
    if np.all(np.isfinite(ratio)):
        log_ratio, log_ratio_se = mean_se(np.log(ratio))
    else:
        log_ratio, log_ratio_se = np.inf, 0.0
    return {
        "index": idx,
        "spread": int(idx.max() - idx.min()),
        "shift": int(idx[0] - idx[-1]),
        "log2_lr": m,
        "log2_lr_se": se,
        "refined": opt["refined"],
        "slope": float(slope),
        "slope_se": float(slope_se),
        "drift": float(slope) * span,
        "drift_se": float(slope_se) * span,
        "log_ratio": float(log_ratio),
        "log_ratio_se": float(log_ratio_se),
    }
