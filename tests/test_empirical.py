"""Tests of widthlimits.kernels.empirical, .training and ntk_gd_prediction: finite torch
networks against hand computations and kernels.

Tolerances: exact identities (hand-derived gradients, the linear recursion of gradient descent)
at 1e-10 in float64; random quantities at 5 standard errors computed from their own samples.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from widthlimits import kernels, mup
from widthlimits.stats import excess_kurtosis

torch.set_num_threads(1)


def net(width, depth=1, seed=0, **kw):
    return mup.MLP(3, width, 1, depth, "ntk", generator=torch.Generator().manual_seed(seed),
                   dtype=torch.float64, **kw)  # fmt: skip


X = np.array([[1.0, 0.0, 0.5], [0.2, -1.0, 0.3], [-0.4, 0.4, 1.0]])


def test_empirical_ntk_matches_hand_derived_gradients_of_one_hidden_layer():
    # f = m2 w2 . relu(h) + s_b c2, h = m1 W1 x + s_b c1:
    # Theta = m2^2 relu(h).relu(h') + s_b^2 + m2^2 sum_a w2_a^2 [h_a>0][h'_a>0] (m1^2 x.x' + s_b^2)
    model = net(16, bias_std=0.4)
    m1, m2 = model.w_mult
    w1, w2 = model.weights[0].detach().numpy(), model.weights[1].detach().numpy()[0]
    b1 = model.biases[0].detach().numpy()
    h = m1 * X @ w1.T + model.b_mult[0] * b1
    a, s = np.maximum(h, 0), (h > 0) * 1.0
    hand = m2**2 * a @ a.T + 0.16 + m2**2 * (s * w2**2) @ s.T * (m1**2 * X @ X.T + 0.16)
    assert np.allclose(kernels.empirical_ntk(model, X), hand, rtol=0, atol=1e-10)


def test_readout_kernel_is_the_empirical_ntk_of_the_readout_alone():
    model = net(32, depth=2, bias_std=0.2)
    feats = model.activations(torch.as_tensor(X))[-1].detach().numpy()
    want = model.w_mult[-1] ** 2 * feats @ feats.T + model.b_mult[-1] ** 2
    assert np.allclose(kernels.readout_kernel(model, X), want, atol=1e-12)


def test_sample_outputs_covariance_matches_nngp_at_depth_one():
    # At depth 1 the hidden preactivations are exactly Gaussian, so E[f f^T] = nngp at any width.
    m = 3000
    f = kernels.sample_outputs(X, 8, 1, m, torch.Generator().manual_seed(1), bias_std=0.3)
    i, j = np.triu_indices(3)
    prods = f[:, i] * f[:, j]
    mean, se = prods.mean(0), prods.std(0, ddof=1) / math.sqrt(m)
    K = kernels.nngp(X, 1, bias_std=0.3)
    assert np.all(np.abs(mean - K[i, j]) <= 5 * se)


def test_empirical_ntk_approaches_ntk_with_width():
    T = kernels.ntk(X, 2, bias_std=0.2)
    errs = {}
    for n in (32, 512):
        e = [np.linalg.norm(kernels.empirical_ntk(net(n, 2, s, bias_std=0.2), X) - T)
             for s in range(6)]  # fmt: skip
        errs[n] = np.mean(e)
    # the error falls like n^{-1/2}: a factor 4 over a 16-fold width; ask for at least 2
    assert errs[512] < errs[32] / 2


def test_training_matches_the_linear_recursion_for_a_linear_network():
    # A one-hidden-layer network is not linear in its parameters (it multiplies weights), so one
    # gradient step departs from the linearized prediction at second order: the gap relative to
    # the change is O(lr), about 1e-4 here, and we allow 1e-3.
    model = net(64, nonlinearity="linear")
    y = np.array([1.0, -1.0, 0.5])
    theta = kernels.empirical_ntk(model, X)
    out = kernels.train_gd(model, X, y, lr=1e-4, steps=1, X_eval=X[:2])
    f, fe = kernels.ntk_gd_prediction(theta, theta[:2], out["f0"], out["f0_eval"], y, 1e-4, 1)
    change = np.linalg.norm(out["f"] - out["f0"])
    assert np.linalg.norm(out["f"] - f) < 1e-3 * change
    assert np.allclose(fe, f[:2], atol=1e-12)


def test_ntk_gd_prediction_limits():
    th = np.array([[2.0, 0.5], [0.5, 1.0]])
    y, f0 = np.array([1.0, -2.0]), np.array([0.3, 0.1])
    f, fe = kernels.ntk_gd_prediction(th, th, f0, f0, y, lr=0.3, steps=4000)
    assert np.allclose(f, y, atol=1e-12) and np.allclose(fe, y, atol=1e-12)
    # one step is exactly f0 - lr Theta (f0 - y)
    f, fe = kernels.ntk_gd_prediction(th, th[:1], f0, f0[:1], y, lr=0.3, steps=1)
    assert np.allclose(f, f0 - 0.3 * th @ (f0 - y), atol=1e-14)
    assert np.allclose(fe, (f0 - 0.3 * th @ (f0 - y))[:1], atol=1e-14)
    with pytest.raises(ValueError, match="diverges"):
        kernels.ntk_gd_prediction(th, th, f0, f0, y, lr=1.0, steps=3)


def test_features_move_less_in_wider_ntk_networks():
    y = np.array([1.0, -1.0, 0.5])
    moves = [kernels.feature_movement(net(n, 2, seed=3), X, y, 0.05, 20)["h1"]
             for n in (64, 1024)]  # fmt: skip
    # expected ratio sqrt(16) = 4 for an O(n^{-1/2}) movement; ask for at least 2
    assert moves[1] < moves[0] / 2


def test_bad_input():
    g = torch.Generator()
    with pytest.raises(ValueError, match="2-D"):
        kernels.sample_outputs(np.ones(3), 4, 1, 2, g)
    with pytest.raises(ValueError, match="NaN"):
        kernels.empirical_ntk(net(4), [[1.0, np.nan, 0.0]])
    with pytest.raises(TypeError, match="Generator"):
        kernels.sample_outputs(X, 4, 1, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match=">= 1"):
        kernels.sample_outputs(X, 4, 1, 0, g)
    with pytest.raises(TypeError, match="MLP"):
        kernels.empirical_ntk(torch.nn.Linear(3, 1), X)
    with pytest.raises(ValueError, match="scalar output"):
        kernels.empirical_ntk(mup.MLP(3, 4, 2, 1, "ntk", generator=g), X)
    with pytest.raises(ValueError, match="parametrization='ntk'"):
        kernels.readout_kernel(mup.MLP(3, 4, 1, 1, "sp", generator=g), X)
    with pytest.raises(ValueError, match="shape"):
        kernels.train_gd(net(4), X, [1.0, 2.0], 0.1, 2)
    with pytest.raises(ValueError, match="diverged"):
        kernels.train_gd(net(4), X, [1.0, 2.0, 3.0], 1e3, 50)


def test_excess_kurtosis_of_one_relu_layer_is_fifteen_over_n():
    # Exact at every width (NNGP chapter, Proposition): a Gaussian mixture with mixing variance
    # (1/n) sum relu(h_a)^2 has excess kurtosis 3 Var(relu^2) / (n E[relu^2]^2) = 15 / n.
    f = kernels.sample_outputs(X[:1], 5, 1, 20000, torch.Generator().manual_seed(4))[:, 0]
    k, se = excess_kurtosis(f)
    assert abs(k - 3.0) <= 5 * se
    g, gse = excess_kurtosis(np.random.default_rng(0).standard_normal(20000))
    assert abs(g) <= 5 * gse


def test_excess_kurtosis_bad_input():
    with pytest.raises(ValueError, match="blocks"):
        excess_kurtosis(np.ones(10), blocks=20)
    with pytest.raises(ValueError, match="zero"):
        excess_kurtosis(np.zeros(100))
    with pytest.raises(ValueError, match="NaN"):
        excess_kurtosis(np.r_[np.ones(99), np.nan])


def test_inputs_are_converted_to_the_models_dtype_and_checked_against_its_shape():
    # a float32 model and float64 (or integer, or torch) data: no dtype mismatch inside torch
    model = mup.MLP(3, 16, 1, 1, "ntk", generator=torch.Generator().manual_seed(0))
    for data in (X, X.astype(np.float32), torch.as_tensor(X), np.ones((3, 3), dtype=np.int64)):
        assert kernels.empirical_ntk(model, data).shape == (3, 3)
    out = kernels.train_gd(model, torch.as_tensor(X), np.array([1.0, 0.0, -1.0]),
                           np.float32(0.01), np.int64(2))  # fmt: skip
    assert out["loss"].shape == (3,)
    with pytest.raises(ValueError, match="3 columns"):
        kernels.readout_kernel(model, np.ones((2, 4)))
    with pytest.raises(ValueError, match="X_eval must have 3 columns"):
        kernels.train_gd(model, X, [1.0, 0.0, -1.0], 0.01, 2, X_eval=np.ones((2, 2)))


def test_feature_movement_checks_everything_before_training():
    model = net(8)
    w0 = model.weights[0].detach().clone()
    for kwargs, err in (({"lr": float("nan")}, ValueError), ({"steps": 0}, ValueError),
                        ({"steps": 10**7}, ValueError), ({"y": [1.0, 2.0]}, ValueError),
                        ({"lr": "0.1"}, TypeError), ({"y": None}, TypeError)):  # fmt: skip
        args = {"X": X, "y": [1.0, 0.0, -1.0], "lr": 0.1, "steps": 2} | kwargs
        with pytest.raises(err):
            kernels.feature_movement(model, **args)
    assert torch.equal(model.weights[0], w0)  # untouched


def test_sizes_that_do_not_fit_are_refused_before_allocation():
    with pytest.raises(ValueError, match="GB of memory"):
        kernels.sample_outputs(X, 8, 1, 10**12, torch.Generator())
    with pytest.raises(ValueError, match="GB of memory"):
        kernels.empirical_ntk(net(64), np.ones((10**7, 3)))


def test_ntk_gd_prediction_refuses_kernels_it_would_have_to_repair():
    th, f0 = np.array([[2.0, 0.5], [0.5, 1.0]]), np.zeros(2)
    with pytest.raises(ValueError, match="symmetric"):
        kernels.ntk_gd_prediction(th + [[0, 0.2], [0, 0]], th, f0, f0, f0, 0.1, 2)
    with pytest.raises(ValueError, match="positive semi-definite"):
        kernels.ntk_gd_prediction(-th, th, f0, f0, f0, 0.1, 2)
    with pytest.raises(ValueError, match="steps"):
        kernels.ntk_gd_prediction(th, th, f0, f0, f0, 0.1, 0)
    with pytest.raises(ValueError, match="lr"):
        kernels.ntk_gd_prediction(th, th, f0, f0, f0, float("inf"), 2)
