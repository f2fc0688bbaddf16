"""The engine of the Master Theorem: the Z-recursion that gives a tensor program's limit.

Every vector :math:`x` of a program gets a random variable :math:`Z^x` :cite:p:`yang2020tp3`:

* an initial vector's :math:`Z` is Gaussian with the given covariance;
* for a MatMul, :math:`Z^{Ax} = \\hat Z^{Ax} + \\dot Z^{Ax}`. The :math:`\\hat Z^{Ax}` over all
  :math:`x` multiplied by :math:`A` are jointly Gaussian with
  :math:`\\mathrm{Cov}(\\hat Z^{Ax}, \\hat Z^{Ay}) = \\sigma_A^2\\,\\mathbb E[Z^x Z^y]`; the
  :math:`\\hat Z`'s of :math:`A^\\top` form a separate family, and families of different matrices
  (and the initial vectors) are independent. For a matrix of shape :math:`(r, c)` (an
  :math:`rn\\times cn` matrix with entries of variance :math:`\\sigma_A^2/(cn)`), the family of
  :math:`A^\\top` carries the ratio: :math:`\\mathrm{Cov}(\\hat Z^{A^\\top u}, \\hat Z^{A^\\top w})
  = \\sigma_A^2 \\tfrac rc\\,\\mathbb E[Z^u Z^w]`, because :math:`A^\\top u` sums :math:`rn` terms;
* :math:`\\dot Z^{Ax} = \\sigma_A^2 \\sum_y Z^y\\, \\mathbb E[\\partial Z^x / \\partial
  \\hat Z^{A^\\top y}]`, summed over the vectors :math:`y` already multiplied by :math:`A^\\top`
  (and symmetrically for :math:`A^\\top x`); it vanishes when :math:`A^\\top` is never used, and
  also when :math:`x` does not depend on those :math:`\\hat Z`'s or the expected derivatives are 0.
  The factor of :math:`A^\\top`'s :math:`\\dot Z` is likewise :math:`\\sigma_A^2 r/c`.
  This :math:`\\dot Z` is the one of the NETSOR-transpose Master Theorem of Tensor Programs III
  :cite:p:`yang2020tp3`, restated in Tensor Programs IIb :cite:p:`yang2021tp2b`; Tensor Programs II
  :cite:p:`yang2020tp2` has no :math:`\\dot Z` and proves its theorem for "BP-like" programs,
  where gradient independence holds. The factor :math:`\\sigma_A^2` is there because the entries
  of :math:`A` have variance :math:`\\sigma_A^2/n`;
* Nonlin applies its function to the :math:`Z`'s, and a Moment converges to
  :math:`\\mathbb E f(Z^{x^1}, \\dots)`.

The derivative in :math:`\\dot Z` is never asked of the user. By Gaussian integration by parts
(Stein's lemma), for the family :math:`\\hat Z_T` of :math:`A^\\top` with covariance
:math:`\\Sigma_T`, :math:`\\mathbb E[\\hat Z_T\\,Z^x] = \\Sigma_T\\,\\mathbb E[\\nabla_T Z^x]`, so
:math:`\\mathbb E\\nabla_T Z^x = \\Sigma_T^{+}\\,\\mathbb E[\\hat Z_T Z^x]` (the pseudo-inverse is
exact: a null direction of :math:`\\Sigma_T` is a vanishing combination of the :math:`Z^y`).
Where :math:`Z^x` is linear in the Gaussians the derivative is read off its coefficients.

Every :math:`Z` is a function of finitely many *linear forms* in the jointly Gaussian
:math:`\\hat Z`'s. An expectation is integrated over the span of the forms it depends on: by
quadrature (:func:`widthlimits.gaussian.spherical_integral`) when that span has dimension at
most 3, and by Monte Carlo otherwise.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri
from scipy.stats import qmc

from .._checks import check_int, check_rng
from ..gaussian import EXACT, MAX_QUADRATURE_DIM, check_tail, spherical_integral
from .description import Description
from .instructions import check_output
from .variables import Moment

__all__ = ["Engine"]

_EXACT = EXACT  # an error estimate at most this (relative to max(1, |value|)) is reported as 0.0


_LINEAR_PROBE = np.random.default_rng(20260).standard_normal((8, 24)) * np.tile(
    [1e-3, 1.0, 30.0, 1e3], 6
)


def linear_coefficients(fn, nargs: int, params) -> np.ndarray | None:
    """The coefficients :math:`c` when ``fn(x_1, .., x_k, *params)`` is :math:`\\sum_j c_j x_j`,
    else None.

    ``fn`` is evaluated at 24 fixed points of both signs and of magnitudes from 1e-3 to 1e3 in
    every argument, and at 0; it is taken as linear when it vanishes at 0 and a least-squares
    fit reproduces it at every point to 1e-12 of its size. A function linear at all those points
    but not elsewhere would fool it; the functions of networks are not of that kind.

    Examples
    --------
    >>> linear_coefficients(lambda a, b: (a + b) / np.sqrt(2), 2, []).round(12).tolist()
    [0.707106781187, 0.707106781187]
    >>> linear_coefficients(lambda a, s: s * a, 1, [3.0]).round(12).tolist()
    [3.0]
    >>> linear_coefficients(np.tanh, 1, []) is None, linear_coefficients(np.abs, 1, []) is None
    (True, True)
    """
    if nargs > _LINEAR_PROBE.shape[0]:
        return None
    pts = np.concatenate([_LINEAR_PROBE[:nargs], np.zeros((nargs, 1))], axis=1)
    try:
        with np.errstate(all="ignore"):
            y = np.asarray(fn(*pts, *params), dtype=float)
    except Exception:  # noqa: BLE001 - not linear at the probe; the run will report real errors
        return None
    if y.shape != (pts.shape[1],) or not np.all(np.isfinite(y)):
        return None
    c = np.linalg.lstsq(pts.T, y, rcond=None)[0]
    scale = np.abs(pts).T @ np.abs(c) + np.abs(y)
    if np.all(np.abs(pts.T @ c - y) <= 1e-12 * scale) and y[-1] == 0:
        return c
    return None


class Engine:
    """One run of the Z-recursion over a program's instructions (``run()``), recording each
    moment's limit in ``moments`` and its error estimate in ``err`` (both by instruction index),
    and each MatMul's :math:`\\dot Z` in ``dot``.

    Examples
    --------
    >>> from widthlimits.tp import Program
    >>> p = Program(); v = p.vector("v", var=2.0); m = p.moment("m", lambda a: a * a, v)
    >>> eng = Engine(p, np.random.default_rng(0), 50000); eng.run(); eng.moments
    {1: 2.0}
    """

    def __init__(self, prog: Description, rng: np.random.Generator, mc_samples: int):
        if not isinstance(prog, Description):
            raise TypeError(f"Engine needs a Program, got {type(prog).__name__}")
        check_rng(rng)
        check_int("mc_samples", mc_samples, 100)
        self.p = prog
        self.nodes = prog.instructions
        self.rng = rng
        self.mc = mc_samples
        nb = sum(nd.kind in ("init", "matmul") for nd in self.nodes)
        self.sigma = np.zeros((nb, nb))
        self.nb = 0
        self.lin: dict[int, np.ndarray | None] = {}
        self.front: dict[int, tuple] = {}  # node -> keys of the linear forms it depends on
        self.form: dict = {}  # key -> coefficient vector over the base Gaussians
        self.zhat: dict[int, int] = {}  # matmul node -> its base Gaussian
        self.dot: dict[int, list[tuple[float, int]]] = {}
        self.family: dict[tuple[int, bool], list[tuple[int, int]]] = {}  # (A, T) -> (node, base)
        self.groups: dict[int, int] = {}  # init group -> first base index
        self.moments: dict[int, float] = {}
        self.err: dict[int, float] = {}  # node -> quadrature error estimate upstream
        self.used_mc = False
        self.means: dict[int, float] = {}
        self._sobol: dict[int, np.ndarray] = {}

    # -- Gaussian integrals over linear forms ----------------------------------------------
    def _new_base(self) -> int:
        self.nb += 1
        return self.nb - 1

    def _frontier(self, keys):
        keys = list(dict.fromkeys(keys))
        mat = np.array([self.form[k] for k in keys])
        cols = np.flatnonzero(np.any(mat != 0, axis=0))
        mat = mat[:, cols]
        return keys, mat @ self.sigma[np.ix_(cols, cols)] @ mat.T

    def expect(self, integrand, nodes, extra=()):
        """E[integrand(values)] where values maps node ids / keys to their Z; (value, err)."""
        keys = [k for i in nodes for k in self.front[i]] + list(extra)
        keys, cov = self._frontier(keys)
        lam, vec = np.linalg.eigh(cov)
        tol = 1e-12 * max(1.0, float(np.abs(lam).max(initial=0.0)))
        keep = lam > tol
        root = vec[:, keep] * np.sqrt(lam[keep])  # forms in xi coordinates
        d = root.shape[1]
        up = max([self.err.get(i, 0.0) for i in nodes], default=0.0)
        if d <= MAX_QUADRATURE_DIM:
            v, e = spherical_integral(
                lambda xi: self._run(integrand, nodes, keys, root @ xi), d, root
            )
            return v, (0.0 if e <= _EXACT * max(1.0, abs(v)) else e) + up
        self.used_mc = True
        # an infinite integral (a tail growing like exp(|z|^2/2)) is refused, not averaged
        check_tail(lambda xi: self._run(integrand, nodes, keys, root @ xi), d, root)
        return float(np.mean(self._run(integrand, nodes, keys, root @ self._points(d)))), up

    def _points(self, d: int) -> np.ndarray:
        """Randomized quasi-Monte Carlo points for a d-dimensional integral: a scrambled Sobol
        set (its scrambling drawn from rng) mapped to Gaussians, one set per dimension and run
        of the recursion. The integrals of one run share it, and each repeat of the recursion
        draws an independent scrambling, so the spread of the repeats is the error of the whole
        run (which is how master_limit uses it)."""
        if d not in self._sobol:
            sobol = qmc.Sobol(d, scramble=True, seed=self.rng)
            u = sobol.random_base2(int(np.ceil(np.log2(self.mc))))
            self._sobol[d] = ndtri(np.clip(u, 1e-16, 1 - 1e-16)).T
        return self._sobol[d]

    def _run(self, integrand, nodes, keys, z):
        memo = dict(zip(keys, z, strict=True))
        self._shape = (z.shape[1],)
        out = integrand(memo, lambda i: self._eval(i, memo))
        return check_output(out, (z.shape[1],), "an expectation")

    def _eval(self, i: int, memo: dict):
        if i in memo:
            return memo[i]
        nd = self.nodes[i]
        if nd.kind == "matmul":  # a nonlinear matmul: Zhat plus Zdot
            y = memo[("zhat", i)] + sum(c * self._eval(j, memo) for c, j in self.dot[i])
        elif nd.kind == "linear":
            y = sum(c * self._eval(j, memo) for c, j in zip(self._coeffs(nd), nd.args, strict=True))
        else:
            ps = [self.moments[q.index] if isinstance(q, Moment) else q for q in nd.params]
            with np.errstate(all="ignore"):
                y = nd.fn(*[self._eval(j, memo) for j in nd.args], *ps)
            y = check_output(y, self._shape, f"{nd.kind} {nd.name!r}")
        memo[i] = y
        return y

    def second_moment(self, i: int, j: int) -> tuple[float, float]:
        """E[Z^i Z^j], exactly when both are linear, and as E Z^i E Z^j when independent."""
        if self.lin[i] is not None and self.lin[j] is not None:
            return float(self.lin[i] @ self.sigma @ self.lin[j]), 0.0
        if self._independent(self.front[i], self.front[j]):
            (mi, ei), (mj, ej) = self.mean(i), self.mean(j)
            return mi * mj, ei + ej
        return self.expect(lambda m, ev: ev(i) * ev(j), [i, j])

    def mean(self, i: int) -> tuple[float, float]:
        if self.lin[i] is not None:
            return 0.0, 0.0
        if i not in self.means:
            self.means[i] = self.expect(lambda m, ev: ev(i), [i])
        return self.means[i]

    def _independent(self, ka, kb) -> bool:
        a = np.array([self.form[k] for k in ka])
        b = np.array([self.form[k] for k in kb])
        return not np.any(a @ self.sigma @ b.T)

    # -- the Z-recursion -------------------------------------------------------------------
    def _vec(self, b: int) -> np.ndarray:
        e = np.zeros(self.sigma.shape[0])
        e[b] = 1.0
        return e

    def run(self) -> None:
        for i, nd in enumerate(self.nodes):
            getattr(self, "_" + nd.kind)(i, nd)

    def _linear_node(self, i, vec):
        self.lin[i] = vec
        self.form[i] = vec
        self.front[i] = (i,)

    def _init(self, i, nd):
        if nd.group not in self.groups:
            cov = self.p.covariances[nd.group]
            start = self.nb
            for _ in range(cov.shape[0]):
                self._new_base()
            self.sigma[start : self.nb, start : self.nb] = cov
            self.groups[nd.group] = start
        self._linear_node(i, self._vec(self.groups[nd.group] + nd.pos))

    def _matmul(self, i, nd):
        x = nd.args[0]
        mat = self.p.matrices[nd.matrix]
        # the family's variance factor, which is also its Zdot factor: std^2 for A x, and
        # std^2 r/c for A^T y (A^T y sums r n entries of variance std^2 / (c n))
        std2 = mat.std**2 * (mat.ratio if nd.transposed else 1.0)
        b = self._new_base()
        fam = self.family.setdefault((nd.matrix, nd.transposed), [])
        errs = [self.err.get(x, 0.0)]
        for j, bj in [*fam, (i, b)]:  # covariance of the new Zhat with its family
            y = x if j == i else self.nodes[j].args[0]
            c, e = self.second_moment(x, y)
            self.sigma[b, bj] = self.sigma[bj, b] = std2 * c
            errs.append(std2 * e)
        fam.append((i, b))
        # Zdot: derivative of Z^x with respect to the other family (the transpose's Zhats)
        other = self.family.get((nd.matrix, not nd.transposed), [])
        dot = []
        if other and std2 > 0:
            bs = [bj for _, bj in other]
            exact = True
            if self.lin[x] is not None:
                grad = self.lin[x][bs]
            else:
                s = np.zeros(len(bs))
                for k, (j, bj) in enumerate(other):
                    key = ("zhat", j) if self.lin[j] is None else ("base", bj)
                    self.form.setdefault(key, self._vec(bj))
                    if self._independent(self.front[x], [key]):
                        continue
                    mc = self.used_mc
                    self.used_mc = False
                    s[k], e = self.expect(lambda m, ev, key=key: m[key] * ev(x), [x], [key])
                    exact = exact and not self.used_mc
                    self.used_mc = self.used_mc or mc
                    errs.append(e)
                grad = np.linalg.pinv(self.sigma[np.ix_(bs, bs)], rcond=1e-10, hermitian=True) @ s
            # a coefficient that quadrature finds at rounding level is an exact zero: dropping it
            # keeps Z^{Ax} linear (e.g. backpropagation with a fresh readout)
            scale = 1e-11 * max(1.0, np.sqrt(self.sigma[b, b]))
            dot = [
                (std2 * g, self.nodes[j].args[0])
                for g, (j, bj) in zip(grad, other, strict=True)
                if g != 0 and not (exact and abs(g) * np.sqrt(std2 * self.sigma[bj, bj]) < scale)
            ]
        self.dot[i] = dot
        self.err[i] = max(errs)
        if all(self.lin[y] is not None for _, y in dot):
            self._linear_node(
                i,
                self._vec(b)
                + sum((c * self.lin[y] for c, y in dot), np.zeros(self.sigma.shape[0])),
            )
        else:
            self.lin[i] = None
            self.form[("zhat", i)] = self._vec(b)
            self.front[i] = tuple(
                dict.fromkeys([("zhat", i)] + [k for _, y in dot for k in self.front[y]])
            )

    def _coeffs(self, nd) -> list[float]:
        return [self.moments[c.index] if isinstance(c, Moment) else c for c in nd.coeffs]

    def _linear(self, i, nd):
        self.err[i] = max(
            [self.err.get(j, 0.0) for j in nd.args]
            + [self.err.get(c.index, 0.0) for c in nd.coeffs if isinstance(c, Moment)]
        )
        if all(self.lin[j] is not None for j in nd.args):
            self._linear_node(
                i, sum(c * self.lin[j] for c, j in zip(self._coeffs(nd), nd.args, strict=True))
            )
        else:
            self.lin[i] = None
            self.front[i] = tuple(dict.fromkeys(k for j in nd.args for k in self.front[j]))

    def _nonlin(self, i, nd):
        self.err[i] = max(
            [self.err.get(j, 0.0) for j in nd.args]
            + [self.err.get(q.index, 0.0) for q in nd.params if isinstance(q, Moment)]
        )
        coeffs = None
        if nd.kind == "nonlin" and all(self.lin[j] is not None for j in nd.args):
            ps = [self.moments[q.index] if isinstance(q, Moment) else q for q in nd.params]
            coeffs = linear_coefficients(nd.fn, len(nd.args), ps)
        if coeffs is not None:  # a linear Nonlin of linear forms stays a linear form
            self._linear_node(i, sum(c * self.lin[j] for c, j in zip(coeffs, nd.args, strict=True)))
            return
        self.lin[i] = None
        self.front[i] = tuple(dict.fromkeys(k for j in nd.args for k in self.front[j]))

    def _moment(self, i, nd):
        self._nonlin(i, nd)
        v, e = self.expect(lambda m, ev: ev(i), [i])
        self.moments[i] = v
        self.err[i] = max(e, self.err[i])
