r"""abc-parametrizations of an MLP: the exponents :math:`(a, b, c)`, their symmetry and ``r``.

An MLP with :math:`L` hidden layers of width :math:`n` has :math:`L + 1` weight matrices
:math:`W^1 \in \mathbb{R}^{n \times d}`, :math:`W^2, \dots, W^L \in \mathbb{R}^{n \times n}` and the
readout :math:`W^{L+1} \in \mathbb{R}^{1 \times n}`. An **abc-parametrization** (Tensor Programs IV,
Yang and Hu 2021, Section 3) fixes how they scale with :math:`n`:

.. math::

    W^l = n^{-a_l} w^l, \qquad w^l_{\alpha\beta} \sim \mathcal{N}(0, n^{-2 b_l}), \qquad
    \text{SGD learning rate } \eta\, n^{-c}.

Only :math:`w^l` is trained. The map :math:`(a, b, c) \mapsto (a + \theta, b - \theta,
c - 2\theta)` leaves the function and its whole SGD trajectory unchanged, so only :math:`a_l + b_l`
(the size of :math:`W^l` at initialization) and :math:`2 a_l + c` (the size of its update) matter.
Setting :math:`\theta_l = -a_l` layer by layer (a per-layer shift, which keeps :math:`a_l + b_l`
and :math:`2 a_l + c_l` if each layer gets its own learning-rate exponent :math:`c_l`) gives the
**"a absorbed into c"** convention of the talk: the trained parameter *is* :math:`W^l`, with
initialization variance :math:`n^{-2(a_l + b_l)}` and its own learning rate
:math:`\eta\, n^{-(2 a_l + c)}`.

The two tables of scalings side by side (:math:`L \ge 2`; "fan-in" is :math:`d` for the input
layer and :math:`n` otherwise; constants omitted):

=========================  ======================  =======================  ====================
layer                      TP4 (a, b), c = 0       absorbed: init var       absorbed: SGD lr
=========================  ======================  =======================  ====================
input :math:`W^1`          :math:`(-1/2, 1/2)`     :math:`1/d`              :math:`\eta\, n`
hidden :math:`W^l`         :math:`(0, 1/2)`        :math:`1/n`              :math:`\eta`
readout :math:`W^{L+1}`    :math:`(1/2, 1/2)`      :math:`1/n^2`            :math:`\eta / n`
=========================  ======================  =======================  ====================

With Adam, whose update has entries of size :math:`\eta` whatever the gradient's size, µP's
learning rates on :math:`W^l` are :math:`\eta` (input), :math:`\eta/n` (hidden) and
:math:`\eta/n` (readout) (Yang et al. 2021, Tensor Programs V, Table 3): still one rate per
layer, but not SGD's.

microsoft's ``mup`` package implements a third, equivalent table (TP5's formulation "for easier
implementation", its Table 8), in which the readout is *not* absorbed: ``MuReadout`` keeps the
multiplier ``1 / width_mult`` in its forward pass, ``set_base_shapes`` rescales its freshly
initialized weights by ``width_mult ** 0.5`` (so their variance no longer shrinks with the width),
``MuSGD`` multiplies the learning rate of every vector-like parameter (input weights, hidden
biases, readout weights: one dimension grows with the width) by ``width_mult`` and divides that
of hidden matrices by the ratio of their fan-in and fan-out width multipliers (1 for square
ones), and ``MuAdam`` divides the learning rate of hidden (matrix-like) parameters by
``width_mult`` and multiplies their weight decay by it. With :math:`\rho` = ``width_mult``, its
readout is :math:`a_{L+1} = 1`, :math:`b_{L+1} = 0` with its
own SGD rate :math:`\eta\rho`: the same :math:`a + b = 1` and :math:`2a + c_{L+1} = 1` as above.

The exponent that decides everything (TP4, Section 3) is

.. math::

    r = \min(a_{L+1} + b_{L+1},\; 2 a_{L+1} + c) + c - 1
        + \min_{1 \le l \le L} \bigl(2 a_l + \mathbb{1}[l = 1]\bigr).

It is the exponent of the change of the *last* layer's features, :math:`\Delta x^L =
\Theta(n^{-r})`, once the readout has moved, that is from the second SGD step on: the first term
is the size of the backward signal, whose coordinates are those of the readout's entries,
:math:`n^{-(a_{L+1} + b_{L+1})}` at initialization and :math:`n^{-(2 a_{L+1} + c)}` from its first
update, whichever is larger. At the first step only the initial size enters, and an earlier layer
:math:`x^l` sees only the terms :math:`l' \le l` of the minimum: for SP with an order-one learning
rate (:math:`L \ge 2`, :math:`r = -1`) the first step moves :math:`x^1` by :math:`n^{-1/2}` and
:math:`x^L` by :math:`n^{1/2}`.

The named parametrizations (SP, NTK, mean field, µP) and the classification of abc-space are in
:mod:`widthlimits.mup.presets`; the figures of exponents and phase grids in
:mod:`widthlimits.mup.abc_plots`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .._checks import check_real, check_reals

__all__ = ["ABC", "check_abc"]

_EPS = 1e-12


def _fmt(x: float) -> str:
    return str(Fraction(x).limit_denominator(12))


@dataclass(frozen=True, init=False)
class ABC:
    r"""An abc-parametrization of an MLP with ``L = len(a) - 1`` hidden layers, trained by SGD.

    Layer ``l`` (1-based; ``l = L + 1`` is the readout) has :math:`W^l = n^{-a_l} w^l` with
    :math:`w^l_{\alpha\beta} \sim \mathcal{N}(0, n^{-2 b_l})`, and SGD's learning rate is
    :math:`\eta\, n^{-c}` (Tensor Programs IV, Section 3).

    Parameters
    ----------
    a, b : sequence of float
        The exponents of the multipliers and of the initialization, one per weight matrix
        (length ``L + 1`` with ``L >= 1``): lists, tuples or 1-D numpy arrays.
    c : float
        The exponent of the learning rate (a Python or numpy real).

    Raises
    ------
    ValueError
        If ``a`` and ``b`` are empty or of different lengths, if ``L < 1``, or if a value is
        NaN or infinite.
    TypeError
        If ``a`` or ``b`` is not a sequence, or an entry or ``c`` is not a real number.

    Examples
    --------
    >>> p = ABC([-0.5, 0.0, 0.5], [0.5, 0.5, 0.5], 0.0)
    >>> p.L, p.r, p.is_stable, p.is_feature_learning
    (2, 0.0, True, True)
    >>> p.equivalent(ABC([0.0, 0.5, 1.0], [0.0, 0.0, 0.0], -1.0))
    True
    >>> import numpy as np
    >>> ABC(np.array([-0.5, 0.5]), np.full(2, 0.5), np.float64(0))
    ABC(a=[-1/2, 1/2], b=[1/2, 1/2], c=0)

    References
    ----------
    G. Yang and E. J. Hu, *Tensor Programs IV: Feature Learning in Infinite-Width Neural
    Networks*, ICML 2021, Section 3.
    """

    a: tuple[float, ...]
    b: tuple[float, ...]
    c: float

    def __init__(self, a, b, c):
        a = tuple(check_reals("a", a))
        b = tuple(check_reals("b", b))
        c = check_real("c", c)
        if len(a) != len(b):
            raise ValueError(
                f"a and b need one entry per weight matrix, so the same length; got {len(a)} "
                f"and {len(b)}"
            )
        if len(a) < 2:
            raise ValueError(
                f"an MLP needs L >= 1 hidden layers, so a and b of length >= 2; got {len(a)}"
            )
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "c", c)

    def __repr__(self) -> str:
        a = ", ".join(map(_fmt, self.a))
        b = ", ".join(map(_fmt, self.b))
        return f"ABC(a=[{a}], b=[{b}], c={_fmt(self.c)})"

    @property
    def L(self) -> int:
        """The number of hidden layers.

        Examples
        --------
        >>> from widthlimits.mup import mup
        >>> mup(3).L
        3
        """
        return len(self.a) - 1

    @property
    def r(self) -> float:
        r"""The feature-update exponent of TP4 (Section 3).

        .. math::

            r = \min(a_{L+1} + b_{L+1}, 2 a_{L+1} + c) + c - 1
                + \min_{1 \le l \le L} (2 a_l + \mathbb{1}[l = 1]).

        The last layer's features move by :math:`\Theta(n^{-r})` once the readout has moved
        (from the second SGD step on); see the module docstring for the first step and the
        earlier layers.

        Examples
        --------
        >>> from widthlimits.mup import mup, ntk, standard
        >>> standard(2).r, standard(2, lr_exponent=1).r, ntk(2).r, mup(2).r
        (-1.0, 0.5, 0.5, 0.0)
        """
        a, b, c, L = self.a, self.b, self.c, self.L
        readout = min(a[L] + b[L], 2 * a[L] + c)
        layers = min(2 * a[l] + (1.0 if l == 0 else 0.0) for l in range(L))
        return readout + c - 1.0 + layers

    @property
    def is_stable(self) -> bool:
        r"""Whether the network is stable at initialization and during training (TP4, Section 3).

        Stable means: :math:`a_1 + b_1 = 0`, :math:`a_l + b_l = 1/2` for :math:`2 \le l \le L`,
        :math:`a_{L+1} + b_{L+1} \ge 1/2`, :math:`r \ge 0`, :math:`2 a_{L+1} + c \ge 1` and
        :math:`a_{L+1} + b_{L+1} + r \ge 1`.

        Examples
        --------
        >>> from widthlimits.mup import standard
        >>> standard(2).is_stable, standard(2, lr_exponent=1).is_stable
        (False, True)
        """
        a, b, c, L = self.a, self.b, self.c, self.L
        init = abs(a[0] + b[0]) < _EPS and all(abs(a[l] + b[l] - 0.5) < _EPS for l in range(1, L))
        init = init and a[L] + b[L] >= 0.5 - _EPS
        r = self.r
        return bool(
            init and r >= -_EPS and 2 * a[L] + c >= 1 - _EPS and a[L] + b[L] + r >= 1 - _EPS
        )

    @property
    def is_nontrivial(self) -> bool:
        r"""Whether a stable parametrization moves the output by :math:`\Theta(1)` (TP4, Section 3).

        A stable abc-parametrization is nontrivial iff :math:`a_{L+1} + b_{L+1} + r = 1` or
        :math:`2 a_{L+1} + c = 1`. Unstable parametrizations are reported as not nontrivial.

        Examples
        --------
        >>> from widthlimits.mup import mup
        >>> mup(2).is_nontrivial, ABC([0, 0.5, 1.0], [0, 0, 0], 0).is_nontrivial
        (True, False)
        """
        if not self.is_stable:
            return False
        a, b, c, L = self.a, self.b, self.c, self.L
        return bool(abs(a[L] + b[L] + self.r - 1) < _EPS or abs(2 * a[L] + c - 1) < _EPS)

    @property
    def is_feature_learning(self) -> bool:
        r"""Whether a stable parametrization learns features, which holds iff :math:`r = 0`.

        (TP4, Section 3.) Unstable parametrizations are reported as
        ``False``.

        Examples
        --------
        >>> from widthlimits.mup import mup, ntk
        >>> mup(2).is_feature_learning, ntk(2).is_feature_learning
        (True, False)
        """
        return bool(self.is_stable and abs(self.r) < _EPS)

    @property
    def is_kernel_regime(self) -> bool:
        r"""Whether a stable, nontrivial parametrization is in the kernel regime: :math:`r > 0`.

        (TP4, Section 3.) By the Dynamical Dichotomy a stable nontrivial parametrization is
        either feature learning or in the kernel regime, never both.

        Examples
        --------
        >>> from widthlimits.mup import mup, ntk
        >>> ntk(2).is_kernel_regime, mup(2).is_kernel_regime
        (True, False)
        """
        return bool(self.is_stable and self.is_nontrivial and self.r > _EPS)

    def equivalent(self, other: ABC) -> bool:
        r"""Whether ``other`` equals this one under :math:`(a, b, c) \to (a + t, b - t, c - 2t)`.

        Parameters
        ----------
        other : ABC
            Another parametrization with the same number of layers.

        Returns
        -------
        bool
            ``True`` iff a single real ``t`` maps ``self`` to ``other``.

        Raises
        ------
        TypeError
            If ``other`` is not an :class:`ABC`.

        Examples
        --------
        >>> from widthlimits.mup import mup, ntk
        >>> mup(2).equivalent(mup(2).shifted(0.5))
        True
        >>> mup(2).equivalent(ntk(2))
        False
        """
        check_abc("other", other)
        if other.L != self.L:
            return False
        t = other.a[0] - self.a[0]
        return bool(
            all(abs(y - x - t) < _EPS for x, y in zip(self.a, other.a, strict=True))
            and all(abs(y - x + t) < _EPS for x, y in zip(self.b, other.b, strict=True))
            and abs(other.c - self.c + 2 * t) < _EPS
        )

    def shifted(self, t: float) -> ABC:
        r"""Return the equivalent parametrization :math:`(a + t, b - t, c - 2t)`.

        Examples
        --------
        >>> from widthlimits.mup import mup
        >>> mup(1).shifted(0.5)
        ABC(a=[0, 1], b=[0, 0], c=-1)

        Raises
        ------
        TypeError, ValueError
            If ``t`` is not a finite real number, or so large that a shifted exponent is not
            a finite float.
        """
        t = check_real("t", t)
        a, b = [x + t for x in self.a], [x - t for x in self.b]
        c = self.c - 2 * t
        if not all(math.isfinite(v) for v in (*a, *b, c)):
            raise ValueError(
                f"t must be small enough that the shifted exponents are finite, got {t}"
            )
        return ABC(a, b, c)

    def absorbed(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        r"""The "a absorbed into c" form: per-layer init exponents and SGD learning-rate exponents.

        Returns ``(a_l + b_l)_l`` (the trained :math:`W^l` has variance :math:`n^{-2(a_l+b_l)}`)
        and ``(2 a_l + c)_l`` (its learning rate is :math:`\eta\, n^{-(2 a_l + c)}`); both are
        invariant under the symmetry.

        Examples
        --------
        >>> from widthlimits.mup import mup
        >>> mup(2).absorbed()
        ((0.0, 0.5, 1.0), (-1.0, 0.0, 1.0))
        """
        return (
            tuple(x + y for x, y in zip(self.a, self.b, strict=True)),
            tuple(2 * x + self.c for x in self.a),
        )

    def adam_lr_exponents(self) -> tuple[float, ...]:
        r"""Per-layer exponents :math:`e_l` of Adam's learning rates :math:`\eta n^{-e_l}` on W.

        Adam's update has entries of size :math:`\eta` whatever the gradient's size, so to move
        each :math:`W^l` as SGD does under this parametrization its learning rate must equal
        SGD's (:math:`n^{-(2a_l + c)}`) times the size of a gradient entry once the readout has
        moved (from the second step on), :math:`n^{-g}` with
        :math:`g = \min(a_{L+1} + b_{L+1}, 2 a_{L+1} + c)` for :math:`l \le L` (the
        backpropagated signal, whose coordinates have the size of the readout's entries) and
        :math:`g = 0` for the readout (whose gradient is the last activations). At the first step
        the backward signal has the readout's initial size :math:`n^{-(a_{L+1} + b_{L+1})}`; the
        two agree for µP, where both exponents are 1. For µP this gives
        :math:`(0, 1, \dots, 1)`: the Adam table of TP5 (Table 3); for SP it gives 0 for every
        layer.

        Examples
        --------
        >>> from widthlimits.mup import mup, standard
        >>> mup(2).adam_lr_exponents()
        (0.0, 1.0, 1.0)
        >>> standard(2).adam_lr_exponents()
        (0.0, 0.0, 0.0)
        """
        a, b, c, L = self.a, self.b, self.c, self.L
        g = min(a[L] + b[L], 2 * a[L] + c)
        return tuple(2 * a[l] + c + (g if l < L else 0.0) for l in range(L + 1))


def check_abc(name: str, p) -> ABC:
    """Return ``p``, or raise ``TypeError`` unless it is an :class:`ABC`.

    Examples
    --------
    >>> check_abc("p", "mup")
    Traceback (most recent call last):
    ...
    TypeError: p must be an ABC (such as mup.mup(2)), got str 'mup'
    """
    if not isinstance(p, ABC):
        text = repr(p) if len(repr(p)) <= 60 else repr(p)[:57] + "..."
        raise TypeError(
            f"{name} must be an ABC (such as mup.mup(2)), got {type(p).__name__} {text}"
        )
    return p


def check_abcs(name: str, params) -> dict:
    """Return ``params`` if it is a non-empty dict of label -> :class:`ABC`, or raise."""
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be a dict of label -> ABC, got {type(params).__name__}")
    if not params:
        raise ValueError(f"{name} must contain at least one parametrization")
    for label, p in params.items():
        check_abc(f"{name}[{label!r}]", p)
    return params
