"""Every sweep on a process pool equals the sweep in this process, bit for bit; the store
resumes; the command line survives a SIGKILL mid-sweep."""

from __future__ import annotations

import concurrent.futures as cf
import functools
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from torch import nn

from widthlimits import mup
from widthlimits.mup.depth_sweep import depth_sweep
from widthlimits.sweeps import ResultStore

LOSSES = ("train_loss", "test_loss", "test_acc")
MLP_GRID = dict(widths=[16, 32], lrs=[0.05, 0.1, 0.2], seeds=(0, 1), optimizers=("sgd", "adam"),
                steps=4)  # fmt: skip
GPT_GRID = dict(widths=[16, 32], lrs=[1e-3, 2e-3], seeds=(0, 1), steps=2, tail=1, context=8,
                batch_size=2, n_layer=1, eval_batches=1, corpus_bytes=20_000)  # fmt: skip


@pytest.fixture(scope="module")
def pool():
    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as p:
        yield p


def _same(a, b):
    assert a.coords == b.coords and a.settings == b.settings
    for n in LOSSES:
        np.testing.assert_array_equal(getattr(a, n), getattr(b, n), err_msg=n)


def test_mlp_sweep_on_a_pool_is_bit_for_bit(pool):
    inline = mup.lr_sweep(**MLP_GRID)
    _same(mup.lr_sweep(**MLP_GRID, executor=pool), inline)
    assert np.isfinite(inline.train_loss).all()  # the comparison is of real numbers


def test_gpt_and_depth_sweeps_on_a_pool_are_bit_for_bit(pool):
    _same(mup.gpt_sweep(**GPT_GRID, executor=pool), mup.gpt_sweep(**GPT_GRID))
    kw = dict(seeds=(0, 1), steps=3, width=16)
    _same(depth_sweep([1, 2, 4], [0.01, 0.02], executor=pool, **kw),
          depth_sweep([1, 2, 4], [0.01, 0.02], **kw))  # fmt: skip


def test_book_sweep_runs_both_optimizers_in_one_call(pool):
    kw = dict(widths=(16, 32), steps=2, seeds=2, lrs={"sgd": (0.1, 0.2), "adam": (1e-3, 2e-3)})
    a, b = mup.book_sweep(executor=pool, **kw), mup.book_sweep(**kw)
    for opt in ("sgd", "adam"):
        _same(a[opt], b[opt])


def _make(width, generator):  # module level: a process pool pickles it
    net = nn.Sequential(nn.Linear(4, width), nn.ReLU(), mup.Readout(width, 3))
    for p in net.parameters():
        nn.init.normal_(p, std=0.5, generator=generator)
    return net


def test_coordinate_checks_on_a_pool_are_bit_for_bit(pool):
    x = torch.randn(16, 4, generator=torch.Generator().manual_seed(0))
    y = torch.arange(16) % 3
    kw = dict(depth=2, steps=2, x=x, y=y, seeds=(0, 1))
    a, b = mup.coord_check([32, 64], "mup", executor=pool, **kw), mup.coord_check([32, 64], **kw)
    for k in ("size", "change", "loss"):
        np.testing.assert_array_equal(a[k], b[k])
    assert a["layers"] == b["layers"]
    make = functools.partial(_make)
    a = mup.coord_check_model(make, [32, 64], (x, y), base_width=32, executor=pool)
    b = mup.coord_check_model(_make, [32, 64], (x, y), base_width=32)
    for k in ("size", "change", "loss"):
        np.testing.assert_array_equal(a[k], b[k])
    assert a["layers"] == b["layers"] == ["0", "1", "2"]


def test_an_unpicklable_model_factory_is_refused_before_training(pool):
    x = torch.randn(8, 4, generator=torch.Generator().manual_seed(0))
    with pytest.raises(TypeError, match="cannot be pickled.*module level"):
        mup.coord_check_model(lambda n, g: _make(n, g), [32, 64], (x, torch.arange(8) % 3),
                              executor=pool)  # fmt: skip


