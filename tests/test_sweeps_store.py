"""The results store (widthlimits.sweeps.store) and the executors' argument checks."""

from __future__ import annotations

import concurrent.futures as cf
import json
import math
import multiprocessing
import os
import time

import numpy as np
import pytest

from widthlimits.sweeps import (
    FORMAT,
    RayExecutor,
    ResultStore,
    Task,
    check_executor,
    config_key,
    fingerprint,
    resolve_executor,
    run_tasks,
)

RUN = {"sweep": "t", "parametrization": "mup", "optimizer": "sgd", "width": 64, "lr": 0.1,
       "seed": 0, "steps": 5}  # fmt: skip


def _grid_store(tmp_path, widths=(16, 32), lrs=(0.1, 0.2), seeds=(0, 1), **extra):
    store = ResultStore(tmp_path / "runs")
    for w in widths:
        for lr in lrs:
            for s in seeds:
                cfg = dict(RUN, width=w, lr=lr, seed=s, **extra)
                loss = w + lr + s / 10
                store.put(cfg, {"train_loss": loss, "test_loss": -loss, "test_acc": 0.5})
    return store


def test_key_is_canonical_and_sensitive():
    assert config_key(RUN) == config_key(dict(reversed(list(RUN.items()))))
    changes = [("width", 65), ("lr", 0.1000001), ("seed", 1), ("steps", 6), ("sweep", "u")]
    keys = {config_key(dict(RUN, **{k: v})) for k, v in changes}
    assert len(keys | {config_key(RUN)}) == 6
    assert config_key(dict(RUN, width=np.int64(64))) == config_key(RUN)  # numpy scalars


@pytest.mark.parametrize(
    "bad, err",
    [({"lr": math.inf}, ValueError), ({1: 2}, TypeError), ({"f": object()}, TypeError)],
)
def test_key_refuses_what_json_cannot_hold(bad, err):
    with pytest.raises(err):
        config_key(bad)
    with pytest.raises(TypeError, match="config must be a dict"):
        config_key([("a", 1)])


def test_put_get_round_trip_is_exact_and_strict_json(tmp_path):
    store = ResultStore(tmp_path)
    x = 0.1 + 0.2  # not a short decimal
    path = store.put(RUN, {"train_loss": x, "test_loss": math.inf, "test_acc": 0.0,
                           "diverged": True})  # fmt: skip
    assert store.get(RUN) == {"train_loss": x, "test_loss": math.inf, "test_acc": 0.0,
                              "diverged": True}  # fmt: skip
    text = path.read_text()
    record = json.loads(text)  # strict: no Infinity
    assert "Infinity" not in text and record["results"]["test_loss"] is None
    assert record["format"] == FORMAT and record["key"] == path.stem == config_key(RUN)
    assert store.get(dict(RUN, seed=9)) is None and len(store) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_store_ignores_temporary_files_and_refuses_bad_records(tmp_path):
    store = ResultStore(tmp_path)
    store.put(RUN, {"train_loss": 1.0})
    (tmp_path / ".tmp-abc.json").write_text("{half a rec")  # what a kill mid-write leaves
    assert len(store) == 1 and len(store.records()) == 1
    bad = tmp_path / f"{config_key(dict(RUN, seed=3))}.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="cannot be read as JSON"):
        store.records()
    record = json.loads(store.put(RUN, {"train_loss": 1.0}).read_text())
    record["config"]["seed"] = 7  # edited: no longer the config its name is the key of
    bad.write_text(json.dumps(record))
    with pytest.raises(ValueError, match="not a widthlimits-run/1 record"):
        store.records()


def test_store_path_errors(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="is not a folder"):
        ResultStore(f)
    with pytest.raises(TypeError, match="store must be a folder path"):
        ResultStore(3)
    with pytest.raises(TypeError, match="store must be a folder path"):
        ResultStore("")


def test_to_sweep_orders_axes_and_fills_the_grid(tmp_path):
    store = _grid_store(tmp_path, widths=(32, 16))
    sweep = store.to_sweep()
    assert sweep.coords == {"parametrization": ("mup",), "optimizer": ("sgd",),
                            "width": (16, 32), "lr": (0.1, 0.2), "seed": (0, 1)}  # fmt: skip
    assert sweep.settings == {"sweep": "t", "steps": 5}
    assert sweep.train_loss[0, 0, 1, 0, 1] == 32 + 0.1 + 0.1  # width 32, lr 0.1, seed 1
    assert sweep.test_loss[0, 0, 0, 1, 0] == -(16 + 0.2)


def test_to_sweep_refuses_mixed_and_incomplete_records(tmp_path):
    store = _grid_store(tmp_path)
    _grid_store(tmp_path, steps=10)  # the same grid at another step count
    with pytest.raises(ValueError, match=r"2 configurations, which differ in steps \(10, 5\)"):
        store.to_sweep()
    assert store.to_sweep(steps=10).settings["steps"] == 10
    os.remove(store.path / f"{config_key(dict(RUN, width=32, lr=0.2, seed=1))}.json")
    with pytest.raises(ValueError, match="fill 7 of the 8 runs.*'width': 32"):
        store.to_sweep(steps=5)
    with pytest.raises(ValueError, match="no records with"):
        store.to_sweep(steps=99)


