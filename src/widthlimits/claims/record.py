"""The claim record and its one serialization: the HTML box a claim leaves in a cell's output.

This module owns the record format. The book's Sphinx extension reads records back only through
:func:`records_in` and :func:`is_claim_html`, so the format is written in one place.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict, dataclass

from .tex import statement_html

#: The CSS class that marks a claim's HTML output.
MIME_MARKER = "wl-claim"

_RECORD_RE = re.compile(r'<div class="' + MIME_MARKER + r'" data-claim="([^"]*)"')


def _fmt(x: float) -> str:
    if isinstance(x, int) or (float(x).is_integer() and abs(x) < 1e15):
        return str(int(x))
    return f"{x:.6g}"


def records_in(text: str) -> list[dict]:
    """The claim records (as dicts) in a piece of HTML output, in order.

    Examples
    --------
    >>> from widthlimits.claims import check
    >>> box = check("x", 1, expected=1, statement="s")._repr_html_()
    >>> [r["id"] for r in records_in(box + box)]
    ['x', 'x']
    """
    return [json.loads(html.unescape(m.group(1))) for m in _RECORD_RE.finditer(text)]


def is_claim_html(text: str) -> bool:
    """Whether a piece of HTML output holds a claim box."""
    return f'class="{MIME_MARKER}"' in text


@dataclass(frozen=True)
class Claim:
    """The record of one checked claim, as stored in the book's ledger.

    ``discriminates`` is False when a rival lies inside the window; such a claim does not pass.

    Examples
    --------
    >>> from widthlimits.claims import check
    >>> c = check("half", 0.49, expected=0.5, atol=0.02, rival=0.6, statement="About a half.")
    >>> c.passed, c.expectation, c.separation
    (True, 'expected 0.5 ± 0.02', 4.0)
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
    kind: str = "exact"
    se: float | None = None
    z: float | None = None
    rival: tuple[float, ...] = ()
    separation: float | None = None
    discriminates: bool = True

    def to_json(self) -> dict:
        """Return the claim as a JSON-serialisable dict.

        Examples
        --------
        >>> from widthlimits.claims import check
        >>> check("x", 1, expected=1, statement="s").to_json()["passed"]
        True
        """
        out = asdict(self)
        out["rival"] = list(self.rival)
        return out

    def _repr_html_(self) -> str:
        mark = "&#10003;" if self.passed else "&#10007;"
        payload = html.escape(json.dumps(self.to_json(), sort_keys=True), quote=True)
        return (
            f'<div class="{MIME_MARKER}" data-claim="{payload}">'
            f'<span class="wl-claim-mark" aria-hidden="true">{mark}</span> '
            f'<strong class="wl-claim-id">Claim <code>{html.escape(self.id)}</code>:</strong> '
            f'<span class="wl-claim-statement">{statement_html(self.statement)}</span> '
            f'<span class="wl-claim-numbers">Measured {_fmt(self.value)}; '
            f"{html.escape(self.expectation)}{html.escape(self._rival_text())}.</span></div>"
        )

    def _rival_text(self) -> str:
        if not self.rival:
            return ""
        rivals = ", ".join(_fmt(r) for r in self.rival)
        if self.separation is None:
            return f"; rival {rivals}"
        return f"; rival {rivals}, {self.separation:.3g} half-widths outside"

    def __repr__(self) -> str:
        status = "holds" if self.passed else "FAILS"
        return (
            f"Claim {self.id} {status}: value {_fmt(self.value)}; "
            f"{self.expectation}{self._rival_text()}."
        )
