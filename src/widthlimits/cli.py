"""The command-line interface: rerun the book's heavier experiments at a scale of your choosing.

``python -m widthlimits <command> [options]`` (or the ``widthlimits`` console script). Each
command shows a progress bar on long work, writes a figure (``<command>.png``) and its numbers
(``<command>.json``) to ``--out``, and exits with status 2 and a one-line message on bad
arguments, never with a traceback.

Before any work starts, it checks that ``--out`` can be written, then every argument, through
the package's own checks (:mod:`widthlimits._checks` and the checks of the functions it calls,
which raise before they compute or allocate); sizes that would not fit in memory are refused
with the estimated size.

Commands
--------
``semicircle``
    Eigenvalues of Wigner matrices of size ``--n`` against the semicircle law (Part III).
``coord-check``
    Coordinate checks over ``--widths`` in a parametrization (Part V(b)).
``transfer``
    Learning-rate sweeps over ``--widths``, ``--lrs`` and ``--seeds`` under SP and µP, on a torch
    ``--device`` such as ``cuda``: of the digits MLP (``--model mlp``, the default; Part V(b))
    or of the character-level GPT with Adam (``--model gpt``; Part VI, "µP for transformers").
    Each finished run is recorded in ``OUT/runs``; ``--resume`` reuses the records, so an
    interrupted sweep trains only what it had left (without it, records there are an error).

``coord-check`` and ``transfer`` run on ``--executor inline`` (this process, the default),
``process`` (``--workers`` local processes) or ``ray`` (``--address`` of a cluster, or a local
one; ``--cpus-per-run`` and ``--gpus-per-run`` per task):
:mod:`widthlimits.sweeps.executors`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

__all__ = ["main"]


class UsageError(Exception):
    """Bad command-line arguments."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage dump
        raise UsageError(message)


