"""The result of a learning-rate sweep: loss arrays with named axes (:class:`Sweep`).

A sweep's losses live on the grid parametrization x optimizer x width x learning rate x seed.
:class:`Sweep` keeps the arrays together with the names and coordinates of their axes, so that a
reader asks for ``sweep.select(parametrization="mup", optimizer="adam")`` instead of indexing a
5-D array by position, and every analysis (:func:`~widthlimits.mup.optimum.transfer_stats`,
:func:`~widthlimits.mup.transfer_plots.plot_transfer`, ...) can check which axes it was given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .._checks import check_choice

__all__ = ["AXES", "LOSSES", "Sweep"]

#: The axes of a full sweep, in the order of the arrays' dimensions.
AXES: tuple[str, ...] = ("parametrization", "optimizer", "width", "lr", "seed")
#: The arrays a sweep holds.
LOSSES: tuple[str, ...] = ("train_loss", "test_loss", "test_acc")


def _readonly(a) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


def _match(axis: str, coords: tuple, value) -> int:
    """The index of ``value`` among an axis' coordinates, or a ValueError listing them."""
    for i, c in enumerate(coords):
        if isinstance(c, str):
            if isinstance(value, str) and value.strip().lower() == c.lower():
                return i
        elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, (bool, np.bool_)
        ):
            if math.isclose(float(value), float(c), rel_tol=1e-6, abs_tol=0.0):
                return i
    raise ValueError(f"{axis}={value!r} is not in this sweep; its {axis} values are {list(coords)}")