def test_merge_adds_missing_records_and_refuses_conflicts(tmp_path):
    a = _grid_store(tmp_path / "a", widths=(16,))
    b = _grid_store(tmp_path / "b", widths=(16, 32))
    assert a.merge(b) == 4 and len(a) == 8 and a.merge(b.path) == 0
    np.testing.assert_array_equal(a.to_sweep().train_loss, b.to_sweep().train_loss)
    c = ResultStore(tmp_path / "c")
    c.put(dict(RUN, width=16), {"train_loss": 123.0})
    c.put(dict(RUN, width=99), {"train_loss": 1.0})
    with pytest.raises(ValueError, match="different results"):
        a.merge(c)
    assert len(a) == 8  # nothing written


def test_fingerprint_sees_values_dtype_and_shape():
    a = np.arange(6.0)
    assert fingerprint(a) == fingerprint(a.copy())
    assert len({fingerprint(a), fingerprint(a.reshape(2, 3)), fingerprint(a.astype(np.float32)),
                fingerprint(a + 1e-12)}) == 4  # fmt: skip


# --- run_tasks, and the executors' argument checks ------------------------------------------


def _double(xs):
    return [{"train_loss": 2 * x} for x in xs]


def _fail(_):
    raise ValueError("the loss became inf at width 8")


def _tasks(n=4):
    return [Task(_double, ([i, i + 0.5],), ({"seed": i, "k": 0}, {"seed": i, "k": 1}))
            for i in range(n)]  # fmt: skip


def test_run_tasks_store_resume_and_errors(tmp_path):
    out = run_tasks(_tasks(), store=tmp_path)
    assert out.results[3] == [{"train_loss": 6}, {"train_loss": 7.0}] and out.reused == 0
    assert len(ResultStore(tmp_path)) == 8
    with pytest.raises(ValueError, match="already holds 8 of this sweep's 8 runs"):
        run_tasks(_tasks(), store=tmp_path)
    again = run_tasks(_tasks(), store=tmp_path, resume=True)
    assert again.reused == 8 and again.results == out.results and not any(again.seconds)
    with pytest.raises(ValueError, match="resume=True needs a store"):
        run_tasks(_tasks(), resume=True)
    with pytest.raises(TypeError, match="resume must be"):
        run_tasks(_tasks(), store=tmp_path, resume="yes")


def test_a_failed_task_raises_its_error_on_every_executor():
    tasks = _tasks(2) + [Task(_fail, (0,), ({"seed": 9},))]
    with pytest.raises(ValueError, match="the loss became inf"):
        run_tasks(tasks)
    with cf.ThreadPoolExecutor(2) as pool, pytest.raises(ValueError, match="loss became inf"):
        run_tasks(tasks, executor=pool)


@pytest.mark.parametrize(
    "executor, err, match",
    [
        ("threads", ValueError, "one of \\['inline', 'process', 'ray'\\]"),
        (4, TypeError, "got int 4"),
        (cf.ThreadPoolExecutor, TypeError, "got type"),
    ],
)
def test_bad_executors_fail_before_any_work(executor, err, match, tmp_path):
    with pytest.raises(err, match=match):
        run_tasks(_tasks(), executor=executor, store=tmp_path)
    assert len(ResultStore(tmp_path)) == 0


def test_a_forking_process_pool_is_refused_with_the_fix():
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        with pytest.raises(ValueError, match="get_context\\('spawn'\\)"):
            check_executor(pool)
    with pytest.raises(ValueError, match="workers must be"):
        resolve_executor("process", workers=0)


def test_names_resolve():
    assert resolve_executor(None) == (None, False) == resolve_executor(" Inline ")
    pool, owned = resolve_executor("process", workers=1)
    try:
        assert isinstance(pool, cf.ProcessPoolExecutor) and owned
        assert pool._mp_context.get_start_method() == "spawn"
    finally:
        pool.shutdown()
    mine = cf.ThreadPoolExecutor(1)
    assert resolve_executor(mine) == (mine, False)
    mine.shutdown()


@pytest.mark.parametrize("address", ["127.0.0.1:1", "ray://127.0.0.1:1"])
def test_an_unreachable_ray_address_fails_at_once(address):
    start = time.perf_counter()
    with pytest.raises(ConnectionError, match="no Ray cluster answers at"):
        RayExecutor(address, timeout=2.0)
    assert time.perf_counter() - start < 5.0


@pytest.mark.parametrize(
    "kw, err, match",
    [
        ({"address": "host:port"}, ValueError, "address must be"),
        ({"address": 6379}, TypeError, "address must be a non-empty string"),
        ({"num_cpus": 0}, ValueError, "num_cpus"),
        ({"num_gpus": -0.5}, ValueError, "num_gpus"),
        ({"timeout": 0}, ValueError, "timeout"),
    ],
)
def test_ray_executor_arguments(kw, err, match):
    with pytest.raises(err, match=match):
        RayExecutor(**kw)


def test_ray_missing_says_how_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_ray(name, *a, **k):
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'widthlimits\[ray\]'"):
        RayExecutor()
