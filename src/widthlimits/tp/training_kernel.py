r"""The kernel regime of the training limit: the NTK parametrization and SP with a learning rate
scaled by :math:`n_0/n`, where the tangent kernel is a Master-Theorem limit and training is
kernel gradient descent.

The network is :class:`widthlimits.mup.MLP <widthlimits.mup.model.MLP>` without biases, with
:math:`\sigma_w` = ``weight_std`` and :math:`d` inputs, trained by full-batch SGD on
:math:`\mathcal L = \frac1{2N}\sum_i (f(\xi_i) - y_i)^2` with ``net.param_groups(lr)``. In both
parametrizations the *effective* weights :math:`W^l` have the same law as in SP:
:math:`W^1_{\alpha j} \sim N(0, \sigma_w^2/d)`, hidden and readout entries
:math:`N(0, \sigma_w^2/n)`. They differ in the learning rate that SGD applies to :math:`W^l`:

* ``"ntk"``: ``MLP(..., "ntk")`` computes :math:`\frac{\sigma_w}{\sqrt{F_l}} w^l x` with
  :math:`w^l \sim N(0, 1)` (fan-in :math:`F_l`, independent of ``base_width``) and gives every
  :math:`w^l` the rate :math:`\eta`; the multiplier acts twice, so :math:`W^l` moves with rate
  :math:`\eta\,\sigma_w^2/F_l`: :math:`\eta\sigma_w^2/d` for the input layer and
  :math:`\eta\sigma_w^2/n` for the others;
* ``"sp"``: ``MLP(..., "sp")`` has no multipliers, and the rate is scaled as
  ``net.param_groups(lr * base_width / width)``: :math:`\eta\, n_0/n` on every :math:`W^l`
  (the abc-parametrization ``standard(L, lr_exponent=1)``; with an unscaled rate SP diverges for
  :math:`L \ge 2`, TP4 Sec. 3).

One step changes the output by
:math:`\Delta f(\xi) = -\frac{\eta}{N}\sum_i \Theta(\xi, \xi_i)(f(\xi_i) - y_i)` plus terms that
vanish as :math:`n \to \infty`, with the tangent kernel
:math:`\Theta = \sum_l \frac{\eta_l}{\eta}\langle \partial f/\partial W^l(\xi),
\partial f/\partial W^l(\xi')\rangle`. With :math:`x^0 = \xi`, the features :math:`x^l`, the
normalized backward vectors :math:`\delta^L = \sqrt n\,\partial f/\partial h^L = \hat v \odot
\phi'(h^L)` (:math:`\hat v = \sqrt n\, W^{L+1}`, entries :math:`N(0, \sigma_w^2)`),
:math:`\delta^{l-1} = ((W^l)^\top \delta^l) \odot \phi'(h^{l-1})`, and the moments
:math:`K^l = \frac1n x^l(\xi)^\top x^l(\xi')`, :math:`B^l = \frac1n \delta^l(\xi)^\top
\delta^l(\xi')`, :math:`\partial f/\partial W^l = \frac1{\sqrt n}\delta^l (x^{l-1})^\top`
gives layer :math:`l \ge 2` the contribution :math:`\frac{\eta_l}{\eta} B^l K^{l-1} n`, so

.. math::

    \Theta_{\rm NTK} = \sigma_w^2\Bigl(\frac{\xi\cdot\xi'}{d} B^1 + \sum_{l=2}^{L} K^{l-1} B^l
    + K^L\Bigr), \qquad
    \Theta_{\rm SP} = n_0\Bigl(\sum_{l=2}^{L} K^{l-1} B^l + K^L\Bigr):

in SP the input layer's contribution is :math:`\frac{n_0}{n}\,\xi\cdot\xi'\,B^1 \to 0`
(its rate :math:`\eta n_0/n` is a factor :math:`1/n` below the input layer's NTK rate), so SP's
kernel is NOT :func:`widthlimits.kernels.ntk <widthlimits.kernels.recursion.ntk>`: it lacks
the first layer and carries :math:`n_0` instead of :math:`\sigma_w^2`. The NTK
parametrization's kernel is exactly
``kernels.ntk(X, L, nonlinearity, weight_std, bias_std=0)`` (the same conventions: input kernel
:math:`\sigma_w^2 \xi\cdot\xi'/d`, NTK parameterization, neural-tangents' recursion).

In both, every update of :math:`W^l` is :math:`O(n^{-1/2})` per coordinate relative to its
initial size, so the features do not move in the limit (:math:`K_T = K_0`), :math:`\Theta` stays
at its initial value (Jacot et al.; TP4's kernel regime, :math:`r > 0`), and the output at
initialization is a centred Gaussian process with covariance (NNGP kernel)
:math:`\sigma_w^2 K^L`. So the limit of :math:`f_t` is *random*:
:math:`f_t = f_0 + ` (kernel gradient descent of :math:`f_0 - y`). It is affine in :math:`f_0`,
so its mean over initializations is kernel gradient descent from :math:`f_0 = 0`, and its
covariance is :math:`A_t\,(\sigma_w^2 K^L) A_t^\top`, with :math:`A_t` the linear map
:math:`f_0 \mapsto f_t`. ``zero_readout=True`` makes :math:`\hat v = 0`: :math:`f_0 = 0`,
:math:`B^l = 0`, and only the readout trains (:math:`\Theta = \sigma_w^2 K^L` or
:math:`n_0 K^L`).

The kernel is computed from the moments of a tensor program, the forward pass at
initialization (:math:`h^1` initial vectors with covariance :math:`\sigma_w^2\,\xi\cdot\xi'/d`,
:math:`h^l = W^l x^{l-1}`): :math:`K^l` and :math:`P^l = \frac1n \phi'(h^l(\xi))^\top
\phi'(h^l(\xi'))`, each a Gaussian integral of dimension 2 given the earlier ones, so exact
(to quadrature error) at every depth. The backward moments are products of these. The backward
pass is the program's MatMuls by :math:`(W^l)^\top` applied to :math:`\delta^l`, and the
readout :math:`\hat v` is an initial vector used nowhere else; the :math:`\dot Z` of each such
MatMul is :math:`\sigma_w^2\sum_c Z^{x^{l-1}_c}\,\mathbb E[\partial Z^{\delta^l}/\partial
\hat Z^{h^l_c}]`, and that derivative is :math:`\hat v`-odd (or, deeper, odd in the Gaussian
:math:`Z^{(W^{l+1})^\top\delta^{l+1}}`), so it vanishes. Hence every
:math:`Z^{(W^l)^\top\delta^l}` is a :math:`\hat Z`, a centred Gaussian independent of the
forward :math:`Z`'s with covariance :math:`\sigma_w^2 B^l` (this is the gradient independence
that Tensor Programs II proves for such programs; the test suite checks it on the program with
the transposes written out), and

.. math::

    B^L = \sigma_v^2 P^L, \qquad B^{l-1} = \sigma_w^2\, B^l\, P^{l-1},

with :math:`\sigma_v^2 = \sigma_w^2` (0 for a zero readout). The program with the transposes
needs a 4-dimensional integral for :math:`B^{l}` at :math:`l \le L - 2`, which the engine can
only take by Monte Carlo; the factorized form is exact.
"""

