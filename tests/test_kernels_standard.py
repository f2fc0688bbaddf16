"""parameterization="standard" (neural-tangents' conventions) against a hand recursion and a
finite torch network, and the torch path (device="cpu") against the numpy path."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from widthlimits.kernels import kernel_regression, nngp_ntk

RNG = np.random.default_rng(5)
X = RNG.standard_normal((7, 3))


def hand(X, depth, w, b, width, bias=True):
    """The standard-parameterization relu recursion written naively (neural-tangents' Dense)."""
    d = X.shape[1]
    K = w * w * X @ X.T / d + b * b
    T = X @ X.T + (1.0 if bias else 0.0)
    for _ in range(depth):
        s = np.sqrt(np.outer(np.diag(K), np.diag(K)))
        th = np.arccos(np.clip(K / s, -1, 1))
        e = s / (2 * np.pi) * (np.sin(th) + (np.pi - th) * np.cos(th))
        dd = (np.pi - th) / (2 * np.pi)
        T = width * e + (1.0 if bias else 0.0) + w * w * dd * T
        K = w * w * e + b * b
    return K, T


@pytest.mark.parametrize("bias", [0.1, None])
def test_standard_relu_matches_the_hand_recursion(bias):
    K, T = nngp_ntk(X, 3, "relu", 1.2, bias, parameterization="standard", width=50)
    K0, T0 = hand(X, 3, 1.2, bias or 0.0, 50, bias is not None)
    assert np.allclose(K, K0, rtol=1e-12, atol=1e-13) and np.allclose(T, T0, rtol=1e-12)
    Kn, _ = nngp_ntk(X, 3, "relu", 1.2, bias)
    assert np.allclose(K, Kn, rtol=1e-13)  # the NNGP does not depend on the parameterization


def test_standard_ntk_of_a_finite_network_at_depth_one():
    # one hidden relu layer, standard parameterization: f = v . relu(W x + b) + c with
    # W_ij ~ N(0, w^2/d), v_i ~ N(0, w^2/n); the expected empirical NTK equals the limit
    d, n, w, b = 3, 4096, 1.2, 0.1
    x = torch.as_tensor(X[:2], dtype=torch.float64)
    gen = torch.Generator().manual_seed(0)
    samples = []
    for _ in range(8):
        W = (
            torch.randn(n, d, generator=gen, dtype=torch.float64) * w / math.sqrt(d)
        ).requires_grad_()
        bb = (torch.randn(n, generator=gen, dtype=torch.float64) * b).requires_grad_()
        v = (torch.randn(n, generator=gen, dtype=torch.float64) * w / math.sqrt(n)).requires_grad_()
        c = torch.zeros((), dtype=torch.float64, requires_grad=True)
        grads = []
        for row in x:
            out = v @ torch.relu(W @ row + bb) + c
            g = torch.autograd.grad(out, (W, bb, v, c))
            grads.append(torch.cat([t.reshape(-1) for t in g]))
        samples.append(float(grads[0] @ grads[1]) / n)  # the standard NTK grows like n
    _, T = nngp_ntk(X[:2], 1, "relu", w, b, parameterization="standard", width=n)
    mean, se = np.mean(samples), np.std(samples, ddof=1) / math.sqrt(len(samples))
    assert abs(mean - T[0, 1] / n) <= 5 * se + 1e-3 * abs(T[0, 1] / n)


@pytest.mark.parametrize("name", ["relu", "erf", "identity", "tanh"])
@pytest.mark.parametrize("param", ["ntk", "standard"])
def test_torch_cpu_path_equals_the_numpy_path(name, param):
    kw = {"parameterization": param, "width": 30 if param == "standard" else None}
    K, T = nngp_ntk(X, 4, name, 1.3, 0.2, **kw)
    Kt, Tt = nngp_ntk(torch.as_tensor(X), 4, name, 1.3, 0.2, device="cpu", **kw)
    assert isinstance(Kt, torch.Tensor) and Kt.dtype == torch.float64
    assert np.allclose(Kt.numpy(), K, rtol=1e-13, atol=1e-14)
    assert np.allclose(Tt.numpy(), T, rtol=1e-13, atol=1e-14)


def test_standard_needs_a_width_and_checks_it():
    with pytest.raises(ValueError, match="width"):
        nngp_ntk(X, 2, parameterization="standard")
    with pytest.raises(ValueError, match="one entry per hidden layer"):
        nngp_ntk(X, 2, parameterization="standard", width=[10])
    with pytest.raises(TypeError, match="width"):
        nngp_ntk(X, 2, parameterization="standard", width=1.5)
    with pytest.raises(ValueError, match="parameterization"):
        nngp_ntk(X, 2, parameterization="mup")
    with pytest.raises(ValueError, match="device"):
        nngp_ntk(X, 2, device="tpu")


def test_kernel_regression_on_torch_tensors():
    K, _ = nngp_ntk(X, 2)
    y = RNG.standard_normal(7)
    out = kernel_regression(torch.as_tensor(K), torch.as_tensor(K), torch.as_tensor(y), 1e-3)
    assert np.allclose(out, kernel_regression(K, K, y, 1e-3), rtol=1e-12)


def test_regression_and_gd_prediction_on_a_device_equal_the_numpy_path():
    from widthlimits.kernels import ntk_gd_prediction

    K, T = nngp_ntk(X, 2)
    y = RNG.standard_normal(7)
    out = kernel_regression(K, K[:3], y, 1e-3, device="cpu")
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64
    assert np.allclose(out.numpy(), kernel_regression(K, K[:3], y, 1e-3), rtol=1e-10)
    lr = 1.0 / np.linalg.eigvalsh(T).max()
    f, fe = ntk_gd_prediction(T, T[:3], np.zeros(7), np.zeros(3), y, lr, 50, device="cpu")
    f0, fe0 = ntk_gd_prediction(T, T[:3], np.zeros(7), np.zeros(3), y, lr, 50)
    assert np.allclose(f.numpy(), f0, rtol=1e-10, atol=1e-12)
    assert np.allclose(fe.numpy(), fe0, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="singular"):
        kernel_regression(np.ones((2, 2)), np.ones((1, 2)), [1.0, 0.0], device="cpu")
    with pytest.raises(ValueError, match="diverges"):
        ntk_gd_prediction(T, T[:3], np.zeros(7), np.zeros(3), y, 3 * lr, 5, device="cpu")


# neural-tangents 0.6.5 (jax 0.5.3, float64), printed once: stax.serial(Dense(7, 1.3, b, p), phi,
# Dense(5, 1.3, b, p), phi, Dense(1, 1.3, b, p)) on XNT; entries K01, K12, T01, T12 (not installed
# in the tests: `nox -s bench` installs it and compares at N = 2000)
XNT = np.array([[1.0, -0.5, 2.0], [0.3, 1.2, -0.7], [-1.1, 0.4, 0.9]])
NEURAL_TANGENTS = {
    ("relu", "ntk", 0.3): (
        0.6886204535147988,
        0.5702544753027964,
        0.7068853751410085,
        0.7172913945326718,
    ),
    ("relu", "ntk", None): (
        0.4857475078998871,
        0.3643578061169873,
        0.4383174367864265,
        0.4193774809602863,
    ),
    ("relu", "standard", 0.3): (
        0.6886204535147988,
        0.5702544753027964,
        3.5442370039714066,
        3.5945951375817957,
    ),
    ("relu", "standard", None): (
        0.4857475078998871,
        0.3643578061169873,
        1.5208822513353724,
        1.4166065434438266,
    ),
    ("erf", "ntk", 0.3): (
        -0.11409324018932296,
        0.07540024634725177,
        -0.6023650444680684,
        -0.020803707505655453,
    ),
    ("erf", "ntk", None): (
        -0.3340034279820021,
        -0.14001175814695263,
        -1.0455217880329268,
        -0.42286273905795035,
    ),
    ("erf", "standard", 0.3): (
        -0.11409324018932296,
        0.07540024634725177,
        -0.2478491402768741,
        1.5965257171357137,
    ),
    ("erf", "standard", None): (
        -0.3340034279820021,
        -0.14001175814695263,
        -3.0681819458546187,
        -1.2496105740371208,
    ),
}


@pytest.mark.parametrize("key", list(NEURAL_TANGENTS), ids=str)
def test_both_parameterizations_match_neural_tangents(key):
    name, param, bias = key
    K, T = nngp_ntk(XNT, 2, name, 1.3, bias, parameterization=param, width=[7, 5])
    got = (K[0, 1], K[1, 2], T[0, 1], T[1, 2])
    assert np.allclose(got, NEURAL_TANGENTS[key], rtol=1e-13, atol=1e-15)
