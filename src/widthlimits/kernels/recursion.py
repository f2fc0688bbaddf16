r"""Infinite-width kernels of multilayer perceptrons: the NNGP and the NTK.

A fully connected network with ``depth`` hidden layers, in the NTK parameterization,

.. math::

    h^1 = \frac{\sigma_w}{\sqrt{d}} W^1 x + \sigma_b b^1, \qquad
    h^{l+1} = \frac{\sigma_w}{\sqrt{n}} W^{l+1} \phi(h^l) + \sigma_b b^{l+1}, \qquad
    f(x) = h^{L+1},

with every entry of every ``W`` and ``b`` iid :math:`N(0, 1)`, has, as all widths ``n`` tend to
infinity, a Gaussian-process output at initialization with covariance :math:`K = K^{L+1}` (the
*NNGP kernel*) and a deterministic neural tangent kernel :math:`\Theta = \Theta^{L+1}` (the *NTK*),
given by the recursion (:cite:t:`lee2018dnngp`, :cite:t:`jacot2018ntk`)

.. math::

    K^1 &= \sigma_w^2 \frac{X X^\top}{d} + \sigma_b^2, \qquad \Theta^1 = K^1, \\
    K^{l+1} &= \sigma_w^2 \, \mathbb{E}[\phi(u)\phi(v)] + \sigma_b^2, \qquad
    \Theta^{l+1} = K^{l+1} + \sigma_w^2 \, \mathbb{E}[\phi'(u)\phi'(v)] \, \Theta^l,

where :math:`(u, v)` is centred Gaussian with covariance
:math:`\begin{pmatrix} K^l(x,x) & K^l(x,y) \\ K^l(x,y) & K^l(y,y) \end{pmatrix}`.
These are exactly the conventions of neural-tangents' ``stax.serial(Dense(n, W_std, b_std), phi,
..., Dense(1, W_std, b_std))`` in its default ``parameterization="ntk"``
:cite:p:`novak2020nt`, so results can be compared entry by entry.

Closed forms are used where they are known (:mod:`widthlimits.kernels.duals`: relu, erf, the
identity, gelu, ...); every other nonlinearity, and any vectorized callable, goes through the
numerical dual (:mod:`widthlimits.kernels.quadrature`), whose error is stated and propagated
(:mod:`widthlimits.kernels.error_bound`). ``parameterization="standard"`` gives
neural-tangents' other convention (:mod:`widthlimits.kernels.parameterizations`), ``device=``
torch tensors (:mod:`widthlimits.kernels.recursion_torch`).

How the computation is organised (and why it is fast): given the diagonal :math:`K^l(x, x)`,
which follows its own scalar recursion, the recursion for each off-diagonal entry is purely
elementwise. So the diagonal is computed first, and then the upper triangle of the ``N x N``
matrices is cut into cache-sized tiles, each tile is carried through *all* layers while it sits in
cache, with fused in-place ufunc passes into preallocated buffers, and is mirrored into the lower
triangle. Memory is the two ``N x N`` outputs, five length-``N`` vectors per layer and a few
tile buffers; it is checked before anything is allocated, and the depth is at most
:data:`MAX_DEPTH` (the kernels reach their fixed point long before: relu's correlation is within
``1e-6`` of 1 after about 7000 layers, and each layer costs a pass over the matrices).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .._checks import check_array, check_bool, check_device, check_int, check_memory, check_real
from ..nonlinearities import NAMES
from .duals import dual_of
from .error_bound import correlation_errors, propagated_error
from .parameterizations import check_parameterization, first_theta, standard_tile, theta_step
from .quadrature import NumericalDual, numerical_dual

__all__ = ["NONLINEARITIES", "MAX_DEPTH", "nngp", "ntk", "nngp_ntk"]

#: Every nonlinearity name that :func:`nngp` and :func:`ntk` accept (case-insensitive; ``"linear"``
#: is an alias of ``"identity"``): those of :mod:`widthlimits.nonlinearities`.
NONLINEARITIES: tuple[str, ...] = NAMES
#: The most hidden layers :func:`nngp_ntk` computes.
MAX_DEPTH = 10_000
_TILE = 192


def _check_inputs(
    X, depth, nonlinearity, weight_std, bias_std, parameterization, width, kinks, ntk=True
):
    X = check_array("X", X, ndim=2)
    depth = check_int("depth", depth, 1, MAX_DEPTH)
    ws = check_real("weight_std", weight_std, 0.0)
    bs = None if bias_std is None else check_real("bias_std", bias_std, 0.0)
    widths = check_parameterization(parameterization, width, depth)
    if kinks is not None:
        if not callable(nonlinearity) or isinstance(nonlinearity, str):
            raise ValueError("kinks is for a callable nonlinearity; a named one knows its own")
        dual = numerical_dual(nonlinearity, kinks=kinks)
    else:
        dual = dual_of(nonlinearity, ntk=ntk)
    n = X.shape[0]
    check_memory(
        f"the NNGP and NTK of {n:,} inputs at depth {depth:,}",
        8.0 * (2.2 * n * n + 5.0 * n * (depth + 1) + 3 * _TILE * _TILE),
    )
    return X, depth, dual, ws, bs, widths


def _first_layer(X, w2, b2):
    """K^1 = w2 X X^T / d + b2."""
    d = X.shape[1]
    with np.errstate(over="ignore", invalid="ignore"):
        K = X @ X.T  # numpy uses the symmetric rank-k BLAS update here
        K *= w2 / d
        if b2:
            K += b2
    return K


def _diagonals(q1, t1, depth, dual, w2, bs, widths):
    """Diagonals K^l(x, x) and Theta^l(x, x), l = 1..depth+1."""
    qs, thetas = [q1], [t1]
    theta, q = t1.copy(), q1
    b2 = (bs or 0.0) ** 2
    for layer in range(depth):
        e, d = dual.diag(q)
        theta = theta_step(theta, e, d, w2, None if widths is None else widths[layer], bs)
        q = w2 * e + b2
        qs.append(q)
        thetas.append(theta)
    return qs, thetas


def _tiles(K, T, dual, scales, w2, b2, widths, beta):
    """Carry each tile of the upper triangle of (K^1, Theta^1) through every layer, in place, and
    mirror both into the lower triangle."""
    n = K.shape[0]
    out = np.empty_like(K) if T is None else T
    tile = _TILE
    big = np.empty(3 * tile * tile)
    for i0 in range(0, n, tile):
        i1 = min(i0 + tile, n)
        for j0 in range(i0, n, tile):
            j1 = min(j0 + tile, n)
            shape = (i1 - i0, j1 - j0)
            m = shape[0] * shape[1]
            buf = [big[k * m : (k + 1) * m].reshape(shape) for k in range(3)]
            q = K[i0:i1, j0:j1].copy()
            theta = q.copy() if T is None else T[i0:i1, j0:j1].copy()
            for layer, (ra, rb, sa, sb, *extra) in enumerate(scales):
                args = (ra[i0:i1, None], rb[None, j0:j1], sa[i0:i1, None], sb[None, j0:j1],
                        *extra)  # fmt: skip
                if widths is None:
                    dual.tile(q, theta, *args[:4], w2, b2, buf, *extra)
                else:
                    standard_tile(dual, q, theta, args, w2, b2, buf, widths[layer], beta)
            K[i0:i1, j0:j1] = q
            out[i0:i1, j0:j1] = theta
            if j0 != i0:
                K[j0:j1, i0:i1] = q.T
                out[j0:j1, i0:i1] = theta.T
    return out


def _set_diagonal(M, diagonal):
    """The diagonal from its own scalar recursion (exact), and the diagonal tiles symmetric."""
    np.fill_diagonal(M, diagonal)
    for i0 in range(0, M.shape[0], _TILE):
        i1 = min(i0 + _TILE, M.shape[0])
        blk = M[i0:i1, i0:i1]
        blk[...] = np.triu(blk) + np.triu(blk, 1).T


def nngp_ntk(
    X,
    depth: int,
    nonlinearity: str | Callable = "relu",
    weight_std: float = math.sqrt(2.0),
    bias_std: float | None = 0.0,
    *,
    parameterization: str = "ntk",
    width=None,
    kinks=None,
    device=None,
    return_error: bool = False,
):
    r"""Return the NNGP kernel and the NTK of an MLP's scalar output, in one pass.

    Computes :math:`K^{L+1}` and :math:`\Theta^{L+1}` of the recursion in the module docstring
    for ``L = depth`` hidden layers, on the rows of ``X``, in neural-tangents' conventions (input
    kernel :math:`X X^\top / d`, NTK parameterization, equal learning rates for weights and
    biases).

    Parameters
    ----------
    X : array_like, shape (N, d)
        The inputs, one per row. Finite real numbers; a zero row is allowed.
    depth : int
        The number of hidden layers ``1 <= L <=`` :data:`MAX_DEPTH` (so the network has
        ``L + 1`` dense layers).
    nonlinearity : str, nonlinearity object or callable, default "relu"
        One of :data:`NONLINEARITIES` (case-insensitive), an object such as
        ``kernels.LeakyRelu(0.1)``, or a vectorized function of a numpy array, finite on
        ``[-3, 3]``. Closed forms (:func:`~widthlimits.kernels.duals.dual_of`) are exact to
        rounding; the rest go through
        :func:`~widthlimits.kernels.quadrature.numerical_dual`, tables in the angle with a
        stated error (``return_error``), about ``1e-12`` relative for smooth functions and for
        kinked ones whose ``kinks`` are given.
    weight_std, bias_std : float, default sqrt(2), 0
        :math:`\sigma_w \ge 0` and :math:`\sigma_b \ge 0`.
        ``bias_std=None``: no bias (neural-tangents' ``b_std=None``).
    parameterization : {"ntk", "standard"}, default "ntk"
        neural-tangents' two conventions, side by side (same NNGP; the NTKs differ):

        * ``"ntk"``: :math:`W \sim N(0, 1)` scaled by :math:`\sigma_w/\sqrt{n}` in the forward
          pass; :math:`\Theta^{l+1} = \sigma_w^2 E[\phi\phi] + \sigma_b^2 + \sigma_w^2
          E[\phi'\phi'] \Theta^l`, :math:`\Theta^1 = K^1`;
        * ``"standard"``: :math:`W \sim N(0, \sigma_w^2/n)` trained directly, so the NTK
          grows with the widths: :math:`\Theta^{l+1} = n_l E[\phi\phi] + 1 + \sigma_w^2
          E[\phi'\phi'] \Theta^l`, :math:`\Theta^1 = X X^\top + 1` (the ``1`` is the
          bias's gradient, absent when ``bias_std=None``).
    width : int or sequence of int, optional
        The hidden widths :math:`n_1, ..., n_L` (one int for all), needed by ``"standard"``.
    kinks : sequence of float, optional
        For a callable: where it or its derivative is not smooth; integrated exactly by
        :func:`~widthlimits.kernels.quadrature.numerical_dual`.
    device : str or torch.device, optional
        ``"cpu"`` or ``"cuda"``: return float64 torch tensors on it (relu, erf and the identity
        are computed there in row blocks, :mod:`widthlimits.kernels.recursion_torch`; others by
        numpy, then moved).
    return_error : bool, default False
        Also return ``(err_nngp, err_ntk)``, bounds on the largest absolute error, propagated
        from the numerical path's stated errors (:mod:`widthlimits.kernels.error_bound`; the
        tiles then also record how far each angle can be off); zero for closed forms.

    Returns
    -------
    nngp, ntk : ndarray, shape (N, N)
        Symmetric float64 matrices.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, empty or holds NaN/inf, ``depth`` is outside
        ``[1, MAX_DEPTH]``, a std is negative or not finite, the name is unknown, the matrices
        would not fit in memory, the quadrature would need more than
        :data:`~widthlimits.kernels.quadrature.MAX_NODES` nodes or
        :data:`~widthlimits.kernels.quadrature.MAX_EVALUATIONS` evaluations, or the result
        overflows.
    TypeError
        If an argument has the wrong type (``X`` ragged, complex or not numeric, ``depth`` not
        an integer, a std not a real number, ``nonlinearity`` neither a name nor a callable).

    Examples
    --------
    One hidden relu layer on the inputs :math:`e_1, e_2` in d = 2: :math:`K^1 = I`, so the
    output NNGP is :math:`2 \cdot \frac{1}{2\pi}(\sin\frac{\pi}{2} + 0) = 1/\pi` off the diagonal
    and :math:`2 \cdot \frac12 = 1` on it; the NTK adds :math:`2 \cdot \frac12 \Theta^1 = I`.

    >>> import numpy as np
    >>> K, T = nngp_ntk(np.eye(2), depth=1)
    >>> np.round(K, 6)
    array([[1.     , 0.31831],
           [0.31831, 1.     ]])
    >>> np.round(T, 6)
    array([[2.     , 0.31831],
           [0.31831, 2.     ]])

    References
    ----------
    .. [1] Lee et al., "Deep neural networks as Gaussian processes", ICLR 2018.
    .. [2] Jacot, Gabriel, Hongler, "Neural tangent kernel", NeurIPS 2018.
    .. [3] Novak et al., "Neural Tangents", ICLR 2020 (the conventions).
    """
    args = _check_inputs(X, depth, nonlinearity, weight_std, bias_std, parameterization, width,
                         kinks)  # fmt: skip
    return _compute(*args, device, check_bool("return_error", return_error))


def _compute(X, depth, dual, ws, bs, widths, device, return_error):
    """The recursion on checked arguments: numpy tiles, or the torch path of a device."""
    if device is not None:
        from .recursion_torch import nngp_ntk_torch, supports

        device = check_device(device)
        if supports(dual) and not return_error:
            return nngp_ntk_torch(X, depth, dual, ws, bs, widths, device)
    w2, b2 = ws * ws, (bs or 0.0) ** 2
    n = X.shape[0]
    K = _first_layer(X, w2, b2)
    T1 = first_theta(X, widths, bs)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        q1 = np.ascontiguousarray(np.diagonal(K)).copy()
        t1 = q1 if T1 is None else np.ascontiguousarray(np.diagonal(T1)).copy()
        qs, thetas = _diagonals(q1, t1, depth, dual, w2, bs, widths)
        theta_diag = thetas[-1]
        if isinstance(dual, NumericalDual):
            dual.check_cost(qs[:-1], n * (n + 1) // 2)
            dual.tables.clear()
        # the standard parameterization calls the duals at w2 = 1 (standard_tile)
        scales = [dual.scales(q, w2 if widths is None else 1.0) for q in qs[:-1]]
        if return_error:
            correlation_errors(dual, qs, w2)  # the tiles then record how far angles can be off
        T = _tiles(K, T1, dual, scales, w2, b2, widths, bs)
    _set_diagonal(K, qs[-1])
    _set_diagonal(T, theta_diag)
    if not (np.isfinite(K).all() and np.isfinite(T).all()):
        raise ValueError(
            "the kernel recursion overflowed or produced NaN; reduce depth, weight_std or the "
            "scale of X, or check that the nonlinearity is finite on the inputs it receives"
        )
    if device is not None:
        import torch

        K, T = torch.as_tensor(K, device=device), torch.as_tensor(T, device=device)
    if return_error:
        return K, T, propagated_error(dual, qs, thetas, t1, w2, widths)
    return K, T


def nngp(
    X,
    depth: int,
    nonlinearity: str | Callable = "relu",
    weight_std: float = math.sqrt(2.0),
    bias_std: float = 0.0,
) -> np.ndarray:
    r"""Return the NNGP kernel :math:`K^{L+1}` of an MLP's scalar output on the rows of ``X``.

    The covariance of the network's output at initialization, in the infinite-width limit
    :cite:p:`lee2018dnngp`. Arguments, conventions and errors are those of :func:`nngp_ntk`.
    To get the NTK as well, call :func:`nngp_ntk`, which computes both in one pass.

    Examples
    --------
    With relu, :math:`\sigma_w^2 = 2` and no bias, the diagonal keeps its first-layer value
    :math:`2\|x\|^2/d` at every depth (relu halves the second moment and the 2 restores it).

    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 0.0]])
    >>> np.diag(nngp(X, depth=5)).round(6)
    array([ 5., 10.,  0.])
    """
    args = _check_inputs(X, depth, nonlinearity, weight_std, bias_std, "ntk", None, None, False)
    return _compute(*args, None, False)[0]  # a dual without an NTK (sign, step) is fine here


def ntk(
    X,
    depth: int,
    nonlinearity: str | Callable = "relu",
    weight_std: float = math.sqrt(2.0),
    bias_std: float = 0.0,
) -> np.ndarray:
    r"""Return the neural tangent kernel :math:`\Theta^{L+1}` of an MLP's scalar output.

    The limit of :math:`\sum_p \partial_p f(x) \partial_p f(y)` over all weights and biases, in
    the NTK parameterization :cite:p:`jacot2018ntk`. Arguments, conventions and errors are those
    of :func:`nngp_ntk`.

    Examples
    --------
    For relu with :math:`\sigma_w^2 = 2` and no bias, each of the ``L + 1`` layers contributes
    the same :math:`2\|x\|^2/d` on the diagonal, so :math:`\Theta(x, x) = 2(L+1)\|x\|^2/d`.

    >>> import numpy as np
    >>> float(ntk(np.array([[1.0, 1.0]]), depth=4)[0, 0])
    10.0
    """
    return nngp_ntk(X, depth, nonlinearity, weight_std, bias_std)[1]
