r"""The µP training limit: full-batch gradient descent of the book's MLP in µP, written as a
NETSOR-transpose+ program and run to its Master-Theorem limit (Tensor Programs IV).

The network is :class:`widthlimits.mup.MLP <widthlimits.mup.model.MLP>` in µP, without biases,
with base width :math:`n_0` and weight constant :math:`\sigma_w`, trained by SGD with its own
learning-rate groups (``net.param_groups(lr)``) on the loss
:math:`\mathcal L = \frac1{2N}\sum_{i=1}^N (f(\xi_i) - y_i)^2`. In effective weights
:math:`W^l = m_l w^l` (:math:`\rho = n/n_0`):

* :math:`h^1(\xi) = W^1 \xi` with :math:`W^1_{\alpha j} \sim N(0, \sigma_w^2/d)`, so the
  :math:`h^1(\xi_k)` are initial vectors with covariance :math:`\sigma_w^2\, \xi_k\cdot\xi_l / d`;
* hidden :math:`W^l` (:math:`l = 2..L`) with entries :math:`N(0, \sigma_w^2/n)`;
* the readout :math:`f = \frac1n v^\top x^L` with :math:`v_\alpha \sim N(0, \sigma_w^2 n_0)`.

A step of SGD with base rate :math:`\eta` changes the trained tensor :math:`w^l` by
:math:`-\eta\,\partial\mathcal L/\partial w^l`, so the effective weight moves by
:math:`-\eta\, m_l^2\, \partial\mathcal L/\partial W^l`. With
:math:`\chi_i = (f(\xi_i) - y_i)/N`, the per-coordinate backward vectors
:math:`g^L = v`, :math:`dh^l_i = g^l_i \odot \phi'(h^l_i)`,
:math:`g^{l-1}_i = (W^l)^\top dh^l_i`, the updates are

.. math::

    \Delta v = -\eta n_0 \sum_i \chi_i x^L_i, \qquad
    \Delta W^l x = -\eta \sum_i \chi_i\, dh^l_i\, \frac{(x^{l-1}_i)^\top x}{n}, \qquad
    \Delta W^1 \xi = -\frac{\eta}{n_0} \sum_i \chi_i\, (\xi_i\cdot\xi)\, dh^1_i,

each a vector with :math:`\Theta(1)` coordinates, so features move at every width: the
feature-learning limit. The program keeps :math:`W^l` at its initial value and writes every later
:math:`W^l_t x` as :math:`W^l_0 x` plus these corrections, whose scalar coefficients are moments
of the program (Tensor Programs IV, Sec. 6, does this for deep linear networks; the book's
:func:`widthlimits.tp.linear_mup_program <widthlimits.tp.programs.linear_mup_program>` is that
case).
"""

from __future__ import annotations

import numpy as np

from .program import Program

__all__: list[str] = []  # training_limit is the public face; it checks the arguments


class _Builder:
    """Writes the unrolled training program, one step at a time."""

    def __init__(self, X, y, Xt, depth, phi, dphi, lr, base_width, weight_std, zero_readout):
        self.p = Program()
        self.N, self.y, self.L = X.shape[0], y, depth
        self.phi, self.dphi, self.eta, self.n0 = phi, dphi, lr, float(base_width)
        inputs = np.vstack([X, Xt])
        self.K = inputs.shape[0]
        self.gram = inputs @ X.T  # (xi_k . xi_i), test and train rows, train columns
        cov = weight_std**2 * (inputs @ inputs.T) / inputs.shape[1]
        self.h1 = self.p.vectors([f"h1_0_{k}" for k in range(self.K)], cov)
        self.W = [self.p.matrix(f"W{l}", weight_std) for l in range(2, depth + 1)]
        self.v = self.p.vector("v_0", 0.0 if zero_readout else weight_std**2 * base_width)
        # history of (f_i, dh^l_i, x^{l-1}_i) per step, for the hidden-layer corrections
        self.history: list[dict] = []

    def _corrected(self, base, l, x, transposed):
        """``W^l_t x`` (or its transpose) as ``W^l_0 x`` plus the corrections of past steps,
        all in one Nonlin whose scalar coefficients are moments."""
        p = self.p
        lefts, fs, ys, dots = [], [], [], []
        for past in self.history:
            for i in range(self.N):
                dh, xin = past["dh"][l][i], past["x"][l - 1][i]
                left, right = (xin, dh) if transposed else (dh, xin)
                lefts.append(left)
                fs.append(past["f"][i])
                ys.append(self.y[i])
                dots.append(p.moment(f"m{len(p.moment_names)}", _dot, right, x))
        if not lefts:
            return base
        fn = _corrections(self.eta / self.N, ys)
        return p.nonlin(fn, base, *lefts, params=fs + dots)

    def forward(self, t):
        """Hidden features ``x[l][k]`` of every input at step ``t``, and the outputs."""
        p = self.p
        h = {1: list(self.h1)}
        x = {1: [p.nonlin(self.phi, hk) for hk in h[1]]}
        for l in range(2, self.L + 1):
            W = self.W[l - 2]
            h[l] = [self._corrected(W @ xk, l, xk, False) for xk in x[l - 1]]
            x[l] = [p.nonlin(self.phi, hk) for hk in h[l]]
        f = [p.moment(f"f_{t}_{k}", _dot, self.v, x[self.L][k]) for k in range(self.K)]
        return h, x, f

    def backward(self, h):
        """The backward vectors ``dh[l][i]`` of the training inputs at step t."""
        p, N = self.p, self.N
        dh = {self.L: [p.nonlin(_times_dphi(self.dphi), self.v, h[self.L][i]) for i in range(N)]}
        for l in range(self.L, 1, -1):
            W = self.W[l - 2]
            g = [self._corrected(W.T @ dh[l][i], l, dh[l][i], True) for i in range(N)]
            dh[l - 1] = [p.nonlin(_times_dphi(self.dphi), g[i], h[l - 1][i]) for i in range(N)]
        return dh

    def update(self, f, dh, x):
        r"""Move ``v`` and the first layer's preactivations; remember this step for the rest.
        ``f`` are the training outputs' moments: :math:`\chi_i = (f_i - y_i)/N`."""
        p, eta, n0, N, y = self.p, self.eta, self.n0, self.N, self.y
        f = f[:N]
        self.v = p.nonlin(
            _sum_step(-eta * n0 / N * np.ones(N), y), self.v, *[x[self.L][i] for i in range(N)],
            params=f,
        )  # fmt: skip
        self.h1 = [
            p.nonlin(_sum_step(-eta / (n0 * N) * self.gram[k], y), self.h1[k], *dh[1], params=f)
            for k in range(self.K)
        ]
        self.history.append({"f": f, "dh": dh, "x": x})


def _dot(a, b):
    return a * b


def _corrections(c, ys):
    """``a - c * sum_j (f_j - y_j) m_j b_j`` as a Nonlin of ``a, b_1..b_r``, params ``f, m``."""
    ys = tuple(float(v) for v in ys)
    r = len(ys)

    def fn(a, *rest):
        bs, fs, ms = rest[:r], rest[r : 2 * r], rest[2 * r :]
        out = a
        for b, f, yj, m in zip(bs, fs, ys, ms, strict=True):
            out = out - c * (f - yj) * m * b
        return out

    return fn


def _times_dphi(dphi):
    def fn(g, h):
        return g * dphi(h)

    return fn


def _sum_step(coeffs, ys):
    """``a + sum_i c_i (f_i - y_i) b_i`` as a Nonlin of ``a, b_1..b_N`` with params ``f``."""
    coeffs, ys = tuple(float(c) for c in coeffs), tuple(float(v) for v in ys)

    def fn(a, *rest):
        n = len(coeffs)
        out = a
        for c, yi, b, f in zip(coeffs, ys, rest[:n], rest[n:], strict=True):
            out = out + c * (f - yi) * b
        return out

    return fn


def mup_limit(X, y, Xt, depth, phi, dphi, eta, n0, sw, zero_readout, steps, rng, mc_samples,
              mc_repeats):  # fmt: skip
    """The fields of :class:`~widthlimits.tp.training.TrainingLimit` for µP (module docstring).

    Examples
    --------
    >>> from widthlimits.nonlinearities import numpy_pair
    >>> phi, dphi = numpy_pair("identity")
    >>> out = mup_limit(np.ones((1, 1)), np.array([0.5]), np.zeros((0, 1)), 2, phi, dphi, 0.1,
    ...                 1, 1.0, False, 1, None, 2**10, 4)
    >>> round(float(out["f_train"][1, 0]), 12)   # 3 eta y: three layers learn
    0.15
    """
    b = _Builder(X, y, Xt, depth, phi, dphi, eta, n0, sw, zero_readout)
    kernel_names = {}
    for t in range(steps + 1):
        h, x, f = b.forward(t)
        if t in (0, steps):
            kernel_names[t] = _kernel_moments(b.p, x, t)
        if t < steps:
            b.update(f, b.backward(h), x)
    lim = b.p.limit(return_error=True, rng=rng, mc_samples=mc_samples, mc_repeats=mc_repeats)
    return _collect(lim, b, steps, kernel_names)


def _kernel_moments(p, x, t):
    names = {}
    for l, xs in x.items():
        for a in range(len(xs)):
            for c in range(a, len(xs)):
                names[l, a, c] = p.moment(f"K{l}_{t}_{a}_{c}", _dot, xs[a], xs[c]).name
    return names


def _collect(lim, b, steps, kernel_names):
    N, K = b.N, b.K
    f = np.array([[lim[f"f_{t}_{k}"][0] for k in range(K)] for t in range(steps + 1)])
    fe = np.array([[lim[f"f_{t}_{k}"][1] for k in range(K)] for t in range(steps + 1)])
    resid = f[:, :N] - b.y
    loss = 0.5 * (resid**2).mean(axis=1)
    loss_err = (np.abs(resid) * fe[:, :N]).mean(axis=1)  # first order in the output errors
    kernels, kernels_err = {}, {}
    for l in range(1, b.L + 1):
        pair, pair_err = [], []
        for t in (0, steps):
            Km, Ke = np.zeros((K, K)), np.zeros((K, K))
            for a in range(K):
                for c in range(a, K):
                    Km[a, c] = Km[c, a] = lim[kernel_names[t][l, a, c]][0]
                    Ke[a, c] = Ke[c, a] = lim[kernel_names[t][l, a, c]][1]
            pair.append(Km)
            pair_err.append(Ke)
        kernels[l], kernels_err[l] = tuple(pair), tuple(pair_err)
    zero = np.zeros_like(f)
    return {
        "f_train": f[:, :N], "f_train_err": fe[:, :N], "f_test": f[:, N:], "f_test_err": fe[:, N:],
        "loss": loss, "loss_err": loss_err, "kernels": kernels, "kernels_err": kernels_err,
        "f_train_sd": zero[:, :N], "f_test_sd": zero[:, N:],
    }  # fmt: skip
