"""Ready-made tensor programs used by the book: matrix powers, Wishart powers, deep MLPs, and a
simulation helper that runs a program at several widths and seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .._checks import (
    check_bool,
    check_callable,
    check_int,
    check_ints,
    check_real,
    check_rng,
    check_symmetric_psd,
)
from .limit import zdot_coefficients
from .program import Program
from .simulate import check_width

__all__ = [
    "power_program",
    "power_zdot",
    "wishart_program",
    "mlp_program",
    "nongaussian_program",
    "linear_mup_program",
    "simulate_many",
]


def power_program(k: int, symmetric: bool = True, std: float = 1.0) -> Program:
    r"""The program of :math:`\frac1n v^\top M^j v`, :math:`j = 1..k`, with moments ``"m1"``...

    With ``symmetric=True``, :math:`M = W = (A + A^\top)/\sqrt2` (a Wigner matrix) and the
    program uses ``A.T`` (NETSOR-transpose); the limits are the semicircle moments. With
    ``symmetric=False``, :math:`M = A`, the program is a NETSOR program, and the limits are 0.

    Examples
    --------
    >>> p = power_program(4); [round(p.limit()[f"m{j}"], 12) for j in (2, 4)]
    [1.0, 2.0]
    """
    k = check_int("k", k, 1)
    symmetric = check_bool("symmetric", symmetric)
    p = Program()
    A = p.matrix("A", std=std)
    v = p.vector("v")
    x = v
    for j in range(1, k + 1):
        x = (
            p.linear([2**-0.5, 2**-0.5], [A @ x, A.T @ x], name=f"x{j}")
            if symmetric
            else p.matmul(A, x, name=f"x{j}")
        )
        p.moment(f"m{j}", _dot, v, x)
    return p


def power_zdot(k: int) -> np.ndarray:
    r"""The :math:`\dot Z` coefficients of the Wigner power program :func:`power_program`.

    Returns a ``(k + 1, k + 1)`` array ``c`` with :math:`\dot Z^{x^j} = \sum_i c_{j,i} Z^{x^i}`,
    where :math:`x^j = W^j v` and :math:`x^0 = v`. The :math:`\dot Z` of :math:`x^j` is the sum of
    those of its two MatMuls :math:`A x^{j-1}` and :math:`A^\top x^{j-1}`, divided by
    :math:`\sqrt 2`.

    Examples
    --------
    >>> power_zdot(3).round(12).tolist()[3]     # Zdot of W^3 v is 1 * Z^{W v}
    [0.0, 1.0, 0.0, 0.0]
    """
    k = check_int("k", k, 1)
    p = power_program(k)
    dots = zdot_coefficients(p)
    names = ["v"] + [f"x{j}" for j in range(1, k + 1)]
    c = np.zeros((k + 1, k + 1))
    for j in range(1, k + 1):
        node = p.instructions[p.index(names[j])]
        for a in node.args:
            for y, coef in dots.get(p.instructions[a].name, {}).items():
                c[j, names.index(y)] += coef / np.sqrt(2)
    return c


def wishart_program(k: int, ratio: float = 1.0) -> Program:
    r"""The program of :math:`\frac1{\lambda n} v^\top (A^\top A)^j v`, :math:`j = 1..k` (moments
    ``"m1"``..), for :math:`A` of shape :math:`(1, \lambda)`: an :math:`n \times \lambda n`
    matrix with entries of variance :math:`1/n` (``std`` :math:`= \sqrt\lambda`), so that
    :math:`A^\top A` is the Wishart matrix of :math:`n` samples of dimension :math:`\lambda n`,
    and :math:`v` of dimension :math:`\lambda`.

    Its limits are the Marchenko-Pastur moments at ``ratio`` :math:`\lambda` (dimension over
    samples, as in :func:`widthlimits.rmt.laws.marchenko_pastur_moment`):
    :math:`\sum_{i} N(j, i)\, \lambda^{i-1}`, with the Narayana numbers; at
    :math:`\lambda = 1` the Catalan numbers :math:`C_j`.

    Examples
    --------
    >>> [round(v, 12) for v in wishart_program(3).limit().values()]
    [1.0, 2.0, 5.0]
    >>> [round(v, 12) for v in wishart_program(3, ratio=2.0).limit().values()]   # 1, 1+2, 1+6+4
    [1.0, 3.0, 11.0]
    """
    k = check_int("k", k, 1)
    ratio = check_real("ratio", ratio, 0.0, low_open=True)
    p = Program()
    A = p.matrix("A", std=np.sqrt(ratio), shape=(1.0, ratio))
    v = p.vector("v", dim=ratio)
    x = v
    for j in range(1, k + 1):
        x = p.matmul(A.T, A @ x, name=f"x{j}")
        p.moment(f"m{j}", _dot, v, x)
    return p


def _dot(a, b):
    return a * b


def mlp_program(depth: int, input_cov, phi: Callable = np.tanh, std: float = 1.0) -> Program:
    r"""A depth-``depth`` MLP on several inputs: :math:`h^{l+1}_i = W^{l+1}\phi(h^l_i)`.

    The first-layer pre-activations :math:`h^1_i` are initial vectors with covariance
    ``input_cov``; each of the ``depth`` layers has its own matrix with entry variance
    ``std**2 / n``. The moments ``"K{i}{j}"`` (``i >= j``) are :math:`\frac1n h^{L+1}_i\cdot
    h^{L+1}_j`, whose limits are the NNGP kernel.

    Examples
    --------
    >>> p = mlp_program(2, [[1.0]], phi=lambda z: np.maximum(z, 0), std=2**0.5)
    >>> round(p.limit()["K00"], 12)   # ReLU with std^2 = 2 preserves the variance
    1.0
    """
    depth = check_int("depth", depth, 1)
    cov = check_symmetric_psd("input_cov", input_cov)
    check_callable("phi", phi)
    check_real("std", std, 0.0)
    p = Program()
    hs = p.vectors([f"h1_{i}" for i in range(len(cov))], cov=cov)
    for layer in range(depth):
        W = p.matrix(f"W{layer + 2}", std=std)
        hs = [W @ p.nonlin(phi, h) for h in hs]
    for i in range(len(hs)):
        for j in range(i + 1):
            p.moment(f"K{i}{j}", _dot, hs[i], hs[j])
    return p


def nongaussian_program(std: float = 1.0) -> Program:
    r"""The program of :math:`k = A\,\mathrm{relu}(A^\top \tanh(A u))`, a G-var whose
    :math:`Z` is not Gaussian; its moments ``"k2"`` and ``"k4"`` are :math:`\frac1n \sum_\alpha
    k_\alpha^2` and :math:`\frac1n \sum_\alpha k_\alpha^4`.

    By the Z-recursion, with :math:`g = A^\top \tanh(Au)`,

    .. math::

        Z^k = \hat Z^{k} + \sigma^2\, \mathbb E[\mathrm{relu}'(Z^g)]\,
        \tanh(\hat Z^{Au}),

    where :math:`\hat Z^k` and :math:`\hat Z^{Au}` are jointly Gaussian (both belong to the family
    of :math:`A`). The :math:`\dot Z` term is a non-linear function of a Gaussian, so
    :math:`Z^k` is not Gaussian: the kurtosis ``k4 / k2**2`` of its limit is below 3. Without
    the :math:`\dot Z` term it would be exactly 3.

    Examples
    --------
    >>> lim = nongaussian_program().limit()
    >>> round(lim["k4"] / lim["k2"] ** 2, 4)
    2.7067
    """
    p = Program()
    A = p.matrix("A", std=std)
    u = p.vector("u")
    g = A.T @ p.nonlin(np.tanh, A @ u, name="t")
    k = p.matmul(A, p.nonlin(_relu, g, name="r"), name="k")
    p.moment("k2", _power2, k)
    p.moment("k4", _power4, k)
    return p


def _relu(a):
    return np.maximum(a, 0.0)


def _power2(a):
    return a * a


def _power4(a):
    return a**4


def simulate_many(
    program: Program, ns: Sequence[int], seeds: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Run ``program`` ``seeds`` times at each width in ``ns``.

    Returns ``{moment name: array of shape (len(ns), seeds)}``.

    Examples
    --------
    >>> out = simulate_many(power_program(2), [50, 100], 3, np.random.default_rng(0))
    >>> out["m2"].shape
    (2, 3)
    """
    if not isinstance(program, Program):
        raise TypeError(f"program must be a Program, got {type(program).__name__}")
    seeds = check_int("seeds", seeds, 1)
    ns = check_ints("ns", ns, 1)
    check_rng(rng)
    check_width(program, max(ns))  # the largest width is refused before any run
    names = program.moment_names
    out = {nm: np.empty((len(ns), seeds)) for nm in names}
    for a, n in enumerate(ns):
        for s in range(seeds):
            res = program.simulate(n, rng)
            for nm in names:
                out[nm][a, s] = res[nm]
    return out


def linear_mup_program(lr: float, target: float, steps: int):
    r"""The tensor program of SGD on a deep linear µP network, whose limit is exact (TP4, Sec. 6).

    The network is ``MLP(1, n, 1, 2, "mup", nonlinearity="linear", bias=False, weight_std=1)``
    (input :math:`\xi = 1`): :math:`f = \frac1n v^\top W u` with :math:`u, v` of iid
    :math:`\mathcal N(0, 1)` coordinates and :math:`W_{\alpha\beta} \sim \mathcal N(0, 1/n)`,
    trained by SGD with base learning rate :math:`\eta` on :math:`\frac12 (f - y)^2`. With
    :math:`\chi_t = f_t - y`, the µP learning rates make every update a vector with
    :math:`\Theta(1)` coordinates:

    .. math::

        v_{t+1} = v_t - \eta \chi_t x^2_t, \quad
        x^1_{t} = u - \eta \sum_{s<t} \chi_s g_s, \quad
        g_s = W^\top v_s - \eta \sum_{r<s} \chi_r \tfrac{v_r^\top v_s}{n} x^1_r,

    .. math::

        x^2_t = W x^1_t - \eta \sum_{s<t} \chi_s \tfrac{(x^1_s)^\top x^1_t}{n} v_s, \qquad
        f_t = \tfrac1n v_t^\top x^2_t .

    Each :math:`\chi_s` is a moment of the program that feeds back as a parameter of later
    Nonlins, as in Tensor Programs IV.

    Parameters
    ----------
    lr : float
        The base learning rate :math:`\eta`.
    target : float
        The label :math:`y`.
    steps : int
        The number of SGD steps ``T``; the program's moments ``f0, ..., fT`` are the outputs.

    Returns
    -------
    widthlimits.tp.Program

    Examples
    --------
    >>> p = linear_mup_program(0.1, 1.0, 1)
    >>> {k: round(v, 6) for k, v in p.limit().items() if k.startswith("f")}
    {'f0': 0.0, 'f1': 0.3}
    """
    steps = check_int("steps", steps, 1)
    eta, y = check_real("lr", lr), check_real("target", target)

    def dot(a, b):
        return a * b

    def step1(a, b, f):
        return a - eta * (f - y) * b

    def step2(a, b, f, m):
        return a - eta * (f - y) * m * b

    p = Program()
    W = p.matrix("W", 1.0)
    u = p.vector("u", 1.0)
    vs, x1s, g1s, fs = [p.vector("v0", 1.0)], [], [], []
    for t in range(steps + 1):
        x1 = u
        for s in range(t):
            x1 = p.nonlin(step1, x1, g1s[s], params=[fs[s]])
        x2 = W @ x1
        for s in range(t):
            m = p.moment(f"x1_{s}_{t}", dot, x1s[s], x1)
            x2 = p.nonlin(step2, x2, vs[s], params=[fs[s], m])
        fs.append(p.moment(f"f{t}", dot, vs[t], x2))
        x1s.append(x1)
        if t == steps:
            break
        g1 = W.T @ vs[t]
        for s in range(t):
            m = p.moment(f"v_{s}_{t}", dot, vs[s], vs[t])
            g1 = p.nonlin(step2, g1, x1s[s], params=[fs[s], m])
        g1s.append(g1)
        vs.append(p.nonlin(step1, vs[t], x2, params=[fs[t]]))
    return p
