r"""The kernel recursion on torch tensors, on the CPU or a GPU, in float64 and in row blocks.

:func:`widthlimits.kernels.recursion.nngp_ntk` calls this with ``device=``. The two ``N x N``
outputs live on the device; the recursion runs on blocks of :data:`BLOCK_ROWS` rows (all columns),
each carried through every layer before the next, so the working memory beyond the outputs is
about six blocks: the budget checked before allocation is
``8 (2 N^2 + 6 BLOCK_ROWS N)`` bytes (:func:`widthlimits._checks.check_memory`; on a GPU also
against its free memory). The closed forms of relu, erf and the identity run on the device with
the same formulas as the numpy path (so the CPU result agrees with it to rounding); every other
dual is computed by the numpy path and moved to the device.
"""

from __future__ import annotations

import math

import torch

from .._checks import check_memory

__all__ = ["BLOCK_ROWS", "nngp_ntk_torch", "supports"]

#: Rows per block of the device recursion.
BLOCK_ROWS = 2048


def _relu(q, t, ra, rb, sa, sb, w2, b2):
    rho = torch.clamp(q * ra * rb, -1.0, 1.0)
    p = torch.arccos(-rho)  # pi - theta
    e = (torch.sqrt(1.0 - rho * rho) + p * rho) * sa * sb * (w2 / (2 * math.pi)) + b2
    return e, e + t * p * (w2 / (2 * math.pi))


def _erf(q, t, ra, rb, sa, sb, w2, b2):
    r = torch.clamp(2.0 * q * ra * rb, -1.0, 1.0)
    d = (4.0 / math.pi * w2) / (torch.sqrt(1.0 - r * r) * sa * sb)
    e = torch.arcsin(r) * (2.0 / math.pi * w2) + b2
    return e, e + t * d


def _identity(q, t, ra, rb, sa, sb, w2, b2):
    e = q * w2 + b2
    return e, e + t * w2


_TORCH = {"Relu": (_relu, "relu"), "Erf": (_erf, "erf"), "Identity": (_identity, "id")}


def _scales(kind, q):
    if kind == "erf":
        s = torch.sqrt(1.0 + 2.0 * q)
        return 1.0 / s, s
    sq = torch.sqrt(q)
    inv = torch.where(q > 0, 1.0 / torch.where(q > 0, sq, 1.0), 0.0)
    return inv, sq


def _diag(kind, q, w2, b2, t, widths, layer, bs):
    if kind == "relu":
        e, d = 0.5 * q, 0.5 * (q > 0).to(q.dtype)  # (torch.where(q > 0, 0.5, 0.0) is float32)
    elif kind == "erf":
        e = 2.0 / math.pi * torch.arcsin(2.0 * q / (1.0 + 2.0 * q))
        d = 4.0 / math.pi / torch.sqrt(1.0 + 4.0 * q)
    else:
        e, d = q, torch.ones_like(q)
    if widths is None:
        return w2 * e + b2, w2 * e + b2 + w2 * d * t
    return w2 * e + b2, widths[layer] * e + (0.0 if bs is None else 1.0) + w2 * d * t


def nngp_ntk_torch(X, depth, dual, ws, bs, widths, device):
    """The NNGP and NTK as float64 tensors on ``device`` (arguments already checked)."""
    n = X.shape[0]
    check_memory(f"the NNGP and NTK of {n:,} inputs on {device}",
                 8.0 * (2 * n * n + 6 * BLOCK_ROWS * n))  # fmt: skip
    if device.type == "cuda":
        free = torch.cuda.mem_get_info(device)[0]
        if 8.0 * (2 * n * n + 6 * BLOCK_ROWS * n) > free:
            raise ValueError(f"the NNGP and NTK of {n:,} inputs need more than the {free / 1e9:.1f}"
                             f" GB free on {device}; use fewer inputs")  # fmt: skip
    step, kind = _TORCH[type(dual).__name__]
    w2, b2 = ws * ws, (bs or 0.0) ** 2
    x = torch.as_tensor(X, dtype=torch.float64, device=device)
    d = x.shape[1]
    K = x @ x.T * (w2 / d) + b2
    T = K.clone() if widths is None else x @ x.T + (0.0 if bs is None else 1.0)
    qs, ts = [torch.diagonal(K).clone()], [torch.diagonal(T).clone()]
    for layer in range(depth):
        q, t = _diag(kind, qs[-1], w2, b2, ts[-1], widths, layer, bs)
        qs.append(q)
        ts.append(t)
    sc = [_scales(kind, q) for q in qs[:-1]]
    for i0 in range(0, n, BLOCK_ROWS):
        i1 = min(i0 + BLOCK_ROWS, n)
        q, t = K[i0:i1], T[i0:i1]
        for layer, (r, s) in enumerate(sc):
            a = (r[i0:i1, None], r[None, :], s[i0:i1, None], s[None, :])
            if widths is None:
                q, t = step(q, t, *a, w2, b2)
            else:
                e, t1 = step(q, t, *a, 1.0, 0.0)
                t = w2 * t1 + (widths[layer] - w2) * e + (0.0 if bs is None else 1.0)
                q = w2 * e + b2
        K[i0:i1], T[i0:i1] = q, t
    K.diagonal().copy_(qs[-1])
    T.diagonal().copy_(ts[-1])
    return K, T


def supports(dual) -> bool:
    """Whether ``dual`` has a torch version here (else: numpy, then moved to the device)."""
    return type(dual).__name__ in _TORCH
