"""Checked claims: the book's promise that every number it states is recomputed and verified.

A chapter states a numerical claim with :func:`claim`. The claim is checked on the spot: if it
fails, the cell raises :class:`ClaimError`, naming the claim, its value and its expectation, and
the book's build fails. If it holds, the claim is shown to the reader as a small box and is
recorded *in the cell's output*, so that the book's ledger (``claims.json`` and the "Claims ledger"
appendix page) is complete even when the chapter is served from the execution cache.

A claim is one of two kinds:

* an **expectation**: ``expected`` with a tolerance ``atol`` and/or ``rtol``; the claim holds when
  ``|value - expected| <= atol + rtol * |expected|``. With neither tolerance the claim is exact.
* a **bound**: ``lower`` and/or ``upper``; the claim holds when ``lower <= value <= upper``.

Tolerances for random quantities must come from standard errors, and the ``statement`` says so.
"""

from __future__ import annotations

import html
import json
import math
import numbers
import re
from dataclasses import asdict, dataclass

__all__ = ["Claim", "ClaimError", "check", "claim", "MIME_MARKER"]

#: The CSS class that marks a claim's HTML output; the book's Sphinx extension looks for it.
MIME_MARKER = "wl-claim"

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9\-_.]*$")


class ClaimError(AssertionError):
    """Raised when a checked claim does not hold.

    Examples
    --------
    >>> try:
    ...     claim("one", 2, expected=1, statement="One is one.")
    ... except ClaimError as err:
    ...     print(err)
    Claim 'one' failed: value 2 but expected exactly 1. Statement: One is one.
    """


@dataclass(frozen=True)
class Claim:
    """The record of one checked claim, as stored in the book's ledger.

    Examples
    --------
    >>> c = check("half", 0.49, expected=0.5, atol=0.02, statement="About a half.")
    >>> c.passed, c.expectation
    (True, 'expected 0.5 ± 0.02')
    """

    id: str
    statement: str
    value: float
    expected: float | None
    rtol: float | None
    atol: float | None
    lower: float | None
    upper: float | None
    passed: bool
    expectation: str

    def to_json(self) -> dict:
        """Return the claim as a JSON-serialisable dict.

        Examples
        --------
        >>> check("x", 1, expected=1, statement="s").to_json()["passed"]
        True
        """
        return asdict(self)

    def _repr_html_(self) -> str:
        mark = "&#10003;" if self.passed else "&#10007;"
        payload = html.escape(json.dumps(self.to_json(), sort_keys=True), quote=True)
        return (
            f'<div class="{MIME_MARKER}" data-claim="{payload}">'
            f'<span class="wl-claim-mark" aria-hidden="true">{mark}</span> '
            f"<strong>Claim <code>{html.escape(self.id)}</code>:</strong> "
            f"{html.escape(self.statement)} "
            f'<span class="wl-claim-numbers">Measured {_fmt(self.value)}; '
            f"{html.escape(self.expectation)}.</span></div>"
        )

    def __repr__(self) -> str:
        status = "holds" if self.passed else "FAILS"
        return f"Claim {self.id} {status}: value {_fmt(self.value)}; {self.expectation}."


def _fmt(x: float) -> str:
    if isinstance(x, int) or (float(x).is_integer() and abs(x) < 1e15):
        return str(int(x))
    return f"{x:.6g}"


def _number(name: str, x) -> float | None:
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"claim {name} must be a real number, got {type(x).__name__}: {x!r}")
    x = float(x)
    if math.isnan(x):
        raise ValueError(f"claim {name} must be a number, got NaN")
    return x


