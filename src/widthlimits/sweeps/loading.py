"""Records of a results store back into a :class:`~widthlimits.mup.results.Sweep`.

:func:`records_to_sweep` is what :meth:`~widthlimits.sweeps.store.ResultStore.to_sweep` does
with the records it selected: it groups them by their settings (every configuration field that
is not an axis), refuses several groups or an incomplete grid with a message that says what to
select or what is missing, and fills the Sweep's arrays.
"""

from __future__ import annotations

import json

import numpy as np

__all__ = ["records_to_sweep"]

#: The order in which known names of an axis come (others follow, sorted).
_ORDER = {"parametrization": ("sp", "ntk", "depth-mup", "completep", "mup"),
          "optimizer": ("sgd", "adam", "adamw")}  # fmt: skip


def _axis_order(axis: str, values) -> list:
    known = _ORDER.get(axis, ())
    first = [v for v in known if v in values]
    rest = sorted((v for v in values if v not in known), key=lambda v: (isinstance(v, str), v))
    return first + rest


def _one_configuration(records: list, axes_names) -> tuple[list, dict, dict]:
    """The records, their settings and their axes' fields, if they share one configuration."""
    groups: dict[str, tuple] = {}
    for r in records:
        axes = r.get("axes") or {a: a for a in axes_names}
        fields = set(axes.values())
        settings = {k: v for k, v in r["config"].items() if k not in fields}
        key = json.dumps({"s": settings, "a": axes}, sort_keys=True)
        groups.setdefault(key, ([], settings, axes))[0].append(r)
    if len(groups) > 1:
        first = [g[1] for g in groups.values()]
        keys = sorted({k for s in first for k in s})
        differ = {k: sorted({json.dumps(s.get(k)) for s in first}) for k in keys}
        differ = {k: v for k, v in differ.items() if len(v) > 1}
        raise ValueError(
            f"the records hold {len(groups)} configurations, which differ in "
            + "; ".join(f"{k} ({', '.join(v)})" for k, v in differ.items())
            + ": choose one with to_sweep(field=value)"
        )
    (group,) = groups.values()
    return group


def records_to_sweep(records: list):
    """A Sweep of ``records`` (dicts with ``config``, ``axes`` and ``results``), which must share
    their settings and fill the grid of their axes' values; a ValueError otherwise."""
    from ..mup.results import AXES, LOSSES, Sweep

    records, settings, axes = _one_configuration(records, AXES)
    coords = {a: _axis_order(a, {r["config"][axes[a]] for r in records}) for a in AXES}
    index = {a: {v: i for i, v in enumerate(coords[a])} for a in AXES}
    shape = tuple(len(coords[a]) for a in AXES)
    arrays = {n: np.full(shape, np.nan) for n in LOSSES}
    filled = np.zeros(shape, dtype=bool)
    for r in records:
        at = tuple(index[a][r["config"][axes[a]]] for a in AXES)
        filled[at] = True
        for n, arr in arrays.items():
            if n not in r["results"]:
                raise ValueError(f"store record {r['key'][:12]} has no {n!r} result")
            arr[at] = r["results"][n]
    if not filled.all():
        at = tuple(int(i) for i in np.argwhere(~filled)[0])
        hole = {a: coords[a][i] for a, i in zip(AXES, at, strict=True)}
        raise ValueError(
            f"the records fill {int(filled.sum())} of the {filled.size} runs of their grid; "
            f"missing, for example, {hole}"
        )
    return Sweep(**arrays, axes=AXES, coords=coords, settings=settings)