@dataclass(frozen=True)
class Sweep:
    r"""Losses of a sweep, with named axes and their coordinates.

    Attributes
    ----------
    train_loss, test_loss, test_acc : numpy.ndarray
        Read-only arrays with one dimension per entry of ``axes`` (a diverged run has infinite
        losses and accuracy 0).
    axes : tuple of str
        The names of the arrays' dimensions, a subsequence of :data:`AXES`.
    coords : dict
        For each name in ``axes``, the tuple of its coordinates (parametrization and optimizer
        names, widths, learning rates, seeds).
    fixed : dict
        The coordinates selected away by :meth:`~widthlimits.mup.results.Sweep.select` (for example
        ``{"optimizer": "adam"}``).
    settings : dict
        ``depth``, ``steps``, ``batch_size``, ``base_width``.
    seconds : float
        Time spent training, summed over the sweep's tasks (each measured where it ran, so
        on several workers it exceeds the wall time; 0 for runs read from a store).
    reused : int
        How many runs were read from a results store instead of trained
        (:mod:`widthlimits.sweeps.store`).

    Examples
    --------
    >>> s = Sweep.from_arrays(np.ones((1, 2, 3)), ("width", "lr", "seed"),
    ...                       {"width": (16,), "lr": (0.1, 0.2), "seed": (0, 1, 2)})
    >>> s.shape, s.select(lr=0.2).axes
    ((1, 2, 3), ('width', 'seed'))
    """

    train_loss: np.ndarray
    test_loss: np.ndarray
    test_acc: np.ndarray
    axes: tuple[str, ...]
    coords: Mapping[str, tuple]
    fixed: Mapping[str, object] = field(default_factory=dict)
    settings: Mapping[str, object] = field(default_factory=dict)
    seconds: float = 0.0
    reused: int = 0

    def __post_init__(self):
        if len(set(self.axes)) != len(self.axes) or any(a not in AXES for a in self.axes):
            raise ValueError(f"axes must be distinct names among {AXES}, got {self.axes}")
        if set(self.coords) != set(self.axes):
            raise ValueError(
                f"coords must name exactly the axes {self.axes}, got {list(self.coords)}"
            )
        shape = tuple(len(self.coords[a]) for a in self.axes)
        for name in LOSSES:
            arr = _readonly(getattr(self, name))
            if arr.shape != shape:
                raise ValueError(
                    f"{name} must have shape {shape} (the axes' sizes), got {arr.shape}"
                )
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "coords", {a: tuple(self.coords[a]) for a in self.axes})
        object.__setattr__(self, "fixed", dict(self.fixed))
        object.__setattr__(self, "settings", dict(self.settings))

    @classmethod
    def from_arrays(cls, loss, axes, coords, **kw) -> Sweep:
        """A sweep whose three arrays are all ``loss`` (for tests and examples)."""
        return cls(loss, loss, np.zeros(np.shape(loss)), tuple(axes), coords, **kw)

    @property
    def shape(self) -> tuple[int, ...]:
        """The arrays' shape, one size per axis."""
        return self.train_loss.shape

    @property
    def diverged(self) -> int:
        """How many runs diverged (a non-finite training or held-out loss)."""
        return int(np.sum(~np.isfinite(self.train_loss) | ~np.isfinite(self.test_loss)))

    @property
    def runs(self) -> int:
        """How many networks the sweep trained (the arrays' size)."""
        return int(self.train_loss.size)

    def coord(self, axis: str) -> np.ndarray:
        """The coordinates of ``axis`` as an array (a one-entry array if it was selected away).

        >>> s = Sweep.from_arrays(np.ones((2, 3)), ("lr", "seed"),
        ...                       {"lr": (0.1, 0.2), "seed": (0, 1, 2)}, fixed={"width": 16})
        >>> s.coord("lr"), s.coord("width")
        (array([0.1, 0.2]), array([16]))
        """
        axis = check_choice("axis", axis, AXES)
        if axis in self.coords:
            return np.array(self.coords[axis])
        if axis in self.fixed:
            return np.array([self.fixed[axis]])
        raise ValueError(f"this sweep has no {axis} axis; its axes are {self.axes}")

    @property
    def widths(self) -> np.ndarray:
        """The widths."""
        return self.coord("width")

    @property
    def lrs(self) -> np.ndarray:
        """The base learning rates."""
        return self.coord("lr")

    @property
    def seeds(self) -> np.ndarray:
        """The seeds."""
        return self.coord("seed")

    def loss(self, name: str = "train_loss") -> np.ndarray:
        """One of the arrays by name: ``"train_loss"``, ``"test_loss"`` or ``"test_acc"``."""
        return getattr(self, check_choice("loss", name, LOSSES))

    def select(self, **selection) -> Sweep:
        """A smaller sweep: the given coordinates of the named axes.

        A single value selects one coordinate and drops its axis (it goes to ``fixed``); a
        list or tuple keeps the axis with those coordinates, in that order. Names and string
        values are case-insensitive; numbers match to 1e-6 relative (a float32 learning rate
        finds its float64 coordinate).

        Raises
        ------
        ValueError
            For an axis this sweep does not have, or a value not among its coordinates; the
            message lists the valid ones.

        Examples
        --------
        >>> s = Sweep.from_arrays(np.arange(12.0).reshape(2, 2, 3), ("parametrization", "lr",
        ...                       "seed"), {"parametrization": ("sp", "mup"), "lr": (0.1, 0.2),
        ...                       "seed": (0, 1, 2)})
        >>> mu = s.select(parametrization="muP")
        >>> mu.axes, mu.fixed, mu.train_loss[1].tolist()
        (('lr', 'seed'), {'parametrization': 'mup'}, [9.0, 10.0, 11.0])
        >>> s.select(seed=[2, 0]).train_loss[0, 0].tolist()
        [2.0, 0.0]
        >>> s.select(width=16)
        Traceback (most recent call last):
        ...
        ValueError: this sweep has no 'width' axis; its axes are ('parametrization', 'lr', 'seed')
        """
        arrays = {n: getattr(self, n) for n in LOSSES}
        axes, coords, fixed = list(self.axes), dict(self.coords), dict(self.fixed)
        for key, value in selection.items():
            axis = key.lower()
            if axis not in axes:
                raise ValueError(f"this sweep has no {key!r} axis; its axes are {tuple(axes)}")
            dim = axes.index(axis)
            if isinstance(value, (list, tuple, np.ndarray)):
                if len(value) == 0:
                    raise ValueError(f"{axis} must select at least one value, got {value!r}")
                idx = [_match(axis, coords[axis], v) for v in value]
                arrays = {n: np.take(a, idx, axis=dim) for n, a in arrays.items()}
                coords[axis] = tuple(coords[axis][i] for i in idx)
            else:
                i = _match(axis, coords[axis], value)
                arrays = {n: np.take(a, i, axis=dim) for n, a in arrays.items()}
                fixed[axis] = coords.pop(axis)[i]
                axes.pop(dim)
        return Sweep(
            **arrays,
            axes=tuple(axes),
            coords=coords,
            fixed=fixed,
            settings=self.settings,
            seconds=self.seconds,
            reused=self.reused,
        )

    def curves(self, axes: tuple[str, ...], what: str) -> Sweep:
        """This sweep with exactly ``axes`` left, after selecting away every other axis that has
        a single coordinate, or a ValueError that says which axes still need a selection
        (``what`` names the caller)."""
        single = {
            a: self.coords[a][0] for a in self.axes if a not in axes and len(self.coords[a]) == 1
        }
        s = self.select(**single)
        if tuple(s.axes) != tuple(axes):
            extra = [a for a in s.axes if a not in axes]
            missing = [a for a in axes if a not in s.axes]
            hint = f"select one {' and one '.join(extra)} first" if extra else ""
            hint = hint or f"the sweep lacks the axes {missing}"
            raise ValueError(
                f"{what} needs a sweep with axes {axes}, got axes {self.axes}: {hint} "
                f"(sweep.select({', '.join(f'{a}=...' for a in extra)}))"
            )
        return s