def test_a_worker_error_reaches_the_caller(pool):
    with pytest.raises(ValueError, match="became infinite or NaN at width"):
        mup.coord_check([64, 128], "sp", depth=2, steps=3, lr=1e6, seeds=(0,), executor=pool)


def test_one_progress_bar_counts_every_run(pool, capsys):
    mup.lr_sweep(**MLP_GRID, executor=pool, progress=True)
    err = capsys.readouterr().err
    n = 2 * 2 * 2 * 3 * 2
    assert f"{n}/{n}" in err and err.count("lr sweep") >= 1
    assert f"{n // 4}/{n // 4}" not in err  # not one bar per width


def test_store_round_trip_resume_and_stale_records(tmp_path, pool):
    store = tmp_path / "runs"
    first = mup.lr_sweep(**MLP_GRID, store=store, executor=pool)
    s = ResultStore(store)
    assert len(s) == first.runs == 48 and first.reused == 0
    _same(s.to_sweep(), first)
    stamps = {p.name: p.stat().st_mtime_ns for p in store.iterdir()}
    again = mup.lr_sweep(**MLP_GRID, store=store, resume=True)
    _same(again, first)
    assert again.reused == 48 and again.seconds == 0.0
    assert {p.name: p.stat().st_mtime_ns for p in store.iterdir()} == stamps  # nothing written
    with pytest.raises(ValueError, match="already holds 48 of this sweep's 48 runs"):
        mup.lr_sweep(**MLP_GRID, store=store)
    changed = mup.lr_sweep(**dict(MLP_GRID, steps=5), store=store, resume=True)
    assert changed.reused == 0 and len(s) == 96  # another step count reads no old record
    with pytest.raises(ValueError, match="differ in steps"):
        s.to_sweep()
    _same(s.to_sweep(steps=4), first)


def test_resume_trains_only_the_missing_tasks(tmp_path):
    store = tmp_path / "runs"
    first = mup.lr_sweep(**MLP_GRID, store=store)
    s = ResultStore(store)
    gone = [
        r
        for r in s.records()
        if r["config"]["width"] == 32
        and r["config"]["optimizer"] == "adam"
        and r["config"]["parametrization"] == "sp"
    ]
    os.remove(store / f"{gone[0]['key']}.json")  # one run of one task lost
    resumed = mup.lr_sweep(**MLP_GRID, store=store, resume=True)
    assert resumed.reused == first.runs - len(gone) == 42
    _same(resumed, first)


def test_stores_of_two_halves_merge_into_the_whole(tmp_path):
    whole = mup.lr_sweep(**MLP_GRID)
    a, b = ResultStore(tmp_path / "a"), ResultStore(tmp_path / "b")
    mup.lr_sweep(**dict(MLP_GRID, seeds=(0,)), store=a)
    mup.lr_sweep(**dict(MLP_GRID, seeds=(1,)), store=b)
    assert a.merge(b) == 24
    _same(a.to_sweep(), whole)


def test_store_settings_refuse_an_unnamed_nonlinearity(tmp_path):
    with pytest.raises(TypeError, match="nonlinearity by name"):
        mup.lr_sweep(**MLP_GRID, nonlinearity=torch.tanh, store=tmp_path)
    assert not list(tmp_path.iterdir())


def test_the_depth_sweep_records_its_depths_as_blocks(tmp_path):
    out = depth_sweep([1, 2], [0.01, 0.02], seeds=(0,), steps=2, width=16, store=tmp_path)
    record = ResultStore(tmp_path).records()[0]
    assert record["config"]["width"] == 16 and record["config"]["blocks"] in (1, 2)
    assert record["axes"]["width"] == "blocks" and record["axes"]["parametrization"] == "rule"
    _same(ResultStore(tmp_path).to_sweep(), out)


