"""``widthlimits transfer --model gpt``: the GPT sweep from the command line, tiny sizes."""

from __future__ import annotations

import json

import pytest

from widthlimits.cli import main


def test_transfer_gpt_writes_figure_and_numbers(tmp_path):
    code = main(
        [
            "transfer",
            "--model",
            "gpt",
            "--widths",
            "16,32,48",
            "--lrs",
            "0.001,0.004",
            "--seeds",
            "1,2",
            "--steps",
            "2",
            "--batch-size",
            "2",
            "--context",
            "8",
            "--depth",
            "1",
            "--d-head",
            "8",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    data = json.loads((tmp_path / "transfer.json").read_text())
    assert data["widths"] == [16, 32, 48] and data["optimizers"] == ["adam"]
    assert data["context"] == 8 and data["n_layer"] == 1 and data["base_width"] == 16
    assert set(data["optimal"]) == {"sp/adam", "mup/adam"}
    assert len(data["train_loss"][0][0]) == 3  # parametrization, optimizer, width, lr, seed
    assert (tmp_path / "transfer.png").stat().st_size > 5000


def test_transfer_mlp_is_still_the_default(tmp_path):
    code = main(
        [
            "transfer",
            "--widths",
            "16,32",
            "--lrs",
            "0.01,0.1",
            "--seeds",
            "1",
            "--steps",
            "2",
            "--optimizers",
            "sgd",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    data = json.loads((tmp_path / "transfer.json").read_text())
    assert data["optimizers"] == ["sgd"] and data["batch_size"] == 128 and "context" not in data


@pytest.mark.parametrize(
    "args, words",
    [
        (["--model", "cnn"], "--model"),
        (["--model", "gpt", "--optimizers", "sgd"], "optimizers"),
        (["--model", "gpt", "--optimizers", "adam,adam"], "adam only"),
        (["--model", "mlp", "--context", "8"], "--context"),
        (["--model", "gpt", "--widths", "24,48"], "d_head"),
        (["--model", "gpt", "--context", "0"], "context"),
        (["--model", "gpt", "--device", "tpu"], "device"),
    ],
)
def test_transfer_gpt_bad_arguments(tmp_path, capsys, args, words):
    assert main(["transfer", *args, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("widthlimits: error:") and words in err
    assert not (tmp_path / "transfer.json").exists()
