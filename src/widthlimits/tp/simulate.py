"""The first reader of a tensor program: run it at a finite width ``n``.

Every matrix and initial vector is sampled, and the instructions are executed in order: the
finite-:math:`n` side of every claim that a limit is approached.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_bool, check_int, check_memory, check_rng
from ._threads import one_blas_thread
from .description import Description
from .instructions import check_output
from .variables import Moment

__all__ = ["check_width", "simulate"]


def simulate(prog: Description, n: int, rng: np.random.Generator, *, return_vectors: bool = False):
    """Run ``prog`` once at width ``n``; return ``{moment name: value}``.

    Every matrix and initial vector is drawn from ``rng``. With ``return_vectors=True``,
    also return ``{vector name: array of length n}``. Widths whose matrices would not fit in
    memory are refused before anything is drawn.

    Examples
    --------
    >>> from widthlimits.tp import Program
    >>> p = Program(); A = p.matrix("A"); v = p.vector("v")
    >>> m = p.moment("m", lambda a: a * a, A @ v)
    >>> out = simulate(p, 1000, np.random.default_rng(1)); abs(out["m"] - 1) < 0.2
    True
    """
    if not isinstance(prog, Description):
        raise TypeError(f"simulate needs a Program, got {type(prog).__name__}")
    n = check_width(prog, n)
    check_rng(rng)
    return_vectors = check_bool("return_vectors", return_vectors)
    with one_blas_thread():  # matrix-vector products gain nothing from threads
        out, vals = _run(prog, n, rng)
    if return_vectors:
        vecs = {nd.name: v for nd, v in zip(prog.instructions, vals, strict=True) if v is not None}
        return out, vecs
    return out


def check_width(prog: Description, n) -> int:
    """Return the width ``n`` as an int, or raise: not a positive integer, or the program's
    matrices would not fit in memory at that width (the message gives the estimate).

    Examples
    --------
    >>> from widthlimits.tp import Program
    >>> p = Program(); A = p.matrix("A"); h = A @ p.vector("v")
    >>> check_width(p, 10**7)
    Traceback (most recent call last):
    ...
    ValueError: simulating the program at width n = 10,000,000 (1 matrices of ...
    """
    n = check_int("n", n, 1)
    used = {nd.matrix for nd in prog.instructions if nd.kind == "matmul"}
    check_memory(
        f"simulating the program at width n = {n:,} ({len(used)} matrices of {n:,} x {n:,})",
        8.0 * n * n * len(used) + 8.0 * n * (len(prog.instructions) + 1),
    )
    return n


def _run(prog: Description, n: int, rng: np.random.Generator):
    """Sample the matrices and initial vectors at width ``n`` and run every instruction."""
    init = {}
    for g, cov in enumerate(prog.covariances):
        lam, vec = np.linalg.eigh(cov)
        root = vec * np.sqrt(np.clip(lam, 0, None))
        init[g] = root @ rng.standard_normal((cov.shape[0], n))
    mats: dict[int, np.ndarray] = {}
    vals: list = []
    out: dict[str, float] = {}
    for nd in prog.instructions:
        if nd.kind == "init":
            vals.append(init[nd.group][nd.pos])
        elif nd.kind == "matmul":
            if nd.matrix not in mats:
                std = prog.matrices[nd.matrix].std
                mats[nd.matrix] = rng.standard_normal((n, n)) * (std / np.sqrt(n))
            a = mats[nd.matrix]
            vals.append((a.T if nd.transposed else a) @ vals[nd.args[0]])
        elif nd.kind == "linear":
            cs = [out[c.name] if isinstance(c, Moment) else c for c in nd.coeffs]
            vals.append(sum(c * vals[i] for c, i in zip(cs, nd.args, strict=True)))
        else:
            ps = [out[q.name] if isinstance(q, Moment) else q for q in nd.params]
            with np.errstate(all="ignore"):
                y = nd.fn(*[vals[i] for i in nd.args], *ps)
            y = check_output(y, (n,), f"{nd.kind} {nd.name!r}")
            if nd.kind == "moment":
                out[nd.name] = float(np.mean(y))
                vals.append(None)
            else:
                vals.append(y)
    return out, vals