from __future__ import annotations

import numpy as np

from .program import Program

__all__: list[str] = []  # training_limit is the public face; it checks the arguments


def _dot(a, b):
    return a * b


def _pairs(p, prefix, xs, ys=None):
    """Moments ``(1/n) xs[a] . ys[b]`` for ``a <= b`` (``ys = xs``), as a dict of names."""
    ys = xs if ys is None else ys
    K = len(xs)
    return {
        (a, b): p.moment(f"{prefix}_{a}_{b}", _dot, xs[a], ys[b]).name
        for a in range(K)
        for b in range(a, K)
    }


def _program(X, depth, phi, dphi, sw):
    """The forward program and the names of its moments ``K^l`` and ``P^l`` (module docstring)."""
    p = Program()
    K = X.shape[0]
    h = p.vectors([f"h1_{k}" for k in range(K)], sw**2 * (X @ X.T) / X.shape[1])
    names, x = {}, []
    for l in range(1, depth + 1):
        if l > 1:
            W = p.matrix(f"W{l}", sw)
            h = [p.matmul(W, xk, name=f"h{l}_{k}") for k, xk in enumerate(x)]
        x = [p.nonlin(phi, hk, name=f"x{l}_{k}") for k, hk in enumerate(h)]
        names["K", l] = _pairs(p, f"K{l}", x)
        names["P", l] = _pairs(p, f"P{l}", [p.nonlin(dphi, hk) for hk in h])
    return p, names


def _matrix(lim, pairs, K):
    """The symmetric K x K matrices of values and errors of a family of pair moments."""
    M, E = np.zeros((K, K)), np.zeros((K, K))
    for (a, b), nm in pairs.items():
        M[a, b] = M[b, a] = lim[nm][0]
        E[a, b] = E[b, a] = lim[nm][1]
    return M, E


def _product(A, B):
    """``A * B`` elementwise for (value, error) pairs, the error to first order."""
    (a, ea), (b, eb) = A, B
    return a * b, np.abs(a) * eb + ea * np.abs(b)


