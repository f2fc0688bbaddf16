r"""A torch MLP in any abc-parametrization: its forward pass, multipliers and initialization.

:class:`MLP` stores, for every layer :math:`l = 1, \dots, L + 1`, a trained tensor :math:`w^l`, a
multiplier :math:`m_l` and an initialization standard deviation :math:`s_l`, and computes

.. math::

    h^1 = m_1 w^1 x + \beta_1 b^1, \quad x^l = \phi(h^l), \quad
    h^{l+1} = m_{l+1} w^{l+1} x^l + \beta_{l+1} b^{l+1}, \quad f(x) = h^{L+1},

with :math:`w^l_{\alpha\beta} \sim \mathcal{N}(0, s_l^2)`. Write :math:`\rho = n / n_0` for the
width over the base width :math:`n_0` (``base_width``; :math:`n_0 = 1` when it is ``None``), and
:math:`\gamma_l = \sigma_w / \sqrt{F_l}` for the layer's constant, where :math:`F_l` is its fan-in
*at the base width* (:math:`d` for the input layer, :math:`n_0` otherwise). For an abc-
parametrization :math:`(a, b, c)` the model uses

.. math::

    m_l = \rho^{-a_l}, \qquad s_l = \gamma_l\, \rho^{-b_l}, \qquad
    \text{SGD learning rate on } w^l = \eta\, \rho^{-c},

so at :math:`\rho = 1` every parametrization given by its exponents (``"sp"``, ``"mup"`` or an
:class:`~widthlimits.mup.abc.ABC`) is the standard one, with Gaussian entries of variance
:math:`\sigma_w^2 / \text{fan-in}` and no multipliers: **µP equals SP at the base width, bit for
bit**, the practitioners' convention of microsoft's ``mup``. With the default
:math:`\sigma_w = \sqrt 2` and ``bias_std = 0`` that is He's normal initialization with zero biases,
*not* PyTorch's ``nn.Linear`` default, which draws weights uniformly with variance
:math:`1/(3\,\text{fan-in})` and nonzero biases uniformly on :math:`\pm 1/\sqrt{\text{fan-in}}`
(the same exponents, other constants). ``init="torch"`` is that default: weights uniform on
:math:`\pm\sqrt 3\, s_l` with :math:`\sigma_w = 1/\sqrt 3` (``kaiming_uniform_(a=sqrt(5))``) and
biases uniform on :math:`\pm F_l^{-1/2}` (times their width factor): at :math:`\rho = 1` the
distribution of a stack of ``nn.Linear`` layers (not the same numbers).

**Why a µP coordinate check can slope, and the fix.** With ``base_width=None`` the one-step
output update of µP is flat in :math:`n`. With a base width :math:`n_0` (64, 128) and He's
:math:`\sigma_w = \sqrt 2` the initial output at :math:`n_0` is large, µP's readout shrinks it
like :math:`(n/n_0)^{-1/2}`, and the cross-entropy gradient changes with it: over widths
128-2048 the log-log slope of the one-step output update is about :math:`-0.34`, a finite-width
effect of the initial output, not a wrong exponent. A small readout at the base width removes it
(slopes within :math:`\pm 0.04`): ``weight_std=1/sqrt(3)`` (PyTorch's variance) or
``zero_readout=True``; ``init="torch"`` leaves about :math:`-0.1` (its biases add an output).
With ``parametrization="ntk"`` the constants sit in the multiplier instead (:math:`m_l =
\gamma_l \rho^{-a_l}`, :math:`s_l = \rho^{-b_l}`), neural-tangents' NTK parameterization, where
every layer computes :math:`\sigma_w / \sqrt{\text{fan-in}}\; w x + \sigma_b b` with
:math:`w, b \sim \mathcal{N}(0, 1)`. So ``"ntk"`` is *not* SP at the base width: it computes the
same initial function, but SGD's gradient picks up the multiplier, and its learning rate on
:math:`W^l` is :math:`\eta\, \sigma_w^2 / F_l` instead of :math:`\eta` (an
:class:`~widthlimits.mup.abc.ABC` equal to :func:`~widthlimits.mup.presets.ntk` does equal SP
at the base width).

Biases of hidden layers scale like input weights (a weight from a constant input coordinate,
exponents :math:`(a_1, b_1)`); the readout's bias uses :math:`(-c/2, c/2)` so that its SGD update
is of order one (:func:`~widthlimits.mup.groups.bias_exponents`).

The learning rate of every layer, for SGD and Adam, and µP's table of scalings in both
conventions, are in :mod:`widthlimits.mup.groups`.

Every name of :mod:`widthlimits.nonlinearities` is accepted, case-insensitively. Inputs may be
torch tensors, numpy arrays or nested lists; they are converted to the parameters' dtype and
device (a float64 batch meets a float32 network as float32), after their shape and finiteness
are checked.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._checks import (
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_torch_generator,
)
from ..nonlinearities import NAMES
from .groups import bias_exponents, lr_table, param_groups
from .names import (
    check_dtype,
    check_size,
    resolve_nonlinearity,
    resolve_parametrization,
)

__all__ = ["INITS", "MLP", "NONLINEARITIES"]

#: The base initializations of :class:`MLP`: He-normal with zero biases (the default) and
#: PyTorch's ``nn.Linear`` default (Kaiming-uniform weights, uniform biases).
INITS: tuple[str, ...] = ("he", "torch")

#: The nonlinearities :class:`MLP` accepts by name (case-insensitive; also ``"linear"``), the
#: table of :mod:`widthlimits.nonlinearities`.
NONLINEARITIES: tuple[str, ...] = NAMES


class MLP(nn.Module):
    r"""A fully connected net with ``depth`` hidden layers of ``width`` in an abc-parametrization.

    See the module docstring for the exact forward pass and the scaling tables.

    Parameters
    ----------
    d_in, width, d_out, depth : int
        Input dimension :math:`d`, width :math:`n`, output dimension, number of hidden layers
        :math:`L \ge 1`.
    parametrization : {"sp", "ntk", "mup"} or ABC
        Names are case-insensitive.
        ``"sp"`` is :func:`~widthlimits.mup.presets.standard` (learning rate of order one;
        its init is ``init``'s), ``"ntk"`` is neural-tangents' NTK parameterization
        (not SP at the base width: see the module docstring), ``"mup"`` is µP; an
        :class:`~widthlimits.mup.abc.ABC` gives any other.
    base_width : int, optional
        The width :math:`n_0` at which every parametrization but ``"ntk"`` coincides with SP.
        ``None`` means :math:`n_0 = 1`: the pure powers of :math:`n` of TP4.
    nonlinearity : str or callable
        One of :data:`NONLINEARITIES` (case-insensitive; ``"linear"`` is ``"identity"``) or a
        function of a tensor.
    init : {"he", "torch"}
        At the base width: ``"he"`` (default; the book's claims use it), Gaussian weights of
        variance :math:`\sigma_w^2/F_l`, :math:`\sigma_w = \sqrt 2`, zero biases; ``"torch"``,
        ``nn.Linear``'s default, uniform weights of variance :math:`1/(3 F_l)` and uniform biases
        on :math:`\pm F_l^{-1/2}`. Both are then scaled by the width factors (module docstring).
    weight_std, bias_std : float, optional
        :math:`\sigma_w` and :math:`\sigma_b`; ``None`` means the init's own: :math:`\sqrt 2`
        and 0 for ``"he"``, :math:`1/\sqrt 3` and :math:`1/\sqrt{3 F_l}` (per layer) for
        ``"torch"``. A given ``bias_std`` is the same for every layer.
    zero_readout : bool
        Start the readout weights at zero (a zero output at initialization); a bool.
    generator : torch.Generator, optional
        The only source of randomness; ``None`` uses a new generator with torch's default seed.
    bias : bool
        Whether the layers have biases.
    dtype : torch.dtype
        The parameters' dtype, a floating one.

    Raises
    ------
    ValueError, TypeError
        For sizes that are not positive integers, an unknown parametrization or nonlinearity,
        an ABC with the wrong number of layers, a negative or non-finite standard deviation, a
        flag that is not a bool, a generator that is not a ``torch.Generator``, a dtype that is
        not floating, or parameters that would not fit in memory (the message gives the
        estimated size; nothing is allocated).

    Examples
    --------
    >>> import torch
    >>> g = torch.Generator().manual_seed(0)
    >>> net = MLP(4, 64, 1, 2, "mup", base_width=64, generator=g)
    >>> x = torch.ones(3, 4)
    >>> net(x).shape, [a.shape for a in net.activations(x)]
    (torch.Size([3, 1]), [torch.Size([3, 64]), torch.Size([3, 64])])
    >>> [round(group["lr"], 3) for group in net.param_groups(0.1)][:2]
    [0.1, 0.1]
    >>> MLP(4, 10**7, 1, 2)
    Traceback (most recent call last):
    ...
    ValueError: an MLP of width 10000000 and depth 2 (...) would need about 400,000.3 GB ...
    """

    def __init__(
        self,
        d_in: int,
        width: int,
        d_out: int,
        depth: int,
        parametrization="sp",
        base_width: int | None = None,
        nonlinearity="relu",
        *,
        init: str = "he",
        weight_std: float | None = None,
        bias_std: float | None = None,
        zero_readout: bool = False,
        generator: torch.Generator | None = None,
        bias: bool = True,
        dtype: torch.dtype = torch.float32,
    ):
        super().__init__()
        d_in, width = check_int("d_in", d_in, 1), check_int("width", width, 1)
        d_out, depth = check_int("d_out", d_out, 1), check_int("depth", depth, 1)
        n0 = 1 if base_width is None else check_int("base_width", base_width, 1)
        self.init = init = check_choice("init", init, INITS)
        if weight_std is None:
            weight_std = math.sqrt(2) if init == "he" else 3**-0.5
        weight_std = check_real("weight_std", weight_std, 0)
        bias_std = (0.0 if init == "he" else None) if bias_std is None else bias_std
        bias_std = None if bias_std is None else check_real("bias_std", bias_std, 0)
        zero_readout, bias = check_bool("zero_readout", zero_readout), check_bool("bias", bias)
        self.phi, self.nonlinearity = resolve_nonlinearity(nonlinearity)
        generator = torch.Generator() if generator is None else check_torch_generator(generator)
        dtype = check_dtype(dtype)
        self.abc, self.name = resolve_parametrization(parametrization, depth)
        check_size(d_in, width, d_out, depth, bias=bias, dtype=dtype)
        self.d_in, self.width, self.d_out, self.depth = d_in, width, d_out, depth
        self.base_width = base_width
        self.lr_table = lr_table(self.abc, width / n0)
        self._init_layers(n0, weight_std, bias_std, zero_readout, bias, generator, dtype)

    def _init_layers(self, n0, weight_std, bias_std, zero_readout, bias, generator, dtype):
        """Draw every layer's weights and biases and set its multipliers (module docstring)."""
        d_in, width, d_out = self.d_in, self.width, self.d_out
        rho = width / n0
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        self.w_mult, self.b_mult = [], []
        in_multiplier = self.name == "ntk"
        a, b, L = self.abc.a, self.abc.b, self.depth
        shapes = [(width, d_in)] + [(width, width)] * (L - 1) + [(d_out, width)]
        fan_in0 = [d_in] + [n0] * L
        for l, shape in enumerate(shapes):
            gamma = weight_std / math.sqrt(fan_in0[l])
            ab, bb = bias_exponents(self.abc, l)
            sb = (3 * fan_in0[l]) ** -0.5 if bias_std is None else bias_std  # None: "torch"
            if in_multiplier:
                wm, ws = gamma * rho ** (-a[l]), rho ** (-b[l])
                bm, bs = sb * rho ** (-ab), rho ** (-bb)
            else:
                wm, ws = rho ** (-a[l]), gamma * rho ** (-b[l])
                bm, bs = rho ** (-ab), sb * rho ** (-bb)
            w = _draw(self.init, shape, generator, dtype) * ws
            if l == L and zero_readout:
                w.zero_()
            self.weights.append(nn.Parameter(w))
            self.w_mult.append(float(wm))
            if bias:
                bvec = _draw(self.init, (shape[0],), generator, dtype) * bs
                self.biases.append(nn.Parameter(bvec))
                self.b_mult.append(float(bm))

    def extra_repr(self) -> str:
        """The summary torch prints inside ``MLP(...)``.

        Examples
        --------
        >>> MLP(2, 8, 1, 1, "ntk").extra_repr().startswith("d_in=2, width=8")
        True
        """
        return (
            f"d_in={self.d_in}, width={self.width}, d_out={self.d_out}, depth={self.depth}, "
            f"parametrization={self.name if self.name != 'abc' else self.abc!r}, "
            f"base_width={self.base_width}"
        )

    def _layer(self, l: int, x: torch.Tensor) -> torch.Tensor:
        h = nn.functional.linear(x, self.weights[l])
        if self.w_mult[l] != 1.0:
            h = h * self.w_mult[l]
        if len(self.biases):
            bvec = self.biases[l]
            if self.b_mult[l] != 1.0:
                bvec = bvec * self.b_mult[l]
            h = h + bvec
        return h

    def _as_input(self, x, name: str, features: int) -> torch.Tensor:
        """``x`` as a finite ``(batch, features)`` tensor of the parameters' dtype and device."""
        w = self.weights[0]
        if not isinstance(x, torch.Tensor):
            x = torch.as_tensor(check_array(name, x, ndim=2))
        elif x.dtype == torch.bool or x.is_complex():
            raise TypeError(f"{name} must be a tensor of real numbers, got dtype {x.dtype}")
        if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] != features:
            raise ValueError(f"{name} must have shape (batch, {features}), got {tuple(x.shape)}")
        if not _transformed(x) and not bool(torch.isfinite(x).all()):
            raise ValueError(f"{name} contains NaN or infinite entries")
        return x.to(device=w.device, dtype=w.dtype)

    def activations(self, x: torch.Tensor) -> list[torch.Tensor]:
        r"""Every hidden layer's activations :math:`x^l = \phi(h^l)`, :math:`l = 1, \dots, L`.

        Multipliers are applied, so these are the network's actual features.

        Parameters
        ----------
        x : torch.Tensor
            A batch of shape ``(batch, d_in)`` (a numpy array or nested list is converted; any
            real dtype is converted to the parameters').

        Returns
        -------
        list of torch.Tensor
            ``L`` tensors of shape ``(batch, width)``.

        Raises
        ------
        TypeError, ValueError
            If ``x`` is not real, not of shape ``(batch, d_in)`` with ``batch >= 1``, or has
            NaN or infinite entries.

        Examples
        --------
        >>> import torch
        >>> net = MLP(2, 8, 1, 3, generator=torch.Generator().manual_seed(1))
        >>> len(net.activations(torch.zeros(5, 2)))
        3
        """
        return [self.phi(h) for h in self.preactivations(x)]

    def preactivations(self, x: torch.Tensor) -> list[torch.Tensor]:
        r"""Every hidden layer's preactivations :math:`h^l = W^l x^{l-1} + b^l`, :math:`l = 1..L`.

        Multipliers are applied; ``activations(x)`` is the nonlinearity applied to these.
        ``x`` is checked as in :meth:`activations`.

        Examples
        --------
        >>> import torch
        >>> net = MLP(2, 8, 1, 2, generator=torch.Generator().manual_seed(1))
        >>> h = net.preactivations(torch.ones(5, 2))
        >>> [tuple(t.shape) for t in h], bool(torch.equal(net.phi(h[-1]), net.activations(
        ...     torch.ones(5, 2))[-1]))
        ([(5, 8), (5, 8)], True)
        """
        x = self._as_input(x, "x", self.d_in)
        out = []
        for l in range(self.depth):
            h = self._layer(l, x)
            out.append(h)
            x = self.phi(h)
        return out

    def readout(self, features: torch.Tensor) -> torch.Tensor:
        r"""The output layer alone: :math:`f = m_{L+1} w^{L+1} x^L + \beta_{L+1} b^{L+1}`.

        Parameters
        ----------
        features : torch.Tensor
            The last hidden activations :math:`x^L`, of shape ``(batch, width)``.

        Examples
        --------
        >>> import torch
        >>> net = MLP(3, 16, 2, 2, generator=torch.Generator().manual_seed(0))
        >>> x = torch.ones(4, 3)
        >>> bool(torch.equal(net.readout(net.activations(x)[-1]), net(x)))
        True
        """
        return self._layer(self.depth, self._as_input(features, "features", self.width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The output :math:`f(x)`, of shape ``(batch, d_out)``; ``x`` as in :meth:`activations`.

        Examples
        --------
        >>> import torch
        >>> net = MLP(3, 16, 2, 2, "mup", generator=torch.Generator().manual_seed(0))
        >>> net(torch.ones(4, 3)).shape
        torch.Size([4, 2])
        >>> net(torch.ones(4, 3, dtype=torch.float64)).dtype
        torch.float32
        """
        return self._layer(self.depth, self.activations(x)[-1])

    def param_groups(self, lr: float, optimizer: str = "sgd") -> list[dict]:
        r"""Optimizer parameter groups carrying each layer's learning rate in this parametrization.

        With SGD every :math:`w^l` gets :math:`\eta \rho^{-c}`; with Adam it gets
        :math:`\eta \rho^{a_l - e_l}` (see :mod:`widthlimits.mup.groups`), which for µP is Adam's
        µP table.

        Parameters
        ----------
        lr : float
            The base learning rate :math:`\eta > 0`.
        optimizer : {"sgd", "adam"}
            Case-insensitive.

        Returns
        -------
        list of dict
            One group per tensor, with keys ``params``, ``lr`` and ``name``; pass it to
            ``torch.optim.SGD`` or ``torch.optim.Adam``.

        Examples
        --------
        >>> import torch
        >>> net = MLP(3, 256, 1, 2, "mup", base_width=64, generator=torch.Generator())
        >>> [(g["name"], g["lr"]) for g in net.param_groups(1.0, "adam") if "weight" in g["name"]]
        [('weight1', 0.5), ('weight2', 0.25), ('weight3', 0.5)]
        >>> opt = torch.optim.Adam(net.param_groups(1e-3, "adam"))
        """
        return param_groups(self.weights, self.biases, self.lr_table, lr, optimizer)


def _draw(init: str, shape, generator, dtype) -> torch.Tensor:
    """Entries of mean 0, variance 1: Gaussian (``"he"``) or uniform on ±√3 (``"torch"``)."""
    if init == "he":
        return torch.randn(shape, generator=generator, dtype=dtype)
    return (2 * torch.rand(shape, generator=generator, dtype=dtype) - 1) * math.sqrt(3)


def _transformed(x: torch.Tensor) -> bool:
    """Whether ``x`` lives inside a ``torch.func`` transform (``vmap``, ``grad``), where its
    values cannot be read; the sweeps check their data before they enter one."""
    probe = getattr(torch._C._functorch, "is_functorch_wrapped_tensor", None)
    return True if probe is None else bool(probe(x))
