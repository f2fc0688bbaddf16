"""The command-line interface: rerun the book's heavier experiments at a scale of your choosing.

``python -m widthlimits <command> [options]`` (or the ``widthlimits`` console script). Each
command shows a progress bar on long work, writes a figure (``<command>.png``) and its numbers
(``<command>.json``) to ``--out``, and exits with status 2 and a one-line message on bad
arguments.

Commands
--------
``semicircle``
    Eigenvalues of Wigner matrices of size ``--n`` against the semicircle law (Part III).
``coord-check``
    Coordinate checks over ``--widths`` in a parametrization (Part V(b)).
``transfer``
    Learning-rate sweeps over ``--widths``, ``--lrs`` and ``--seeds`` under SP and µP, on a torch
    ``--device`` such as ``cuda`` (Part V(b)).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

__all__ = ["main"]


class UsageError(Exception):
    """Bad command-line arguments."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage dump
        raise UsageError(message)


def _ints(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {text!r}"
        ) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def _floats(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers, got {text!r}"
        ) from None
    if not values or not all(np.isfinite(values)) or min(values) <= 0:
        raise argparse.ArgumentTypeError(f"expected positive finite numbers, got {text!r}")
    return values


def _positive(text: str) -> int:
    return _ints(text)[0] if "," not in text else _bad(text)


def _bad(text):
    raise argparse.ArgumentTypeError(f"expected one positive integer, got {text!r}")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="widthlimits", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("semicircle", help="Wigner spectra against the semicircle law")
    s.add_argument(
        "--n",
        type=_ints,
        default=[500, 1000, 2000, 4000],
        help="matrix sizes, comma-separated (default 500,1000,2000,4000)",
    )
    s.add_argument("--entries", choices=["gaussian", "rademacher"], default="gaussian")
    s.add_argument("--seed", type=int, default=0)

    c = sub.add_parser("coord-check", help="coordinate checks across widths")
    c.add_argument("--widths", type=_ints, default=[64, 128, 256, 512, 1024, 2048, 4096])
    c.add_argument("--parametrization", choices=["sp", "ntk", "mup"], default="mup")
    c.add_argument("--depth", type=_positive, default=3)
    c.add_argument("--steps", type=_positive, default=5)
    c.add_argument("--lr", type=float, default=0.1)
    c.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    c.add_argument("--seeds", type=_ints, default=[1, 2, 3])

    t = sub.add_parser("transfer", help="learning-rate transfer sweeps under SP and muP")
    t.add_argument("--widths", type=_ints, default=[64, 128, 256, 512, 1024])
    t.add_argument("--lrs", type=_floats, default=list(np.geomspace(2**-10, 2**0, 11)))
    t.add_argument("--seeds", type=_ints, default=[1, 2, 3])
    t.add_argument("--optimizers", default="sgd,adam")
    t.add_argument("--parametrizations", default="sp,mup")
    t.add_argument("--depth", type=_positive, default=2)
    t.add_argument("--steps", type=_positive, default=100)
    t.add_argument("--device", default="cpu", help="a torch device, such as cpu or cuda")

    for q in (s, c, t):
        q.add_argument(
            "--out",
            type=Path,
            default=Path("widthlimits-out"),
            help="output folder (default ./widthlimits-out)",
        )
    return p


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if hasattr(x, "tolist"):
        return _jsonable(x.tolist())
    if isinstance(x, float) and not np.isfinite(x):
        return None if np.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    return str(x)


def _semicircle(args) -> tuple[dict, object]:
    from tqdm import tqdm

    from . import plotting, rmt

    rng = np.random.default_rng(args.seed)
    fig, axes = plotting.subplots(len(args.n), width=3.2, height=2.8, squeeze=False)
    out = {"n": [], "kolmogorov_distance": [], "largest_eigenvalue": [], "entries": args.entries}
    for ax, n in tqdm(list(zip(axes[0], args.n, strict=True)), desc="eigvalsh", unit="matrix"):
        eig = np.linalg.eigvalsh(rmt.wigner(n, rng, args.entries))
        plotting.density_histogram(
            eig, rmt.semicircle_pdf, support=(-2.2, 2.2), ax=ax, xlabel="eigenvalue"
        )
        ax.set_title(f"n = {n}")
        out["n"].append(n)
        out["kolmogorov_distance"].append(rmt.kolmogorov_distance(eig, rmt.semicircle_cdf))
        out["largest_eigenvalue"].append(float(eig[-1]))
    return out, fig


def _coord_check(args) -> tuple[dict, object]:
    from . import nn, plotting

    result = nn.coord_check(
        args.widths,
        args.parametrization,
        depth=args.depth,
        steps=args.steps,
        lr=args.lr,
        optimizer=args.optimizer,
        seeds=args.seeds,
    )
    _, ax = plotting.subplots(width=5.5, height=3.8)
    nn.plot_coord_check(result, ax=ax)
    return result, ax.figure


def _check_device(name: str) -> None:
    import torch

    try:
        device = torch.device(name)
    except RuntimeError:
        raise UsageError(
            f"--device: expected a torch device such as cpu or cuda, got {name!r}"
        ) from None
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise UsageError(f"--device {name} asked for, but torch sees no CUDA device")
        if device.index is not None and device.index >= count:
            raise UsageError(f"--device {name}: torch sees only {count} CUDA device(s)")
    elif device.type != "cpu":
        raise UsageError(f"--device: only cpu and cuda devices are supported, got {name!r}")


def _transfer(args) -> tuple[dict, object]:
    from . import plotting, transfer

    params = [p.strip() for p in args.parametrizations.split(",") if p.strip()]
    opts = [o.strip() for o in args.optimizers.split(",") if o.strip()]
    _check_device(args.device)
    result = transfer.lr_sweep(
        args.widths,
        args.lrs,
        args.seeds,
        params,
        opts,
        depth=args.depth,
        steps=args.steps,
        device=args.device,
        progress=True,
    )
    fig, axes = plotting.subplots(len(opts), len(params), width=4.0, height=3.2, squeeze=False)
    for i in range(len(params)):
        for j in range(len(opts)):
            transfer.plot_transfer(result, i, j, ax=axes[i][j])
    result["optimal"] = {
        f"{p}/{o}": transfer.optimal_lr(result["test_loss"][i, j], args.lrs)
        for i, p in enumerate(params)
        for j, o in enumerate(opts)
    }
    return result, fig


COMMANDS = {"semicircle": _semicircle, "coord-check": _coord_check, "transfer": _transfer}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> main(["semicircle", "--n", "0"])  # prints a one-line error to stderr
    2
    """
    import matplotlib.pyplot as plt

    try:
        args = _parser().parse_args(argv)
        start = time.perf_counter()
        data, fig = COMMANDS[args.command](args)
    except (UsageError, ValueError, TypeError) as err:
        print(f"widthlimits: error: {err}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    figure, numbers = args.out / f"{args.command}.png", args.out / f"{args.command}.json"
    fig.savefig(figure)
    plt.close(fig)
    data = dict(data, command=args.command, seconds=time.perf_counter() - start)
    numbers.write_text(json.dumps(_jsonable(data), indent=1))
    print(f"wrote {figure} and {numbers}")
    return 0


def console() -> None:
    """Entry point of the ``widthlimits`` console script."""
    sys.exit(main())
