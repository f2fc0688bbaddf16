"""Property tests of the input layer of widthlimits.kernels: for every public callable, generated
bad input (wrong types, None, strings, ragged or complex arrays, NaN and inf, zero and negative
sizes, unknown names, non-PSD or asymmetric kernels, mismatched shapes) raises ValueError or
TypeError and never anything else (any other exception fails the test), while numpy arrays and
numpy scalars are accepted wherever a sequence or a number is.

Each property draws a valid call, spoils one argument and calls; the valid calls are tiny (a few
inputs, width 4), so the whole file runs in seconds.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from widthlimits import kernels, mup

FAST = settings(max_examples=30, deadline=None)
X = np.array([[1.0, 0.0, 0.5], [0.2, -1.0, 0.3], [-0.4, 0.4, 1.0]])
Y = np.array([1.0, -1.0, 0.5])
K = kernels.nngp(X, 1, bias_std=0.1)

# --- generated bad values, by the kind of argument they spoil -----------------------------------
not_a_number = st.one_of(
    st.none(), st.text(max_size=4), st.booleans(), st.complex_numbers(allow_nan=False),
    st.lists(st.floats(), max_size=2), st.just(object()),
)  # fmt: skip
bad_real = st.one_of(not_a_number, st.sampled_from([float("nan"), float("inf"), -float("inf")]))
bad_nonnegative = st.one_of(bad_real, st.floats(max_value=-1e-9, allow_nan=False))
bad_positive = st.one_of(bad_real, st.floats(max_value=0.0, allow_nan=False))
# None is a valid std where it has a meaning: bias_std=None is "no bias" for the limit kernels,
# and weight_std=None / bias_std=None is the initialization's default for the torch MLP
bad_std = bad_nonnegative.filter(lambda v: v is not None)
bad_count = st.one_of(
    not_a_number, st.integers(max_value=0), st.floats(0.5, 1e3), st.just(float("inf")),
    st.just(np.float64(2.0)),
)  # fmt: skip


@st.composite
def bad_matrix(draw, rows=3, cols=3):
    """A value that is not a finite real ``rows x cols`` array."""
    kind = draw(st.sampled_from(["none", "text", "ragged", "complex", "nonfinite", "ndim",
                                 "empty", "bool", "strings", "shape"]))  # fmt: skip
    base = np.ones((rows, cols))
    if kind == "none":
        return None
    if kind == "text":
        return draw(st.text(max_size=6))
    if kind == "ragged":
        return [[1.0] * cols, [1.0] * (cols + 1)]
    if kind == "complex":
        return base * (1 + 1j)
    if kind == "nonfinite":
        base[draw(st.integers(0, rows - 1)), draw(st.integers(0, cols - 1))] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf])
        )
        return base
    if kind == "ndim":
        return draw(st.sampled_from([np.ones(cols), np.ones((rows, cols, 2)), np.float64(1.0)]))
    if kind == "empty":
        return np.ones((0, cols))
    if kind == "bool":
        return base > 0
    if kind == "strings":
        return [["a"] * cols] * rows
    extra = draw(st.integers(1, 3))
    return np.ones((rows, cols + extra))  # the wrong number of columns


@st.composite
def bad_vector(draw, size=3):
    kind = draw(st.sampled_from(["none", "text", "nonfinite", "matrix", "short", "complex"]))
    if kind == "none":
        return None
    if kind == "text":
        return draw(st.text(max_size=6))
    if kind == "nonfinite":
        v = np.ones(size)
        v[draw(st.integers(0, size - 1))] = draw(st.sampled_from([np.nan, np.inf]))
        return v
    if kind == "matrix":
        return np.ones((size, size))
    if kind == "short":
        return np.ones(draw(st.sampled_from([0, size - 1, size + 2])))
    return np.ones(size) * 1j


@st.composite
def not_psd(draw):
    """A 3 x 3 matrix that is asymmetric, or symmetric with a clearly negative eigenvalue."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    eigs = np.array([1.0, 0.5, -draw(st.floats(0.01, 10.0))])
    M = q @ np.diag(eigs) @ q.T
    M = 0.5 * (M + M.T)
    if draw(st.booleans()):
        M = np.abs(np.diag(np.diag(M))) + np.eye(3)
        M[0, 1] += draw(st.floats(1e-3, 1.0))  # asymmetric
    return M


bad_name = st.one_of(
    st.text(max_size=8).filter(lambda s: s.strip().lower() not in (*kernels.NONLINEARITIES,
                                                                    "linear")),
    st.none(), st.integers(), st.floats(), st.lists(st.text(), max_size=2),
)  # fmt: skip
bad_generator = st.one_of(st.none(), st.integers(), st.text(max_size=3),
                          st.just(np.random.default_rng(0)))  # fmt: skip