def kernel_moments(X, depth, phi, dphi, sw, readout_var, rng, mc_samples, mc_repeats):
    r"""The limits ``{("K", l): (K^l, err), ("B", l): (B^l, err)}`` over the rows of ``X``:
    the program's moments, and :math:`B^L = \sigma_v^2 P^L`,
    :math:`B^{l-1} = \sigma_w^2 B^l P^{l-1}` (module docstring).

    Examples
    --------
    One tanh layer on one input: :math:`B^1 = \sigma_v^2\,E[\tanh'(h)^2]`, exactly.

    >>> from widthlimits.nonlinearities import numpy_pair
    >>> from widthlimits.tp import gaussian_expectation
    >>> phi, dphi = numpy_pair("tanh")
    >>> m = kernel_moments(np.array([[1.0]]), 1, phi, dphi, 1.0, 2.0, None, 2**12, 4)
    >>> want = 2.0 * gaussian_expectation(lambda z: dphi(z) ** 2)
    >>> bool(abs(m["B", 1][0][0, 0] - want) < 1e-12), float(m["B", 1][1][0, 0])
    (True, 0.0)
    """
    p, names = _program(X, depth, phi, dphi, sw)
    lim = p.limit(return_error=True, rng=rng, mc_samples=mc_samples, mc_repeats=mc_repeats)
    K = X.shape[0]
    out = {("K", l): _matrix(lim, names["K", l], K) for l in range(1, depth + 1)}
    back = (np.full((K, K), float(readout_var)), np.zeros((K, K)))
    for l in range(depth, 0, -1):
        out["B", l] = _product(back, _matrix(lim, names["P", l], K))
        back = (sw**2 * out["B", l][0], sw**2 * out["B", l][1])
    return out


def tangent_kernel(moments, X, depth, parametrization, sw, base_width):
    r"""The tangent kernel :math:`\Theta` and its error from :func:`kernel_moments` (module
    docstring): NTK with the input layer and :math:`\sigma_w^2`, SP without it and with
    :math:`n_0`.

    Examples
    --------
    A deep linear network on one unit input: :math:`K^l = B^l = 1` at :math:`\sigma_w = 1`,
    so the NTK counts the layers (3) and SP the trained layers but the first (2).

    >>> m = {(s, l): (np.ones((1, 1)), np.zeros((1, 1))) for s in "KB" for l in (1, 2)}
    >>> X = np.ones((1, 1))
    >>> [float(tangent_kernel(m, X, 2, par, 1.0, 1)[0][0, 0]) for par in ("ntk", "sp")]
    [3.0, 2.0]
    """
    theta, err = moments["K", depth]
    theta, err = theta.copy(), err.copy()
    for l in range(2, depth + 1):
        t, e = _product(moments["K", l - 1], moments["B", l])
        theta, err = theta + t, err + e
    if parametrization == "sp":
        return base_width * theta, base_width * err
    gram = (X @ X.T) / X.shape[1]
    b, eb = moments["B", 1]
    return sw**2 * (theta + gram * b), sw**2 * (err + np.abs(gram) * eb)


def kernel_descent(theta, theta_err, n_train, y, lr, steps):
    r"""Kernel gradient descent from :math:`f_0 = 0` on the loss :math:`\frac1{2N}\sum (f-y)^2`:
    :math:`f_{t+1} = f_t - \frac{\eta}{N}\Theta_{:, \rm train}(f_t^{\rm train} - y)` on every
    input (training rows first), with a first-order bound on the error that ``theta_err``
    causes, and the linear maps :math:`A_t` with :math:`f_t = \bar f_t + A_t f_0`.

    Returns
    -------
    f, f_err : ndarray, shape (steps + 1, K)
    maps : ndarray, shape (steps + 1, K, K)

    Examples
    --------
    >>> f, e, A = kernel_descent(np.eye(1), np.zeros((1, 1)), 1, np.array([1.0]), 0.5, 2)
    >>> f[:, 0].tolist(), A[2].tolist()
    ([0.0, 0.5, 0.75], [[0.25]])
    """
    K, N = theta.shape[0], n_train
    step = lr / N * theta[:, :N]
    step_err = lr / N * theta_err[:, :N]
    f, e = np.zeros((steps + 1, K)), np.zeros((steps + 1, K))
    maps = np.zeros((steps + 1, K, K))
    maps[0] = np.eye(K)
    for t in range(steps):
        r = f[t, :N] - y
        f[t + 1] = f[t] - step @ r
        e[t + 1] = e[t] + step_err @ np.abs(r) + np.abs(step) @ e[t, :N]
        maps[t + 1] = maps[t] - step @ maps[t][:N]
    return f, e, maps
