"""The kernel regime of ``training_limit`` (NTK parametrization, SP with the learning rate
scaled by n0/n): against the closed-form kernels of ``widthlimits.kernels``, against the program
with the backward pass written out, and against finite networks."""

from __future__ import annotations

import numpy as np
import pytest

from widthlimits import kernels
from widthlimits.nonlinearities import numpy_pair
from widthlimits.tp import Program, zdot_coefficients
from widthlimits.tp.training import training_limit
from widthlimits.tp.training_kernel import kernel_moments

torch = pytest.importorskip("torch")
from widthlimits.mup import MLP  # noqa: E402
from widthlimits.mup.full_batch import full_batch_training  # noqa: E402

RNG = np.random.default_rng(5)
X = RNG.standard_normal((5, 3))
Y = np.array([1.0, -1.0, 0.5])
NONLINEARITIES = ["relu", "tanh", "erf", "gelu", "linear"]


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_ntk_tangent_and_output_kernels_are_kernels_ntk_and_nngp(nonlinearity, depth):
    # exact claims: the engine's quadrature against the closed forms (relu, erf, linear) and
    # kernels' own 2-D trapezoid rule (tanh, gelu, accurate to about 1e-9)
    out = training_limit(X[:3], Y, X[3:], hidden_layers=depth, nonlinearity=nonlinearity,
                         parametrization="ntk", weight_std=1.3, lr=0.3, steps=2)  # fmt: skip
    nngp, ntk = kernels.nngp_ntk(X, depth, nonlinearity, weight_std=1.3)
    assert np.abs(out.tangent_kernel - ntk).max() <= 1e-8 + 5 * out.tangent_kernel_err.max()
    assert np.abs(out.output_kernel - nngp).max() <= 1e-8 + 5 * out.output_kernel_err.max()
    assert out.tangent_kernel_err.max() < 1e-7
    # the kernel regime: features do not move
    for l in range(1, depth + 1):
        assert np.array_equal(out.kernels[l][0], out.kernels[l][1])


@pytest.mark.parametrize("nonlinearity", ["relu", "tanh"])
def test_ntk_training_limit_is_kernel_gradient_descent_with_kernels_ntk(nonlinearity):
    # ntk_gd_prediction's loss is (1/2) sum, training_limit's (1/2N) sum: lr / N
    N, lr, steps = 3, 0.8, 6
    out = training_limit(X[:N], Y, X[N:], hidden_layers=2, nonlinearity=nonlinearity,
                         parametrization="ntk", lr=lr, steps=steps)  # fmt: skip
    theta = kernels.ntk(X, 2, nonlinearity, weight_std=1.0)
    for t in range(1, steps + 1):
        f, fe = kernels.ntk_gd_prediction(theta[:N, :N], theta[N:, :N], np.zeros(N),
                                          np.zeros(2), Y, lr=lr / N, steps=t)  # fmt: skip
        assert np.abs(out.f_train[t] - f).max() <= 1e-8 + 5 * out.f_train_err[t].max()
        assert np.abs(out.f_test[t] - fe).max() <= 1e-8 + 5 * out.f_test_err[t].max()
    # rival: a wrong normalization of the loss (1/2 instead of 1/N) is far off
    f_n, _ = kernels.ntk_gd_prediction(theta[:N, :N], theta[N:, :N], np.zeros(N), np.zeros(2),
                                       Y, lr=lr / 2, steps=1)  # fmt: skip
    assert np.abs(out.f_train[1] - f_n).max() > 1e-2


def test_ntk_does_not_depend_on_base_width_and_sp_scales_with_it():
    kw = {"hidden_layers": 2, "parametrization": "ntk", "lr": 0.5, "steps": 2}
    a = training_limit(X[:3], Y, **kw, base_width=1)
    b = training_limit(X[:3], Y, **kw, base_width=8)
    assert np.array_equal(a.f_train, b.f_train)
    kw["parametrization"] = "sp"
    s1 = training_limit(X[:3], Y, **kw, base_width=1)
    s4 = training_limit(X[:3], Y, **kw, base_width=4)
    assert np.allclose(s4.tangent_kernel, 4 * s1.tangent_kernel, rtol=1e-12, atol=0)


@pytest.mark.parametrize("depth", [1, 2])
def test_sp_tangent_kernel_is_the_ntk_without_the_input_layer(depth):
    # Theta_SP = (n0 / sw^2) (Theta_NTK - sw^2 (X X^T / d) B^1): the input layer's term is gone
    sw, n0 = 1.4, 3
    kw = {"hidden_layers": depth, "nonlinearity": "tanh", "weight_std": sw, "base_width": n0}
    sp = training_limit(X[:3], Y, X[3:], parametrization="sp", **kw)
    ntk = kernels.ntk(X, depth, "tanh", weight_std=sw)
    phi, dphi = numpy_pair("tanh")
    b1 = kernel_moments(X, depth, phi, dphi, sw, sw**2, None, 2**12, 8)["B", 1][0]
    want = n0 / sw**2 * (ntk - sw**2 * (X @ X.T) / X.shape[1] * b1)
    assert np.abs(sp.tangent_kernel - want).max() < 1e-8
    # rival: kernels.ntk (with n0 / sw^2) is far outside
    assert np.abs(sp.tangent_kernel - n0 / sw**2 * ntk).min() > 0.01


