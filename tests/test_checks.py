"""The one input-check layer (``widthlimits._checks``), the table of nonlinearities, and the
claims API under bad input: generated bad input raises ``ValueError``/``TypeError``, never
anything else, and good input in numpy form is accepted."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widthlimits import _checks as C
from widthlimits import nonlinearities
from widthlimits.claims import check

FAST = settings(max_examples=40, deadline=None)
CLEAR = (ValueError, TypeError)

not_an_int = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.complex_numbers(),
    st.lists(st.integers(), max_size=3),
)
not_a_real = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=5),
    st.complex_numbers().filter(lambda z: z.imag != 0),
    st.sampled_from([math.nan, math.inf, -math.inf, np.nan]),
    st.lists(st.floats(), max_size=3),
)


@FAST
@given(not_an_int)
def test_check_int_refuses_what_is_not_an_integer(x):
    with pytest.raises(TypeError, match="n must be an integer"):
        C.check_int("n", x, 1)


@FAST
@given(st.integers(max_value=0))
def test_check_int_refuses_integers_below_the_bound(x):
    with pytest.raises(ValueError, match=r"n must be an integer >= 1"):
        C.check_int("n", x, 1)


def test_check_int_accepts_numpy_integers_and_returns_python_ints():
    for x in (np.int8(3), np.int64(3), np.uint16(3), 3):
        out = C.check_int("n", x, 1, 5)
        assert out == 3 and type(out) is int
    with pytest.raises(ValueError, match="between 1 and 5"):
        C.check_int("n", 6, 1, 5)


@FAST
@given(not_a_real)
def test_check_real_refuses_what_is_not_a_finite_real(x):
    with pytest.raises(CLEAR, match="lr must be a"):
        C.check_real("lr", x)


def test_check_real_ranges_and_numpy_scalars():
    assert C.check_real("x", np.float32(0.5), 0, 1) == 0.5
    assert C.check_real("x", np.array(2.0)) == 2.0
    with pytest.raises(ValueError, match="> 0"):
        C.check_real("x", 0.0, 0, low_open=True)
    assert C.check_real("x", math.inf, allow_inf=True) == math.inf
    with pytest.raises(ValueError):
        C.check_real("x", math.nan, allow_inf=True)


@FAST
@given(st.one_of(st.none(), st.integers(), st.text(max_size=4), st.floats()))
def test_check_bool_accepts_only_true_and_false(x):
    with pytest.raises(TypeError, match="flag must be True or False"):
        C.check_bool("flag", x)


def test_check_bool_accepts_numpy_bools():
    assert C.check_bool("flag", np.bool_(True)) is True


@FAST
@given(st.text(max_size=8).filter(lambda s: s.strip().lower() not in ("sgd", "adam")))
def test_check_choice_names_the_options(x):
    with pytest.raises(ValueError, match="'sgd', 'adam'"):
        C.check_choice("optimizer", x, ("sgd", "adam"))


def test_check_choice_is_case_insensitive_and_knows_aliases():
    assert C.check_choice("o", " ADAM ", ("sgd", "adam")) == "adam"
    assert C.check_choice("o", "Linear", ("identity",), {"linear": "identity"}) == "identity"
    with pytest.raises(TypeError):
        C.check_choice("o", None, ("sgd",))


bad_arrays = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.just([[1.0, 2.0], [3.0]]),
    st.just([1 + 2j, 3.0]),
    st.just([True, False]),
    st.just([1.0, math.nan]),
    st.just([math.inf]),
    st.just([]),
    st.just([["a", "b"]]),
)


@FAST
@given(bad_arrays)
def test_check_array_refuses_bad_arrays(x):
    with pytest.raises(CLEAR, match="X "):
        C.check_array("X", x)


def test_check_array_accepts_lists_numpy_and_torch():
    torch = pytest.importorskip("torch")
    for x in ([[1, 2]], np.ones((1, 2), dtype=np.float32), torch.ones(1, 2)):
        out = C.check_array("X", x, ndim=2)
        assert out.dtype == np.float64 and out.shape == (1, 2)
    with pytest.raises(ValueError, match="must be a 2-D array"):
        C.check_array("X", [1.0, 2.0], ndim=2)


def test_check_grid_refuses_unsorted_and_non_geometric_grids():
    assert C.check_grid("lrs", np.array([0.25, 0.5, 1.0]), geometric=True) == [0.25, 0.5, 1.0]
    with pytest.raises(ValueError, match="strictly increasing"):
        C.check_grid("lrs", [0.5, 0.25])
    with pytest.raises(ValueError, match="geometric"):
        C.check_grid("lrs", [0.25, 0.5, 0.6], geometric=True)
    with pytest.raises(ValueError, match=r"lrs\[0\] must be a real number > 0"):
        C.check_grid("lrs", [0.0, 1.0])


def test_check_ints_refuses_floats_and_accepts_numpy_arrays():
    assert C.check_ints("seeds", np.arange(3), 0) == [0, 1, 2]
    with pytest.raises(TypeError, match=r"seeds\[0\] must be an integer, got float 1.5"):
        C.check_ints("seeds", [1.5])
    with pytest.raises(ValueError, match="must not be empty"):
        C.check_ints("seeds", [])
    with pytest.raises(TypeError, match="list, tuple or 1-D array"):
        C.check_ints("seeds", "012")


def test_check_symmetric_psd_refuses_instead_of_repairing():
    good = np.array([[2.0, 1.0], [1.0, 2.0]])
    assert C.check_symmetric_psd("K", good) is not None
    with pytest.raises(ValueError, match="symmetric"):
        C.check_symmetric_psd("K", [[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(ValueError, match="positive semi-definite"):
        C.check_symmetric_psd("K", [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="square"):
        C.check_symmetric_psd("K", np.ones((2, 3)))


def test_check_memory_refuses_with_the_estimate_before_allocating():
    C.check_memory("a small array", 1e6)
    with pytest.raises(ValueError, match=r"about 80,000.0 GB"):
        C.check_memory("a 10^5 x 10^5 x 1 array", 8e13)


@pytest.mark.parametrize("device", ["tpu", "meta", "", "cuda:7", "cpu:x", 3, None])
def test_check_device_gives_one_clear_error(device):
    pytest.importorskip("torch")
    with pytest.raises(CLEAR, match="device must be a"):
        C.check_device(device)


def test_check_device_accepts_the_cpu():
    torch = pytest.importorskip("torch")
    assert C.check_device("CPU") == torch.device("cpu")
    assert C.check_device(torch.device("cpu")) == torch.device("cpu")


def test_nonlinearity_names_are_one_case_insensitive_set():
    assert nonlinearities.canonical("GELU") == "gelu"
    assert nonlinearities.canonical("linear") == "identity"
    with pytest.raises(ValueError, match="'relu'"):
        nonlinearities.canonical("swish")


@pytest.mark.parametrize("name", nonlinearities.NAMES)
def test_each_nonlinearity_has_matching_numpy_and_torch_forms(name):
    torch = pytest.importorskip("torch")
    phi, dphi = nonlinearities.numpy_pair(name)
    x = np.linspace(-3, 3, 13) + 0.05  # off the kink of relu
    t = torch.tensor(x, requires_grad=True)
    y = nonlinearities.torch_function(name)(t)
    y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), phi(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.grad.numpy(), dphi(x), rtol=1e-10, atol=1e-12)


claim_kwargs = st.fixed_dictionaries(
    {},
    optional={
        "expected": not_a_real,
        "atol": st.one_of(not_a_real, st.floats(max_value=-1e-9)),
        "rival": st.one_of(not_a_real, st.just([])),
        "lower": not_a_real,
        "z": st.sampled_from([math.nan, -1.0]),
    },
)


@FAST
@given(claim_kwargs, st.one_of(not_a_real, st.just(1.0)))
def test_a_malformed_claim_is_a_clear_error(kwargs, value):
    kwargs = {"expected": 1.0, "atol": 0.1, "rival": 2.0, **kwargs}
    if value == 1.0 and all(
        isinstance(v, float) and math.isfinite(v) and v >= 0 for v in kwargs.values()
    ):
        return  # a well-formed claim
    with pytest.raises(CLEAR):
        check("c", value, statement="s", **kwargs)


@pytest.mark.parametrize(
    "out, exc, match",
    [
        ([1.0, math.nan], ValueError, "phi returned NaN or infinity"),
        ([1.0, -math.inf], ValueError, "phi returned NaN or infinity"),
        ([1.0, 2.0, 3.0], ValueError, r"shape \(2,\)"),
        ([1j, 2.0], TypeError, "real numbers"),
        (None, TypeError, "array of numbers"),
        ("ab", TypeError, "array of numbers"),
    ],
)
def test_check_values_refuses_what_a_function_should_not_return(out, exc, match):
    with pytest.raises(exc, match=match):
        C.check_values("phi", out, (2,))


def test_check_values_accepts_ints_and_bools_as_floats():
    assert C.check_values("phi", np.array([True, False]), (2,)).tolist() == [1.0, 0.0]