def raises(fn, *args, **kwargs):
    with pytest.raises((ValueError, TypeError)):
        fn(*args, **kwargs)


def net(width=4, d_out=1, parametrization="ntk"):
    return mup.MLP(3, width, d_out, 1, parametrization, generator=torch.Generator().manual_seed(0),
                   dtype=torch.float64)  # fmt: skip


bad_model = st.one_of(
    st.none(), st.text(max_size=3), st.just(torch.nn.Linear(3, 1)), st.just(np.eye(3)),
    st.just("mlp"), st.builds(lambda: net(d_out=2)),
)  # fmt: skip


# --- the limit kernels --------------------------------------------------------------------------
@FAST
@given(data=st.data(), which=st.sampled_from(["X", "depth", "nonlinearity", "weight_std",
                                              "bias_std"]),
       fn=st.sampled_from([kernels.nngp, kernels.ntk, kernels.nngp_ntk]))  # fmt: skip
def test_limit_kernels_refuse_bad_input(data, which, fn):
    spoil = {
        "X": bad_matrix().filter(
            lambda v: (
                not (
                    isinstance(v, np.ndarray)
                    and v.ndim == 2
                    and v.size
                    and np.isfinite(v).all()
                    and v.dtype.kind == "f"
                )
            )
        ),
        "depth": st.one_of(bad_count, st.integers(kernels.MAX_DEPTH + 1, 10**12)),
        "nonlinearity": bad_name,
        "weight_std": bad_nonnegative,
        "bias_std": bad_std,
    }[which]
    args = {"X": X, "depth": 2, "nonlinearity": "relu", "weight_std": 1.0, "bias_std": 0.1}
    args[which] = data.draw(spoil)
    raises(fn, **args)


@FAST
@given(scale=st.floats(1e3, 1e12),
       case=st.sampled_from([("tanh", None), ("sigmoid", None), ("silu", None),
                             ("softplus", None), (np.tanh, None), (np.abs, [0.0])]))  # fmt: skip
def test_quadrature_refuses_variances_its_grid_cannot_resolve(scale, case):
    # The numerical path (names without a closed form; callables, with or without kinks) refuses,
    # before any work, a preactivation variance too large for its rule. gelu and sin have closed
    # forms now and are exact at any scale, so they are not sampled here.
    nonlinearity, kinks = case
    with pytest.raises(ValueError, match="nodes per axis"):
        kernels.nngp_ntk(X * scale, 1, nonlinearity, kinks=kinks)


@FAST
@given(f=st.sampled_from([lambda x: float(np.sum(x)), lambda x: x.sum(), np.log, np.reciprocal,
                          lambda x: "tanh", lambda x: None, lambda x: x[0]]))  # fmt: skip
def test_callable_nonlinearities_that_are_not_vectorized_and_finite_are_refused(f):
    raises(kernels.dual_of, f)
    raises(kernels.nngp, X, 1, f)


@FAST
@given(name=bad_name)
def test_dual_of_refuses_unknown_names(name):
    raises(kernels.dual_of, name)


# --- kernel predictions -------------------------------------------------------------------------
@FAST
@given(data=st.data(), which=st.sampled_from(["k_train", "k_test_train", "y_train", "ridge"]))
def test_kernel_regression_refuses_bad_input(data, which):
    spoil = {
        "k_train": st.one_of(bad_matrix(), not_psd()),
        "k_test_train": bad_matrix(2, 3),
        "y_train": bad_vector().filter(  # (n, k) targets are valid: several outputs at once
            lambda v: not (isinstance(v, np.ndarray) and v.ndim == 2 and v.dtype.kind == "f")
        ),
        "ridge": bad_nonnegative,
    }[which]
    args = {"k_train": K, "k_test_train": K[:2], "y_train": Y, "ridge": 0.1}
    args[which] = data.draw(spoil)
    raises(kernels.kernel_regression, **args)


@FAST
@given(data=st.data(), which=st.sampled_from(["theta", "theta_eval", "f0", "f0_eval", "y", "lr",
                                              "steps"]))  # fmt: skip
def test_ntk_gd_prediction_refuses_bad_input(data, which):
    spoil = {
        "theta": st.one_of(bad_matrix(), not_psd()),
        "theta_eval": bad_matrix(2, 3),
        "f0": bad_vector(),
        "f0_eval": bad_vector(2),
        "y": bad_vector(),
        "lr": st.one_of(bad_positive, st.floats(2.01 / np.linalg.eigvalsh(K).max(), 1e6)),
        "steps": st.one_of(bad_count, st.integers(2**53 + 1, 2**80)),
    }[which]
    args = {"theta": K, "theta_eval": K[:2], "f0": np.zeros(3), "f0_eval": np.zeros(2), "y": Y,
            "lr": 0.1, "steps": 3}  # fmt: skip
    args[which] = data.draw(spoil)
    raises(kernels.ntk_gd_prediction, **args)


