"""Sweeps on a local Ray cluster of two CPUs (the slow session, which installs the ray extra)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

ray = pytest.importorskip("ray", reason="the ray extra is installed by the slow session")

from widthlimits import mup  # noqa: E402
from widthlimits.sweeps import RayExecutor, ResultStore  # noqa: E402

pytestmark = pytest.mark.slow

GRID = dict(widths=[16, 32], lrs=[0.05, 0.1, 0.2], seeds=(0, 1), optimizers=("sgd", "adam"),
            steps=4)  # fmt: skip
LOSSES = ("train_loss", "test_loss", "test_acc")


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _same(a, b):
    assert a.coords == b.coords and a.settings == b.settings
    for n in LOSSES:
        np.testing.assert_array_equal(getattr(a, n), getattr(b, n), err_msg=n)


def test_mlp_sweep_on_ray_is_bit_for_bit(cluster, tmp_path, capsys):
    inline = mup.lr_sweep(**GRID)
    on_ray = mup.lr_sweep(**GRID, executor=RayExecutor(num_cpus=1), store=tmp_path,
                          progress=True)  # fmt: skip
    _same(on_ray, inline)
    assert f"{inline.runs}/{inline.runs}" in capsys.readouterr().err  # one bar, every run
    _same(ResultStore(tmp_path).to_sweep(), inline)
    assert mup.lr_sweep(**GRID, executor="ray", store=tmp_path, resume=True).reused == 48
    assert ray.is_initialized()  # a Ray it found running is left running


def test_gpt_sweep_and_coord_check_on_ray(cluster):
    kw = dict(widths=[16, 32], lrs=[1e-3, 2e-3], seeds=(0, 1), steps=2, tail=1, context=8,
              batch_size=2, n_layer=1, eval_batches=1, corpus_bytes=20_000)  # fmt: skip
    _same(mup.gpt_sweep(**kw, executor="ray"), mup.gpt_sweep(**kw))
    a = mup.coord_check([32, 64], "mup", depth=2, steps=2, seeds=(0, 1), executor="ray")
    b = mup.coord_check([32, 64], "mup", depth=2, steps=2, seeds=(0, 1))
    for k in ("size", "change", "loss"):
        np.testing.assert_array_equal(a[k], b[k])


def test_a_task_error_on_ray_is_the_worker_error(cluster):
    with pytest.raises(ValueError, match="became infinite or NaN"):
        mup.coord_check([64, 128], "sp", depth=2, steps=3, lr=1e6, seeds=(0,), executor="ray")


def test_resources_the_cluster_lacks_are_refused(cluster, tmp_path):
    with pytest.raises(ValueError, match="num_gpus=1 per task, but the Ray cluster has 0 GPUs"):
        mup.lr_sweep(**GRID, executor=RayExecutor(num_gpus=1), store=tmp_path)
    with pytest.raises(ValueError, match="num_cpus=3 per task"):
        mup.lr_sweep(**GRID, executor=RayExecutor(num_cpus=3))
    assert len(ResultStore(tmp_path)) == 0


def test_executor_ray_starts_a_local_ray_and_stops_it():
    code = (
        "import ray\n"
        "from widthlimits import mup\n"
        "out = mup.lr_sweep([16], [0.1], seeds=(0,), optimizers=('sgd',), steps=2,"
        " executor='ray')\n"
        "print(out.runs, ray.is_initialized())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["2", "False"]


def test_the_cli_on_a_local_ray(tmp_path):
    from widthlimits.cli import main

    args = ["transfer", "--widths", "16,32", "--lrs", "0.05,0.1", "--seeds", "1",
            "--optimizers", "sgd", "--steps", "3", "--executor", "ray", "--cpus-per-run", "1",
            "--out", str(tmp_path)]  # fmt: skip
    assert main(args) == 0
    assert len(ResultStore(tmp_path / "runs")) == 8
    assert main([*args, "--resume"]) == 0
