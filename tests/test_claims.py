"""The checked-claims machinery: claims hold or fail for the right reasons, and say so."""

import numpy as np
import pytest

from widthlimits.claims import (
    MIME_MARKER,
    ClaimError,
    check,
    claim,
    is_claim_html,
    records_in,
    split_tex,
    statement_html,
)


def test_expectation_with_tolerance_passes_and_fails_at_the_boundary():
    assert check("a", 1.0499, expected=1.0, atol=0.05, rival=2.0, statement="s").passed
    assert not check("a", 1.0501, expected=1.0, atol=0.05, rival=2.0, statement="s").passed
    assert check("a", 110, expected=100, rtol=0.1, rival=2.0, statement="s").passed
    assert not check("a", 111, expected=100, rtol=0.1, rival=2.0, statement="s").passed


def test_exact_claims_need_exact_equality():
    assert check("a", 945, expected=945, rival=2.0, statement="s").passed
    assert not check("a", 944, expected=945, rival=2.0, statement="s").passed


def test_bounds():
    assert check("a", 0.3, lower=0.0, upper=0.5, rival=2.0, statement="s").passed
    assert not check("a", 0.6, upper=0.5, rival=0.7, statement="s").passed
    assert not check("a", -0.1, lower=0.0, rival=-1.0, statement="s").passed


def test_failed_claim_raises_naming_id_value_and_expectation(capsys):
    with pytest.raises(ClaimError) as err:
        claim("my-claim", 2.5, expected=3.0, atol=0.1, rival=2.0, statement="Three-ish.")
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
    rec = check(
        "rt", 0.5, expected=0.5, atol=0.01, rival=1.0, statement='Quotes " and <tags> survive.'
    )
    out = rec._repr_html_()
    assert f'class="{MIME_MARKER}"' in out and is_claim_html(out)
    assert records_in(out + "<p>between</p>" + out) == [rec.to_json(), rec.to_json()]
    assert records_in("<div>no claim here</div>") == [] and not is_claim_html("<div></div>")
    assert records_in(out)[0]["rival"] == [1.0]


def test_statement_tex_becomes_math_spans_and_escaped_dollars_stay_text():
    assert split_tex(r"costs \$5, and $x^2$ is math") == [
        ("text", "costs $5, and "),
        ("math", "x^2"),
        ("text", " is math"),
    ]
    out = statement_html(r"$a < b$ & c")
    assert out.startswith('<span class="math notranslate nohighlight">\\(a &lt; b\\)</span>')
    assert out.endswith(" &amp; c")


def test_a_window_needs_a_rival_and_a_rival_inside_it_fails_the_claim():
    with pytest.raises(ValueError, match="rival"):
        check("a", 1.0, expected=1.0, atol=0.1, statement="s")
    with pytest.raises(ValueError, match="rival"):
        check("a", 1.0, lower=0.0, statement="s")
    blind = check("a", 1.0, expected=1.0, atol=0.5, rival=[3.0, 1.4], statement="s")
    assert not blind.discriminates and not blind.passed
    with pytest.raises(ClaimError, match="cannot fail: its rival 1.4 lies inside"):
        claim("a", 1.0, expected=1.0, atol=0.5, rival=[3.0, 1.4], statement="s")
    # a rival on the window's edge is inside it: the window is closed
    assert not check("a", 1.0, expected=1.0, atol=0.5, rival=1.5, statement="s").discriminates


def test_separation_is_in_window_half_widths():
    assert check("a", 1.0, expected=1.0, atol=0.5, rival=[3.0, -1.0], statement="s").separation == 3
    two_sided = check("a", 0.5, lower=0.0, upper=1.0, rival=2.0, statement="s")
    assert two_sided.separation == 2.0 and two_sided.passed
    # one-sided: in units of the measured value's distance to the bound
    one_sided = check("a", 0.5, upper=1.0, rival=2.0, statement="s")
    assert one_sided.separation == 2.0 and one_sided.passed
    assert not check("a", 0.5, upper=1.0, rival=0.9, statement="s").discriminates
    assert check("a", 3.0, lower=2.0, rival=1.0, statement="s").separation == 1.0


def test_standard_errors_give_the_window_and_the_ledger_says_so():
    c = check("a", 0.1, expected=0.0, se=0.02, z=5, rival=-0.5, statement="s")
    assert c.passed and c.atol == pytest.approx(0.1) and "5 standard errors" in c.expectation
    assert not check("a", 0.11, expected=0.0, se=0.02, z=5, rival=-0.5, statement="s").passed
    with pytest.raises(ValueError, match="together"):
        check("a", 0.1, expected=0.0, se=0.02, rival=1, statement="s")
    with pytest.raises(ValueError, match="either"):
        check("a", 0.1, expected=0.0, se=0.02, z=5, atol=0.1, rival=1, statement="s")


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(expected=1.0, atol=float("inf"), rival=5.0),
        dict(expected=1.0, rtol=float("inf"), rival=5.0),
        dict(expected=1.0, se=float("inf"), z=5, rival=5.0),
        dict(lower=float("-inf"), upper=float("inf"), rival=5.0),
        dict(upper=float("inf"), rival=5.0),
        dict(expected=1.0, atol=0.1, rival=float("inf")),
        dict(expected=1.0, atol=0.1, rival=float("nan")),
        dict(expected=1.0, atol=0.1, rival=[]),
        dict(expected=1.0, atol=0.1, rival="2"),
    ],
)
def test_windows_that_contain_everything_and_bad_rivals_are_rejected(kwargs):
    with pytest.raises((ValueError, TypeError)):
        check("x", 1.0, statement="s", **kwargs)


def test_rivals_and_separation_reach_the_ledger_record():
    rec = check("r", 0.5, expected=0.5, atol=0.1, rival=np.array([0.8]), statement="s").to_json()
    assert rec["rival"] == [0.8] and rec["separation"] == pytest.approx(2.0)
    assert rec["kind"] == "window" and rec["discriminates"] is True
    assert check("e", 3, expected=3, statement="s").to_json()["kind"] == "exact"
