r"""Dual activations: the choice between a closed form and the numerical path.

One layer of the kernel recursion (:mod:`widthlimits.kernels.recursion`) needs, for each pair of
inputs, the two Gaussian expectations

.. math::

    \mathbb{E}[\phi(u)\phi(v)], \qquad \mathbb{E}[\phi'(u)\phi'(v)], \qquad
    (u, v) \sim \mathcal{N}\Bigl(0, \begin{pmatrix} K_{11} & K_{12} \\ K_{12} & K_{22}
    \end{pmatrix}\Bigr),

the *dual activation* of :math:`\phi` and of :math:`\phi'`. :func:`dual_of` returns the object
that computes them, with the interface of :mod:`widthlimits.kernels.duals_base`:

* a closed form, exact to rounding, for the names ``"relu"``, ``"erf"``, ``"gelu"``, ``"sin"``,
  ``"cos"`` and ``"identity"``, and for every nonlinearity object: the relu family
  (:mod:`~widthlimits.kernels.duals_relu`: :class:`~widthlimits.kernels.duals_relu.ABRelu`,
  ``LeakyRelu``, ``Abs``), the arc-cosine family (:mod:`~widthlimits.kernels.duals_arccos`:
  ``RectifiedMonomial``, ``Step``, ``Sign``, ``Monomial``) and the smooth family
  (:mod:`~widthlimits.kernels.duals_smooth`: ``ScaledErf``, ``SigmoidLike``, ``Gelu``, ``Sin``,
  ``Cos``, ``Rbf``, ``Exp``, ``Gaussian``); the formula and its source are in each module;
* the numerical path of :mod:`widthlimits.kernels.quadrature` for the other names (tanh,
  sigmoid, silu, softplus: no closed form is known) and for any vectorized callable.

Sign and step (``RectifiedMonomial(0)``) have an NNGP but no NTK: ``dual_of(..., ntk=True)``
refuses them.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_bool
from ..nonlinearities import canonical, numpy_pair
from .duals_arccos import Monomial, RectifiedMonomial, Sign, Step  # noqa: F401
from .duals_base import ClosedForm
from .duals_relu import ABRelu, Abs, LeakyRelu, Relu  # noqa: F401
from .duals_smooth import Cos, Erf, Exp, Gaussian, Gelu, Rbf, ScaledErf, SigmoidLike, Sin  # noqa: F401
from .quadrature import check_vectorized, numerical_dual

# The nonlinearity objects are re-exported (``from .duals import LeakyRelu``) but documented in
# their own modules.
__all__ = ["dual_of", "Identity"]


def _inverse_sqrt(q):
    """:math:`1/\\sqrt q`, and 0 where ``q`` is 0."""
    return np.divide(1.0, np.sqrt(q), out=np.zeros_like(q), where=q > 0)


class Identity:
    """The linear network: :math:`\\mathbb{E}[uv] = K_{12}` and :math:`\\mathbb{E}[1] = 1`.

    >>> Identity().diag(np.array([3.0]))
    (array([3.]), array([1.]))
    """

    name = "identity"
    has_ntk = True

    def diag(self, q):
        return q.copy(), np.ones_like(q)

    def scales(self, q, w2):
        inv = _inverse_sqrt(q)
        return inv, inv, np.sqrt(q), np.sqrt(q)

    def tile(self, q, theta, ra, rb, sa, sb, w2, b2, buf):
        """Advance the tile (q, theta) by one dense layer, in place."""
        q *= w2
        if b2:
            q += b2
        theta *= w2
        theta += q


_BY_NAME = {
    "relu": Relu,
    "erf": Erf,
    "identity": Identity,
    "gelu": Gelu,
    "sin": Sin,
    "cos": Cos,
}


def dual_of(nonlinearity, ntk: bool = True):
    """The dual activation the recursion uses for ``nonlinearity``: a closed form or quadrature.

    Parameters
    ----------
    nonlinearity : str, nonlinearity object or callable
        A name of :data:`widthlimits.nonlinearities.NAMES` (case-insensitive; ``"linear"`` is
        ``"identity"``), a nonlinearity object of this package (``kernels.LeakyRelu(0.1)``,
        ``kernels.Rbf(2.0)``, ...: see the module docstring), or a vectorized function of a
        numpy array, finite on ``[-3, 3]``.
    ntk : bool, default True
        Whether the NTK is wanted too. Sign and step have no NTK (their derivative is a Dirac
        mass) and are refused when it is.

    Returns
    -------
    object
        The closed form (for the names relu, erf, gelu, sin, cos, identity and every
        nonlinearity object) or the numerical path (the other names and callables).

    Raises
    ------
    TypeError
        If ``nonlinearity`` is neither a string nor a callable, a callable that fails on an
        array, or ``ntk`` is not a bool.
    ValueError
        For an unknown name, a callable that is not vectorized or not finite, or sign / step
        with ``ntk=True``.

    Examples
    --------
    >>> type(dual_of("ReLU")).__name__, type(dual_of("tanh")).__name__
    ('Relu', 'NumericalDual')
    >>> dual_of(LeakyRelu(0.1))
    ABRelu(a=0.1, b=1.0)
    >>> dual_of(Sign())
    Traceback (most recent call last):
    ...
    ValueError: Sign() has an NNGP but no NTK (its derivative is a Dirac mass at 0); ...
    >>> dual_of("swish")
    Traceback (most recent call last):
    ...
    ValueError: nonlinearity must be one of 'relu', 'tanh', 'erf', ..., got 'swish'
    """
    ntk = check_bool("ntk", ntk)
    if isinstance(nonlinearity, str):
        name = canonical(nonlinearity)
        if name in _BY_NAME:
            return _BY_NAME[name]()
        return numerical_dual(*numpy_pair(name), name=name)
    if isinstance(nonlinearity, ClosedForm):
        if ntk and not nonlinearity.has_ntk:
            raise ValueError(
                f"{nonlinearity!r} has an NNGP but no NTK (its derivative is a Dirac mass at 0); "
                "use nngp, or a smooth nonlinearity such as ScaledErf(1, b) with a large b"
            )
        return nonlinearity
    if callable(nonlinearity):
        return numerical_dual(check_vectorized(nonlinearity), name="the callable nonlinearity")
    canonical(nonlinearity)  # raises the TypeError that lists the names
    raise AssertionError("unreachable")  # pragma: no cover
