"""Checked claims: the book's promise that every number it states is recomputed and verified.

A chapter states a numerical claim with :func:`claim`. The claim is checked on the spot: if it
fails, the cell raises :class:`ClaimError`, naming the claim, its value and its expectation, and
the book's build fails. If it holds, the claim is shown to the reader as a small box and is
recorded *in the cell's output*, so that the book's ledger (``claims.json`` and the "Claims ledger"
appendix page) is complete even when the chapter is served from the execution cache.

A claim is one of three kinds:

* **exact**: ``expected`` with no tolerance; the claim holds when ``value == expected``. An exact
  claim must compare two independent computations (a brute-force count against a closed form),
  never a value with the code path that produced it.
* an **expectation with a window**: ``expected`` with a tolerance, given as ``atol`` and/or
  ``rtol`` (the claim holds when ``|value - expected| <= atol + rtol * |expected|``), or, for a
  random quantity, as a standard error ``se`` and a number ``z`` of them (``atol = z * se``).
* a **bound**: ``lower`` and/or ``upper``; the claim holds when ``lower <= value <= upper``.

**A claim with a window must be able to fail.** It names its ``rival``: the value (or a few
values) that the nearest wrong answer would give: the other parametrization's exponent, the
uncorrected value of a 1/n correction, the answer a likely bug gives. A claim whose window
contains one of its rivals cannot tell the truth from that rival, and it fails. The record keeps
the rivals and the *separation*: how far the nearest rival lies outside the window, in window
half-widths (for a one-sided bound, in units of the distance from the measured value to the
bound).
"""

from .check import ClaimError, check, claim
from .record import MIME_MARKER, Claim, is_claim_html, records_in
from .tex import split_tex, statement_html

__all__ = [
    "Claim",
    "ClaimError",
    "check",
    "claim",
    "split_tex",
    "statement_html",
    "records_in",
    "is_claim_html",
    "MIME_MARKER",
]

# the public home of the error, in tracebacks and doctests
ClaimError.__module__ = __name__
