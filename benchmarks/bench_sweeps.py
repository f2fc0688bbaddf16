"""Timings of sweeps on each executor, and of the results store.

A digits sweep (SP and µP, SGD and Adam, widths 64-512, 5 learning rates, 3 seeds, 50 steps: 16
tasks of 15 networks) runs in this process, in this process with a store, on a spawning process
pool of one worker per core, and, when Ray is installed, on a local Ray of as many CPUs. Then the
store's cost per record: writing (with its fsync), reading back, and loading a whole sweep.

Run with ``python benchmarks/bench_sweeps.py`` (the ``bench`` nox session runs every bench script).
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from widthlimits.mup import lr_sweep
from widthlimits.sweeps import ResultStore

GRID = dict(widths=[64, 128, 256, 512], lrs=[2.0**k for k in range(-6, -1)], seeds=(0, 1, 2),
            optimizers=("sgd", "adam"), steps=50)  # fmt: skip


def timed(label: str, fn, reference=None):
    t = time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t
    same = "" if reference is None else (
        f", bit for bit equal: {np.array_equal(out.test_loss, reference.test_loss)}"
    )  # fmt: skip
    print(f"{label:<34} {wall:7.2f} s wall, {out.seconds:7.2f} s in tasks{same}")
    return out, wall


def main() -> None:
    cores = os.cpu_count() or 1
    print(f"sweep of {2 * 2 * 4 * 5 * 3} networks in 16 tasks, {cores} cores")
    inline, t_inline = timed("inline", lambda: lr_sweep(**GRID))
    with tempfile.TemporaryDirectory() as folder:
        timed("inline, with a store", lambda: lr_sweep(**GRID, store=folder), inline)
        timed("resumed (all 240 runs stored)", lambda: lr_sweep(**GRID, store=folder,
              resume=True), inline)  # fmt: skip
        store = ResultStore(folder)
        t = time.perf_counter()
        store.to_sweep()
        print(f"{'load 240 records into a Sweep':<34} {time.perf_counter() - t:7.3f} s")
    _, t_pool = timed(f"process pool, {cores} workers", lambda: lr_sweep(**GRID,
                      executor="process"), inline)  # fmt: skip
    print(f"{'':<34} speed-up over inline: {t_inline / t_pool:.2f}x (workers start in spawn)")
    try:
        import ray
    except ImportError:
        print("ray is not installed (pip install 'widthlimits[ray]'): no Ray timing")
    else:
        ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False)
        try:
            timed(f"local Ray, {cores} CPUs", lambda: lr_sweep(**GRID, executor="ray"), inline)
        finally:
            ray.shutdown()
    with tempfile.TemporaryDirectory() as folder:
        store, n = ResultStore(folder), 500
        results = {"train_loss": 0.1, "test_loss": 0.2, "test_acc": 0.9, "diverged": False}
        t = time.perf_counter()
        for i in range(n):
            store.put({"sweep": "bench", "seed": i}, results)
        write = (time.perf_counter() - t) / n
        t = time.perf_counter()
        for i in range(n):
            store.get({"sweep": "bench", "seed": i})
        read = (time.perf_counter() - t) / n
        print(f"{'store: write one record':<34} {1e3 * write:7.3f} ms (atomic, with fsync)")
        print(f"{'store: read one record':<34} {1e3 * read:7.3f} ms")


if __name__ == "__main__":
    main()
