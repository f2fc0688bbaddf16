"""Property tests of the input checks of the sweeps (``widthlimits.mup``: data, sweep, results,
optimum, ntk_scale, transfer_plots) and of ``widthlimits.plotting``: generated bad input for each
public callable raises ``ValueError`` or ``TypeError``, and never anything else, before any
training; numpy arrays and scalars are accepted where sequences and numbers are."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from widthlimits import mup, plotting

FAST = settings(max_examples=30, deadline=None)
TINY = {"widths": [16], "lrs": [0.1], "seeds": (0,), "steps": 1}


def clear_error(f, /, *args, **kwargs) -> None:
    """``f(*args, **kwargs)`` must raise ValueError or TypeError; anything else fails."""
    try:
        f(*args, **kwargs)
    except (ValueError, TypeError):
        return
    except Exception as err:  # noqa: BLE001 - the point: no other exception may escape
        pytest.fail(f"{type(err).__name__} instead of ValueError/TypeError: {err}")
    finally:
        plt.close("all")
    pytest.fail(f"no error for args={args!r} kwargs={kwargs!r}")


junk = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.booleans(),
    st.complex_numbers(allow_nan=False, max_magnitude=10),
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not float(v).is_integer()),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)
bad_size = st.one_of(junk, st.integers(max_value=0), st.sampled_from([1.5, np.float64(2.5)]))
bad_seed = st.one_of(junk, st.integers(max_value=-1))
bad_name = st.one_of(junk, st.text(min_size=1, max_size=6)).filter(
    lambda v: not (isinstance(v, str) and v.strip().lower() in ("sp", "ntk", "mup", "sgd", "adam"))
)
bad_int_list = st.one_of(
    junk,
    st.just([]),
    st.lists(st.integers(max_value=0), min_size=1, max_size=3),
    st.lists(st.floats(min_value=1.5, max_value=9.5), min_size=1, max_size=2),
    st.just([[16, 32], [64]]),
    st.just([32, 16]),
)
bad_grid = st.one_of(
    junk,
    st.just([]),
    st.lists(st.floats(max_value=0.0), min_size=1, max_size=3),
    st.lists(st.sampled_from([np.nan, np.inf]), min_size=1, max_size=2),
    st.just([0.2, 0.1]),
    st.just([0.1, 0.2, 0.5]),  # not geometric
    st.just([0.1, 0.1]),
)
bad_device = st.one_of(junk, st.sampled_from(["tpu", "cuda:7", "meta", "", "cuda:-1", "xla"]))


# --- data ---------------------------------------------------------------------------------------


@FAST
@given(
    fraction=st.one_of(
        junk.filter(lambda v: not (isinstance(v, float) and 0 < v < 1)),
        st.floats(max_value=0.0),
        st.floats(min_value=1.0),
        st.floats(min_value=0.9998, max_value=0.99999),
        st.just(1e-5),
    ),
)
def test_load_digits_split_bad_fraction(fraction):
    clear_error(mup.load_digits_split, fraction)


@FAST
@given(seed=bad_seed, dtype=st.sampled_from([torch.int64, torch.bool, "float32", None, np.float32]))
def test_load_digits_split_bad_seed_or_dtype(seed, dtype):
    clear_error(mup.load_digits_split, 0.25, seed)
    clear_error(mup.load_digits_split, 0.25, 0, dtype)


@pytest.fixture(scope="module")
def digits():
    return mup.load_digits_split()


@FAST
@given(
    which=st.integers(0, 3),
    bad=st.sampled_from(
        ["nan", "inf", "ragged", "none", "str", "short", "3d", "complex", "negative"]
    ),
)
def test_check_split_bad_parts(digits, which, bad):
    data = [d.numpy() for d in digits]
    part = data[which].astype(float)
    part = {
        "nan": part * np.nan,
        "inf": part + np.inf,
        "ragged": [[1.0, 2.0], [3.0]],
        "none": None,
        "str": "digits",
        "short": part[:-1],
        "3d": part[None],
        "complex": part + 1j,
        "negative": -1.0 - np.abs(part),
    }[bad]
    if bad == "negative" and which in (0, 2):
        part = np.concatenate([part[:, :-1], np.zeros((len(part), 2))], axis=1)  # wrong width
    data[which] = part
    clear_error(mup.check_split, tuple(data))
    clear_error(mup.lr_sweep, data=tuple(data), **TINY)


@FAST
@given(data=st.one_of(junk, st.lists(st.integers(), max_size=5)))
def test_check_split_not_a_split(data):
    clear_error(mup.check_split, data)


# --- lr_sweep and book_sweep ---------------------------------------------------------------------


@FAST
@given(
    arg=st.sampled_from(["widths", "lrs", "seeds", "parametrizations", "optimizers"]),
    value=st.data(),
)
def test_lr_sweep_bad_grids_and_names(arg, value):
    strategy = {
        "widths": bad_int_list,
        "lrs": bad_grid,
        # a seed may be 0 and seeds need not be sorted, so bad seeds are drawn on their own
        "seeds": st.one_of(
            junk,
            st.just([]),
            st.lists(st.integers(max_value=-1), min_size=1, max_size=3),
            st.lists(st.floats(min_value=1.5, max_value=9.5), min_size=1, max_size=2),
            st.just([[16, 32], [64]]),
            st.just([1, 1]),
        ),
        "parametrizations": st.one_of(
            junk, st.just([]), st.lists(bad_name, min_size=1, max_size=2), st.just(["sp", "SP"])
        ),
        "optimizers": st.one_of(
            junk, st.just([]), st.lists(bad_name, min_size=1, max_size=2), st.just(["sgd", "SGD"])
        ),
    }[arg]
    clear_error(mup.lr_sweep, **{**TINY, arg: value.draw(strategy)})


@FAST
@given(
    arg=st.sampled_from(
        [
            "depth",
            "steps",
            "batch_size",
            "base_width",
            "zero_readout",
            "progress",
            "device",
            "nonlinearity",
        ]
    ),
    value=st.data(),
)
def test_lr_sweep_bad_settings(arg, value):
    strategy = {
        "zero_readout": st.one_of(
            junk.filter(lambda v: not isinstance(v, bool)), st.sampled_from(["no", 0, 1])
        ),
        "progress": st.sampled_from(["yes", 0, None]),
        "device": bad_device,
        "nonlinearity": st.one_of(st.sampled_from(["swish", "", "relu6"]), st.integers()),
        "base_width": bad_size.filter(lambda v: v is not None),
    }.get(arg, bad_size)
    clear_error(mup.lr_sweep, **{**TINY, arg: value.draw(strategy)})


@FAST
@given(
    arg=st.sampled_from(["base_seed", "device", "override", "seeds", "widths", "lrs", "steps"]),
    value=st.data(),
)
def test_book_sweep_bad_arguments(arg, value):
    if arg == "base_seed":
        clear_error(mup.book_sweep, value.draw(bad_seed))
    elif arg == "device":
        clear_error(mup.book_sweep, device=value.draw(bad_device))
    elif arg == "override":
        clear_error(mup.book_sweep, **{value.draw(st.sampled_from(["width", "lr", "depths"])): 1})
    else:
        bad = {"seeds": bad_size, "widths": bad_int_list, "lrs": bad_grid, "steps": bad_size}[arg]
        v = value.draw(bad)
        clear_error(mup.book_sweep, **{arg: value.draw(st.sampled_from([v, {"sgd": v}]))})


def test_numpy_arrays_and_scalars_accepted(digits):
    out = mup.lr_sweep(
        np.array([16, 32]),
        np.array([0.05, 0.1]),
        np.array([0, 1]),
        parametrizations=np.array(["mup"]),
        optimizers=("SGD",),
        steps=np.int64(2),
        depth=np.int32(1),
        batch_size=np.int64(64),
        data=tuple(d.numpy() for d in digits),
    )
    assert out.shape == (1, 1, 2, 2, 2) and np.isfinite(out.train_loss).all()
    assert out.select(width=np.int64(32), lr=np.float32(0.1)).axes == (
        "parametrization",
        "optimizer",
        "seed",
    )
    nd = mup.ntk_diagonal(np.int64(16), "SP", depth=np.int64(2), n_inputs=np.int64(4))
    assert np.isfinite(nd["total"])


# --- ntk_diagonal ------------------------------------------------------------------------------


@FAST
@given(
    arg=st.sampled_from(
        ["width", "depth", "base_width", "n_inputs", "seed", "parametrization", "data"]
    ),
    value=st.data(),
)
def test_ntk_diagonal_bad_arguments(arg, value):
    strategy = {
        "seed": bad_seed,
        "parametrization": bad_name,
        "data": junk.filter(lambda v: v is not None),
        "base_width": bad_size.filter(lambda v: v is not None),
    }.get(arg, bad_size)
    kwargs = {"width": 16, arg: value.draw(strategy)}
    clear_error(mup.ntk_diagonal, **kwargs)


# --- the Sweep and its analyses ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep():
    return mup.lr_sweep([16, 32, 64], [0.05, 0.1, 0.2], seeds=(0, 1), optimizers=("sgd",), steps=2)


@FAST
@given(
    axis=st.text(min_size=1, max_size=8).filter(
        lambda a: a.isidentifier() and a.lower() not in mup.results.AXES
    ),
    value=junk,
)
def test_select_unknown_axis(sweep, axis, value):
    clear_error(sweep.select, **{axis: value})


@FAST
@given(
    axis=st.sampled_from(mup.results.AXES),
    value=st.one_of(
        junk, st.integers(min_value=65), st.floats(min_value=0.3, max_value=9.0), st.just([])
    ),
)
def test_select_unknown_value(sweep, axis, value):
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    assume(
        not (
            numeric
            and any(np.isclose(value, c) for c in sweep.coords[axis] if not isinstance(c, str))
        )
    )
    clear_error(sweep.select, **{axis: value})
    clear_error(sweep.select, **{axis: [value]})


@FAST
@given(name=junk)
def test_sweep_loss_and_coord_bad_names(sweep, name):
    clear_error(sweep.loss, name)
    clear_error(sweep.coord, name)


@FAST
@given(which=st.sampled_from(["axes", "coords", "shape"]))
def test_sweep_constructor_checks(which):
    loss = np.ones((2, 3))
    axes, coords = ("lr", "seed"), {"lr": (0.1, 0.2), "seed": (0, 1, 2)}
    if which == "axes":
        axes = ("lr", "colour")
    elif which == "coords":
        coords = {"lr": (0.1, 0.2)}
    else:
        loss = np.ones((3, 2))
    clear_error(mup.Sweep.from_arrays, loss, axes, coords)


@FAST
@given(
    losses=st.one_of(
        junk,
        st.just(np.full((1, 3, 2), np.nan)),
        st.just(np.full((1, 3, 2), np.inf)),
        st.just(np.full((1, 3, 2), -np.inf)),
        st.just(np.ones((1, 4, 2))),  # shape does not match the grid
        st.just(np.ones(3)),
        st.just([[[1.0, 2.0]], [[1.0]]]),
    ),
    lrs=st.one_of(st.just([0.5, 1.0, 2.0]), bad_grid),
    cliff=st.one_of(st.just(2.0), st.floats(max_value=0.99), junk),
)
def test_optimal_lr_bad_input(losses, lrs, cliff):
    clear_error(mup.optimal_lr, losses, lrs, cliff=cliff)


@FAST
@given(what=st.sampled_from(["dict", "loss", "axis", "lrs", "unselected"]))
def test_transfer_stats_and_plots_bad_input(sweep, what):
    for f in (mup.transfer_stats, mup.plot_transfer, mup.plot_optimum):
        if what == "dict":
            clear_error(f, {"train_loss": sweep.train_loss})
        elif what == "loss":
            clear_error(f, sweep, loss="test_acc", parametrization="sp")
        elif what == "axis":
            clear_error(f, sweep, colour="red")
        elif f is not mup.plot_optimum and what == "unselected":
            clear_error(f, sweep)
    clear_error(mup.optimal_lr, sweep, [0.05, 0.1, 0.2])  # a Sweep carries its own grid
    clear_error(mup.optimal_lr, sweep.select(seed=0))  # the last axes are not (lr, seed)


@FAST
@given(ax=st.one_of(junk.filter(lambda v: v is not None), st.integers()))
def test_sweep_plots_bad_ax(sweep, ax):
    clear_error(mup.plot_transfer, sweep, parametrization="sp", ax=ax)
    clear_error(mup.plot_optimum, sweep, ax=ax)
    if not isinstance(ax, bool):
        clear_error(mup.plot_optimum, sweep, reference=ax)


# --- plotting ----------------------------------------------------------------------------------


@FAST
@given(
    name=bad_name.filter(
        lambda v: (
            not (
                isinstance(v, str)
                and v.strip().lower() in ("mf", "µp", "mean_field", "mean-field", "standard")
            )
        )
    )
)
def test_parametrization_label_unknown(name):
    clear_error(plotting.parametrization_label, name)


@FAST
@given(arg=st.sampled_from(["ax", "widths", "x", "ys", "yerr", "marker", "label"]), value=st.data())
def test_per_width_bad_input(arg, value):
    fig, ax = plotting.subplots()
    kwargs = {"ax": ax, "widths": [16, 32], "x": [1, 2, 3], "ys": [[1, 2, 3], [2, 3, 4]]}
    strategy = {
        "ax": st.one_of(junk, st.integers()),
        "widths": bad_int_list.filter(lambda v: v != [32, 16]),
        "x": st.one_of(junk, st.just([1, 2]), st.just([[1, 2, 3]]), st.just([1, np.nan, 3])),
        "ys": st.one_of(junk, st.just([1, 2, 3]), st.just([[1, 2, 3]]), st.just([[1, 2], [3]])),
        "yerr": st.one_of(st.text(max_size=3), st.just([[1, 2]])),
        "marker": st.one_of(st.integers(), st.booleans(), st.none()),
        "label": st.one_of(st.integers(), st.booleans()),
    }[arg]
    kwargs[arg] = value.draw(strategy)
    clear_error(plotting.per_width, **kwargs)


@FAST
@given(arg=st.sampled_from(["x", "yerr", "slope", "ax", "color", "label"]), value=st.data())
def test_loglog_with_fit_bad_input(arg, value):
    kwargs = {"x": [1.0, 10.0, 100.0], "y": [1.0, 0.3, 0.1]}
    strategy = {
        "x": st.one_of(
            junk, st.just([1.0, -1.0, 2.0]), st.just([1.0, 2.0]), st.just([[1.0, 2.0, 3.0]])
        ),
        "yerr": st.one_of(
            st.text(min_size=1, max_size=3), st.just([-1.0, 0.0, 0.0]), st.just([1.0])
        ),
        "slope": st.one_of(st.text(min_size=1, max_size=3), st.just(np.nan), st.booleans()),
        "ax": st.one_of(st.integers(), st.text(min_size=1, max_size=3)),
        "color": st.one_of(st.sampled_from(["notacolour", "#12345", ""]), st.integers(100, 999)),
        "label": st.one_of(st.integers(), st.lists(st.integers(), max_size=2)),
    }[arg]
    kwargs[arg] = value.draw(strategy)
    clear_error(plotting.loglog_with_fit, **kwargs)


@FAST
@given(arg=st.sampled_from(["samples", "pdf", "bins", "support", "ax"]), value=st.data())
def test_density_histogram_bad_input(arg, value):
    kwargs = {"samples": np.linspace(-1, 1, 50)}
    strategy = {
        "samples": st.one_of(junk, st.just([]), st.just([1.0, np.nan])),
        "pdf": st.one_of(st.integers(), st.text(min_size=1, max_size=3)),
        "bins": bad_size,
        "support": st.one_of(
            st.text(min_size=1, max_size=3),
            st.just((1.0,)),
            st.just((1.0, -1.0)),
            st.just((0.0, np.inf)),
            st.integers(),
        ),
        "ax": st.one_of(st.integers(), st.text(min_size=1, max_size=3)),
    }[arg]
    kwargs[arg] = value.draw(strategy)
    clear_error(plotting.density_histogram, **kwargs)


@FAST
@given(arg=st.sampled_from(["ncols", "nrows", "width", "height"]), value=st.data())
def test_subplots_bad_sizes(arg, value):
    positive = st.one_of(
        junk.filter(lambda v: not (isinstance(v, float) and 0 < v < float("inf"))),
        st.floats(max_value=0.0),
    )
    bad = bad_size if arg in ("ncols", "nrows") else positive
    clear_error(plotting.subplots, **{arg: value.draw(bad)})


@FAST
@given(thing=st.one_of(junk, st.integers()))
def test_figure_helpers_bad_input(thing):
    clear_error(plotting.min_font_size, thing)
    clear_error(plotting.check_ax, thing)
    fig, ax = plotting.subplots()
    clear_error(plotting.legend_overlaps_data, ax, thing)
    clear_error(plotting.legend_overlaps_data, thing, thing)


def test_plotting_accepts_numpy():
    fig, ax = plotting.subplots(np.int64(2), width=np.float32(3.0))
    plotting.per_width(ax[0], np.array([16, 32]), np.arange(3.0), np.ones((2, 3)))
    plotting.loglog_with_fit(
        np.array([1.0, 10.0]), np.array([1.0, 0.5]), slope=np.float64(-0.3), ax=ax[1]
    )
    plotting.density_histogram(np.linspace(0, 1, 10), bins=np.int64(5), support=np.array([0, 1]))
    plt.close("all")
