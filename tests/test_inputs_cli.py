"""Property tests of the command line under bad arguments: whatever is generated, ``main``
returns 2 after one line on stderr that starts with ``widthlimits: error:``, never raises, never
prints a traceback, and does no work (every generated case is refused by the checks)."""

from __future__ import annotations

import contextlib
import io
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from widthlimits.cli import main

FAST = settings(max_examples=40, deadline=None)

_text = st.text(alphabet=st.characters(codec="ascii", exclude_characters="\\x00,"), max_size=12)
_not_int = st.sampled_from(["1.5", "abc", "inf", "nan", "1e3", "--"])
bad_size = st.one_of(st.integers(max_value=0).map(str), _not_int)  # sizes are >= 1
bad_seed = st.one_of(st.integers(max_value=-1).map(str), _not_int)  # seeds are >= 0
OUT = tempfile.mkdtemp(prefix="wl-cli-inputs-")
bad_name = _text.filter(
    lambda t: (
        t.strip().lower()
        not in ("", "sp", "ntk", "mup", "sgd", "adam", "gaussian", "rademacher", "standard", "µp")
    )
)


def run(*args) -> tuple[int, list[str]]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(list(args))
    return status, [line for line in err.getvalue().splitlines() if line.strip()]


def refused(*args) -> None:
    status, lines = run(*args, "--out", OUT)
    assert status == 2, (args, lines)
    assert len(lines) == 1 and lines[0].startswith("widthlimits: error:"), (args, lines)


@FAST
@given(value=bad_size)
def test_semicircle_bad_sizes(value):
    refused("semicircle", "--n", value)


@FAST
@given(value=bad_seed)
def test_semicircle_bad_seeds(value):
    refused("semicircle", "--seed", value)


@FAST
@given(n=st.integers(min_value=200_000, max_value=10**9))
def test_semicircle_sizes_beyond_memory(n):
    refused("semicircle", "--n", str(n))


@FAST
@given(entries=bad_name)
def test_semicircle_unknown_entries(entries):
    refused("semicircle", "--entries", entries)


@FAST
@given(option=st.sampled_from(["--widths", "--depth", "--steps"]), value=bad_size)
def test_transfer_bad_sizes(option, value):
    refused("transfer", option, value)


@FAST
@given(value=st.one_of(bad_seed, st.just(""), st.just("1,1")))
def test_transfer_bad_seeds(value):
    refused("transfer", "--seeds", value)


@FAST
@given(
    lrs=st.one_of(
        st.lists(st.floats(max_value=0.0), min_size=1, max_size=3),
        st.lists(st.sampled_from([float("nan"), float("inf")]), min_size=1, max_size=2),
        st.just([0.2, 0.1]),
        st.just([0.1, 0.2, 0.5]),
    )
)
def test_transfer_bad_learning_rates(lrs):
    refused("transfer", "--lrs", ",".join(repr(v) for v in lrs) or "x")


@FAST
@given(option=st.sampled_from(["--parametrizations", "--optimizers"]), value=bad_name)
def test_transfer_unknown_names(option, value):
    refused("transfer", option, value)


@FAST
@given(device=st.one_of(bad_name, st.sampled_from(["tpu", "cuda:7", "meta", "", "cuda:-1"])))
def test_transfer_unknown_devices(device):
    if device.strip().lower() in ("cpu", "cuda", "mps") or device.strip().lower().startswith(
        ("cpu:", "cuda:0")
    ):
        device = "tpu"
    refused("transfer", "--device", device)


@FAST
@given(
    option=st.sampled_from(["--parametrization", "--optimizer", "--lr", "--widths"]),
    value=st.one_of(bad_name, st.sampled_from(["nan", "-1", "0", "inf"])),
)
def test_coord_check_bad_arguments(option, value):
    refused("coord-check", option, value)


@FAST
@given(command=_text.filter(lambda t: t not in ("semicircle", "coord-check", "transfer")))
def test_unknown_commands(command):
    status, lines = run(command)
    assert status == 2 and len(lines) == 1
