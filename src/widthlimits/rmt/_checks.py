"""Input checks shared by the submodules of :mod:`widthlimits.rmt`."""

from __future__ import annotations

import numbers

import numpy as np


def _check_int(name: str, x, low: int) -> int:
    if isinstance(x, bool) or not isinstance(x, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__}: {x!r}")
    if x < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {x}")
    return int(x)


def _check_rng(rng) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got "
            f"{type(rng).__name__}"
        )
