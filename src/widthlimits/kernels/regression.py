r"""Kernel predictions: kernel (ridge) regression, and gradient descent on a linearized network.

Both act on kernels that are already computed, the limits of :mod:`widthlimits.kernels.recursion`
or the empirical ones of :mod:`widthlimits.kernels.empirical`, and both check that the training
kernel is symmetric and positive semi-definite instead of symmetrizing or clipping it. With
``device=`` ("cpu" or "cuda") the linear algebra runs in float64 torch on that device and the
results are torch tensors there (the input checks run first, on the host).
"""

from __future__ import annotations

import numpy as np

from .._checks import check_array, check_device, check_int, check_real, check_symmetric_psd

__all__ = ["kernel_regression", "ntk_gd_prediction", "MAX_STEPS"]

_SINGULAR = "the training kernel is singular; add a ridge > 0 or remove duplicate inputs"


def _solve_torch(a, ks, y, device):
    """``ks @ solve(a, y)`` in float64 torch on ``device``."""
    import torch

    a, ks, y = (torch.as_tensor(v, dtype=torch.float64, device=device) for v in (a, ks, y))
    try:
        out = ks @ torch.linalg.solve(a, y)
    except RuntimeError as err:  # torch's singular-matrix error
        raise ValueError(_SINGULAR) from err
    if not bool(torch.isfinite(out).all()):
        raise ValueError("kernel regression overflowed: add a ridge > 0")
    return out


#: The most gradient-descent steps :func:`ntk_gd_prediction` predicts (exact in float64).
MAX_STEPS = 2**53


def kernel_regression(k_train, k_test_train, y_train, ridge: float = 0.0, *, device=None):
    r"""Return the kernel (ridge) regression prediction :math:`k_*^\top (K + \lambda I)^{-1} y`.

    With an NNGP kernel this is the posterior mean of Gaussian-process regression
    :cite:p:`rasmussen2006gp` with noise variance :math:`\lambda`; with the NTK and
    :math:`\lambda = 0` it is the end point of gradient flow on the squared loss in the
    kernel regime :cite:p:`jacot2018ntk`.

    Parameters
    ----------
    k_train : array_like, shape (n, n)
        The kernel on the training inputs, symmetric positive semi-definite (to a relative
        ``1e-8``; see :func:`widthlimits._checks.check_symmetric_psd`).
    k_test_train : array_like, shape (m, n)
        The kernel between test and training inputs.
    y_train : array_like, shape (n,) or (n, k)
        Training targets.
    ridge : float, default 0
        :math:`\lambda \ge 0`, added to the diagonal.
    device : str or torch.device, optional
        Solve in float64 torch on this device (``"cpu"`` or ``"cuda"``) and return a tensor.

    Returns
    -------
    ndarray or torch.Tensor, shape (m,) or (m, k)

    Raises
    ------
    ValueError
        On mismatched shapes, an asymmetric or not positive semi-definite ``k_train`` (nothing
        is symmetrized or clipped), a negative or infinite ridge, NaN or inf in any input, or a
        singular system.
    TypeError
        For inputs that are not arrays of real numbers, or a ridge that is not a real number.

    Examples
    --------
    >>> import numpy as np
    >>> K = np.array([[2.0, 1.0], [1.0, 2.0]])
    >>> kernel_regression(K, K, [1.0, -1.0])  # interpolates the training data
    array([ 1., -1.])
    """
    k = check_symmetric_psd("k_train", k_train)
    n = k.shape[0]
    ks = check_array("k_test_train", k_test_train, ndim=2)
    if ks.shape[1] != n:
        raise ValueError(f"k_test_train must have shape (m, {n}) to match k_train, got {ks.shape}")
    y = check_array("y_train", y_train, ndim=(1, 2))
    if y.shape[0] != n:
        raise ValueError(f"y_train must have {n} rows to match k_train, got shape {y.shape}")
    ridge = check_real("ridge", ridge, 0.0)
    a = k + ridge * np.eye(n)
    if device is not None:
        return _solve_torch(a, ks, y, check_device(device))
    try:
        alpha = np.linalg.solve(a, y)
    except np.linalg.LinAlgError as err:
        raise ValueError(_SINGULAR) from err
    out = ks @ alpha
    if not np.all(np.isfinite(out)):
        raise ValueError(
            "kernel regression overflowed: the training kernel is too ill-conditioned; add a "
            "ridge > 0"
        )
    return out


