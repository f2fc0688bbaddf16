"""The GPT learning-rate sweep: a Sweep that the transfer tools read, deterministic, vectorized
honestly (a stacked model trains as the same model alone with torch.optim.Adam), and its input
checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from widthlimits.mup import GPT, load_corpus, optimal_lr, transfer_stats
from widthlimits.mup.gpt_sweep import GPT_SETTINGS, gpt_book_sweep, gpt_sweep

TINY = dict(
    steps=3, tail=2, context=8, batch_size=2, n_layer=1, eval_batches=1, corpus_bytes=20_000
)


@pytest.fixture(scope="module")
def tiny():
    return gpt_sweep([16, 32, 64], [1e-3, 4e-3, 1.6e-2], seeds=(0, 1), **TINY)


def test_sweep_axes_and_tools(tiny):
    assert tiny.axes == ("parametrization", "optimizer", "width", "lr", "seed")
    assert tiny.shape == (2, 1, 3, 3, 2) and tiny.coords["optimizer"] == ("adam",)
    assert np.isfinite(tiny.train_loss).all() and np.isfinite(tiny.test_loss).all()
    assert ((tiny.test_acc >= 0) & (tiny.test_acc <= 1)).all()
    stats = transfer_stats(tiny, parametrization="mup")  # the MLP's analysis, unchanged
    assert stats["index"].shape == (3,)
    assert optimal_lr(tiny.select(parametrization="sp", optimizer="adam"))["index"].shape == (3,)
    assert tiny.settings["base_width"] == 16 and tiny.seconds > 0


def test_deterministic(tiny):
    again = gpt_sweep([16, 32, 64], [1e-3, 4e-3, 1.6e-2], seeds=(0, 1), **TINY)
    assert np.array_equal(again.train_loss, tiny.train_loss)
    assert np.array_equal(again.test_loss, tiny.test_loss)


def _reference(width, lr, seed, param, steps, base=16):
    """The same training with a plain model and torch.optim.Adam (one model, no vmap)."""
    from widthlimits.mup import bind_attention, init_, param_groups, set_base_shapes
    from widthlimits.mup.gpt_sweep import _batches

    c = load_corpus(TINY["corpus_bytes"])
    cfg = {**GPT_SETTINGS, **TINY, "steps": steps, "device": torch.device("cpu")}
    make = lambda n: GPT(  # noqa: E731
        c.vocab_size,
        n,
        n_layer=1,
        d_head=8,
        context=8,
        mlp_ratio=2,
        parametrization=param,
        generator=torch.Generator().manual_seed(seed),
    )
    model = make(width)
    if param == "mup":
        shapes = set_base_shapes(model, make(base))
        bind_attention(model, shapes), init_(model, shapes)
        opt = torch.optim.Adam(param_groups(model, shapes, lr, optimizer="adam"))
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    xs, ys = _batches(c, "train", steps, (seed,), cfg)
    losses = []
    for t in range(steps):
        loss = model.loss(xs[t, 0], ys[t, 0])
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    return np.mean(losses[-TINY["tail"] :])


@pytest.mark.parametrize("param", ["sp", "mup"])
def test_stacked_training_is_plain_adam(tiny, param):
    for w, lr, seed in ((32, 4e-3, 1), (64, 1.6e-2, 0)):
        got = tiny.select(
            parametrization=param, optimizer="adam", width=w, lr=lr, seed=seed
        ).train_loss
        assert float(got) == pytest.approx(_reference(w, lr, seed, param, 3), rel=1e-4)


def test_divergence_is_infinite():
    out = gpt_sweep([16, 32], [1e-3, 1e30], seeds=(0,), parametrizations=("sp",), **TINY)
    assert np.isfinite(out.train_loss[..., 0, :]).all()
    assert np.isinf(out.train_loss[..., 1, :]).all() and np.isinf(out.test_loss[..., 1, :]).all()
    assert (out.test_acc[..., 1, :] == 0).all() and out.diverged == 2


def test_book_settings_override():
    out = gpt_book_sweep(widths=(16, 32), lrs=(1e-3,), seeds=(3,), **TINY)
    assert out.coords["seed"] == (3,) and out.shape == (2, 1, 2, 1, 1)
    with pytest.raises(ValueError, match="unknown settings"):
        gpt_book_sweep(width=16)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(widths=[32, 16]), "widths"),
        (dict(widths=[16, 20]), "d_head"),
        (dict(lrs=[1e-3, 3e-3, 4e-3]), "lrs"),
        (dict(seeds=(1, 1)), "seeds"),
        (dict(parametrizations=("sp", "ntk")), "parametrizations"),
        (dict(parametrizations="sp"), "parametrizations"),
        (dict(steps=0), "steps"),
        (dict(tail=4), "tail"),
        (dict(device="tpu"), "device"),
        (dict(widths=[16, 2**20]), "memory"),
    ],
)
def test_bad_input_raises_before_work(kw, match):
    args = {"widths": [16, 32], "lrs": [1e-3, 2e-3], **TINY, **kw}
    with pytest.raises((ValueError, TypeError), match=match):
        gpt_sweep(args.pop("widths"), args.pop("lrs"), **args)
