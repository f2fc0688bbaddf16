"""The reproduce-from-the-command-line interface: figures and numbers out, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "widthlimits", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def test_semicircle_writes_figure_and_numbers(tmp_path):
    r = run("semicircle", "--n", "200,400", "--seed", "3", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "semicircle.json").read_text())
    assert data["n"] == [200, 400]
    assert all(0 < d < 0.1 for d in data["kolmogorov_distance"])
    assert (tmp_path / "semicircle.png").stat().st_size > 5000
    assert "eigvalsh" in r.stderr  # the progress bar


def test_coord_check_runs_small(tmp_path):
    r = run(
        "coord-check", "--widths", "32,64", "--steps", "2", "--seeds", "1", "--out", str(tmp_path)
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "coord-check.png").exists() and (tmp_path / "coord-check.json").exists()


def test_transfer_runs_small(tmp_path):
    r = run(
        "transfer",
        "--widths",
        "16,32",
        "--lrs",
        "0.01,0.1",
        "--seeds",
        "1",
        "--steps",
        "3",
        "--optimizers",
        "sgd",
        "--out",
        str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "transfer.json").read_text())
    assert data["widths"] == [16, 32] and "optimal" in data


@pytest.mark.parametrize(
    "args",
    [
        ("semicircle", "--n", "0"),
        ("semicircle", "--n", "abc"),
        ("semicircle", "--entries", "cauchy"),
        ("coord-check", "--widths", "-4"),
        ("transfer", "--lrs", "nan"),
        ("transfer", "--device", "cuda:9"),
        ("transfer", "--device", "tpu"),
        ("transfer", "--device", "meta"),
        ("transfer", "--device", ""),
        ("transfer", "--parametrizations", "foo"),
        ("transfer", "--optimizers", ""),
        ("transfer", "--lrs", "0.1,0.2,0.5"),
        ("semicircle", "--n", "1000000"),
        ("semicircle", "--seed", "-1"),
        ("nonsense",),
        (),
    ],
)
def test_bad_arguments_exit_nonzero_with_one_line(args, tmp_path):
    r = run(*args, "--out", str(tmp_path)) if args and args[0] != "nonsense" else run(*args)
    assert r.returncode == 2
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("widthlimits: error:"), r.stderr


def test_transfer_on_cuda_when_a_gpu_is_present(tmp_path):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device here; the --device cuda path is checked on a GPU machine")
    r = run(
        "transfer",
        "--widths",
        "64,256",
        "--lrs",
        "0.01,0.1",
        "--seeds",
        "1",
        "--steps",
        "5",
        "--device",
        "cuda",
        "--out",
        str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    assert "test_loss" in json.loads((tmp_path / "transfer.json").read_text())


def main_err(capsys, *args):
    """Run the CLI in this process; return (status, stderr lines)."""
    from widthlimits.cli import main

    status = main(list(args))
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return status, err


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("semicircle", "--seed", "-1"), "--seed"),
        (("semicircle", "--n", "10,0"), "--n"),
        (("semicircle", "--entries", "cauchy"), "--entries"),
        (("transfer", "--parametrizations", "foo"), "parametrizations"),
        (("transfer", "--optimizers", ""), "optimizers"),
        (("transfer", "--optimizers", "sgd,rmsprop"), "optimizers"),
        (("transfer", "--lrs", "0.2,0.1"), "lrs"),
        (("transfer", "--seeds", "-1"), "seeds"),
        (("transfer", "--depth", "0"), "depth"),
        (("transfer", "--device", "cuda:7"), "device"),
        (("coord-check", "--parametrization", "foo"), "parametrization"),
        (("coord-check", "--lr", "nan"), "lr"),
    ],
)
def test_error_names_the_argument_before_any_work(args, names, capsys, tmp_path):
    """Each bad argument is refused by the library's checks before any work starts (no progress
    bar, nothing written), in one line that names it."""
    status, err = main_err(capsys, *args, "--out", str(tmp_path / "out"))
    assert status == 2 and len(err) == 1 and names in err[0], err
    assert err[0].startswith("widthlimits: error:") and "Traceback" not in err[0]
    assert not (tmp_path / "out").exists()


def test_huge_matrix_refused_with_its_size(capsys, tmp_path):
    status, err = main_err(capsys, "semicircle", "--n", "200,1000000", "--out", str(tmp_path))
    assert status == 2 and "GB" in err[0] and "1000000" in err[0], err
    assert not (tmp_path / "semicircle.json").exists()


def test_unwritable_out_is_refused_first(capsys, tmp_path):
    """An --out that cannot be written is refused before the (here also bad) arguments and
    before any computation."""
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    for out in (blocker, blocker / "sub"):
        status, err = main_err(capsys, "semicircle", "--n", "0", "--out", str(out))
        assert status == 2 and len(err) == 1 and "--out" in err[0], err


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux's /proc")
def test_out_where_the_file_system_refuses_is_refused_first_even_for_root(capsys):
    """Permissions can say yes (root may write anywhere) where the file system says no: the
    check tries, before any work, to make and remove a folder where --out would be made."""
    status, err = main_err(capsys, "semicircle", "--n", "50", "--out", "/proc/widthlimits-out")
    assert status == 2 and len(err) == 1 and "--out" in err[0], err


def test_main_checks_argv(capsys):
    status, err = main_err(capsys)  # no command
    assert status == 2 and len(err) == 1
    from widthlimits.cli import main

    assert main(["semicircle", 3]) == 2
