"""The checked-claims machinery: claims hold or fail for the right reasons, and say so."""

import html
import json
import re

import numpy as np
import pytest

from widthlimits.claims import MIME_MARKER, ClaimError, check, claim


def test_expectation_with_tolerance_passes_and_fails_at_the_boundary():
    assert check("a", 1.0499, expected=1.0, atol=0.05, statement="s").passed
    assert not check("a", 1.0501, expected=1.0, atol=0.05, statement="s").passed
    assert check("a", 110, expected=100, rtol=0.1, statement="s").passed
    assert not check("a", 111, expected=100, rtol=0.1, statement="s").passed


def test_exact_claims_need_exact_equality():
    assert check("a", 945, expected=945, statement="s").passed
    assert not check("a", 944, expected=945, statement="s").passed


def test_bounds():
    assert check("a", 0.3, lower=0.0, upper=0.5, statement="s").passed
    assert not check("a", 0.6, upper=0.5, statement="s").passed
    assert not check("a", -0.1, lower=0.0, statement="s").passed


def test_failed_claim_raises_naming_id_value_and_expectation(capsys):
    with pytest.raises(ClaimError) as err:
        claim("my-claim", 2.5, expected=3.0, atol=0.1, statement="Three-ish.")
    msg = str(err.value)
    assert "my-claim" in msg and "2.5" in msg and "expected 3 ± 0.1" in msg


def test_passing_claim_prints_outside_ipython(capsys):
    claim("ok-claim", np.float64(1.0), expected=1.0, statement="One.")
    assert "ok-claim holds" in capsys.readouterr().out


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        (dict(value=float("nan"), expected=1.0), ValueError),
        (dict(value=float("inf"), expected=1.0), ValueError),
        (dict(value="1", expected=1.0), TypeError),
        (dict(value=1.0), ValueError),  # no expectation
        (dict(value=1.0, expected=1.0, lower=0.0), ValueError),
        (dict(value=1.0, expected=1.0, atol=-1.0), ValueError),
        (dict(value=1.0, lower=2.0, upper=1.0), ValueError),
        (dict(value=1.0, upper=2.0, atol=0.1), ValueError),
    ],
)
def test_malformed_claims_are_rejected(kwargs, exc):
    value = kwargs.pop("value")
    with pytest.raises(exc):
        check("x", value, statement="s", **kwargs)


def test_bad_ids_and_statements_are_rejected():
    with pytest.raises(ValueError, match="slug"):
        check("Has Spaces", 1.0, expected=1.0, statement="s")
    with pytest.raises(ValueError, match="statement"):
        check("ok", 1.0, expected=1.0, statement="  ")


def test_html_record_round_trips_through_the_ledger_pattern():
    rec = check("rt", 0.5, expected=0.5, atol=0.01, statement='Quotes " and <tags> survive.')
    out = rec._repr_html_()
    assert f'class="{MIME_MARKER}"' in out
    m = re.search(r'<div class="wl-claim" data-claim="([^"]*)"', out)
    assert json.loads(html.unescape(m.group(1))) == rec.to_json()
