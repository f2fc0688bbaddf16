"""Writing a tensor program: the description that its two readers, :mod:`~widthlimits.tp.simulate`
(finite width) and :mod:`~widthlimits.tp.limit` (the Master Theorem), both read; they depend on
it, and :class:`~widthlimits.tp.program.Program` adds their two faces.

A :class:`Description` records the :class:`Instruction` s of a NETSOR-transpose+ program in order,
and shows them as the read-only tuple :attr:`Description.instructions`:

* **initial vectors** (:meth:`Description.vector`, :meth:`Description.vectors`): coordinates
  iid across :math:`\\alpha = 1..dn`, jointly Gaussian across vectors;
* **matrices** (:meth:`Description.matrix`): of shape :math:`rn \\times cn` (``shape=(r, c)``,
  square by default), entries iid :math:`N(0, \\sigma^2/(cn))`;
* **MatMul** (:meth:`Description.matmul`, ``A @ x``, ``A.T @ x``);
* **Nonlin** (:meth:`Description.nonlin`, :meth:`Description.linear`): a coordinatewise function of
  vectors, optionally of scalars (earlier moments) too;
* **Moment** (:meth:`Description.moment`): the scalar
  :math:`\\frac1{dn} \\sum_\\alpha f(x_\\alpha, \\dots)`, averaged over the vectors' own
  dimension.

Every vector lives in a space of dimension :math:`dn`, a fixed multiple ``dim`` :math:`= d` of
the width :math:`n` (Tensor Programs I allows such proportional widths :cite:p:`yang2019tp1`):
an initial vector has the ``dim`` it is given, ``A @ x`` has ``A``'s row dimension and needs
``x`` in its column dimension, and the arguments of a Nonlin, a linear combination or a Moment
share one dimension, which the result has. A mismatch raises ``ValueError``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence

import numpy as np

from .._checks import check_callable, check_real, check_reals, check_symmetric_psd
from .instructions import Instruction, check_output, sequence
from .variables import Matrix, Moment, Transpose, Vector

__all__ = ["Description"]

_PROBE = np.array([0.3, 0.7, 1.1, 1.9])


class Description:
    """The written form of a NETSOR-transpose+ program: its instructions, matrices and initial
    covariances, built by the methods below (which :class:`~widthlimits.tp.program.Program`
    inherits). Vectors, matrices and moments belong to the program that made them; passing one
    to another program raises ``ValueError``. A method that raises adds nothing.

    Examples
    --------
    >>> d = Description(); v = d.vector("v"); [nd.kind for nd in d.instructions]
    ['init']
    """

    def __init__(self) -> None:
        self._instructions: list[Instruction] = []
        self._matrices: list[Matrix] = []
        self._covariances: list[np.ndarray] = []
        self._names: set[str] = set()

    # -- what readers read ------------------------------------------------------------------
    @property
    def instructions(self) -> tuple[Instruction, ...]:
        """The instructions, in order (a read-only tuple)."""
        return tuple(self._instructions)

    @property
    def matrices(self) -> tuple[Matrix, ...]:
        """The matrices, in order of creation (``Instruction.matrix`` indexes them)."""
        return tuple(self._matrices)

    @property
    def covariances(self) -> tuple[np.ndarray, ...]:
        """The covariance of each group of initial vectors (read-only arrays)."""
        return tuple(self._covariances)

    @property
    def moment_names(self) -> list[str]:
        """Names of the program's moments, in order.

        Examples
        --------
        >>> p = Description(); v = p.vector("v"); m = p.moment("m", np.cos, v); p.moment_names
        ['m']
        """
        return [nd.name for nd in self._instructions if nd.kind == "moment"]

    def index(self, name: str) -> int:
        """The position in :attr:`instructions` of the vector or moment called ``name``.

        Examples
        --------
        >>> p = Description(); v = p.vector("v"); p.index("v")
        0
        """
        if not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        for i, nd in enumerate(self._instructions):
            if nd.name == name:
                return i
        raise ValueError(f"no vector or moment named {name!r} in this program")

    # -- construction -----------------------------------------------------------------------
    def _fresh(self, name, prefix: str, taken=()) -> str:
        """A name that is free (``name``, or an automatic one when None); nothing is recorded."""
        if name is None:
            k = len(self._instructions)
            while f"{prefix}{k}" in self._names or f"{prefix}{k}" in taken:
                k += 1
            return f"{prefix}{k}"
        if not isinstance(name, str) or not name:
            raise TypeError(f"a name must be a non-empty string, got {name!r}")
        if name in self._names or name in taken:
            raise ValueError(f"the name {name!r} is already used in this program")
        return name

    def _vec(self, x, what: str) -> int:
        if not isinstance(x, Vector):
            raise TypeError(f"{what} must be a Vector of this program, got {type(x).__name__}")
        if x.program is not self:
            raise ValueError(f"{what} {x.name!r} belongs to another program")
        return x.index

    def _add(self, node: Instruction):
        self._names.add(node.name)
        self._instructions.append(node)
        cls = Moment if node.kind == "moment" else Vector
        return cls(self, node.name, len(self._instructions) - 1)

    def matrix(self, name: str, std: float = 1.0, shape=(1.0, 1.0)) -> Matrix:
        """Add a matrix of ``shape`` :math:`(r, c)`, that is :math:`rn \\times cn` (square by
        default), with iid :math:`N(0, \\mathrm{std}^2/(cn))` entries: ``A @ x`` then has
        coordinates of variance :math:`\\mathrm{std}^2` times the mean square of ``x``.

        Examples
        --------
        >>> p = Description(); A = p.matrix("A", std=2.0); A.std, A.T.T is A
        (2.0, True)
        >>> B = p.matrix("B", shape=(0.5, 2)); B.shape, B.T.shape, B.ratio
        ((0.5, 2.0), (2.0, 0.5), 0.25)
        """
        std = check_real("std", std, 0.0)
        shape = _shape(shape)
        m = Matrix(self, self._fresh(name, "A"), std, len(self._matrices), shape)
        self._names.add(m.name)
        self._matrices.append(m)
        return m

    def vectors(self, names: Sequence[str], cov, dim: float = 1.0) -> list[Vector]:
        """Add initial vectors of dimension ``dim`` (times the width) whose coordinates are iid
        :math:`N(0, \\mathrm{cov})` across vectors (independent of all other initial vectors).
        All or nothing: a bad name, covariance or dimension adds no vector.

        Examples
        --------
        >>> p = Description(); u1, u2 = p.vectors(["u1", "u2"], cov=[[1, .5], [.5, 1]]); u2.name
        'u2'
        """
        if isinstance(names, np.ndarray) and names.ndim == 1:
            names = list(names)
        if isinstance(names, str) or not isinstance(names, (list, tuple)) or not names:
            raise TypeError(f"names must be a non-empty list of strings, got {names!r}")
        cov = check_symmetric_psd("cov", cov)
        dim = _dim("dim", dim)
        k = len(names)
        if cov.shape != (k, k):
            raise ValueError(f"cov must be a {k} x {k} matrix for {k} vectors, got {cov.shape}")
        fresh: list[str] = []
        for nm in names:
            fresh.append(self._fresh(nm, "u", fresh))
        cov = cov.copy()
        cov.setflags(write=False)
        g = len(self._covariances)
        self._covariances.append(cov)
        return [
            self._add(Instruction("init", nm, group=g, pos=i, dim=dim))
            for i, nm in enumerate(fresh)
        ]

    def vector(self, name: str, var: float = 1.0, dim: float = 1.0) -> Vector:
        """Add one initial vector of dimension ``dim`` (times the width) with iid
        :math:`N(0, \\mathrm{var})` coordinates.

        Examples
        --------
        >>> p = Description(); v = p.vector("v", var=2.0, dim=0.5); v.name, v.dim
        ('v', 0.5)
        """
        return self.vectors([name], [[check_real("var", var, 0.0)]], dim=dim)[0]

    def matmul(self, A, x: Vector, name: str | None = None) -> Vector:
        """MatMul: the vector ``A @ x`` for a matrix ``A`` of this program or its transpose ``A.T``.

        Examples
        --------
        >>> p = Description(); A = p.matrix("A"); v = p.vector("v")
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
        rows, cols = A.shape
        if not _same(x.dim, cols):
            what = f"{mat.name}.T" if isinstance(A, Transpose) else mat.name
            raise ValueError(
                f"{what} has shape {A.shape} (times n), so it multiplies vectors of dimension "
                f"{cols:g}; {x.name!r} has dimension {x.dim:g}"
            )
        node = Instruction(
            "matmul",
            self._fresh(name, "h"),
            args=(i,),
            matrix=mat.index,
            transposed=isinstance(A, Transpose),
            dim=rows,
        )
        return self._add(node)

    def _common_dim(self, vectors, what: str) -> float:
        """The one dimension of ``vectors`` (already checked to be this program's), or raise."""
        dims = [v.dim for v in vectors]
        if any(not _same(d, dims[0]) for d in dims):
            listed = ", ".join(f"{v.name!r}: {v.dim:g}" for v in vectors)
            raise ValueError(f"the vectors of {what} must share one dimension, got {listed}")
        return dims[0]

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
        >>> from widthlimits.tp import Program
        >>> p = Program(); a, b = p.vectors(["a", "b"], cov=[[1, 0], [0, 1]])
        >>> s = p.linear([1.0, -2.0], [a, b]); t = a + b; (s.name, t.name)
        ('x2', 'x3')
        >>> q = p.moment("q", lambda x: x * x, s)        # -> 5
        >>> p.moment("r", lambda x: x * x, p.linear([q], [a])).name, p.limit()["r"]
        ('r', 25.0)
        """
        coeffs, vectors = sequence("coeffs", coeffs), sequence("vectors", vectors)
        if len(coeffs) != len(vectors):
            raise ValueError(
                f"linear needs as many coefficients as vectors, got {len(coeffs)} and "
                f"{len(vectors)}"
            )
        cs = self._params(coeffs, "coeffs")
        args = tuple(self._vec(v, "each vector of a linear combination") for v in vectors)
        dim = self._common_dim(vectors, "a linear combination")
        nm = self._fresh(name, "x")
        return self._add(Instruction("linear", nm, args=args, coeffs=cs, dim=dim))

    def _params(self, params, what: str = "params") -> tuple:
        out = []
        for k, q in enumerate(sequence(what, params, empty=True)):
            if isinstance(q, Moment):
                if q.program is not self:
                    raise ValueError(f"moment {q.name!r} belongs to another program")
                out.append(q)
            else:
                out.append(check_real(f"{what}[{k}] (a Moment of this program or a number)", q))
        return tuple(out)

    def _probe(self, fn, nargs: int, params: tuple, what: str) -> None:
        """Check ``fn`` before it is recorded: callable, taking ``nargs`` vectors and the
        params; when every parameter is a number, also its output at the actual parameters."""
        check_callable(f"the function of {what}", fn)
        try:
            inspect.signature(fn).bind(*range(nargs + len(params)))
        except TypeError as err:
            raise TypeError(
                f"the function of {what} must take {nargs} vector(s) and {len(params)} "
                f"parameter(s): {err}"
            ) from None
        except ValueError:  # no signature to read (a numpy ufunc, a builtin)
            pass
        if any(isinstance(q, Moment) for q in params):
            return  # a Moment's value is known only when the program runs
        try:
            with np.errstate(all="ignore"):
                out = fn(*[_PROBE + 0.1 * i for i in range(nargs)], *params)
        except (TypeError, ValueError):
            raise
        except Exception as err:  # noqa: BLE001 - the user's function: say which one failed
            raise ValueError(
                f"the function of {what} failed on a test vector {_PROBE.tolist()}: {err!r}"
            ) from err
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
        >>> p = Description(); v = p.vector("v"); y = p.nonlin(np.tanh, v, name="y"); y.name
        'y'
        """
        if not vectors:
            raise TypeError("nonlin needs at least one vector argument")
        args = tuple(self._vec(v, "each argument of nonlin") for v in vectors)
        dim = self._common_dim(vectors, "a nonlin")
        params = self._params(params)
        nm = self._fresh(name, "x")
        self._probe(fn, len(args), params, "nonlin")
        return self._add(Instruction("nonlin", nm, args=args, fn=fn, params=params, dim=dim))

    def moment(self, name: str, fn: Callable, *vectors: Vector, params=()) -> Moment:
        """Moment: the scalar :math:`\\frac1n\\sum_\\alpha f(x^1_\\alpha, \\dots; \\theta)`.

        Examples
        --------
        >>> from widthlimits.tp import Program
        >>> p = Program(); v = p.vector("v", var=3.0)
        >>> p.moment("m", lambda a: a * a, v).name, p.limit()["m"]
        ('m', 3.0)
        """
        if not isinstance(name, str):
            raise TypeError(f"a moment needs a string name, got {name!r}")
        if not vectors:
            raise TypeError("a moment needs at least one vector argument")
        args = tuple(self._vec(v, "each argument of a moment") for v in vectors)
        self._common_dim(vectors, "a moment")
        params = self._params(params)
        nm = self._fresh(name, "m")
        self._probe(fn, len(args), params, "moment")
        return self._add(Instruction("moment", nm, args=args, fn=fn, params=params))


def _dim(what: str, d) -> float:
    return check_real(what, d, 0.0, low_open=True)


def _shape(shape) -> tuple[float, float]:
    if isinstance(shape, np.ndarray):
        shape = shape.tolist()
    if not isinstance(shape, (list, tuple)) or len(shape) != 2:
        raise TypeError(f"shape must be a pair (rows, cols) of positive numbers, got {shape!r}")
    rows, cols = check_reals("shape", shape, 0.0, low_open=True)
    return rows, cols


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12)
