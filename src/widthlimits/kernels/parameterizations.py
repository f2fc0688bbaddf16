r"""neural-tangents' two parameterizations of a dense layer, for the kernel recursion of
:mod:`widthlimits.kernels.recursion`: the same NNGP, different NTKs.

With :math:`n_0 = d` and hidden widths :math:`n_1, \dots, n_L`, a layer maps
:math:`\phi(h^l) \in \mathbb{R}^{n_l}` to :math:`h^{l+1}`:

* ``"ntk"`` (the default of neural-tangents' ``Dense``): :math:`h^{l+1} =
  \frac{\sigma_w}{\sqrt{n_l}} W \phi(h^l) + \sigma_b b`, entries of ``W`` and ``b`` iid
  :math:`N(0, 1)` and trained; then

  .. math:: \Theta^{l+1} = \sigma_w^2 \mathbb{E}[\phi\phi] + \sigma_b^2
            + \sigma_w^2 \mathbb{E}[\phi'\phi'] \, \Theta^l, \qquad \Theta^1 = K^1;

* ``"standard"`` (``Dense(..., parameterization="standard")``): :math:`h^{l+1} = W \phi(h^l) +
  b` with :math:`W_{ij} \sim N(0, \sigma_w^2/n_l)`, :math:`b_i \sim N(0, \sigma_b^2)` trained
  directly, so the gradient in ``W`` carries :math:`n_l` times more weight and the bias's
  gradient is 1:

  .. math:: \Theta^{l+1} = n_l \mathbb{E}[\phi\phi] + 1
            + \sigma_w^2 \mathbb{E}[\phi'\phi'] \, \Theta^l, \qquad
            \Theta^1 = X X^\top + 1,

  where the ``1`` is absent without a bias (``bias_std=None``, neural-tangents' ``b_std=None``).
  The NTK grows with the widths; :math:`\Theta / n` has a limit as all widths grow in
  proportion.

Both have :math:`K^{l+1} = \sigma_w^2 \mathbb{E}[\phi\phi] + \sigma_b^2` and
:math:`K^1 = \sigma_w^2 X X^\top / d + \sigma_b^2`.
"""

from __future__ import annotations

from .._checks import check_choice, check_int, check_ints

__all__ = ["check_parameterization", "first_theta", "theta_step", "standard_tile"]


def check_parameterization(parameterization, width, depth):
    """``None`` for ``"ntk"``; the list of the ``depth`` hidden widths for ``"standard"``."""
    param = check_choice("parameterization", parameterization, ("ntk", "standard"))
    if param == "ntk":
        return None
    if width is None:
        raise ValueError(
            "parameterization='standard' needs width: the hidden width (an int) or one per "
            "hidden layer, as neural-tangents' Dense(width, ..., parameterization='standard')"
        )
    if hasattr(width, "__len__"):
        widths = list(check_ints("width", width, 1))
    else:
        widths = [check_int("width", width, 1)] * depth
    if len(widths) != depth:
        raise ValueError(f"width must have one entry per hidden layer ({depth}), got {widths}")
    return widths


def first_theta(X, widths, bias_std):
    """Theta^1 in the standard parameterization, :math:`X X^\\top + 1` (``None`` for "ntk",
    where it is :math:`K^1`)."""
    if widths is None:
        return None
    T1 = X @ X.T
    if bias_std is not None:
        T1 += 1.0
    return T1


def theta_step(theta, e, dd, w2, width, bias_std):
    """Theta^{l+1} from Theta^l, E[phi phi] and E[phi' phi'] (``width=None``: "ntk")."""
    if width is None:
        return w2 * e + (bias_std or 0.0) ** 2 + w2 * dd * theta
    return width * e + (0.0 if bias_std is None else 1.0) + w2 * dd * theta


def standard_tile(dual, q, theta, args, w2, b2, buf, width, bias_std):
    """One standard-parameterization layer on a tile, in place: the dual at ``w2 = 1, b2 = 0``
    leaves E[phi phi] in ``q`` and E[phi phi] + E[phi' phi'] Theta in ``theta``."""
    dual.tile(q, theta, *args[:4], 1.0, 0.0, buf, *args[4:])
    theta *= w2
    theta += (width - w2) * q
    if bias_std is not None:  # a trained bias: its gradient is 1
        theta += 1.0
    q *= w2
    if b2:
        q += b2