def ntk_gd_prediction(theta, theta_eval, f0, f0_eval, y, lr: float, steps: int, *, device=None):
    r"""Return what ``steps`` steps of gradient descent give for a network that is linear in its
    parameters, with NTK ``theta``: kernel regression with the NTK, stopped early.

    For the squared loss :math:`\frac12\sum_i (f(x_i) - y_i)^2`, the linearized network obeys
    :math:`f_{t+1}(x) = f_t(x) - \mathrm{lr}\,\Theta(x, X)\,(f_t(X) - y)`, so
    :cite:p:`lee2019wide`

    .. math::

        f_t(X) = y + (I - \mathrm{lr}\,\Theta)^t (f_0(X) - y), \qquad
        f_t(x) = f_0(x) - \Theta(x, X)\,\Theta^{-1}\bigl(I - (I - \mathrm{lr}\,\Theta)^t\bigr)
                 (f_0(X) - y),

    computed from the eigendecomposition of :math:`\Theta` (stable also for tiny eigenvalues,
    where :math:`\Theta^{-1}(I - (I - \mathrm{lr}\Theta)^t) \to t\,\mathrm{lr}`).

    Parameters
    ----------
    theta : array_like, shape (N, N)
        The NTK on the training inputs, symmetric positive semi-definite (to a relative
        ``1e-8``; nothing is symmetrized or clipped beyond rounding).
    theta_eval : array_like, shape (M, N)
        The NTK between evaluation and training inputs.
    f0, f0_eval : array_like, shapes (N,) and (M,)
        The network's outputs at initialization.
    y : array_like, shape (N,)
    lr : float
        The learning rate, > 0 and below :math:`2/\lambda_{\max}(\Theta)`.
    steps : int
        The number of steps, between 1 and :data:`MAX_STEPS`.
    device : str or torch.device, optional
        Compute in float64 torch on this device (``"cpu"`` or ``"cuda"``); return tensors.

    Returns
    -------
    f, f_eval : ndarray
        The predicted outputs on the training and evaluation inputs after ``steps`` steps.

    Raises
    ------
    ValueError
        On mismatched shapes, an asymmetric or not positive semi-definite ``theta``, NaN or inf,
        a learning rate that is not positive or at which the linearized dynamics diverge, or
        ``steps`` out of range.
    TypeError
        For inputs that are not arrays of real numbers, or ``lr``/``steps`` of the wrong type.

    Examples
    --------
    With :math:`\Theta = I`, each step shrinks the residual by :math:`1 - \mathrm{lr}`:

    >>> import numpy as np
    >>> f, fe = ntk_gd_prediction(np.eye(2), np.eye(2), [0.0, 0.0], [0.0, 0.0], [1.0, 2.0],
    ...                           lr=0.5, steps=2)
    >>> f, fe
    (array([0.75, 1.5 ]), array([0.75, 1.5 ]))
    """
    th = check_symmetric_psd("theta", theta)
    n = th.shape[0]
    te = check_array("theta_eval", theta_eval, ndim=2)
    if te.shape[1] != n:
        raise ValueError(f"theta_eval must have shape (M, {n}) to match theta, got {te.shape}")
    f0, y = check_array("f0", f0, ndim=1), check_array("y", y, ndim=1)
    f0e = check_array("f0_eval", f0_eval, ndim=1)
    if f0.shape != (n,) or y.shape != (n,) or f0e.shape != (te.shape[0],):
        raise ValueError(
            f"f0 and y need shape ({n},) and f0_eval shape ({te.shape[0]},) to match the "
            f"kernels, got {f0.shape}, {y.shape} and {f0e.shape}"
        )
    lr = check_real("lr", lr, 0.0, low_open=True)
    steps = check_int("steps", steps, 1, MAX_STEPS)
    if device is not None:
        return _gd_torch(th, te, f0, f0e, y, lr, steps, check_device(device))
    lam, u = np.linalg.eigh(0.5 * (th + th.T))
    lam = np.clip(lam, 0.0, None)
    if np.any(lr * lam >= 2.0):
        raise ValueError(
            f"lr = {lr} is above 2 / lambda_max = {2 / lam.max():.4g}: gradient descent on the "
            "linearized network diverges"
        )
    x = lr * lam
    decay = (1.0 - x) ** steps
    # Theta^{-1} (I - (I - lr Theta)^t) in the eigenbasis: accurate for small lr * lambda, and
    # equal to its limit t * lr at lambda = 0
    small = x < 0.5
    xs = np.where(small, x, 0.0)
    accurate = -np.expm1(steps * np.log1p(-xs))
    one_minus = np.where(small, accurate, 1.0 - decay)
    gain = np.where(lam > 0, one_minus / np.where(lam > 0, lam, 1.0), steps * lr)
    r0 = u.T @ (f0 - y)
    f = y + u @ (decay * r0)
    f_eval = f0e - te @ (u @ (gain * r0))
    return f, f_eval


def _gd_torch(th, te, f0, f0e, y, lr, steps, device):
    """:func:`ntk_gd_prediction` in float64 torch on ``device`` (the same formulas)."""
    import torch

    th, te, f0, f0e, y = (torch.as_tensor(v, dtype=torch.float64, device=device)
                          for v in (th, te, f0, f0e, y))  # fmt: skip
    lam, u = torch.linalg.eigh(0.5 * (th + th.T))
    lam = lam.clamp(min=0.0)
    if bool((lr * lam >= 2.0).any()):
        raise ValueError(
            f"lr = {lr} is above 2 / lambda_max = {2 / float(lam.max()):.4g}: gradient descent "
            "on the linearized network diverges"
        )
    x = lr * lam
    decay = torch.pow(1.0 - x, steps)
    small = x < 0.5
    accurate = -torch.expm1(steps * torch.log1p(-torch.where(small, x, 0.0)))
    one_minus = torch.where(small, accurate, 1.0 - decay)
    gain = torch.where(lam > 0, one_minus / torch.where(lam > 0, lam, 1.0), steps * lr)
    r0 = u.T @ (f0 - y)
    return y + u @ (decay * r0), f0e - te @ (u @ (gain * r0))
