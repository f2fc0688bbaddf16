"""A tensor program, written once and read two ways: :class:`Program` is the written
:class:`~widthlimits.tp.description.Description` with its two readers as one-line faces,
:meth:`Program.simulate` (finite width, :func:`~widthlimits.tp.simulate.simulate`) and
:meth:`Program.limit` (the Master Theorem, :func:`~widthlimits.tp.limit.master_limit`).
"""

from __future__ import annotations

import numpy as np

from .description import Description
from .limit import master_limit
from .simulate import simulate

__all__ = ["Program"]


class Program(Description):
    r"""A NETSOR-transpose+ tensor program: write it once, run it at width ``n`` or at ``n = oo``.

    Matrices are :math:`rn \times cn` for a ``shape`` :math:`(r, c)` (square by default), and
    vectors have dimensions that are fixed multiples of :math:`n`: the proportional widths of
    Tensor Programs I :cite:p:`yang2019tp1`, with :math:`n \to \infty` at fixed ratios. Vectors,
    matrices and moments are created by the methods below and belong to this program; passing
    one to another program raises ``ValueError``. A method that raises adds nothing.

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
    >>> stein = gaussian_expectation(lambda z: 1 - np.tanh(z) ** 2)
    >>> round(lim["m"], 10) == round(stein, 10), round(lim["r"], 10)
    (True, 1.0)
    >>> sim = p.simulate(n=2000, rng=np.random.default_rng(0))
    >>> abs(sim["m"] - lim["m"]) < 0.1
    True
    """

    # -- the two readers ----------------------------------------------------------------------
    def simulate(self, n: int, rng: np.random.Generator, *, return_vectors: bool = False):
        """Run the program once at width ``n``: :func:`widthlimits.tp.simulate.simulate`.

        Examples
        --------
        >>> p = Program(); A = p.matrix("A"); v = p.vector("v")
        >>> m = p.moment("m", lambda a: a * a, A @ v)
        >>> out = p.simulate(1000, np.random.default_rng(1)); abs(out["m"] - 1) < 0.2
        True
        """
        return simulate(self, n, rng, return_vectors=return_vectors)

    def limit(self, return_error: bool = False, *, rng=None, mc_samples=50000, mc_repeats=8):
        """The :math:`n\\to\\infty` limit of every moment (see
        :func:`widthlimits.tp.limit.master_limit` for the parameters and the accuracy).

        Examples
        --------
        >>> p = Program(); A = p.matrix("A", std=2.0); v = p.vector("v")
        >>> p.moment("m", lambda a: a * a, A @ v).name
        'm'
        >>> p.limit(return_error=True)
        {'m': (4.0, 0.0)}
        """
        return master_limit(self, return_error, rng, mc_samples, mc_repeats)
