"""Timings of the tensor-program engine: the Catalan program at k = 10, a depth-10 MLP, and the
infinite-width limit of training (µP, tanh, 4 training inputs: one hidden layer and 5 steps, two
hidden layers and 3 steps).

Run with ``python benchmarks/bench_tp.py`` (the ``bench`` nox session runs every bench script).
"""

from __future__ import annotations

import time

import numpy as np

from widthlimits import rmt
from widthlimits.tp import Program, mlp_program, power_program, training_limit, wishart_program


def best_of(fn, repeats: int = 3) -> tuple[float, object]:
    """Return the fastest wall time of ``repeats`` calls and the last result."""
    best, out = np.inf, None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def relu(z):
    return np.maximum(z, 0.0)


def arccos_recursion(k: np.ndarray, depth: int) -> np.ndarray:
    for _ in range(depth):
        d = np.sqrt(np.diag(k))
        rho = np.clip(k / np.outer(d, d), -1, 1)
        k = np.outer(d, d) * (np.sqrt(1 - rho**2) + rho * (np.pi - np.arccos(rho))) / np.pi
    return k


def natural_catalan_program(k: int) -> Program:
    """(1/n) v.W^j v with W = (A + A^T)/sqrt 2 written as a Nonlin, which the engine recognizes
    as linear."""
    p = Program()
    A = p.matrix("A")
    v = p.vector("v")
    x = v
    for j in range(1, k + 1):
        x = p.nonlin(lambda a, b: (a + b) / np.sqrt(2), A @ x, A.T @ x)
        p.moment(f"m{j}", lambda a, b: a * b, v, x)
    return p


def main() -> None:
    t, lim = best_of(lambda: power_program(10).limit(return_error=True))
    err = max(abs(lim[f"m{k}"][0] - rmt.semicircle_moment(k)) for k in range(1, 11))
    print(
        f"tp: Catalan program, k = 10: limit in {t * 1e3:.1f} ms, "
        f"max |error| over k <= 10 = {err:.1e}"
    )
    t, lim = best_of(lambda: natural_catalan_program(10).limit(return_error=True))
    err = max(abs(lim[f"m{k}"][0] - rmt.semicircle_moment(k)) for k in range(1, 11))
    print(
        f"tp: Catalan program written with a Nonlin (a + b) / sqrt 2, k = 10: limit in "
        f"{t * 1e3:.1f} ms, max |error| = {err:.1e}, largest reported error "
        f"{max(e for _, e in lim.values()):.1e}"
    )
    for ratio in (0.25, 4.0):
        t, lim = best_of(lambda ratio=ratio: wishart_program(8, ratio=ratio).limit())
        err = max(
            abs(lim[f"m{k}"] / float(rmt.marchenko_pastur_moment(k, ratio)) - 1)
            for k in range(1, 9)
        )
        print(
            f"tp: rectangular Wishart program, ratio {ratio}, k = 8: limit in {t * 1e3:.1f} ms, "
            f"max relative error vs the Narayana sums = {err:.1e}"
        )
    k0 = np.array([[1, 0.5, 0.2], [0.5, 1, 0.3], [0.2, 0.3, 1]])
    for name, phi in (("ReLU", relu), ("tanh", np.tanh)):
        prog = mlp_program(10, k0, phi=phi, std=np.sqrt(2))
        t, lim = best_of(lambda prog=prog: prog.limit(return_error=True))
        msg = f"tp: depth-10 {name} MLP on 3 inputs: limit in {t * 1e3:.1f} ms"
        if phi is relu:
            k = arccos_recursion(k0, 10)
            err = max(abs(lim[f"K{i}{j}"][0] - k[i, j]) for i in range(3) for j in range(i + 1))
            msg += f", max |error| vs the arc-cosine recursion = {err:.1e}"
        print(msg + f", reported error {max(se for _, se in lim.values()):.1e}")
    X = np.random.default_rng(0).standard_normal((4, 3))
    y = np.array([1.0, -1.0, 0.5, 0.2])
    for depth, steps in ((1, 5), (2, 3)):
        t, out = best_of(
            lambda depth=depth, steps=steps: training_limit(
                X, y, hidden_layers=depth, nonlinearity="tanh", lr=0.5, steps=steps
            ),
            repeats=1,
        )
        print(
            f"tp: training limit, µP, {depth} hidden layer(s), tanh, 4 inputs, {steps} steps: "
            f"{t:.1f} s, reported error {out.f_train_err.max():.1e}"
        )


if __name__ == "__main__":
    main()
