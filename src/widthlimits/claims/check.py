"""Checking a claim: :func:`check` builds its record, :func:`claim` checks, shows and records it."""

from __future__ import annotations

import math
import numbers
import re

from .record import Claim, _fmt

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9\-_.]*$")


class ClaimError(AssertionError):
    """Raised when a checked claim does not hold, or cannot tell its value from its rival.

    Examples
    --------
    >>> try:
    ...     claim("one", 2, expected=1, statement="One is one.")
    ... except ClaimError as err:
    ...     print(err)
    Claim 'one' failed: value 2 but expected exactly 1. Statement: One is one.
    """


def _number(id: str, name: str, x, *, finite: bool = True) -> float | None:
    if x is None:
        return None
    if hasattr(x, "item") and getattr(x, "ndim", 0) == 0:
        x = x.item()
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"claim {id!r}: {name} must be a real number, got {type(x).__name__}: {x!r}"
        )
    x = float(x)
    if math.isnan(x):
        raise ValueError(f"claim {id!r}: {name} must be a number, got NaN")
    if finite and not math.isfinite(x):
        raise ValueError(
            f"claim {id!r}: {name} must be finite, got {x} (a window that contains everything "
            "cannot fail; leave a one-sided bound's other side as None)"
        )
    return x


def _contains(record: Claim, x: float) -> bool:
    """Whether ``x`` lies in the acceptance window of ``record``."""
    if record.expected is not None:
        tol = (record.atol or 0.0) + (record.rtol or 0.0) * abs(record.expected)
        return abs(x - record.expected) <= tol
    return (record.lower is None or x >= record.lower) and (
        record.upper is None or x <= record.upper
    )


def _rivals(id: str, rival) -> tuple[float, ...]:
    if rival is None:
        return ()
    if hasattr(rival, "tolist"):
        rival = rival.tolist()
    items = list(rival) if isinstance(rival, (list, tuple)) else [rival]
    if not items:
        raise ValueError(f"claim {id!r}: rival must be a number or a non-empty sequence of numbers")
    return tuple(_number(id, "rival", r) for r in items)


def check(
    id: str,
    value,
    *,
    expected=None,
    rtol=None,
    atol=None,
    se=None,
    z=None,
    lower=None,
    upper=None,
    rival=None,
    statement: str,
) -> Claim:
    """Check a claim without raising or displaying it, and return its record.

    Parameters are those of :func:`claim`.

    Examples
    --------
    >>> c = check("demo", 0.98, expected=1.0, se=0.01, z=5, rival=0.5, statement="Near one.")
    >>> c.passed, c.expectation
    (True, 'expected 1 ± 0.05 (5 standard errors)')
    >>> check("demo", 3, lower=4, upper=5, rival=6, statement="Four or five.").passed
    False
    >>> check("blind", 1.0, expected=1.0, atol=0.5, rival=1.2, statement="s").discriminates
    False
    """
    if not isinstance(id, str) or not _ID_RE.match(id):
        raise ValueError(
            f"claim id must be a lowercase slug such as 'lln-slope' (letters, digits, -, _, .), "
            f"got {id!r}"
        )
    if not isinstance(statement, str) or not statement.strip():
        raise ValueError(f"claim {id!r} needs a statement saying what is claimed and why")
    v = _number(id, "value", value)
    expected, rtol, atol, se, z, lower, upper = (
        _number(id, n, x)
        for n, x in [
            ("expected", expected), ("rtol", rtol), ("atol", atol), ("se", se), ("z", z),
            ("lower", lower), ("upper", upper),
        ]
    )  # fmt: skip
    rivals = _rivals(id, rival)
    _check_form(id, expected, rtol, atol, se, z, lower, upper)
    if se is not None:
        atol = z * se
    if expected is not None:
        kind, passed, expectation, inside, separation = _window(v, expected, rtol, atol, se, z,
                                                                rivals)  # fmt: skip
    else:
        kind, passed, expectation, inside, separation = _bound(v, lower, upper, rivals)
    if kind != "exact" and not rivals:
        raise ValueError(
            f"claim {id!r} has a window but names no rival=: give the value a plausible wrong "
            "theory or bug would produce, so that the claim can be seen to fail for it"
        )
    if separation is not None:
        separation = round(separation, 12)
    return Claim(
        id, statement.strip(), v, expected, rtol, atol, lower, upper,
        bool(passed) and not inside, expectation, kind, se, z, rivals, separation, not inside,
    )  # fmt: skip


def _check_form(id, expected, rtol, atol, se, z, lower, upper) -> None:
    """Raise ``ValueError`` unless the expectation is one of the three kinds, fully given."""
    if expected is None and lower is None and upper is None:
        raise ValueError(f"claim {id!r} needs an expectation: give expected=, lower= or upper=")
    if expected is not None and (lower is not None or upper is not None):
        raise ValueError(f"claim {id!r}: give either expected= (with a tolerance) or bounds")
    if expected is None and (rtol is not None or atol is not None or se is not None):
        raise ValueError(f"claim {id!r}: rtol, atol and se only apply with expected=")
    if (se is None) != (z is None):
        raise ValueError(f"claim {id!r}: give se= and z= together (the window is z * se)")
    if se is not None and (atol is not None or rtol is not None):
        raise ValueError(f"claim {id!r}: give the tolerance either as se= and z= or as atol/rtol")
    for name, tol in (("rtol", rtol), ("atol", atol), ("se", se), ("z", z)):
        if tol is not None and not tol >= 0:
            raise ValueError(f"claim {id!r}: {name} must be >= 0, got {tol}")
    if lower is not None and upper is not None and lower > upper:
        raise ValueError(f"claim {id!r}: lower={lower} exceeds upper={upper}")


