"""Strategies of bad input shared by the property tests (``tests/test_inputs_*.py``): values
that are not integers, not finite reals, or not counts, and the one assertion they all make."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import strategies as st


def rejects(f, *args, **kwargs) -> None:
    """The call raises ValueError or TypeError; any other exception propagates and fails."""
    with pytest.raises((ValueError, TypeError)):
        f(*args, **kwargs)


def not_an_int():
    """Values that are not integers: floats (integral ones too), bools, strings, None, ..."""
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.text(max_size=4),
        st.none(),
        st.complex_numbers(max_magnitude=10),
        st.lists(st.integers(0, 5), max_size=3),
        st.sampled_from([np.float64(3.0), np.bool_(True), Fraction(1, 2), math.inf]),
    )


def bad_count(low: int = 1):
    """Not an integer, or an integer below ``low``."""
    return st.one_of(not_an_int(), st.integers(max_value=low - 1, min_value=-(10**12)))


def not_a_real():
    """Not a finite real: NaN, inf, bools, strings, None, complex numbers, lists."""
    return st.one_of(
        st.sampled_from([math.nan, math.inf, -math.inf, np.nan, np.float32("inf")]),
        st.booleans(),
        st.text(max_size=4),
        st.none(),
        st.complex_numbers(min_magnitude=0.1, max_magnitude=10),
        st.lists(st.floats(0, 1), max_size=2),
        st.sampled_from([np.bool_(False), "0.5", b"1"]),
    )