def _split(text: str, kind, what: str) -> list:
    """Parse a comma-separated list (parsing only: the values are checked by the library)."""
    try:
        return [kind(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated {what}, got {text!r}") from None


def _ints(text: str) -> list[int]:
    return _split(text, int, "integers")


def _floats(text: str) -> list[float]:
    return _split(text, float, "numbers")


def _names(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


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
    s.add_argument("--entries", default="gaussian", help="gaussian or rademacher")
    s.add_argument("--seed", type=int, default=0)

    c = sub.add_parser("coord-check", help="coordinate checks across widths")
    c.add_argument("--widths", type=_ints, default=[64, 128, 256, 512, 1024, 2048, 4096])
    c.add_argument("--parametrization", default="mup", help="sp, ntk or mup")
    c.add_argument("--depth", type=int, default=3)
    c.add_argument("--steps", type=int, default=5)
    c.add_argument("--lr", type=float, default=0.1)
    c.add_argument("--optimizer", default="sgd", help="sgd or adam")
    c.add_argument("--seeds", type=_ints, default=[1, 2, 3])

    t = sub.add_parser("transfer", help="learning-rate transfer sweeps under SP and muP")
    t.add_argument("--model", default="mlp", help="mlp (digits, default) or gpt (stdlib text)")
    t.add_argument("--widths", type=_ints, default=None, help=_DEFAULTS_HELP)
    t.add_argument("--lrs", type=_floats, default=None)
    t.add_argument("--seeds", type=_ints, default=[1, 2, 3])
    t.add_argument("--optimizers", type=_names, default=None, help="mlp: sgd,adam; gpt: adam")
    t.add_argument("--parametrizations", type=_names, default=["sp", "mup"])
    t.add_argument("--depth", type=int, default=None, help="blocks (gpt) or hidden layers")
    t.add_argument("--steps", type=int, default=None)
    t.add_argument("--batch-size", type=int, default=None, help="default 128 (mlp), 32 (gpt)")
    t.add_argument("--context", type=int, default=None, help="gpt: characters per window")
    t.add_argument("--d-head", type=int, default=None, help="gpt: the head dimension")
    t.add_argument("--device", default="cpu", help="a torch device, such as cpu or cuda")
    t.add_argument(
        "--resume",
        action="store_true",
        help="reuse the finished runs recorded in OUT/runs (an interrupted or repeated sweep)",
    )
    runs_on = (("--executor", str, "inline", "inline (this process, default), process or ray"),
               ("--workers", int, None, "process: workers (default: the CPUs)"),
               ("--address", str, None, "ray: a cluster's address (default: a local Ray)"),
               ("--cpus-per-run", float, None, "ray: CPUs per task (default 1)"),
               ("--gpus-per-run", float, None, "ray: GPUs per task, such as 0.25"))  # fmt: skip
    for q in (c, t):
        for flag, kind, default, text in runs_on:
            q.add_argument(flag, type=kind, default=default, help=text)

    for q in (s, c, t):
        q.add_argument(
            "--out",
            type=Path,
            default=Path("widthlimits-out"),
            help="output folder (default ./widthlimits-out)",
        )
    return p


def _check_out(out: Path, command: str) -> None:
    """Raise UsageError unless ``out`` is (or can be made) a folder we can write the command's
    two files into; nothing is created."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    for name in (f"{command}.png", f"{command}.json"):
        target = out / name
        if target.exists() and (target.is_dir() or not os.access(target, os.W_OK)):
            raise UsageError(f"--out: cannot write {target}")
    parent = out
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out} cannot be written ({parent} is not a writable folder)")
    try:  # permissions can say yes where the file system says no (root, /proc, read-only mounts)
        os.rmdir(tempfile.mkdtemp(prefix=".widthlimits-probe-", dir=parent))
    except OSError as err:
        raise UsageError(f"--out {out} cannot be written ({parent}: {err.strerror})") from err


def _executor(args):
    """The executor ``--executor`` and its options name (options of another executor are an
    error)."""
    from .sweeps import executor_from_options

    return executor_from_options(args.executor, workers=args.workers, address=args.address,
                                 cpus=args.cpus_per_run, gpus=args.gpus_per_run)  # fmt: skip


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


def _semicircle(args):
    """Check the arguments, then return a function that does the work."""
    from ._checks import check_choice, check_int, check_ints, check_memory
    from .rmt import ENTRIES

    sizes = check_ints("--n", args.n, 1)
    entries = check_choice("--entries", args.entries, ENTRIES)
    seed = check_int("--seed", args.seed, 0)
    for n in sizes:  # the matrix and eigvalsh's workspace, before the first one is drawn
        check_memory(f"--n {n}: a {n} x {n} Wigner matrix and its eigenvalues", 16.0 * n * n)
    return lambda: _run_semicircle(sizes, entries, seed)


def _run_semicircle(sizes, entries, seed):
    from tqdm import tqdm

    from . import plotting, rmt

    rng = np.random.default_rng(seed)
    fig, axes = plotting.subplots(len(sizes), width=3.2, height=2.8, squeeze=False)
    out = {"n": [], "kolmogorov_distance": [], "largest_eigenvalue": [], "entries": entries}
    for ax, n in tqdm(list(zip(axes[0], sizes, strict=True)), desc="eigvalsh", unit="matrix"):
        eig = np.linalg.eigvalsh(rmt.wigner(n, rng, entries))
        plotting.density_histogram(
            eig, rmt.semicircle_pdf, support=(-2.2, 2.2), ax=ax, xlabel="eigenvalue"
        )
        ax.set_title(f"n = {n}")
        out["n"].append(n)
        out["kolmogorov_distance"].append(rmt.kolmogorov_distance(eig, rmt.semicircle_cdf))
        out["largest_eigenvalue"].append(float(eig[-1]))
    return out, fig


def _coord_check(args):
    """coord_check checks all its arguments before it builds a network."""

    def work():
        from . import mup, plotting

        executor = _executor(args)
        try:
            result = mup.coord_check(
                args.widths,
                args.parametrization,
                depth=args.depth,
                steps=args.steps,
                lr=args.lr,
                optimizer=args.optimizer,
                seeds=args.seeds,
                executor=executor,
            )
        finally:
            if executor is not None:
                executor.shutdown()
        _, ax = plotting.subplots(width=5.5, height=3.8)
        mup.plot_coord_check(result, ax=ax)
        return result, ax.figure

    return work


#: The transfer command's defaults per ``--model`` (the gpt's: wider than the book's, for a GPU).
_TRANSFER_DEFAULTS = {
    "mlp": {
        "widths": [64, 128, 256, 512, 1024],
        "lrs": list(np.geomspace(2**-10, 2**0, 11)),
        "optimizers": ["sgd", "adam"],
        "depth": 2,
        "steps": 100,
        "batch_size": 128,
    },
    "gpt": {
        "widths": [64, 128, 256, 512, 1024],
        "lrs": [2.0**k for k in range(-14, -3)],
        "optimizers": ["adam"],
        "depth": 2,
        "steps": 300,
        "batch_size": 32,
        "context": 64,
        "d_head": 16,
    },
}
_DEFAULTS_HELP = "mlp: 64,...,1024 (SGD and Adam on digits); gpt: 64,...,1024 (Adam on text)"


def _transfer_sweep(args):
    """The Sweep of ``--model``: lr_sweep or gpt_sweep, with that model's defaults, its runs
    recorded in ``OUT/runs`` (reused with ``--resume``), on the ``--executor``."""
    from .sweeps import StoreConflict

    executor = _executor(args)
    try:
        return _transfer_on(args, executor)
    except StoreConflict as err:
        raise UsageError(f"{err.held} of these runs are in {args.out}/runs: pass --resume to "
                         "reuse them, or choose another --out") from None  # fmt: skip
    finally:
        if executor is not None:
            executor.shutdown()


def _transfer_on(args, executor):
    from . import mup
    from ._checks import check_choice

    where = {"executor": executor, "store": args.out / "runs", "resume": args.resume}
    model = check_choice("--model", args.model, tuple(_TRANSFER_DEFAULTS))
    given = {k: getattr(args, k) for k in _TRANSFER_DEFAULTS[model]}
    kw = {k: v if given[k] is None else given[k] for k, v in _TRANSFER_DEFAULTS[model].items()}
    if model == "mlp":
        for k in ("context", "d_head"):
            if getattr(args, k) is not None:
                raise UsageError(f"--{k.replace('_', '-')} applies to --model gpt only")
        return mup.lr_sweep(
            kw["widths"],
            kw["lrs"],
            args.seeds,
            args.parametrizations,
            kw["optimizers"],
            depth=kw["depth"],
            steps=kw["steps"],
            batch_size=kw["batch_size"],
            device=args.device,
            progress=True,
            **where,
        )
    from .mup.gpt_sweep import gpt_sweep

    opts = [check_choice("--optimizers", o, ("adam",)) for o in kw["optimizers"]]
    if opts != ["adam"]:
        raise UsageError(f"--model gpt trains with adam only, got --optimizers {kw['optimizers']}")
    return gpt_sweep(
        kw["widths"],
        kw["lrs"],
        args.seeds,
        args.parametrizations,
        steps=kw["steps"],
        batch_size=kw["batch_size"],
        context=kw["context"],
        n_layer=kw["depth"],
        d_head=kw["d_head"],
        tail=max(1, kw["steps"] // 5),
        device=args.device,
        progress=True,
        **where,
    )


def _transfer(args):
    """lr_sweep and gpt_sweep check all their arguments (device included) before they train
    or show a progress bar; the figure and the optima are drawn from the returned Sweep."""

    def work():
        from . import mup, plotting

        sweep = _transfer_sweep(args)
        params, opts = sweep.coords["parametrization"], sweep.coords["optimizer"]
        fig, axes = plotting.subplots(len(opts), len(params), width=4.0, height=3.2, squeeze=False)
        optimal = {}
        for i, p in enumerate(params):
            for j, o in enumerate(opts):
                mup.plot_transfer(sweep, parametrization=p, optimizer=o, ax=axes[i][j])
                try:
                    optimal[f"{p}/{o}"] = mup.optimal_lr(
                        sweep.select(parametrization=p, optimizer=o), loss="test_loss"
                    )
                except ValueError as err:  # every run diverged: say so, name no optimum
                    optimal[f"{p}/{o}"] = {"error": str(err)}
        data = {f"{a}s": list(sweep.coords[a]) for a in sweep.axes}
        data.update({n: sweep.loss(n) for n in ("train_loss", "test_loss", "test_acc")})
        data.update(sweep.settings, axes=list(sweep.axes), diverged=sweep.diverged, optimal=optimal)
        data.update(runs=sweep.runs, reused=sweep.reused, store=str(args.out / "runs"))
        print(f"{sweep.runs - sweep.reused} runs trained, {sweep.reused} read from {args.out}/runs")
        return data, fig

    return work


COMMANDS = {"semicircle": _semicircle, "coord-check": _coord_check, "transfer": _transfer}


def _write(args, data, fig, start) -> None:
    import matplotlib.pyplot as plt

    args.out.mkdir(parents=True, exist_ok=True)
    figure, numbers = args.out / f"{args.command}.png", args.out / f"{args.command}.json"
    fig.savefig(figure)
    plt.close(fig)
    data = dict(data, command=args.command, seconds=time.perf_counter() - start)
    numbers.write_text(json.dumps(_jsonable(data), indent=1))
    print(f"wrote {figure} and {numbers}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0, or 2 after a one-line error).

    Examples
    --------
    >>> main(["semicircle", "--n", "0"])  # prints a one-line error to stderr
    2
    """
    try:
        if argv is not None and (
            not isinstance(argv, (list, tuple)) or not all(isinstance(a, str) for a in argv)
        ):
            raise TypeError(f"argv must be a list of strings, got {argv!r}")
        args = _parser().parse_args(argv)
        _check_out(args.out, args.command)
        work = COMMANDS[args.command](args)
        start = time.perf_counter()
        data, fig = work()
        _write(args, data, fig, start)
    except (UsageError, ValueError, TypeError, OSError, ImportError) as err:
        print(f"widthlimits: error: {err}", file=sys.stderr)
        return 2
    return 0


def console() -> None:
    """Entry point of the ``widthlimits`` console script."""
    sys.exit(main())