# --- torch networks -----------------------------------------------------------------------------
@FAST
@given(data=st.data(), which=st.sampled_from(["X", "width", "depth", "n_samples", "generator",
                                              "nonlinearity", "weight_std", "bias_std",
                                              "parametrization"]))  # fmt: skip
def test_sample_outputs_refuses_bad_input(data, which):
    spoil = {
        "X": bad_matrix().filter(lambda v: not (isinstance(v, np.ndarray) and v.ndim == 2
                                                 and v.size and np.isfinite(v).all()
                                                 and v.dtype.kind == "f")),
        "width": bad_count,
        "depth": bad_count,
        "n_samples": st.one_of(bad_count, st.integers(10**13, 10**15)),
        "generator": bad_generator,
        "nonlinearity": bad_name,
        "weight_std": bad_std,
        "bias_std": bad_std,
        "parametrization": st.one_of(st.text(max_size=5).filter(
            lambda s: s.strip().lower() not in ("sp", "ntk", "mup", "standard", "mu", "µp")),
            st.none(), st.integers()),
    }[which]  # fmt: skip
    args = {
        "X": X,
        "width": 4,
        "depth": 1,
        "n_samples": 3,
        "generator": torch.Generator(),
        "nonlinearity": "relu",
        "weight_std": 1.0,
        "bias_std": 0.0,
        "parametrization": "ntk",
    }
    args[which] = data.draw(spoil)
    raises(kernels.sample_outputs, **args)


@FAST
@given(data=st.data(), fn=st.sampled_from([kernels.readout_kernel, kernels.empirical_ntk]),
       which=st.sampled_from(["model", "X"]))  # fmt: skip
def test_empirical_kernels_refuse_bad_input(data, fn, which):
    args = {"model": net(), "X": X}
    args[which] = data.draw(bad_model if which == "model" else bad_matrix())
    raises(fn, **args)
    raises(kernels.readout_kernel, net(parametrization="sp"), X)  # not the NTK parametrization


@FAST
@given(data=st.data(), fn=st.sampled_from([kernels.train_gd, kernels.feature_movement]),
       which=st.sampled_from(["model", "X", "y", "lr", "steps"]))  # fmt: skip
def test_training_refuses_bad_input(data, fn, which):
    spoil = {
        "model": bad_model,
        "X": bad_matrix(),
        "y": bad_vector(),
        "lr": bad_positive,
        "steps": st.one_of(bad_count, st.integers(10**6 + 1, 10**12)),
    }[which]
    args = {"model": net(), "X": X, "y": Y, "lr": 0.1, "steps": 2}
    args[which] = data.draw(spoil)
    raises(fn, **args)


@FAST
@given(X_eval=bad_matrix(2, 3).filter(lambda v: v is not None))  # None: no evaluation inputs
def test_train_gd_refuses_bad_evaluation_inputs(X_eval):
    raises(kernels.train_gd, net(), X, Y, 0.1, 2, X_eval=X_eval)


# --- numpy arrays and numpy scalars are accepted ------------------------------------------------
def test_numpy_scalars_and_sequences_are_accepted():
    K1 = kernels.nngp(X.tolist(), np.int64(2), "ReLU", np.float32(1.5), np.float64(0.1))
    K2 = kernels.nngp(X, 2, "relu", 1.5, 0.1)
    assert np.array_equal(K1, K2)
    kernels.kernel_regression(K.tolist(), K[:2].tolist(), Y.tolist(), ridge=np.float64(0.1))
    kernels.ntk_gd_prediction(K, K[:2], np.zeros(3), np.zeros(2), Y, np.float32(0.1),
                              np.int32(3))  # fmt: skip
    f = kernels.sample_outputs(torch.as_tensor(X), np.int64(4), np.int64(1), np.int64(3),
                               torch.Generator().manual_seed(0), weight_std=np.float64(1.0),
                               parametrization="NTK")  # fmt: skip
    g = kernels.sample_outputs(X, 4, 1, 3, torch.Generator().manual_seed(0), weight_std=1.0)
    assert np.array_equal(f, g)  # "NTK" is the same parametrization, with the same draws
    kernels.feature_movement(net(), X.astype(np.float32), list(Y), np.float64(0.1), np.int64(2))
