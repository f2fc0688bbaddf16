r"""The µP output layer: a linear readout whose input is multiplied by :math:`1/\rho`.

:class:`Readout` is an ``nn.Linear`` with two µP rules (Tensor Programs V, Table 8; microsoft's
``MuReadout``): its forward pass is

.. math::

    f(x) = W \bigl(\tfrac{m}{\rho}\, x\bigr) + b, \qquad \rho = \frac{\text{in\_features}}
    {\text{base\_in\_features}},

with ``output_mult`` :math:`m` a tunable constant, and its weights are either zero
(``zero_init=True``) or drawn by ``nn.Linear``'s default and then rescaled by
:math:`\sqrt{\rho}` by :func:`~widthlimits.mup.optim.init_`, so that their variance is that of
the base width, :math:`1/(3\,\text{base\_in\_features})`, whatever the width. Together with an
SGD learning rate :math:`\eta\rho` (or Adam's :math:`\eta`) the output moves by order one per
step at every width.

``base_in_features`` is set by :func:`~widthlimits.mup.shapes.set_base_shapes` (or
:meth:`~widthlimits.mup.shape_record.Shapes.bind`, for a model rebuilt from a checkpoint)
or given at construction. It is a plain attribute of the module (no tensor carries state), so
it survives
``copy.deepcopy``, ``torch.compile`` and DDP; ``state_dict`` does not carry it, so a model
rebuilt from a checkpoint is bound again. At :math:`\rho = 1` and :math:`m = 1` the layer is
``nn.Linear`` bit for bit, with the same random draws.
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import check_bool, check_int, check_real

__all__ = ["Readout"]


class Readout(nn.Linear):
    r"""The µP readout: ``nn.Linear`` applied to :math:`(m/\rho)\, x`.

    Parameters
    ----------
    in_features, out_features : int
        As for ``nn.Linear``; ``in_features`` is the width.
    bias : bool
        Whether the layer has a bias (not multiplied by :math:`m/\rho`).
    base_in_features : int, optional
        The width of the base model; ``None`` until ``set_base_shapes`` binds it.
    zero_init : bool
        Start weights and bias at zero (the output is zero at initialization).
    output_mult : float
        The constant :math:`m > 0`, a hyperparameter that transfers across widths.
    device, dtype
        As for ``nn.Linear``.

    Raises
    ------
    TypeError, ValueError
        For sizes that are not positive integers, a flag that is not a bool or a multiplier
        that is not a finite positive number; ``RuntimeError`` in the forward pass if
        ``base_in_features`` was never set.

    Examples
    --------
    >>> import torch
    >>> layer = Readout(256, 10, base_in_features=64, zero_init=True)
    >>> layer.width_mult, float(layer(torch.ones(2, 256)).detach().abs().sum())
    (4.0, 0.0)
    >>> isinstance(layer, torch.nn.Linear)
    True
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        base_in_features: int | None = None,
        zero_init: bool = False,
        output_mult: float = 1.0,
        device=None,
        dtype=None,
    ):
        in_features = check_int("in_features", in_features, 1)
        out_features = check_int("out_features", out_features, 1)
        bias, zero_init = check_bool("bias", bias), check_bool("zero_init", zero_init)
        if base_in_features is not None:
            base_in_features = check_int("base_in_features", base_in_features, 1)
        self.zero_init = zero_init
        self.output_mult = check_real("output_mult", output_mult, 0, low_open=True)
        super().__init__(in_features, out_features, bias, device=device, dtype=dtype)
        self.base_in_features = base_in_features

    def reset_parameters(self) -> None:
        """``nn.Linear``'s default initialization, or zeros with ``zero_init``."""
        if getattr(self, "zero_init", False):
            with torch.no_grad():
                self.weight.zero_()
                if self.bias is not None:
                    self.bias.zero_()
        else:
            super().reset_parameters()

    @property
    def width_mult(self) -> float:
        r""":math:`\rho` = ``in_features / base_in_features``."""
        if self.base_in_features is None:
            raise RuntimeError(
                "this Readout has no base width: call widthlimits.mup.set_base_shapes(model, "
                "base) (or shapes.bind(model) on a model rebuilt from a checkpoint), or pass "
                "base_in_features"
            )
        return self.in_features / self.base_in_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``linear(x * output_mult / width_mult)``; no multiplication when the factor is 1."""
        factor = self.output_mult / self.width_mult
        return super().forward(x if factor == 1.0 else x * factor)

    def extra_repr(self) -> str:
        return (
            f"{super().extra_repr()}, base_in_features={self.base_in_features}, "
            f"output_mult={self.output_mult}, zero_init={self.zero_init}"
        )