def check(
    id: str,
    value,
    *,
    expected=None,
    rtol=None,
    atol=None,
    lower=None,
    upper=None,
    statement: str,
) -> Claim:
    """Check a claim without raising or displaying it, and return its record.

    Parameters are those of :func:`claim`.

    Examples
    --------
    >>> c = check("demo", 0.98, expected=1.0, atol=0.05, statement="Close to one.")
    >>> c.passed, c.expectation
    (True, 'expected 1 ± 0.05')
    >>> check("demo", 3, lower=4, statement="At least four.").passed
    False
    """
    if not isinstance(id, str) or not _ID_RE.match(id):
        raise ValueError(
            f"claim id must be a lowercase slug such as 'lln-slope' (letters, digits, -, _, .), "
            f"got {id!r}"
        )
    if not isinstance(statement, str) or not statement.strip():
        raise ValueError(f"claim {id!r} needs a statement saying what is claimed and why")
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    v = _number("value", value)
    if not math.isfinite(v):
        raise ValueError(f"claim {id!r}: the value must be finite, got {v}")
    expected, rtol, atol = (
        _number(n, x) for n, x in [("expected", expected), ("rtol", rtol), ("atol", atol)]
    )
    lower, upper = _number("lower", lower), _number("upper", upper)
    if expected is None and lower is None and upper is None:
        raise ValueError(f"claim {id!r} needs an expectation: give expected=, lower= or upper=")
    if expected is not None and (lower is not None or upper is not None):
        raise ValueError(f"claim {id!r}: give either expected= (with a tolerance) or bounds")
    if expected is None and (rtol is not None or atol is not None):
        raise ValueError(f"claim {id!r}: rtol and atol only apply with expected=")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol is not None and not tol >= 0:
            raise ValueError(f"claim {id!r}: {name} must be >= 0, got {tol}")
    if lower is not None and upper is not None and lower > upper:
        raise ValueError(f"claim {id!r}: lower={lower} exceeds upper={upper}")

    if expected is not None:
        tol = (atol or 0.0) + (rtol or 0.0) * abs(expected)
        passed = abs(v - expected) <= tol
        if tol == 0.0:
            expectation = f"expected exactly {_fmt(expected)}"
        else:
            expectation = f"expected {_fmt(expected)} ± {tol:.2g}"
    else:
        passed = (lower is None or v >= lower) and (upper is None or v <= upper)
        if lower is not None and upper is not None:
            expectation = f"expected between {_fmt(lower)} and {_fmt(upper)}"
        elif lower is not None:
            expectation = f"expected at least {_fmt(lower)}"
        else:
            expectation = f"expected at most {_fmt(upper)}"
    return Claim(
        id, statement.strip(), v, expected, rtol, atol, lower, upper, bool(passed), expectation
    )


def claim(
    id: str,
    value,
    *,
    expected=None,
    rtol=None,
    atol=None,
    lower=None,
    upper=None,
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
        The claimed value. With neither ``rtol`` nor ``atol`` the claim is exact.
    rtol, atol : float, optional
        The claim holds when ``|value - expected| <= atol + rtol * |expected|``.
    lower, upper : real number, optional
        Bounds instead of an expectation: the claim holds when ``lower <= value <= upper``.
    statement : str
        One sentence saying what is claimed and how the tolerance was chosen.

    Raises
    ------
    ClaimError
        If the claim does not hold. The message names the claim, its value and its expectation.
    ValueError, TypeError
        If the claim is malformed: no expectation, a NaN value, a negative tolerance, a bad id.

    Examples
    --------
    >>> claim("two-plus-two", 2 + 2, expected=4, statement="Arithmetic still works.")
    Claim two-plus-two holds: value 4; expected exactly 4.
    >>> claim("pi", 3.0, expected=3.14159, atol=0.1, statement="pi to one decimal.")
    Traceback (most recent call last):
    ...
    widthlimits.claims.ClaimError: Claim 'pi' failed: value 3 but expected 3.14159 ± 0.1. ...
    """
    record = check(
        id,
        value,
        expected=expected,
        rtol=rtol,
        atol=atol,
        lower=lower,
        upper=upper,
        statement=statement,
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
