"""The variables of a tensor program: matrices (A-vars), their transposes, vectors and moments.

They are handles created by the methods of :class:`~widthlimits.tp.program.Program`; each remembers
its program, so that mixing programs is caught. Vectors support ``x + y``, ``x - y``, ``c * x``
and ``x / c``, which become exact linear combinations (:meth:`Program.linear
<widthlimits.tp.description.Description.linear>`).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from .._checks import check_real

__all__ = ["Matrix", "Transpose", "Vector", "Moment"]


@dataclass(frozen=True, eq=False)
class Matrix:
    """A Gaussian matrix of a :class:`Program` (create it with :meth:`Program.matrix`), of
    ``shape`` :math:`(r, c)` in multiples of the width: :math:`rn \\times cn`. ``A @ x``
    multiplies, ``A.T`` is its transpose.

    Examples
    --------
    >>> import numpy as np
    >>> from widthlimits.tp import Program
    >>> p = Program(); A = p.matrix("A"); v = p.vector("v")
    >>> (A @ v).name, A.T.matrix is A
    ('h1', True)
    """

    program: Program  # noqa: F821 - the program that made it (no import: no circle)
    name: str
    std: float
    index: int
    shape: tuple[float, float] = (1.0, 1.0)

    @property
    def T(self) -> Transpose:  # noqa: N802 - the mathematical name
        return Transpose(self)

    @property
    def ratio(self) -> float:
        """Rows over columns, :math:`r/c`: the factor the transpose's covariances carry."""
        return self.shape[0] / self.shape[1]

    def __matmul__(self, x):
        return self.program.matmul(self, x)


@dataclass(frozen=True, eq=False)
class Transpose:
    """The transpose :math:`A^\\top` of a :class:`Matrix`, usable as ``A.T @ x``.

    Examples
    --------
    >>> import numpy as np
    >>> from widthlimits.tp import Program
    >>> p = Program(); A = p.matrix("A"); v = p.vector("v")
    >>> p.moment("m", lambda a, b: a * b, v, A.T @ (A @ v)).name, p.limit()
    ('m', {'m': 1.0})
    """

    matrix: Matrix

    @property
    def T(self) -> Matrix:  # noqa: N802
        return self.matrix

    @property
    def program(self) -> Program:  # noqa: F821
        return self.matrix.program

    @property
    def shape(self) -> tuple[float, float]:
        return self.matrix.shape[::-1]

    def __matmul__(self, x):
        return self.program.matmul(self, x)


@dataclass(frozen=True, eq=False)
class Vector:
    """A vector of a :class:`Program`, of length :math:`dn` for its :attr:`dim` :math:`d`;
    supports ``x + y``, ``x - y``, ``c * x`` (vectors of the same dimension).

    Examples
    --------
    >>> import numpy as np
    >>> from widthlimits.tp import Program
    >>> p = Program(); u, v = p.vectors(["u", "v"], cov=[[1, 0], [0, 1]])
    >>> w = (u + 2 * v) / 2
    >>> p.moment("w2", lambda a: a * a, w).name, p.limit()["w2"]
    ('w2', 1.25)
    """

    program: Program  # noqa: F821 - the program that made it (no import: no circle)
    name: str
    index: int

    @property
    def dim(self) -> float:
        """The vector's dimension as a multiple of the width :math:`n`."""
        return self.program.instructions[self.index].dim

    def _lin(self, other, sign):
        if isinstance(other, Vector):
            return self.program.linear([1.0, sign], [self, other])
        return NotImplemented

    def __add__(self, other):
        return self._lin(other, 1.0)

    def __sub__(self, other):
        return self._lin(other, -1.0)

    def __mul__(self, c):
        if isinstance(c, Moment) or (isinstance(c, numbers.Real) and not isinstance(c, bool)):
            return self.program.linear([c], [self])
        return NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, c):
        if isinstance(c, bool) or not isinstance(c, numbers.Real):
            return NotImplemented  # Python then raises TypeError
        c = check_real("the divisor of a vector", c)
        if c == 0:
            raise ValueError("a vector of a tensor program cannot be divided by 0")
        return self.program.linear([1.0 / float(c)], [self])

    def __neg__(self):
        return self.program.linear([-1.0], [self])


@dataclass(frozen=True, eq=False)
class Moment:
    """A scalar output :math:`\\frac1n\\sum_\\alpha f(\\cdot)` of a :class:`Program`; it can be
    passed as a parameter to a later :meth:`Program.nonlin`.

    Examples
    --------
    >>> import numpy as np
    >>> from widthlimits.tp import Program
    >>> p = Program(); v = p.vector("v", var=4.0)
    >>> q = p.moment("q", lambda a: a * a, v)
    >>> y = p.nonlin(lambda a, s: a / np.sqrt(s), v, params=[q])   # normalized by a moment
    >>> p.moment("y2", lambda a: a * a, y).name, p.limit()["y2"]
    ('y2', 1.0)
    """

    program: Program  # noqa: F821 - the program that made it (no import: no circle)
    name: str
    index: int