# --- the command line, killed mid-sweep and resumed -----------------------------------------

CLI = ["transfer", "--model", "mlp", "--widths", "64,128,256,512", "--lrs", "0.01,0.02",
       "--seeds", "1,2", "--optimizers", "sgd,adam", "--steps", "60"]  # fmt: skip


def _cli(args, **kw):
    env = dict(os.environ, PYTHONHASHSEED="0", OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "widthlimits", *args]
    pipes = dict(stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.Popen(cmd, env=env, **pipes, **kw)


def test_kill_mid_sweep_then_resume_equals_an_uninterrupted_run(tmp_path):
    runs = tmp_path / "killed" / "runs"
    proc = _cli([*CLI, "--out", str(tmp_path / "killed")])
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        n = len(list(runs.glob("*.json"))) if runs.exists() else 0
        if n >= 8:  # two of the sixteen tasks are recorded
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in runs.glob("*.json")}
    assert 8 <= len(before) < 64, f"the kill did not land mid-sweep ({len(before)} records)"
    assert not (tmp_path / "killed" / "transfer.json").exists()
    refused = _cli([*CLI, "--out", str(tmp_path / "killed")])
    assert refused.wait() == 2 and "--resume" in refused.stderr.read()
    resumed = _cli([*CLI, "--out", str(tmp_path / "killed"), "--resume"])
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err
    fresh = _cli([*CLI, "--out", str(tmp_path / "fresh")])
    assert fresh.wait(timeout=600) == 0
    a = json.loads((tmp_path / "killed" / "transfer.json").read_text())
    b = json.loads((tmp_path / "fresh" / "transfer.json").read_text())
    for n in LOSSES:
        assert a[n] == b[n], n
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in runs.glob("*.json")}
    assert len(after) == 64 and all(after[k][0] == v[0] for k, v in before.items())
    # the runs of every task finished before the kill were read, not trained again
    tasks: dict = {}
    for name in before:
        c = json.loads(before[name][0])["config"]
        tasks.setdefault((c["parametrization"], c["optimizer"], c["width"]), []).append(name)
    done = [name for names in tasks.values() if len(names) == 4 for name in names]
    assert a["reused"] == len(done) >= 8 and f"{len(done)} read from" in out
    assert all(after[name][1] == before[name][1] for name in done)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--executor", "rai"], "executor must be None, one of"),
        (["--address", "head:6379"], "--address applies to --executor ray only"),
        (["--executor", "process", "--gpus-per-run", "0.5"], "--gpus-per-run applies to"),
        (["--workers", "2"], "--workers applies to --executor process only"),
        (["--executor", "process", "--workers", "0"], "workers must be"),
        (["--executor", "ray", "--address", "127.0.0.1:1"], "no Ray cluster answers at"),
    ],
)
def test_cli_executor_options_fail_with_one_line_quickly(extra, message, tmp_path, capsys):
    from widthlimits.cli import main

    start = time.perf_counter()
    args = ["transfer", "--widths", "16,32", "--lrs", "0.1,0.2", "--seeds", "1", "--steps", "2",
            "--out", str(tmp_path), *extra]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert time.perf_counter() - start < 10 and not (tmp_path / "runs").exists()


def test_cli_process_executor_equals_inline(tmp_path):
    from widthlimits.cli import main

    args = ["transfer", "--widths", "16,32", "--lrs", "0.1,0.2", "--seeds", "1,2", "--steps", "3",
            "--optimizers", "sgd"]  # fmt: skip
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b"), "--executor", "process", "--workers",
                 "2"]) == 0  # fmt: skip
    a, b = (json.loads((tmp_path / d / "transfer.json").read_text()) for d in "ab")
    assert all(a[n] == b[n] for n in LOSSES)
    assert (
        ResultStore(tmp_path / "a" / "runs").records()
        == ResultStore(tmp_path / "b" / "runs").records()
    )  # the same records, byte for byte in content