def _window(v, expected, rtol, atol, se, z, rivals):
    """Kind, verdict, expectation text, rivals inside, separation of an exact or window claim."""
    tol = (atol or 0.0) + (rtol or 0.0) * abs(expected)
    passed = abs(v - expected) <= tol
    if tol == 0.0:
        inside = [r for r in rivals if r == expected]
        return "exact", passed, f"expected exactly {_fmt(expected)}", inside, None
    expectation = f"expected {_fmt(expected)} ± {tol:.2g}"
    if se is not None:
        expectation += f" ({_fmt(z)} standard errors)"
    inside = [r for r in rivals if abs(r - expected) <= tol]
    separation = min(abs(r - expected) - tol for r in rivals) / tol if rivals else None
    return "window", passed, expectation, inside, separation


def _bound(v, lower, upper, rivals):
    """Kind, verdict, expectation text, rivals inside, separation of a bound claim."""
    passed = (lower is None or v >= lower) and (upper is None or v <= upper)
    inside = [r for r in rivals if (lower is None or r >= lower) and (upper is None or r <= upper)]
    if lower is not None and upper is not None:
        expectation = f"expected between {_fmt(lower)} and {_fmt(upper)}"
        half, mid = (upper - lower) / 2, (upper + lower) / 2
    elif lower is not None:
        expectation = f"expected at least {_fmt(lower)}"
        half, mid = abs(v - lower), None
    else:
        expectation = f"expected at most {_fmt(upper)}"
        half, mid = abs(upper - v), None
    separation = None
    if rivals:
        if mid is not None:
            gaps = [abs(r - mid) - half for r in rivals]
        else:
            bound = lower if lower is not None else upper
            gaps = [(r - bound) * (1 if lower is None else -1) for r in rivals]
        separation = min(gaps) / half if half > 0 else math.inf
        if not math.isfinite(separation):
            separation = None
    return "bound", passed, expectation, inside, separation


def claim(
    id: str,
    value,
    *,
    expected=None,
    rtol=None,
    atol=None,
    se=None,
    z=None,
    lower=None,
    upper=None,
    rival=None,
    statement: str,
) -> None:
    """State a numerical claim: check it, show it, and record it in the book's ledger.

    Parameters
    ----------
    id : str
        A stable, book-wide unique slug, such as ``"lln-rmse-slope"``.
    value : real number
        What the code measured or computed.
    expected : real number, optional
        The claimed value. With no tolerance the claim is exact.
    rtol, atol : float, optional
        The claim holds when ``|value - expected| <= atol + rtol * |expected|``. Finite.
    se, z : float, optional
        For a random quantity: its standard error and how many of them the window is wide
        (``atol = z * se``); the ledger then says "within z standard errors".
    lower, upper : real number, optional
        Finite bounds instead of an expectation: the claim holds when ``lower <= value <= upper``.
    rival : real number or sequence of them
        Required with a window or a bound: what the nearest wrong answer gives. Every rival must
        lie outside the window, or the claim fails as unable to discriminate.
    statement : str
        One sentence saying what is claimed, how the tolerance was chosen and what the rival is.

    Raises
    ------
    ClaimError
        If the claim does not hold, or a rival lies inside its window.
    ValueError, TypeError
        If the claim is malformed: no expectation, a NaN value, an infinite or negative
        tolerance, a window with no rival, a bad id.

    Examples
    --------
    >>> claim("two-plus-two", 2 + 2, expected=4, statement="Arithmetic still works.")
    Claim two-plus-two holds: value 4; expected exactly 4.
    >>> claim("pi", 3.0, expected=3.14159, atol=0.1, rival=3, statement="pi to one decimal.")
    Traceback (most recent call last):
    ...
    widthlimits.claims.ClaimError: Claim 'pi' failed: value 3 but expected 3.14159 ± 0.1. ...
    >>> claim("loose", 3.1, expected=3.14159, atol=0.5, rival=3, statement="pi, loosely.")
    Traceback (most recent call last):
    ...
    widthlimits.claims.ClaimError: Claim 'loose' cannot fail: its rival 3 lies inside ...
    """
    record = check(
        id,
        value,
        expected=expected,
        rtol=rtol,
        atol=atol,
        se=se,
        z=z,
        lower=lower,
        upper=upper,
        rival=rival,
        statement=statement,
    )
    if not record.discriminates:
        inside = [r for r in record.rival if _contains(record, r)]
        raise ClaimError(
            f"Claim {record.id!r} cannot fail: its rival {', '.join(_fmt(r) for r in inside)} "
            f"lies inside the window ({record.expectation}), so the claim cannot tell the truth "
            f"from it. Statement: {record.statement}"
        )
    if not record.passed:
        raise ClaimError(
            f"Claim {record.id!r} failed: value {_fmt(record.value)} but {record.expectation}. "
            f"Statement: {record.statement}"
        )
    _show(record)


def _show(record: Claim) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is optional outside the book
        print(repr(record))
        return
    if get_ipython() is None:
        print(repr(record))
    else:
        display(record)
