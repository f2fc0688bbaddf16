"""Bad input to every public callable of the abc-parametrizations, the µP model, the coordinate
check and the cheat sheet (widthlimits.mup.abc, presets, abc_plots, names, model, groups,
coord_check, coord_plots, linear; widthlimits.cheatsheet).

Each property test generates bad values for one argument of one callable (wrong types, None,
strings, bools, NaN and inf, negative or zero sizes, sizes that cannot fit in memory, unknown
names, ragged, complex or boolean arrays, out-of-range steps) and asserts that the call raises
``ValueError`` or ``TypeError`` -- and nothing else: any other exception fails the test. Sizes that
would exhaust memory are refused before allocation, so those examples are instant. The last
tests check the other side: numpy arrays, numpy scalars and case-insensitive names are accepted,
with the same results as their Python equivalents.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import bad_count, not_a_real, not_an_int, rejects

from widthlimits import cheatsheet, mup
from widthlimits.mup import groups, names
from widthlimits.nonlinearities import NAMES

SETTINGS = settings(max_examples=30, deadline=None)
X = torch.randn(12, 3, generator=torch.Generator().manual_seed(0))
Y = torch.arange(12) % 3
RESULT = mup.coord_check([8, 16, 32], "mup", depth=1, steps=2, x=X, y=Y, seeds=(0, 1))


# ----------------------------------------------------------------------------------------------
# Strategies of bad values
# ----------------------------------------------------------------------------------------------
def bad_positive():
    """Not a finite real > 0."""
    return st.one_of(not_a_real(), st.floats(max_value=0.0, allow_nan=False, allow_infinity=False))


def bad_flag():
    """Anything but True and False: 'no', 0, 1, None, ..."""
    return st.one_of(
        st.integers(-2, 2),
        st.text(max_size=4),
        st.none(),
        st.floats(allow_nan=True),
        st.sampled_from(["no", "yes", "False", [], [True]]),
    )


def bad_name(valid):
    """Strings that name nothing in ``valid`` (case-insensitively), and non-strings."""
    valid = {v.lower() for v in valid}
    return st.one_of(
        st.text(max_size=8).filter(lambda s: s.strip().lower() not in valid),
        st.none(),
        st.integers(),
        st.floats(allow_nan=True),
        st.lists(st.sampled_from(sorted(valid)), min_size=1, max_size=2),
    )


def bad_sequence():
    """Not a non-empty sequence of finite reals: None, strings, ragged, nested, NaN, complex."""
    return st.one_of(
        st.none(),
        st.text(max_size=4),
        st.just([]),
        st.integers(),
        st.lists(
            st.sampled_from([math.nan, math.inf, "x", None, 1j, True]), min_size=1, max_size=3
        ),
        st.sampled_from([[[0.0, 1.0], [2.0]], np.zeros((2, 2)), {"a": 1}, np.array([1j, 2j])]),
    )


def bad_array(ndim: int):
    """Not a finite real array of ``ndim`` dimensions: None, strings, ragged, complex, NaN, bool."""
    return st.one_of(
        st.none(),
        st.text(max_size=4),
        st.floats(),
        st.sampled_from(
            [
                [[1.0, 2.0], [3.0]],
                np.full((2,) * ndim, np.nan),
                np.ones((2,) * ndim, dtype=complex),
                np.ones((2,) * ndim, dtype=bool),
                np.zeros((0,) * ndim),
                np.zeros((2,) * (ndim + 1)),
            ]
        ),
    )


def not_a_generator():
    return st.one_of(
        st.integers(), st.text(max_size=3), st.sampled_from([np.random.default_rng(0), 1.5, []])
    )


def corrupt(bad: dict):
    """One (argument, bad value) pair: which argument to corrupt, and the value."""
    return st.sampled_from(sorted(bad)).flatmap(lambda k: st.tuples(st.just(k), bad[k]))


# ----------------------------------------------------------------------------------------------
# abc-parametrizations and presets
# ----------------------------------------------------------------------------------------------
@SETTINGS
@given(corrupt({"a": bad_sequence(), "b": bad_sequence(), "c": not_a_real()}))
def test_abc_rejects_bad_exponents(case):
    key, value = case
    args = {"a": [-0.5, 0.5], "b": [0.5, 0.5], "c": 0.0, key: value}
    rejects(mup.ABC, **args)


@SETTINGS
@given(st.one_of(not_a_real(), st.sampled_from([1e308, -1e308, np.float64(1.7e308)])))
def test_shifted_rejects_bad_or_overflowing_shifts(t):
    rejects(mup.mup(2).shifted, t)


@SETTINGS
@given(st.one_of(st.none(), st.text(max_size=4), st.integers(), st.just((0.5, 0.5, 0.0))))
def test_functions_of_an_abc_reject_non_abc(p):
    rejects(mup.mup(2).equivalent, p)
    rejects(mup.classify, p)
    rejects(groups.lr_table, p, 2.0)
    rejects(groups.bias_exponents, p, 0)
    rejects(cheatsheet.layer_exponents, p)
    rejects(cheatsheet.conventional_gauge, "SP", p)


@SETTINGS
@given(bad_count(1), st.sampled_from([mup.standard, mup.ntk, mup.mup, mup.mean_field]))
def test_presets_reject_bad_depths(L, preset):
    rejects(preset, L)


@SETTINGS
@given(not_a_real())
def test_standard_rejects_bad_lr_exponent(c):
    rejects(mup.standard, 2, lr_exponent=c)


def _make(a, c):
    return mup.ABC([0, a], [0, 0], c)


@SETTINGS
@given(
    corrupt(
        {
            "make": st.one_of(st.none(), st.integers(), st.text(max_size=3)),
            "xs": st.one_of(bad_sequence(), st.just([1.0, 0.5]), st.just([0.5, 0.5])),
            "ys": st.one_of(bad_sequence(), st.just(np.array([0.0, -1.0]))),
        }
    )
)
def test_phase_grid_rejects_bad_grids(case):
    key, value = case
    args = {"make": _make, "xs": [0.5, 1.0], "ys": [-1.0, 0.0], key: value}
    rejects(mup.phase_grid, args["make"], args["xs"], args["ys"])


def test_phase_grid_rejects_a_make_that_returns_no_abc():
    rejects(mup.phase_grid, lambda x, y: (x, y), [0.0], [0.0])


@SETTINGS
@given(
    corrupt(
        {
            "params": st.one_of(
                st.none(),
                st.just({}),
                st.just([mup.mup(2)]),
                st.just({"x": (0, 1)}),
                st.just({"a": mup.mup(1), "b": mup.mup(2)}),
            ),
            "quantity": bad_name(mup.EXPONENTS),
            "ax": st.one_of(st.integers(), st.text(max_size=3), st.just(plt)),
        }
    )
)
def test_plot_exponents_rejects_bad_input(case):
    key, value = case
    args = {"params": {"µP": mup.mup(2)}, "quantity": "lr", "ax": None, key: value}
    try:
        rejects(mup.plot_exponents, args["params"], args["quantity"], ax=args["ax"])
    finally:
        plt.close("all")


CODES, _ = mup.phase_grid(_make, [0.5, 1.0], [-1.0, 0.0])


@SETTINGS
@given(
    corrupt(
        {
            "codes": st.one_of(
                bad_array(2), st.just(np.full((2, 2), 7)), st.just(np.zeros((3, 2)))
            ),
            "xs": st.one_of(bad_sequence(), st.just([1.0, 0.5])),
            "named": st.one_of(
                st.just([1, 2]),
                st.just({"MF": (1.0,)}),
                st.just({"MF": "xy"}),
                st.just({3: (0, 0)}),
            ),
            "xlabel": st.one_of(st.integers(), st.none()),
            "ax": st.one_of(st.integers(), st.text(max_size=3)),
        }
    )
)
def test_plot_phase_grid_rejects_bad_input(case):
    key, value = case
    args = {"codes": CODES, "xs": [0.5, 1.0], "named": None, "xlabel": "", "ax": None}
    args[key] = value
    try:
        rejects(
            mup.plot_phase_grid,
            args["codes"],
            args["xs"],
            [-1.0, 0.0],
            named=args["named"],
            xlabel=args["xlabel"],
            ax=args["ax"],
        )
    finally:
        plt.close("all")


# ----------------------------------------------------------------------------------------------
# The model, its names and its parameter groups
# ----------------------------------------------------------------------------------------------
MLP_BAD = {
    "d_in": bad_count(1),
    "width": st.one_of(bad_count(1), st.sampled_from([10**7, 10**9])),  # 10**7: 400 TB
    "d_out": bad_count(1),
    "depth": bad_count(1),
    "parametrization": st.one_of(
        bad_name(["sp", "ntk", "mup", "standard", "µp"]), st.just(mup.mup(3))
    ),
    "base_width": bad_count(1).filter(lambda v: v is not None),
    "nonlinearity": bad_name([*NAMES, "linear"]).filter(lambda v: not callable(v)),
    "weight_std": st.one_of(not_a_real(), st.floats(max_value=-1e-9, allow_nan=False)),
    "bias_std": st.one_of(not_a_real(), st.floats(max_value=-1e-9, allow_nan=False)),
    "zero_readout": bad_flag(),
    "bias": bad_flag(),
    "generator": not_a_generator(),
    "dtype": st.sampled_from(
        [torch.int64, torch.bool, torch.complex64, np.float32, "float32", None]
    ),
}


@SETTINGS
@given(corrupt(MLP_BAD))
def test_mlp_rejects_bad_construction(case):
    key, value = case
    args = {"d_in": 3, "width": 8, "d_out": 2, "depth": 2, key: value}
    rejects(mup.MLP, **args)


NET = mup.MLP(3, 8, 2, 2, "mup", base_width=8, generator=torch.Generator().manual_seed(0))


@SETTINGS
@given(
    st.one_of(
        bad_array(2),
        st.sampled_from(
            [
                torch.zeros(4, 5),
                torch.zeros(4, 3, dtype=torch.bool),
                torch.zeros(4, 3, dtype=torch.complex64),
                torch.full((4, 3), math.nan),
                torch.zeros(0, 3),
                torch.zeros(3),
            ]
        ),
    ),
    st.sampled_from(["forward", "activations", "preactivations"]),
)
def test_mlp_calls_reject_bad_batches(x, method):
    rejects(getattr(NET, method), x)


@SETTINGS
@given(st.one_of(bad_array(2), st.just(torch.zeros(4, 3)), st.just(torch.full((2, 8), math.inf))))
def test_readout_rejects_bad_features(features):
    rejects(NET.readout, features)


@SETTINGS
@given(corrupt({"lr": bad_positive(), "optimizer": bad_name(["sgd", "adam"])}))
def test_param_groups_reject_bad_input(case):
    key, value = case
    args = {"lr": 0.1, "optimizer": "sgd", key: value}
    rejects(NET.param_groups, args["lr"], args["optimizer"])


@SETTINGS
@given(st.one_of(bad_positive(), st.just(0.0)))
def test_lr_table_rejects_bad_ratio(rho):
    rejects(groups.lr_table, mup.mup(2), rho)


@SETTINGS
@given(st.one_of(bad_count(0), st.integers(3, 10**6)))
def test_bias_exponents_rejects_bad_layers(l):
    rejects(groups.bias_exponents, mup.mup(2), l)


@SETTINGS
@given(
    corrupt(
        {
            "parametrization": st.one_of(bad_name(["sp", "ntk", "mup", "standard", "µp"])),
            "depth": bad_count(1),
        }
    )
)
def test_resolve_parametrization_rejects_bad_input(case):
    key, value = case
    args = {"parametrization": "mup", "depth": 2, key: value}
    rejects(names.resolve_parametrization, args["parametrization"], args["depth"])


@SETTINGS
@given(bad_name([*NAMES, "linear"]))
def test_resolve_nonlinearity_rejects_bad_names(name):
    rejects(names.resolve_nonlinearity, name)


@SETTINGS
@given(st.sampled_from([torch.int32, torch.bool, "float64", None, float, np.float64]))
def test_check_dtype_rejects_non_floating(dtype):
    rejects(names.check_dtype, dtype)


@SETTINGS
@given(
    corrupt(
        {"d_in": bad_count(1), "width": bad_count(1), "depth": bad_count(1), "bias": bad_flag()}
    )
)
def test_parameter_count_and_check_size_reject_bad_sizes(case):
    key, value = case
    args = {"d_in": 3, "width": 8, "d_out": 1, "depth": 2, "bias": True, key: value}
    rejects(names.parameter_count, **args)
    rejects(names.check_size, **args)


def test_check_size_refuses_huge_networks_with_the_estimate():
    with pytest.raises(ValueError, match="would need about .* GB"):
        mup.MLP(10, 10**7, 1, 3)


# ----------------------------------------------------------------------------------------------
# The coordinate check, its slopes and its figure; the linear µP network
# ----------------------------------------------------------------------------------------------
COORD_BAD = {
    "widths": st.one_of(
        bad_sequence(), st.just([16, 8]), st.just([8, 8]), st.just([8, 1.5]), st.just([0, 8])
    ),
    "parametrization": bad_name(["sp", "ntk", "mup", "standard", "µp"]),
    "depth": bad_count(1),
    "steps": bad_count(1),
    "lr": bad_positive(),
    "optimizer": bad_name(["sgd", "adam"]),
    "seeds": st.one_of(
        bad_sequence(), st.just([1.5]), st.just([-1]), st.just([True]), st.just([2**64])
    ),
    "base_width": bad_count(1).filter(lambda v: v is not None),
    "nonlinearity": bad_name([*NAMES, "linear"]).filter(lambda v: not callable(v)),
    "zero_readout": bad_flag(),
    "x": st.one_of(
        bad_array(2), st.just(torch.zeros(11, 3)), st.just(torch.full((12, 3), math.inf))
    ),
    "y": st.one_of(
        bad_array(1),
        st.just(Y.float()),
        st.just(Y[:5]),
        st.just(-Y),
        st.just(torch.ones(12, dtype=torch.bool)),
    ),
}


@SETTINGS
@given(corrupt(COORD_BAD))
def test_coord_check_rejects_bad_input_before_training(case):
    key, value = case
    args = {"widths": [8, 16], "depth": 1, "steps": 1, "seeds": (0,), "x": X, "y": Y, key: value}
    widths = args.pop("widths")
    rejects(mup.coord_check, widths, **args)


def test_coord_check_refuses_huge_widths_before_training():
    with pytest.raises(ValueError, match="GB"):
        mup.coord_check([8, 10**7], depth=2, steps=1, seeds=(0,), x=X, y=Y)


def test_coord_check_needs_both_x_and_y():
    rejects(mup.coord_check, [8], x=X)
    rejects(mup.coord_check, [8], y=Y)


def _broken_results():
    no_layers = {k: v for k, v in RESULT.items() if k != "layers"}
    short = {**RESULT, "change": RESULT["change"][:1]}
    nan = {**RESULT, "size": np.full_like(RESULT["size"], np.nan)}
    return st.one_of(
        st.none(), st.text(max_size=3), st.sampled_from([no_layers, short, nan, [RESULT], {}])
    )


@SETTINGS
@given(
    corrupt(
        {
            "result": _broken_results(),
            "step": st.one_of(not_an_int(), st.integers(3, 10**9), st.integers(-(10**9), -4)),
            "min_width": st.one_of(bad_count(1), st.just(16)),  # 16: only 2 widths left
            "quantity": bad_name(["change", "size"]),
        }
    )
)
def test_coord_slopes_rejects_bad_input(case):
    key, value = case
    args = {"result": RESULT, "step": 2, "min_width": 1, "quantity": "change", key: value}
    rejects(
        mup.coord_slopes,
        args["result"],
        args["step"],
        min_width=args["min_width"],
        quantity=args["quantity"],
    )


def test_coord_slopes_rejects_step_zero_and_one_seed():
    rejects(mup.coord_slopes, RESULT, 0)  # the change at step 0 is zero by definition
    one_seed = {**RESULT, "change": RESULT["change"][:, :1]}
    rejects(mup.coord_slopes, one_seed, 1)


@SETTINGS
@given(
    corrupt(
        {
            "result": _broken_results(),
            "step": st.one_of(not_an_int(), st.integers(3, 10**9), st.integers(-(10**9), -4)),
            "quantity": bad_name(["change", "size"]),
            "ax": st.one_of(st.integers(), st.text(max_size=3), st.just(plt)),
        }
    )
)
def test_plot_coord_check_rejects_bad_input(case):
    key, value = case
    args = {"result": RESULT, "step": -1, "quantity": "change", "ax": None, key: value}
    try:
        rejects(
            mup.plot_coord_check,
            args["result"],
            step=args["step"],
            quantity=args["quantity"],
            ax=args["ax"],
        )
    finally:
        plt.close("all")


@SETTINGS
@given(
    corrupt(
        {
            "width": st.one_of(bad_count(1), st.just(10**8)),
            "lr": bad_positive(),
            "target": not_a_real(),
            "steps": bad_count(1),
            "generator": not_a_generator(),
        }
    )
)
def test_train_linear_mup_rejects_bad_input(case):
    key, value = case
    args = {"width": 16, "lr": 0.1, "target": 1.0, "steps": 1, "generator": None, key: value}
    rejects(mup.train_linear_mup, **args)


def test_train_linear_mup_names_a_diverging_learning_rate():
    with pytest.raises(ValueError, match="learning rate"):
        mup.train_linear_mup(64, 1e200, 1.0, 5, torch.Generator().manual_seed(0))


# ----------------------------------------------------------------------------------------------
# The cheat sheet
# ----------------------------------------------------------------------------------------------
@SETTINGS
@given(bad_count(1))
def test_cheatsheet_presets_reject_bad_depths(L):
    rejects(cheatsheet.presets, L)


@SETTINGS
@given(bad_name(["sp", "ntk", "µp", "mf"]))
def test_conventional_gauge_rejects_unknown_names(name):
    rejects(cheatsheet.conventional_gauge, name, mup.mup(2))


@SETTINGS
@given(st.one_of(bad_name(["absorbed", "own"]), bad_sequence(), st.just([0.0, 0.0])))
def test_layer_exponents_rejects_bad_gauges(gauge):
    rejects(cheatsheet.layer_exponents, mup.mup(2), gauge)


@SETTINGS
@given(corrupt({"x": not_a_real().filter(lambda v: v is not None), "html_output": bad_flag()}))
def test_power_rejects_bad_input(case):
    key, value = case
    args = {"x": 0.5, "html_output": True, key: value}
    rejects(cheatsheet.power, args["x"], args["html_output"])


@SETTINGS
@given(
    corrupt(
        {
            "params": st.one_of(st.none(), st.just({}), st.just([mup.mup(2)]), st.just({"x": 1})),
            "quantity": bad_name(cheatsheet.QUANTITIES),
            "gauge": st.one_of(bad_name(["absorbed", "own", "conventional"]), st.integers()),
            "caption": st.one_of(st.integers(), st.none()),
        }
    )
)
def test_table_rejects_bad_input(case):
    key, value = case
    args = {"params": cheatsheet.presets(), "quantity": "sgd_lr", "gauge": "absorbed"}
    args["caption"] = ""
    args[key] = value
    rejects(cheatsheet.table, args.pop("params"), args.pop("quantity"), **args)


@SETTINGS
@given(st.lists(st.one_of(st.integers(), st.text(max_size=3), st.none()), min_size=0, max_size=3))
def test_grid_rejects_non_tables(tables):
    rejects(cheatsheet.grid, *tables)


# ----------------------------------------------------------------------------------------------
# The other side: numpy arrays and scalars, and names in any case, are accepted
# ----------------------------------------------------------------------------------------------
def test_numpy_exponents_make_the_same_abc():
    p = mup.ABC(np.array([-0.5, 0.0, 0.5]), np.full(3, 0.5), np.float32(0.0))
    assert p == mup.mup(2) and p.r == 0.0
    assert mup.mup(2).shifted(np.float64(0.5)) == mup.mup(2).shifted(0.5)
    assert mup.standard(np.int64(2), lr_exponent=np.float64(1.0)) == mup.standard(2, lr_exponent=1)
    codes, r = mup.phase_grid(_make, np.array([0.5, 1.0]), np.array([-1.0, 0.0]))
    assert codes.tolist() == CODES.tolist()


def test_numpy_sizes_and_case_insensitive_names_build_the_same_network():
    def build(**kw):
        return mup.MLP(generator=torch.Generator().manual_seed(3), **kw)

    a = build(d_in=3, width=16, d_out=2, depth=2, parametrization="mup", nonlinearity="relu")
    b = build(
        d_in=np.int64(3),
        width=np.int32(16),
        d_out=2,
        depth=np.int64(2),
        parametrization="MuP",
        nonlinearity="ReLU",
        weight_std=np.float64(math.sqrt(2)),
    )
    assert all(torch.equal(u, v) for u, v in zip(a.parameters(), b.parameters(), strict=True))
    x = np.linspace(-1, 1, 12).reshape(4, 3)
    assert torch.equal(a(torch.tensor(x, dtype=torch.float32)), b(x))  # numpy batch converted
    assert torch.equal(a(torch.tensor(x)), b(x.tolist()))  # float64 tensor converted
    assert [g["lr"] for g in a.param_groups(0.1, "Adam")] == [
        g["lr"] for g in b.param_groups(np.float64(0.1), "adam")
    ]


@pytest.mark.parametrize("name", [*NAMES, "linear", "GELU", "Sigmoid"])
def test_mlp_knows_every_nonlinearity_name(name):
    net = mup.MLP(2, 8, 1, 1, nonlinearity=name, generator=torch.Generator().manual_seed(0))
    assert torch.isfinite(net(torch.ones(3, 2))).all()


def test_coord_check_accepts_numpy_inputs_and_sequences():
    ref = mup.coord_check([8, 16], "mup", depth=1, steps=1, x=X, y=Y, seeds=(0,))
    out = mup.coord_check(
        np.array([8, 16]),
        "MUP",
        depth=np.int64(1),
        steps=np.int64(1),
        x=X.numpy(),
        y=Y.numpy(),
        seeds=np.array([0]),
        lr=np.float64(0.1),
        optimizer="SGD",
    )
    assert np.allclose(out["change"], ref["change"], rtol=1e-6, atol=1e-7)
    s_ref = mup.coord_slopes(RESULT, 2)
    s_np = mup.coord_slopes(RESULT, np.int64(-1), quantity="Change")
    assert np.array_equal(s_ref[0], s_np[0])


def test_cheatsheet_accepts_numpy_and_any_case():
    g = cheatsheet.layer_exponents(mup.mup(2), np.array([0.0, 0.0, 1.0]))
    assert g == cheatsheet.layer_exponents(mup.mup(2), (0, 0, 1))
    assert cheatsheet.conventional_gauge("µp", mup.mup(2)) == (0.0, 0.0, 1.0)
    assert cheatsheet.power(np.float64(-1.0), html_output=np.bool_(False)) == "1/n"
    assert str(cheatsheet.table(cheatsheet.presets(np.int64(2)), "SGD_LR")) == str(
        cheatsheet.table(cheatsheet.presets(), "sgd_lr")
    )