def empirical_kernels(par, width, seeds, depth=2, n0=2):
    """Seed mean and standard error of the tangent kernel of finite MLPs: the sum over weights
    of lr_w d f d f, lr_w = 1 (NTK) or n0 / n (SP)."""
    thetas = []
    for s in range(seeds):
        net = MLP(3, width, 1, depth, par, n0, "tanh", weight_std=1.0, bias=False,
                  generator=torch.Generator().manual_seed(s), dtype=torch.float64)  # fmt: skip
        scale = n0 / width if par == "sp" else 1.0
        thetas.append(scale * kernels.empirical_ntk(net, X))
    thetas = np.array(thetas)
    return thetas.mean(0), thetas.std(0, ddof=1) / np.sqrt(seeds)


@pytest.mark.parametrize("par", ["sp", "ntk"])
def test_finite_tangent_kernels_approach_the_limit(par):
    lim = training_limit(X[:3], Y, X[3:], hidden_layers=2, parametrization=par, base_width=2)
    for width in (256, 1024):
        mean, se = empirical_kernels(par, width, 8)
        assert np.all(np.abs(mean - lim.tangent_kernel) <= 5 * se + 1e-9), (width, mean, se)
    # rival (SP): with the input layer's term, as kernels.ntk has it, the kernel is outside
    if par == "sp":
        ntk = training_limit(X[:3], Y, X[3:], hidden_layers=2, parametrization="ntk")
        rival = 2 * ntk.tangent_kernel  # n0 / sw^2 times the NTK
        assert np.any(np.abs(mean - rival) > 5 * se)


def assert_finite_networks_agree(par, depth, widths, seeds, zero_readout=False):
    """Seed means within 5 combined standard errors of the limit's mean at every width and step,
    the seed spread within 5 of its standard errors of the limit's; the limit moved well
    outside the windows."""
    kw = {"hidden_layers": depth, "parametrization": par, "lr": 1.0, "steps": 4,
          "base_width": 2, "zero_readout": zero_readout}  # fmt: skip
    lim = training_limit(X[:3], Y, X[3:], **kw)
    for width in widths:
        fin = full_batch_training(X[:3], Y, X[3:], width=width, seeds=seeds, **kw)
        for a, b, sa, sb in (
            (fin.f_train, lim.f_train, fin.f_train_err, lim.f_train_err),
            (fin.f_test, lim.f_test, fin.f_test_err, lim.f_test_err),
        ):
            assert np.all(np.abs(a - b) <= 5 * np.hypot(sa, sb) + 1e-12), (width, a, b, sa)
        assert np.all(np.abs(fin.loss - lim.loss) <= 5 * np.hypot(fin.loss_err, lim.loss_err))
        if not zero_readout:  # a sample sd has a relative standard error 1/sqrt(2(S - 1))
            rtol = 5 / np.sqrt(2 * (seeds - 1))
            assert np.allclose(fin.f_train_sd, lim.f_train_sd, rtol=rtol, atol=0)
    # rival: frozen training (the mean stays at 0) lies outside the window
    assert np.all(np.abs(lim.f_train[1:]) > 5 * fin.f_train_err[1:])
    return lim, fin


@pytest.mark.parametrize("par", ["ntk", "sp"])
def test_one_hidden_layer_networks_train_to_the_kernel_limit(par):
    assert_finite_networks_agree(par, 1, (512, 8192), 64)


@pytest.mark.parametrize("par", ["ntk", "sp"])
def test_zero_readout_makes_the_kernel_limit_deterministic(par):
    lim, fin = assert_finite_networks_agree(par, 1, (512, 8192), 32, zero_readout=True)
    assert np.all(lim.f_train_sd == 0) and np.all(lim.output_kernel == 0)


@pytest.mark.parametrize("par", ["ntk", "sp"])
def test_two_hidden_layer_networks_train_to_the_kernel_limit(par):
    assert_finite_networks_agree(par, 2, (256, 1024), 16)


def test_backward_pass_through_the_transposes_has_no_zdot_and_factorizes():
    # the program with (W^2)^T written out (two hidden layers, tanh, two inputs): the engine
    # finds Zdot = 0 and E[g_a g_b] = sw^2 B^2, which kernel_moments takes as a product
    sw, Xs = 1.2, X[:2]
    phi, dphi = numpy_pair("tanh")
    p = Program()
    h1 = p.vectors(["h1_0", "h1_1"], sw**2 * Xs @ Xs.T / 3)
    W = p.matrix("W", sw)
    h2 = [p.matmul(W, p.nonlin(phi, h), name=f"h2_{k}") for k, h in enumerate(h1)]
    v = p.vector("v", sw**2)
    g = [p.matmul(W.T, p.nonlin(lambda a, b: a * dphi(b), v, h), name=f"g_{k}")
         for k, h in enumerate(h2)]  # fmt: skip
    p.moment("G01", lambda a, b: a * b, g[0], g[1])
    d = [p.nonlin(lambda a, b: a * dphi(b), gk, hk) for gk, hk in zip(g, h1, strict=True)]
    p.moment("B01", lambda a, b: a * b, d[0], d[1])
    assert "g_0" not in zdot_coefficients(p) and "g_1" not in zdot_coefficients(p)
    lim = p.limit(return_error=True, mc_samples=2**14)
    m = kernel_moments(Xs, 2, phi, dphi, sw, sw**2, None, 2**12, 8)
    assert lim["G01"][0] == pytest.approx(sw**2 * m["B", 2][0][0, 1], abs=1e-6)
    # B^1 by Monte Carlo in 4 dimensions against the product
    assert abs(lim["B01"][0] - m["B", 1][0][0, 1]) <= 5 * lim["B01"][1] + 1e-6
