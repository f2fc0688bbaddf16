"""Writing a tensor program, and running it at a finite width ``n``.

A :class:`Program` records the instructions of a NETSOR-transpose+ program in order:

* **initial vectors** (:meth:`Program.vector`, :meth:`Program.vectors`): coordinates iid across
  :math:`\\alpha = 1..n`, jointly Gaussian across vectors;
* **matrices** (:meth:`Program.matrix`): :math:`n \\times n`, entries iid :math:`N(0, \\sigma^2/n)`;
* **MatMul** (:meth:`Program.matmul`, ``A @ x``, ``A.T @ x``);
* **Nonlin** (:meth:`Program.nonlin`, :meth:`Program.linear`): a coordinatewise function of
  vectors, optionally of scalars (earlier moments) too;
* **Moment** (:meth:`Program.moment`): the scalar
  :math:`\\frac1n \\sum_\\alpha f(x_\\alpha, \\dots)`.

:meth:`Program.simulate` samples every matrix and initial vector and runs the instructions;
:meth:`Program.limit` computes the :math:`n \\to \\infty` value of every moment by the Master
Theorem (see ``widthlimits.tp.limit``).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ._threads import one_blas_thread
from .variables import Matrix, Moment, Transpose, Vector

__all__ = ["Program", "check_output"]

_PROBE = np.array([0.3, 0.7, 1.1, 1.9])


@dataclass
class _Node:
    kind: str  # "init", "matmul", "linear", "nonlin", "moment"
    name: str
    args: tuple[int, ...] = ()
    fn: Callable | None = None
    params: tuple = ()  # Moment or float
    coeffs: tuple[float, ...] = ()
    matrix: int = -1
    transposed: bool = False
    group: int = -1  # init: which covariance group
    pos: int = -1  # init: position in the group


class Program:
    r"""A NETSOR-transpose+ tensor program: write it once, run it at width ``n`` or at ``n = oo``.

    Matrices are square (:math:`n \times n`), a simplification of Tensor Programs I, which allows
    :math:`n_1 \times n_2` matrices with proportional widths :cite:p:`yang2019tp1`. Vectors,
    matrices and moments are created by the methods below and belong to this program; passing
    one to another program raises ``ValueError``.

    Examples
    --------
    A one-hidden-layer network and its backward pass, whose gradient moment needs the ``Zdot``
    term of the Master Theorem:

    >>> import numpy as np
    >>> p = Program()
    >>> W = p.matrix("W", std=1.0)
    >>> u, v = p.vectors(["u", "v"], cov=[[1.0, 0.5], [0.5, 1.0]])
    >>> h = W @ u                                   # MatMul
    >>> x = p.nonlin(np.tanh, h, name="x")          # Nonlin
    >>> g = W.T @ x                                 # NETSOR-transpose MatMul: backpropagation
    >>> m = p.moment("m", lambda a, b: a * b, u, g) # (1/n) u . W^T tanh(W u)
    >>> q = p.moment("q", lambda a: a * a, x)       # (1/n) |x|^2
    >>> y = p.nonlin(lambda a, s: a / s, x, params=[q])   # moments feed back as scalars
    >>> r = p.moment("r", lambda a, b: a * b, y, x)
    >>> lim = p.limit()

    By Stein's lemma ``m`` tends to :math:`\mathbb E[(Z^u)^2]\,\mathbb E[\tanh'(Z^h)]`, all of
    it from the ``Zdot`` term, and ``r`` tends to 1:

    >>> from widthlimits.tp import gaussian_expectation
    >>> stein = gaussian_expectation(lambda z: 1 - np.tanh(z) ** 2, [[1.0]])
    >>> round(lim["m"], 10) == round(stein, 10), round(lim["r"], 10)
    (True, 1.0)
    >>> sim = p.simulate(n=2000, rng=np.random.default_rng(0))
    >>> abs(sim["m"] - lim["m"]) < 0.1
    True
    """

    def __init__(self) -> None:
        self._nodes: list[_Node] = []
        self._matrices: list[Matrix] = []
        self._groups: list[np.ndarray] = []
        self._names: set[str] = set()

    # -- construction -----------------------------------------------------------------------
    def _name(self, name: str | None, prefix: str) -> str:
        if name is None:
            k = len(self._nodes)
            name = f"{prefix}{k}"
            while name in self._names:
                k += 1
                name = f"{prefix}{k}"
        if not isinstance(name, str) or not name:
            raise TypeError(f"a name must be a non-empty string, got {name!r}")
        if name in self._names:
            raise ValueError(f"the name {name!r} is already used in this program")
        self._names.add(name)
        return name

    def _vec(self, x, what: str) -> int:
        if not isinstance(x, Vector):
            raise TypeError(f"{what} must be a Vector of this program, got {type(x).__name__}")
        if x.program is not self:
            raise ValueError(f"{what} {x.name!r} belongs to another program")
        return x.index

    def _add(self, node: _Node):
        self._nodes.append(node)
        cls = Moment if node.kind == "moment" else Vector
        return cls(self, node.name, len(self._nodes) - 1)

    def matrix(self, name: str, std: float = 1.0) -> Matrix:
        """Add an :math:`n\\times n` matrix with iid :math:`N(0, \\mathrm{std}^2/n)` entries.

        Examples
        --------
        >>> p = Program(); A = p.matrix("A", std=2.0); A.std, A.T.T is A
        (2.0, True)
        """
        if isinstance(std, bool) or not isinstance(std, numbers.Real):
            raise TypeError(f"std must be a real number, got {type(std).__name__}")
        if not np.isfinite(std) or std < 0:
            raise ValueError(f"std must be a finite number >= 0, got {std}")
        m = Matrix(self, self._name(name, "A"), float(std), len(self._matrices))
        self._matrices.append(m)
        return m

    def vectors(self, names: Sequence[str], cov) -> list[Vector]:
        """Add initial vectors whose coordinates are iid :math:`N(0, \\mathrm{cov})` across
        vectors (independent of all other initial vectors).

        Examples
        --------
        >>> p = Program(); u1, u2 = p.vectors(["u1", "u2"], cov=[[1, .5], [.5, 1]]); u2.name
        'u2'
        """
        if isinstance(names, str) or not isinstance(names, Sequence) or not names:
            raise TypeError("names must be a non-empty list of strings")
        cov = np.asarray(cov, dtype=float)
        k = len(names)
        if cov.shape != (k, k):
            raise ValueError(f"cov must be a {k} x {k} matrix for {k} vectors, got {cov.shape}")
        if not np.all(np.isfinite(cov)) or not np.allclose(cov, cov.T, atol=1e-12):
            raise ValueError("cov must be a finite symmetric matrix")
        lam = np.linalg.eigvalsh(cov)
        if lam.min() < -1e-10 * max(1.0, abs(lam).max()):
            raise ValueError(
                f"cov must be positive semi-definite; its smallest eigenvalue is {lam.min():.3g}"
            )
        g = len(self._groups)
        self._groups.append(cov)
        return [
            self._add(_Node("init", self._name(nm, "u"), group=g, pos=i))
            for i, nm in enumerate(names)
        ]

    def vector(self, name: str, var: float = 1.0) -> Vector:
        """Add one initial vector with iid :math:`N(0, \\mathrm{var})` coordinates.

        Examples
        --------
        >>> p = Program(); v = p.vector("v", var=2.0); v.name
        'v'
        """
        if isinstance(var, bool) or not isinstance(var, numbers.Real):
            raise TypeError(f"var must be a real number, got {type(var).__name__}")
        if var < 0:
            raise ValueError(f"var must be >= 0, got {var}")
        return self.vectors([name], [[float(var)]])[0]

    def matmul(self, A, x: Vector, name: str | None = None) -> Vector:
        """MatMul: the vector ``A @ x`` for a matrix ``A`` of this program or its transpose ``A.T``.

        Examples
        --------
        >>> p = Program(); A = p.matrix("A"); v = p.vector("v")
        >>> p.matmul(A, v).name, (A.T @ v).name
        ('h1', 'h2')
        """
        if not isinstance(A, Matrix | Transpose):
            raise TypeError(
                f"matmul needs a Matrix of this program or its .T, got {type(A).__name__}"
            )
        mat = A.matrix if isinstance(A, Transpose) else A
        if mat.program is not self:
            raise ValueError(f"matrix {mat.name!r} belongs to another program")
        i = self._vec(x, "the vector multiplied")
        return self._add(
            _Node(
                "matmul",
                self._name(name, "h"),
                args=(i,),
                matrix=mat.index,
                transposed=isinstance(A, Transpose),
            )
        )

    def linear(
        self, coeffs: Sequence, vectors: Sequence[Vector], name: str | None = None
    ) -> Vector:
        """A linear combination :math:`\\sum_i c_i x_i`, which the limit tracks exactly.

        It is a Nonlin, but the engine knows it is linear, so programs built from MatMul and
        ``linear`` alone (such as the random-matrix programs) have closed-form limits. (The
        papers make a linear combination of G-vars a G-var with a separate instruction, LinComb
        :cite:p:`yang2019tp1`; for the limits it makes no difference.) A coefficient may be a
        number or an earlier :class:`Moment` (NETSOR-transpose+: the measured value at finite
        width, its limit at infinite width), which keeps, e.g., gradient steps of linear networks
        exact.

        Examples
        --------
        >>> p = Program(); a, b = p.vectors(["a", "b"], cov=[[1, 0], [0, 1]])
        >>> s = p.linear([1.0, -2.0], [a, b]); t = a + b; (s.name, t.name)
        ('x2', 'x3')
        >>> q = p.moment("q", lambda x: x * x, s)        # -> 5
        >>> p.moment("r", lambda x: x * x, p.linear([q], [a])).name, p.limit()["r"]
        ('r', 25.0)
        """
        if len(coeffs) != len(vectors) or not vectors:
            raise ValueError("linear needs as many coefficients as vectors (at least one)")
        cs = self._params(coeffs)
        args = tuple(self._vec(v, "each vector of a linear combination") for v in vectors)
        return self._add(_Node("linear", self._name(name, "x"), args=args, coeffs=tuple(cs)))

    def _params(self, params) -> tuple:
        out = []
        for q in params:
            if isinstance(q, Moment):
                if q.program is not self:
                    raise ValueError(f"moment {q.name!r} belongs to another program")
                out.append(q)
            elif isinstance(q, numbers.Real) and not isinstance(q, bool) and np.isfinite(q):
                out.append(float(q))
            else:
                raise TypeError(
                    f"params and coefficients must be Moments of this program or finite numbers, "
                    f"got {q!r}"
                )
        return tuple(out)

    def _probe(self, fn, nargs: int, nparams: int, what: str) -> None:
        if not callable(fn):
            raise TypeError(f"{what} needs a callable function, got {type(fn).__name__}")
        with np.errstate(all="ignore"):
            out = fn(*([_PROBE + 0.1 * i for i in range(nargs)] + [0.5] * nparams))
        check_output(out, _PROBE.shape, what)

    def nonlin(self, fn: Callable, *vectors: Vector, params=(), name: str | None = None) -> Vector:
        """Nonlin: the vector :math:`y_\\alpha = f(x^1_\\alpha, \\dots, x^k_\\alpha; \\theta)`.

        ``fn`` is a vectorized numpy function taking the ``k`` vectors' coordinates and then the
        scalars ``params`` (earlier moments, or fixed numbers). The Master Theorem of Tensor
        Programs III :cite:p:`yang2020tp3` asks ``fn`` to be pseudo-Lipschitz:
        :math:`|f(x) - f(y)| \\le C |x - y| (1 + |x|^p + |y|^p)`. ReLU and tanh are; a step
        function, such as the derivative of ReLU, is not (it is not continuous), and the engine
        computes its limit all the same: that is the Z-recursion's value, which the theorem as
        stated does not cover. With ``params``, Tensor Programs IV :cite:p:`yang2021tp4` asks
        ``fn`` to be *parameter-controlled* at the parameters' limits (see its definition there).

        Examples
        --------
        >>> p = Program(); v = p.vector("v"); y = p.nonlin(np.tanh, v, name="y"); y.name
        'y'
        """
        if not vectors:
            raise ValueError("nonlin needs at least one vector argument")
        args = tuple(self._vec(v, "each argument of nonlin") for v in vectors)
        params = self._params(params)
        self._probe(fn, len(args), len(params), "nonlin")
        return self._add(_Node("nonlin", self._name(name, "x"), args=args, fn=fn, params=params))

    def moment(self, name: str, fn: Callable, *vectors: Vector, params=()) -> Moment:
        """Moment: the scalar :math:`\\frac1n\\sum_\\alpha f(x^1_\\alpha, \\dots; \\theta)`.

        Examples
        --------
        >>> p = Program(); v = p.vector("v", var=3.0)
        >>> p.moment("m", lambda a: a * a, v).name, p.limit()["m"]
        ('m', 3.0)
        """
        if not isinstance(name, str):
            raise TypeError(f"a moment needs a string name, got {name!r}")
        if not vectors:
            raise TypeError("a moment needs at least one vector argument")
        args = tuple(self._vec(v, "each argument of a moment") for v in vectors)
        params = self._params(params)
        self._probe(fn, len(args), len(params), "moment")
        return self._add(_Node("moment", self._name(name, "m"), args=args, fn=fn, params=params))

    def _index(self, name: str) -> int:
        for i, nd in enumerate(self._nodes):
            if nd.name == name:
                return i
        raise KeyError(f"no vector or moment named {name!r} in this program")

    # -- running it -------------------------------------------------------------------------
    @property
    def moment_names(self) -> list[str]:
        """Names of the program's moments, in order.

        Examples
        --------
        >>> p = Program(); v = p.vector("v"); m = p.moment("m", np.cos, v); p.moment_names
        ['m']
        """
        return [nd.name for nd in self._nodes if nd.kind == "moment"]

    def simulate(self, n: int, rng: np.random.Generator, *, return_vectors: bool = False):
        """Run the program once at width ``n``; return ``{moment name: value}``.

        Every matrix and initial vector is drawn from ``rng``. With ``return_vectors=True``,
        also return ``{vector name: array of length n}``.

        Examples
        --------
        >>> p = Program(); A = p.matrix("A"); v = p.vector("v")
        >>> m = p.moment("m", lambda a: a * a, A @ v)
        >>> out = p.simulate(1000, np.random.default_rng(1)); abs(out["m"] - 1) < 0.2
        True
        """
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        with one_blas_thread():  # matrix-vector products gain nothing from threads
            out, vals = self._run(int(n), rng)
        if return_vectors:
            vecs = {nd.name: v for nd, v in zip(self._nodes, vals, strict=True) if v is not None}
            return out, vecs
        return out

    def _run(self, n: int, rng: np.random.Generator):
        """Sample the matrices and initial vectors at width ``n`` and run every instruction."""
        init = {}
        for g, cov in enumerate(self._groups):
            lam, vec = np.linalg.eigh(cov)
            root = vec * np.sqrt(np.clip(lam, 0, None))
            init[g] = root @ rng.standard_normal((cov.shape[0], n))
        mats: dict[int, np.ndarray] = {}
        vals: list = []
        out: dict[str, float] = {}
        for nd in self._nodes:
            if nd.kind == "init":
                vals.append(init[nd.group][nd.pos])
            elif nd.kind == "matmul":
                if nd.matrix not in mats:
                    std = self._matrices[nd.matrix].std
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

    def limit(
        self,
        return_error: bool = False,
        *,
        rng: np.random.Generator | None = None,
        mc_samples: int = 50000,
        mc_repeats: int = 8,
    ):
        """The :math:`n\\to\\infty` limit of every moment, by the Master Theorem.

        What is computed is the Z-recursion's value. It is the limit whenever the program meets
        the theorem's conditions (pseudo-Lipschitz Nonlins, :meth:`nonlin`); for other functions,
        such as a step, the engine computes the same recursion, and its accuracy below is a
        statement about the integrals, not about the theorem.

        Accuracy contract:

        * A program that is linear throughout (MatMul and :meth:`linear` only, such as the
          random-matrix programs) is exact: every :math:`Z` is a linear form in jointly Gaussian
          variables and every expectation is a closed-form covariance.
        * Where every expectation the Z-recursion needs is a Gaussian integral over a span of
          dimension at most 3, it is computed by spherical-radial quadrature split at the zeros
          of the linear forms involved (``widthlimits.tp.gaussian``). Smooth functions (tanh,
          erf, polynomials) and functions of those forms that are non-smooth only where a form
          vanishes (ReLU, its step derivative, :math:`|x|`) are integrated to about 1e-12 in
          dimension 1 and 2 and to about 1e-10 in dimension 3. The error returned is 0.0 when a
          fine and a coarse rule agree to 1e-9 relative to :math:`\\max(1, |value|)`; otherwise
          their difference, an overestimate of the fine rule's error, is returned (for example
          for a kink away from zero, such as ``abs(x - 1)``).
        * Larger integrals use randomized quasi-Monte Carlo (scrambled Sobol points): the whole
          recursion is repeated ``mc_repeats`` times with independent scramblings and
          ``mc_samples`` points per integral, and the value is the mean of the repeats with its
          standard error (so 4 standard errors cover the truth, up to the small bias of
          plugging estimated covariances into later integrals, of order 1 / ``mc_samples``).

        Parameters
        ----------
        return_error : bool
            Return ``{name: (value, standard_error)}`` instead of ``{name: value}``.
        rng : numpy.random.Generator, optional
            Draws the Sobol scramblings; only used when some integral has dimension above 3.
            Defaults to ``numpy.random.default_rng(0)``, so a call is reproducible.
        mc_samples, mc_repeats : int
            Quasi-Monte Carlo points per integral (rounded up to a power of 2) and repeats.

        Returns
        -------
        dict
            ``{moment name: value}``, or ``{moment name: (value, standard_error)}``.

        Raises
        ------
        ValueError
            If a function returns NaN, infinity or the wrong shape on the Gaussian nodes.

        Examples
        --------
        >>> p = Program(); A = p.matrix("A", std=2.0); v = p.vector("v")
        >>> p.moment("m", lambda a: a * a, A @ v).name
        'm'
        >>> p.limit(return_error=True)
        {'m': (4.0, 0.0)}
        """
        from .limit import master_limit

        return master_limit(
            self, return_error=return_error, rng=rng, mc_samples=mc_samples, mc_repeats=mc_repeats
        )


def check_output(y, shape: tuple[int, ...], what: str) -> np.ndarray:
    """Check that a nonlin or moment function returned a finite array of ``shape``.

    Examples
    --------
    >>> check_output(np.ones(3), (3,), "nonlin").shape
    (3,)
    """
    y = np.asarray(y)
    if y.shape != shape:
        raise ValueError(
            f"the function of {what} must return an array of shape {shape} "
            f"(one value per coordinate), got shape {y.shape}"
        )
    if not np.issubdtype(y.dtype, np.number) and y.dtype != bool:
        raise TypeError(f"the function of {what} must return numbers, got dtype {y.dtype}")
    y = y.astype(float)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"the function of {what} returned NaN or infinity")
    return y
