"""Input checks shared across the package, so that every module rejects bad input the same way."""

from __future__ import annotations

import numbers

import numpy as np


def check_int(name: str, x, low: int) -> int:
    """Return ``x`` as an int, or raise: ``TypeError`` if it is not an integer (bools are not),
    ``ValueError`` if it is below ``low``."""
    if isinstance(x, bool) or not isinstance(x, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__}: {x!r}")
    if x < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {x}")
    return int(x)


def check_rng(rng) -> None:
    """Raise ``TypeError`` unless ``rng`` is a ``numpy.random.Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator (np.random.default_rng(seed)), got "
            f"{type(rng).__name__}"
        )
