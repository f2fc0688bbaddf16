"""The published ledger keeps the second edition's promise: every claim of the built book could
have failed. Read from ``_build/html/claims.json``, which the build writes."""

from __future__ import annotations

import json
import math

import pytest
from sitepages import HTML

CLAIMS = HTML / "claims.json"


def claims() -> list[dict]:
    if not CLAIMS.exists():
        pytest.fail("no built book in _build/html: run `nox -s book` first")
    return json.loads(CLAIMS.read_text())["claims"]


def window(c: dict) -> tuple[float, float]:
    if c["expected"] is not None:
        tol = (c["atol"] or 0.0) + (c["rtol"] or 0.0) * abs(c["expected"])
        return c["expected"] - tol, c["expected"] + tol
    lo = -math.inf if c["lower"] is None else c["lower"]
    hi = math.inf if c["upper"] is None else c["upper"]
    return lo, hi


def test_every_claim_passed_and_ids_are_unique():
    found = claims()
    assert len(found) >= 100
    assert all(c["passed"] for c in found)
    ids = [c["id"] for c in found]
    assert len(ids) == len(set(ids))


def test_every_claim_with_a_window_names_a_rival_outside_it():
    for c in claims():
        for key in ("atol", "rtol", "lower", "upper", "se"):
            assert c[key] is None or math.isfinite(c[key]), (c["id"], key)
        if c["kind"] == "exact":
            assert c["atol"] in (None, 0) and c["rtol"] in (None, 0) and c["se"] in (None, 0)
            continue
        lo, hi = window(c)
        assert lo <= c["value"] <= hi, c["id"]
        assert c["rival"], f"{c['id']} has a window but no rival"
        for r in c["rival"]:
            assert not lo <= r <= hi, f"{c['id']}: rival {r} inside [{lo}, {hi}]"
        assert c["separation"] is None or c["separation"] > 0, c["id"]


def test_standard_error_claims_say_so():
    for c in claims():
        if c["se"]:  # a standard error of 0 (every seed agrees) makes the claim exact
            assert "standard errors" in c["expectation"], c["id"]
            assert 4 <= c["z"] <= 5, f"{c['id']}: z = {c['z']} is not the book's 4 to 5"
