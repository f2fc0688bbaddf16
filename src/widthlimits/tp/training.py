r"""The infinite-width limit of *training*: full-batch gradient descent of the book's MLP, written
as a NETSOR-transpose+ program and run to its Master-Theorem limit (Tensor Programs IV).

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

from dataclasses import dataclass

import numpy as np

from .._checks import check_array, check_bool, check_choice, check_int, check_real
from ..nonlinearities import numpy_pair
from .program import Program

__all__ = ["TrainingLimit", "training_limit"]


@dataclass(frozen=True)
class TrainingLimit:
    """The infinite-width limit of a training run, each quantity with its numerical error.

    ``f_train[t, i]`` is the output on training input ``i`` after ``t`` steps (``t = 0`` is
    initialization), ``f_test[t, k]`` the same on test inputs, ``loss[t]`` the training loss;
    the ``*_err`` arrays are the engine's standard errors (0 where an integral was exact).
    ``kernels[l]`` is the feature kernel :math:`\\frac1n x^l(\\xi)^\\top x^l(\\xi')` of hidden
    layer ``l`` (1-based) over the training then test inputs, before and after training:
    ``(K_0, K_T)``, with errors ``kernels_err[l]``.
    """

    f_train: np.ndarray
    f_train_err: np.ndarray
    f_test: np.ndarray
    f_test_err: np.ndarray
    loss: np.ndarray
    loss_err: np.ndarray
    kernels: dict
    kernels_err: dict


def _check_data(X_train, y_train, X_test):
    X = check_array("X_train", X_train, ndim=2)
    y = check_array("y_train", y_train, ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y_train must hold one label per row of X_train ({X.shape[0]}), got {y.shape[0]}"
        )
    if X_test is None:
        Xt = np.zeros((0, X.shape[1]))
    else:
        Xt = check_array("X_test", X_test, ndim=2)
        if Xt.shape[1] != X.shape[1]:
            raise ValueError(
                f"X_test must have {X.shape[1]} columns like X_train, got {Xt.shape[1]}"
            )
    if X.shape[0] > 16 or Xt.shape[0] > 16:
        raise ValueError(
            "training_limit takes at most 16 training and 16 test inputs (the program grows "
            f"with their product and the steps), got {X.shape[0]} and {Xt.shape[0]}"
        )
    return X, y, Xt


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
        # history of (chi_i, dh^l_i, x^{l-1}_i) per step, for the hidden-layer corrections
        self.history: list[dict] = []

    def _corrected(self, base, l, x, transposed):
        """``W^l_t x`` (or its transpose) as ``W^l_0 x`` plus the corrections of past steps,
        all in one Nonlin whose scalar coefficients are moments."""
        p = self.p
        lefts, chis, dots = [], [], []
        for past in self.history:
            for i in range(self.N):
                dh, xin = past["dh"][l][i], past["x"][l - 1][i]
                left, right = (xin, dh) if transposed else (dh, xin)
                lefts.append(left)
                chis.append(past["chi"][i])
                dots.append(p.moment(f"m{len(p.moment_names)}", _dot, right, x))
        if not lefts:
            return base
        return p.nonlin(_corrections(self.eta, len(lefts)), base, *lefts, params=chis + dots)

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

    def backward(self, t, h, x):
        """``chi_i`` and the backward vectors ``dh[l][i]`` of the training inputs at step t."""
        p, N = self.p, self.N
        chi = [
            p.moment(f"chi_{t}_{i}", lambda a, b, yi=float(self.y[i]): (a * b - yi) / N,
                     self.v, x[self.L][i])
            for i in range(N)
        ]  # fmt: skip
        dh = {self.L: [p.nonlin(_times_dphi(self.dphi), self.v, h[self.L][i]) for i in range(N)]}
        for l in range(self.L, 1, -1):
            W = self.W[l - 2]
            g = [self._corrected(W.T @ dh[l][i], l, dh[l][i], True) for i in range(N)]
            dh[l - 1] = [p.nonlin(_times_dphi(self.dphi), g[i], h[l - 1][i]) for i in range(N)]
        return chi, dh

    def update(self, chi, dh, x):
        """Move ``v`` and the first layer's preactivations; remember this step for the rest."""
        p, eta, n0, N = self.p, self.eta, self.n0, self.N
        self.v = p.nonlin(
            _sum_step(-eta * n0 * np.ones(N)), self.v, *[x[self.L][i] for i in range(N)],
            params=chi,
        )  # fmt: skip
        self.h1 = [
            p.nonlin(_sum_step(-eta / n0 * self.gram[k]), self.h1[k], *dh[1], params=chi)
            for k in range(self.K)
        ]
        self.history.append({"chi": chi, "dh": dh, "x": x})


def _dot(a, b):
    return a * b


