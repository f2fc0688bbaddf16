"""The second reader of a tensor program: the infinite-width limit of every moment, by the
Master Theorem's Z-recursion (computed by :class:`~widthlimits.tp.engine.Engine`), and the
:math:`\\dot Z` terms that the recursion adds to each MatMul.
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_bool, check_int, check_memory, check_rng
from ._threads import one_blas_thread
from .description import Description
from .engine import Engine

__all__ = ["master_limit", "zdot_coefficients"]


def master_limit(
    prog: Description,
    return_error: bool = False,
    rng: np.random.Generator | None = None,
    mc_samples: int = 50000,
    mc_repeats: int = 8,
):
    """The :math:`n\\to\\infty` limit of every moment of ``prog``, by the Master Theorem.

    What is computed is the Z-recursion's value. It is the limit whenever the program meets
    the theorem's conditions (pseudo-Lipschitz Nonlins,
    :meth:`~widthlimits.tp.description.Description.nonlin`); for other functions, such as a step,
    the engine computes the same recursion, and its accuracy below is a statement about the
    integrals, not about the theorem.

    Accuracy contract:

    * A program that is linear throughout (MatMul and ``linear`` only, such as the
      random-matrix programs) is exact: every :math:`Z` is a linear form in jointly Gaussian
      variables and every expectation is a closed-form covariance.
    * Where every expectation the Z-recursion needs is a Gaussian integral over a span of
      dimension at most 3, it is computed by spherical-radial quadrature split at the zeros
      of the linear forms involved (:func:`widthlimits.gaussian.spherical_integral`). The error
      reported is an upper bound in practice: ``SAFETY`` (4) times the larger difference of the
      fine rule from a coarse rule and from a shifted rule (nodes on panels moved by half a
      panel), plus any radial tail left out and a rounding allowance; it is tested to cover the
      true error on a family of kinked, fast-growing and smooth integrands. An error of at most
      ``EXACT`` (1e-9) relative to :math:`\\max(1, |value|)` is reported as 0.0, which therefore
      means exact to 1e-9. Smooth integrands and kinks on the forms are in fact good to about
      1e-12 in dimension 1 and 2 and about 1e-10 in dimension 3; a kink away from the forms,
      such as ``abs(x - 1.5)``, gets a nonzero error. Integrands that grow fast
      (:math:`e^{7z}`) get the radial tail beyond 9 standard deviations added. An integral that
      is infinite or out of reach raises ``ValueError``: :math:`\\mathbb E e^{Z^2/2}`, or a
      non-integrable singularity at the origin or on a form's zero set such as
      :math:`\\mathbb E 1/|Z|`.
    * A Nonlin that is linear in its arguments (``lambda a, b: (a + b) / np.sqrt(2)``, or
      ``s * a`` for a moment ``s``) is recognized
      (:func:`~widthlimits.tp.engine.linear_coefficients`) and kept a linear form, so it adds
      no dimension to any integral.
    * Larger integrals use randomized quasi-Monte Carlo (scrambled Sobol points): the whole
      recursion is repeated ``mc_repeats`` times with independent scramblings and
      ``mc_samples`` points per integral, and the value is the mean of the repeats with its
      standard error (so 4 standard errors cover the truth, up to the small bias of
      plugging estimated covariances into later integrals, of order 1 / ``mc_samples``). The
      integrand's radial tail is probed first (:func:`widthlimits.gaussian.check_tail`), so an
      infinite integral raises instead of returning a sample mean.

    Parameters
    ----------
    prog : Program
        The program.
    return_error : bool
        Return ``{name: (value, standard_error)}`` instead of ``{name: value}``.
    rng : numpy.random.Generator, optional
        Draws the Sobol scramblings; only used when some integral has dimension above 3.
        Defaults to ``numpy.random.default_rng(0)``, so a call is reproducible.
    mc_samples, mc_repeats : int
        Quasi-Monte Carlo points per integral (rounded up to a power of 2; at least 100, and
        refused before allocation when they would not fit in memory) and repeats (at least 2).

    Returns
    -------
    dict
        ``{moment name: value}``, or ``{moment name: (value, standard_error)}``.

    Raises
    ------
    TypeError, ValueError
        For bad arguments, or if a function returns NaN, infinity or the wrong shape on the
        Gaussian nodes, or an integral is infinite.

    Examples
    --------
    >>> from widthlimits.tp import Program
    >>> p = Program(); A = p.matrix("A"); v = p.vector("v")
    >>> m = p.moment("m", lambda a, b: a * b, v, A.T @ (A @ v))   # (1/n) |Av|^2 -> 1
    >>> master_limit(p)
    {'m': 1.0}
    """
    if not isinstance(prog, Description):
        raise TypeError(f"master_limit needs a Program, got {type(prog).__name__}")
    return_error = check_bool("return_error", return_error)
    rng = np.random.default_rng(0) if rng is None else check_rng(rng)
    mc_samples = check_int("mc_samples", mc_samples, 100)
    mc_repeats = check_int("mc_repeats", mc_repeats, 2)
    points = 2 ** math.ceil(math.log2(mc_samples))
    size = len(prog.instructions) + 1
    check_memory(
        f"Monte Carlo integrals with mc_samples = {mc_samples:,} ({points:,} points)",
        8.0 * points * 3 * size,
    )
    with one_blas_thread():
        return _limit(prog, return_error, rng, mc_samples, mc_repeats)


def _limit(prog, return_error, rng, mc_samples, mc_repeats):
    eng = Engine(prog, rng, mc_samples)
    eng.run()
    idx = [i for i, nd in enumerate(prog.instructions) if nd.kind == "moment"]
    names = [prog.instructions[i].name for i in idx]
    if not eng.used_mc:
        vals = {nm: (eng.moments[i], eng.err[i]) for nm, i in zip(names, idx, strict=True)}
    else:
        runs = [[eng.moments[i] for i in idx]]
        for _ in range(mc_repeats - 1):
            e2 = Engine(prog, rng, mc_samples)
            e2.run()
            runs.append([e2.moments[i] for i in idx])
        runs = np.array(runs)
        mean = runs.mean(axis=0)
        se = runs.std(axis=0, ddof=1) / np.sqrt(mc_repeats)
        vals = {
            nm: (float(mean[k]), float(se[k]) + eng.err[i])
            for k, (nm, i) in enumerate(zip(names, idx, strict=True))
        }
    if return_error:
        return vals
    return {k: v for k, (v, _) in vals.items()}


def zdot_coefficients(prog: Description) -> dict[str, dict[str, float]]:
    r"""The :math:`\dot Z` of every MatMul, as ``{vector: {earlier vector y: coefficient}}``.

    ``zdot_coefficients(p)["h"] == {"y": c}`` means :math:`\dot Z^{h} = c\, Z^{y}`. MatMuls with
    :math:`\dot Z = 0` are left out.

    Examples
    --------
    >>> from widthlimits.tp import Program
    >>> p = Program(); A = p.matrix("A", std=2.0); v = p.vector("v")
    >>> g = p.matmul(A.T, A @ v, name="g")
    >>> zdot_coefficients(p)      # Z^g = Zhat^g + std^2 Z^v
    {'g': {'v': 4.0}}
    """
    if not isinstance(prog, Description):
        raise TypeError(f"zdot_coefficients needs a Program, got {type(prog).__name__}")
    with one_blas_thread():
        eng = Engine(prog, np.random.default_rng(0), 50000)
        eng.run()
    out = {}
    for i, terms in eng.dot.items():
        if terms:
            d: dict[str, float] = {}
            for c, j in terms:
                name = prog.instructions[j].name
                d[name] = d.get(name, 0.0) + float(c)
            out[prog.instructions[i].name] = d
    return out
