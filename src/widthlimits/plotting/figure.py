"""The book's figure class: a matplotlib figure that keeps its legends off the data."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["BookFigure", "check_ax", "legend_overlaps_data"]


def check_ax(ax, name: str = "ax"):
    """Return ``ax`` if it is a matplotlib ``Axes``, else raise ``TypeError``."""
    if not isinstance(ax, Axes):
        raise TypeError(
            f"{name} must be a matplotlib Axes (from subplots()), got {type(ax).__name__}"
        )
    return ax


class BookFigure(Figure):
    """A matplotlib figure that keeps its legends off the data.

    Before it is drawn, every legend of its axes whose box overlaps a line, marker, bar or filled
    area is moved: to the ``"best"`` corner if that one is free, otherwise just outside the axes
    on the right (constrained layout makes room for it). A legend placed with an explicit
    ``bbox_to_anchor`` is left where it was put.

    Examples
    --------
    >>> from widthlimits.plotting import subplots
    >>> fig, ax = subplots()
    >>> isinstance(fig, BookFigure)
    True
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """

    def draw(self, renderer):
        engine = self.get_layout_engine()
        if engine is not None:
            engine.execute(self)
        for ax in self.axes:
            leg = ax.get_legend()
            if leg is not None and leg.get_visible():
                _place_legend(ax, leg, renderer)
        super().draw(renderer)


# matplotlib writes a ``set`` method, with a docstring in its own markup, for every subclass.
BookFigure.set.__doc__ = "Set several properties at once, as :meth:`matplotlib.artist.Artist.set`."


def _place_legend(ax, leg, renderer) -> None:
    if leg.get_bbox_to_anchor() is not ax.bbox:
        return  # placed by hand, with bbox_to_anchor
    if not legend_overlaps_data(ax, leg, renderer):
        return
    leg.set_loc("best")
    if not legend_overlaps_data(ax, leg, renderer):
        return
    leg.set_loc("upper left")
    leg.set_bbox_to_anchor((1.02, 1.0), transform=ax.transAxes)


def legend_overlaps_data(ax, leg, renderer=None) -> bool:
    """Whether the legend ``leg`` of ``ax`` covers any of the axes' lines, markers or areas.

    Examples
    --------
    >>> from widthlimits.plotting import subplots
    >>> fig, ax = subplots()
    >>> _ = ax.plot([0, 1], [0, 1], label="diagonal")
    >>> leg = ax.legend(loc="center")
    >>> legend_overlaps_data(ax, leg, fig.canvas.get_renderer())
    True
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    from matplotlib.legend import Legend

    check_ax(ax)
    if not isinstance(leg, Legend):
        raise TypeError(f"leg must be a matplotlib Legend, got {type(leg).__name__}")
    renderer = renderer or ax.figure.canvas.get_renderer()
    box = leg.get_window_extent(renderer).padded(-1.0)
    for line in ax.get_lines():
        if not line.get_visible() or len(line.get_xydata()) == 0:
            continue
        path = line.get_transform().transform_path(line.get_path())
        if line.get_linestyle() not in ("None", "", " ") and path.intersects_bbox(box, False):
            return True
        if line.get_marker() not in (None, "None", "", " ") and box.count_contains(path.vertices):
            return True
    for patch in ax.patches:
        if patch.get_visible() and patch.get_window_extent(renderer).overlaps(box):
            return True
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        offsets = np.asarray(coll.get_offsets())
        if offsets.size and np.any(offsets):
            if box.count_contains(coll.get_offset_transform().transform(offsets)):
                return True
            continue
        faces = np.asarray(coll.get_facecolor()).reshape(-1, 4)
        filled = bool(len(faces) and np.any(faces[:, 3] > 0))
        for path in coll.get_paths():
            if coll.get_transform().transform_path(path).intersects_bbox(box, filled):
                return True
    return False