def _corrections(eta, r):
    """``a - eta * sum_j chi_j m_j b_j`` as a Nonlin of ``a, b_1..b_r``, params ``chi, m``."""

    def fn(a, *rest):
        bs, chis, ms = rest[:r], rest[r : 2 * r], rest[2 * r :]
        out = a
        for b, chi, m in zip(bs, chis, ms, strict=True):
            out = out - eta * chi * m * b
        return out

    return fn


def _times_dphi(dphi):
    def fn(g, h):
        return g * dphi(h)

    return fn


def _sum_step(coeffs):
    """``a + sum_i c_i chi_i b_i`` as a Nonlin of ``a, b_1..b_N`` with params ``chi``."""
    coeffs = tuple(float(c) for c in coeffs)

    def fn(a, *rest):
        n = len(coeffs)
        out = a
        for c, b, chi in zip(coeffs, rest[:n], rest[n:], strict=True):
            out = out + c * chi * b
        return out

    return fn


def training_limit(
    X_train,
    y_train,
    X_test=None,
    *,
    hidden_layers: int = 1,
    nonlinearity="tanh",
    parametrization: str = "mup",
    lr: float = 0.1,
    steps: int = 1,
    loss: str = "mse",
    base_width: int = 1,
    weight_std: float = 1.0,
    zero_readout: bool = False,
    rng: np.random.Generator | None = None,
    mc_samples: int = 2**14,
) -> TrainingLimit:
    r"""The infinite-width limit of ``steps`` steps of full-batch SGD of the µP MLP.

    The network and its learning rates are those of
    ``widthlimits.mup.MLP(d, n, 1, hidden_layers, "mup", base_width=base_width, bias=False,
    weight_std=weight_std, nonlinearity=nonlinearity)`` trained with
    ``torch.optim.SGD(net.param_groups(lr))`` on :math:`\frac1{2N}\sum_i (f(\xi_i) - y_i)^2`,
    so that a finite network trained that way converges to what this returns as its width grows
    (see the module docstring for the program). The limit is computed by
    :meth:`Program.limit`: by quadrature where each integral has dimension at most 3 (one
    training input, no test input, one hidden layer), and by quasi-Monte Carlo over the
    :math:`Z`'s otherwise, never by simulating a finite width.

    Parameters
    ----------
    X_train : array_like, shape (N, d)
    y_train : array_like, shape (N,)
    X_test : array_like, shape (M, d), optional
    hidden_layers : int
        :math:`L \ge 1`.
    nonlinearity : str
        A name from :mod:`widthlimits.nonlinearities`.
    parametrization : {"mup"}
        Only µP so far: the limit of NTK-parametrized training is kernel gradient descent with
        the NTK (:func:`~widthlimits.kernels.regression.ntk_gd_prediction`).
    lr : float
        The base learning rate :math:`\eta > 0`.
    steps : int
        Number of SGD steps, at least 1.
    loss : {"mse"}
    base_width : int
        :math:`n_0`, the width at which µP equals SP.
    weight_std : float
        :math:`\sigma_w`.
    zero_readout : bool
        Start from a zero readout, as ``MLP(..., zero_readout=True)`` does.
    rng : numpy.random.Generator, optional
        The quasi-Monte Carlo scramblings (default ``default_rng(0)``).
    mc_samples : int
        Quasi-Monte Carlo points per integral, where one is needed.

    Returns
    -------
    TrainingLimit

    Examples
    --------
    One training input and one hidden layer: every integral is two-dimensional and exact.

    >>> out = training_limit([[1.0, 0.0]], [1.0], hidden_layers=1, nonlinearity="tanh",
    ...                      lr=0.5, steps=3)
    >>> out.f_train.shape, bool(out.loss[-1] < out.loss[0]), bool(out.f_train_err.max() < 1e-6)
    ((4, 1), True, True)
    """
    X, y, Xt = _check_data(X_train, y_train, X_test)
    depth = check_int("hidden_layers", hidden_layers, 1, 4)
    phi, dphi = numpy_pair(nonlinearity)
    check_choice("parametrization", parametrization, ("mup",))
    check_choice("loss", loss, ("mse",))
    eta = check_real("lr", lr, 0, low_open=True)
    steps = check_int("steps", steps, 1, 20)
    n0 = check_int("base_width", base_width, 1)
    sw = check_real("weight_std", weight_std, 0, low_open=True)
    zero_readout = check_bool("zero_readout", zero_readout)
    mc_samples = check_int("mc_samples", mc_samples, 2**8, 2**20)

    b = _Builder(X, y, Xt, depth, phi, dphi, eta, n0, sw, zero_readout)
    kernel_names = {}
    for t in range(steps + 1):
        h, x, f = b.forward(t)
        if t in (0, steps):
            kernel_names[t] = _kernel_moments(b.p, x, t)
        if t < steps:
            chi, dh = b.backward(t, h, x)
            b.update(chi, dh, x)
    lim = b.p.limit(return_error=True, rng=rng, mc_samples=mc_samples)
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
    return TrainingLimit(f[:, :N], fe[:, :N], f[:, N:], fe[:, N:], loss, loss_err, kernels,
                         kernels_err)  # fmt: skip
