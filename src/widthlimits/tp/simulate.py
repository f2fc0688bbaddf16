"""The first reader of a tensor program: run it at a finite width ``n``.

Every matrix and initial vector is sampled, and the instructions are executed in order: the
finite-:math:`n` side of every claim that a limit is approached.
"""

from __future__ import annotations

import math

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
    also return ``{vector name: array}`` (of length ``round(dim * n)`` for a vector of dimension
    ``dim``). A matrix of shape :math:`(r, c)` is drawn as ``round(r * n) x round(c * n)`` with
    entries :math:`N(0, \\mathrm{std}^2/(cn))`, and a moment is the mean over its vectors' own
    coordinates. Widths whose matrices would not fit in
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
    ValueError: simulating the program at width n = 10,000,000 (1 matrices, ...
    """
    n = check_int("n", n, 1)
    sizes = [nd.dim for nd in prog.instructions] + [d for m in prog.matrices for d in m.shape]
    small = min(sizes, default=1.0)
    if round(small * n) < 1:
        raise ValueError(
            f"at width n = {n:,} a vector or matrix side of {small:g} times n has no coordinate; "
            f"n must be at least {math.floor(0.5 / small) + 1:,}"
        )
    used = {nd.matrix for nd in prog.instructions if nd.kind == "matmul"}
    entries = sum(round(prog.matrices[a].shape[0] * n) * round(prog.matrices[a].shape[1] * n)
                  for a in used)  # fmt: skip
    coords = sum(round(nd.dim * n) for nd in prog.instructions)
    check_memory(
        f"simulating the program at width n = {n:,} ({len(used)} matrices, "
        f"{entries:,} entries in all)",
        8.0 * entries + 8.0 * (coords + n),
    )
    return n


def _run(prog: Description, n: int, rng: np.random.Generator):
    """Sample the matrices and initial vectors at width ``n`` and run every instruction."""
    init = {}
    dims = {nd.group: nd.dim for nd in prog.instructions if nd.kind == "init"}
    for g, cov in enumerate(prog.covariances):
        lam, vec = np.linalg.eigh(cov)
        root = vec * np.sqrt(np.clip(lam, 0, None))
        init[g] = root @ rng.standard_normal((cov.shape[0], round(dims[g] * n)))
    mats: dict[int, np.ndarray] = {}
    vals: list = []
    out: dict[str, float] = {}
    for nd in prog.instructions:
        if nd.kind == "init":
            vals.append(init[nd.group][nd.pos])
        elif nd.kind == "matmul":
            if nd.matrix not in mats:
                m = prog.matrices[nd.matrix]
                rows, cols = (round(s * n) for s in m.shape)
                mats[nd.matrix] = rng.standard_normal((rows, cols)) * (
                    m.std / np.sqrt(m.shape[1] * n)
                )
            a = mats[nd.matrix]
            vals.append((a.T if nd.transposed else a) @ vals[nd.args[0]])
        elif nd.kind == "linear":
            cs = [out[c.name] if isinstance(c, Moment) else c for c in nd.coeffs]
            vals.append(sum(c * vals[i] for c, i in zip(cs, nd.args, strict=True)))
        else:
            ps = [out[q.name] if isinstance(q, Moment) else q for q in nd.params]
            with np.errstate(all="ignore"):
                y = nd.fn(*[vals[i] for i in nd.args], *ps)
            y = check_output(y, vals[nd.args[0]].shape, f"{nd.kind} {nd.name!r}")
            if nd.kind == "moment":
                out[nd.name] = float(np.mean(y))
                vals.append(None)
            else:
                vals.append(y)
    return out, vals
