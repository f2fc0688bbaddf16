r"""abc-parametrizations of an MLP: scalings with width, their exponent ``r``, and the presets.

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
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "ABC",
    "CLASSES",
    "EXPONENTS",
    "classify",
    "mean_field",
    "mup",
    "ntk",
    "phase_grid",
    "plot_exponents",
    "plot_phase_grid",
    "standard",
]

_EPS = 1e-12


def _as_float_tuple(name: str, xs) -> tuple[float, ...]:
    if isinstance(xs, str) or not isinstance(xs, Sequence):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(xs).__name__}")
    out = []
    for x in xs:
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"{name} must contain real numbers, got {x!r}")
        x = float(x)
        if not math.isfinite(x):
            raise ValueError(f"{name} must contain finite numbers, got {x}")
        out.append(x)
    return tuple(out)


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
        (length ``L + 1`` with ``L >= 1``).
    c : float
        The exponent of the learning rate.

    Raises
    ------
    ValueError
        If ``a`` and ``b`` have different lengths, if ``L < 1``, or if a value is not finite.
    TypeError
        If an entry is not a real number.

    Examples
    --------
    >>> p = ABC([-0.5, 0.0, 0.5], [0.5, 0.5, 0.5], 0.0)
    >>> p.L, p.r, p.is_stable, p.is_feature_learning
    (2, 0.0, True, True)
    >>> p.equivalent(ABC([0.0, 0.5, 1.0], [0.0, 0.0, 0.0], -1.0))
    True

    References
    ----------
    G. Yang and E. J. Hu, *Tensor Programs IV: Feature Learning in Infinite-Width Neural
    Networks*, ICML 2021, Section 3.
    """

    a: tuple[float, ...]
    b: tuple[float, ...]
    c: float

    def __init__(self, a, b, c):
        a = _as_float_tuple("a", a)
        b = _as_float_tuple("b", b)
        (c,) = _as_float_tuple("c", [c]) if isinstance(c, numbers.Real) else (None,)
        if c is None:
            raise TypeError("c must be a single real number (the learning-rate exponent)")
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
        >>> mup(2).equivalent(mup(2).shifted(0.5))
        True
        >>> mup(2).equivalent(ntk(2))
        False
        """
        if not isinstance(other, ABC):
            raise TypeError(f"equivalent() needs an ABC, got {type(other).__name__}")
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
        >>> mup(1).shifted(0.5)
        ABC(a=[0, 1], b=[0, 0], c=-1)
        """
        t = _as_float_tuple("t", [t])[0]
        return ABC([x + t for x in self.a], [x - t for x in self.b], self.c - 2 * t)

    def absorbed(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        r"""The "a absorbed into c" form: per-layer init exponents and SGD learning-rate exponents.

        Returns ``(a_l + b_l)_l`` (the trained :math:`W^l` has variance :math:`n^{-2(a_l+b_l)}`)
        and ``(2 a_l + c)_l`` (its learning rate is :math:`\eta\, n^{-(2 a_l + c)}`); both are
        invariant under the symmetry.

        Examples
        --------
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
        >>> mup(2).adam_lr_exponents()
        (0.0, 1.0, 1.0)
        >>> standard(2).adam_lr_exponents()
        (0.0, 0.0, 0.0)
        """
        a, b, c, L = self.a, self.b, self.c, self.L
        g = min(a[L] + b[L], 2 * a[L] + c)
        return tuple(2 * a[l] + c + (g if l < L else 0.0) for l in range(L + 1))


def _check_L(L) -> int:
    if isinstance(L, bool) or not isinstance(L, numbers.Integral):
        raise TypeError(f"L (the number of hidden layers) must be an integer, got {L!r}")
    if L < 1:
        raise ValueError(f"L (the number of hidden layers) must be at least 1, got {L}")
    return int(L)


def standard(L: int, lr_exponent: float = 0.0) -> ABC:
    r"""The standard parametrization: :math:`a = 0`, :math:`b = (0, 1/2, \dots)`, one learning rate.

    These are the exponents of every fan-in initialization: PyTorch's ``nn.Linear`` default
    (uniform, variance :math:`1/(3\,\text{fan-in})`, nonzero uniform biases) and He's normal
    initialization (variance :math:`2/\text{fan-in}`) alike; the constants are not part of an
    abc-parametrization.

    Parameters
    ----------
    L : int
        Number of hidden layers, at least 1.
    lr_exponent : float
        ``c``: 0 for a learning rate of order 1 (unstable: :math:`r = -1` for :math:`L \ge 2`,
        :math:`r = 0` for :math:`L = 1`), 1 for a learning rate of order :math:`1/n` (the kernel
        regime: :math:`r = 1/2` for :math:`L \ge 2`, :math:`r = 3/2` for :math:`L = 1`).

    Examples
    --------
    >>> standard(1).r, standard(1, lr_exponent=1).r
    (0.0, 1.5)
    """
    L = _check_L(L)
    return ABC([0.0] * (L + 1), [0.0] + [0.5] * L, lr_exponent)


def ntk(L: int) -> ABC:
    r"""The NTK parametrization: :math:`a = (0, 1/2, \dots, 1/2)`, :math:`b = 0`, :math:`c = 0`.

    Examples
    --------
    >>> ntk(2), ntk(2).r
    (ABC(a=[0, 1/2, 1/2], b=[0, 0, 0], c=0), 0.5)
    """
    L = _check_L(L)
    return ABC([0.0] + [0.5] * L, [0.0] * (L + 1), 0.0)


def mean_field(L: int = 1) -> ABC:
    r"""The mean-field parametrization of a one-hidden-layer net: :math:`a = (0, 1)`, :math:`b = 0`,
    :math:`c = -1`.

    Raises
    ------
    ValueError
        If ``L != 1``: mean field is defined here for one hidden layer only.

    Examples
    --------
    >>> mean_field().r, mean_field().is_feature_learning
    (0.0, True)
    """
    L = _check_L(L)
    if L != 1:
        raise ValueError(f"the mean-field parametrization is defined for L = 1 only, got L = {L}")
    return ABC([0.0, 1.0], [0.0, 0.0], -1.0)


def mup(L: int) -> ABC:
    r"""The maximal-update parametrization µP for SGD: :math:`a = (-1/2, 0, \dots, 0, 1/2)`,
    :math:`b = 1/2`, :math:`c = 0` (TP4, Section 5, up to the symmetry).

    Examples
    --------
    >>> mup(2), mup(2).r
    (ABC(a=[-1/2, 0, 1/2], b=[1/2, 1/2, 1/2], c=0), 0.0)
    """
    L = _check_L(L)
    return ABC([-0.5] + [0.0] * (L - 1) + [0.5], [0.5] * (L + 1), 0.0)


#: The classes of :func:`classify`, in the order of their codes 0, 1, 2, 3.
CLASSES: tuple[str, ...] = ("unstable", "stable, trivial", "kernel regime", "feature learning")


def classify(p: ABC) -> int:
    """The class of a parametrization, as a code into :data:`CLASSES`.

    0: unstable; 1: stable but trivial (the output does not move in the limit); 2: stable,
    nontrivial, kernel regime (:math:`r > 0`); 3: stable, nontrivial, feature learning
    (:math:`r = 0`).

    Examples
    --------
    >>> [CLASSES[classify(q)] for q in (standard(2), ntk(2), mup(2))]
    ['unstable', 'kernel regime', 'feature learning']
    """
    if not isinstance(p, ABC):
        raise TypeError(f"classify needs an ABC, got {type(p).__name__}")
    if not p.is_stable:
        return 0
    if not p.is_nontrivial:
        return 1
    return 3 if p.is_feature_learning else 2


def phase_grid(make, xs, ys):
    """Classify the parametrizations ``make(x, y)`` over a grid: a 2-D slice of abc-space.

    Parameters
    ----------
    make : callable
        ``make(x, y)`` returns an :class:`ABC`.
    xs, ys : sequence of float
        The grid's coordinates.

    Returns
    -------
    codes, r : numpy.ndarray
        Arrays of shape ``(len(ys), len(xs))``: the :func:`classify` code and ``r`` of each point.

    Examples
    --------
    >>> codes, r = phase_grid(lambda a, c: ABC([0, a], [0, 0], c), [0.5, 1.0], [-1.0, 0.0])
    >>> codes.tolist()
    [[0, 3], [2, 1]]
    """
    import numpy as np

    xs, ys = list(xs), list(ys)
    if not xs or not ys:
        raise ValueError("phase_grid needs non-empty xs and ys")
    codes = np.zeros((len(ys), len(xs)), dtype=int)
    r = np.zeros((len(ys), len(xs)))
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            p = make(x, y)
            if not isinstance(p, ABC):
                raise TypeError(f"make must return an ABC, got {type(p).__name__}")
            codes[i, j], r[i, j] = classify(p), p.r
    return codes, r


#: The quantities that :func:`plot_exponents` can draw, each the power of :math:`n` in one
#: scaling of every layer:
#:
#: - ``"a"``: the multiplier :math:`n^{-a_l}`;
#: - ``"b"``: the initial standard deviation of the trained :math:`w^l`, :math:`n^{-b_l}`;
#: - ``"init"``: the initial standard deviation of :math:`W^l`, :math:`n^{-(a_l+b_l)}`;
#: - ``"lr"``: the SGD learning rate of :math:`W^l`, :math:`n^{-(2a_l+c)}`.
#:
#: Each value is the title of that panel, in matplotlib's mathtext.
#:
#: :meta hide-value:
EXPONENTS: dict[str, str] = {
    "a": "multiplier $n^{-a_l}$",
    "b": "init. std of $w^l$, $n^{-b_l}$",
    "init": "init. std of $W^l$, $n^{-(a_l+b_l)}$",
    "lr": "SGD learning rate of $W^l$, $n^{-(2a_l+c)}$",
}


def _powers(p: ABC, quantity: str) -> tuple[float, ...]:
    init, lr = p.absorbed()
    values = {"a": p.a, "b": p.b, "init": init, "lr": lr}[quantity]
    return tuple(-x for x in values)


def plot_exponents(params, quantity, *, ax=None):
    r"""Draw, layer by layer, the power of :math:`n` in one scaling of several parametrizations.

    For each layer :math:`l = 1, \dots, L + 1` and each parametrization, a stem of height
    :math:`p` is drawn where the quantity scales like :math:`n^{p}`:

    - ``"a"``: the multiplier :math:`n^{-a_l}` (Tensor Programs IV's table), :math:`p = -a_l`;
    - ``"b"``: the initial standard deviation of the trained :math:`w^l`, :math:`p = -b_l`;
    - ``"init"``: the initial standard deviation of :math:`W^l = n^{-a_l} w^l`, which is that of
      the trained weight in the "a absorbed into c" table, :math:`p = -(a_l + b_l)`;
    - ``"lr"``: the effective SGD learning rate of :math:`W^l`, which is the per-layer learning
      rate of the absorbed table, :math:`p = -(2 a_l + c)`.

    The last two are invariant under the symmetry :math:`(a, b, c) \mapsto (a + \theta,
    b - \theta, c - 2\theta)`; the first two are not.

    Parameters
    ----------
    params : dict of str to ABC
        ``{label: parametrization}``, all with the same number ``L`` of hidden layers.
    quantity : {"a", "b", "init", "lr"}
        Which power to draw (keys of :data:`EXPONENTS`).
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        If ``quantity`` is unknown, ``params`` is empty, or the parametrizations have different
        depths.
    TypeError
        If ``params`` is not a dict of :class:`ABC`.

    Examples
    --------
    >>> ax = plot_exponents({"µP": mup(2), "NTK": ntk(2)}, "lr")
    >>> [round(float(y), 2) for y in ax.lines[0].get_ydata()]
    [1.0, 0.0, -1.0]
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)

    References
    ----------
    G. Yang and E. J. Hu, *Tensor Programs IV*, ICML 2021, Section 3; G. Yang et al., *Tensor
    Programs V*, 2021, Table 3.
    """
    import numpy as np

    from .. import plotting

    if quantity not in EXPONENTS:
        raise ValueError(f"quantity must be one of {sorted(EXPONENTS)}, got {quantity!r}")
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of label -> ABC, got {type(params).__name__}")
    if not params:
        raise ValueError("params must contain at least one parametrization")
    for p in params.values():
        if not isinstance(p, ABC):
            raise TypeError(f"params must map labels to ABC, got {type(p).__name__}")
    depths = {p.L for p in params.values()}
    if len(depths) != 1:
        raise ValueError(f"all parametrizations need the same L, got {sorted(depths)}")
    (L,) = depths
    if ax is None:
        _, ax = plotting.subplots()
    layers = np.arange(L + 1)
    powers = {label: np.array(_powers(p, quantity)) for label, p in params.items()}
    top = max(1.0, max(float(np.abs(y).max()) for y in powers.values())) + 0.35
    k = len(params)
    width = 0.7 / k
    markers = "osD^vP"
    for j, (label, y) in enumerate(powers.items()):
        x = layers + (j - (k - 1) / 2) * width
        color = plotting.COLORS[j % len(plotting.COLORS)]
        ax.vlines(x, 0, y, color=color, lw=2.5)
        ax.plot(x, y, ls="none", marker=markers[j % len(markers)], color=color, label=label)
    ax.axhline(0, color="black", lw=0.8)
    names = ["input\n$W^1$"] + [f"hidden\n$W^{{{l}}}$" for l in range(2, L + 1)]
    ax.set_xticks(layers, names + ["readout\n$W^{L+1}$"])
    ax.set_xlabel("layer")
    ax.set_ylabel("power of $n$")
    ax.set_title(EXPONENTS[quantity], fontsize=10)
    ax.set_ylim(-top, top)
    return ax


def plot_phase_grid(codes, xs, ys, *, named=None, ax=None, xlabel="", ylabel=""):
    """Draw a :func:`phase_grid`: the stable region shaded, nontrivial points marked, named points.

    Parameters
    ----------
    codes : numpy.ndarray
        From :func:`phase_grid`.
    xs, ys : sequence of float
    named : dict, optional
        ``{label: (x, y)}`` points to annotate.
    ax : matplotlib Axes, optional
    xlabel, ylabel : str

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> codes, _ = phase_grid(lambda a, c: ABC([0, a], [0, 0], c), [0.5, 1.0], [-1.0, 0.0])
    >>> ax = plot_phase_grid(codes, [0.5, 1.0], [-1.0, 0.0], named={"MF": (1.0, -1.0)})
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    import numpy as np
    from matplotlib.colors import ListedColormap

    from .. import plotting

    codes = np.asarray(codes)
    if codes.shape != (len(ys), len(xs)):
        raise ValueError(f"codes must have shape ({len(ys)}, {len(xs)}), got {codes.shape}")
    if ax is None:
        _, ax = plotting.subplots()
    stable = (codes >= 1).astype(float)
    ax.pcolormesh(
        xs,
        ys,
        stable,
        shading="nearest",
        cmap=ListedColormap(["#f2f2f2", "#cfe3f3"]),
        vmin=0,
        vmax=1,
    )
    xx, yy = np.meshgrid(xs, ys)
    for code, color, marker, label in (
        (2, plotting.COLORS[0], "s", "kernel regime"),
        (3, plotting.COLORS[1], "D", "feature learning"),
    ):
        mask = codes == code
        ax.scatter(xx[mask], yy[mask], s=14, color=color, marker=marker, label=label, zorder=3)
    for label, (x, y) in (named or {}).items():
        ax.plot(x, y, "o", ms=9, mfc="none", mec="black", zorder=4)
        ax.annotate(label, (x, y), xytext=(6, 6), textcoords="offset points", fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax
