r"""A torch MLP in any abc-parametrization, its per-layer learning rates, and the coordinate check.

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
:class:`~widthlimits.parametrization.ABC`) is the standard one, with Gaussian entries of variance
:math:`\sigma_w^2 / \text{fan-in}` and no multipliers: **µP equals SP at the base width, bit for
bit**, the practitioners' convention of microsoft's ``mup``. With the default
:math:`\sigma_w = \sqrt 2` and ``bias_std = 0`` that is He's normal initialization with zero biases,
*not* PyTorch's ``nn.Linear`` default, which draws weights uniformly with variance
:math:`1/(3\,\text{fan-in})` and nonzero biases uniformly on :math:`\pm 1/\sqrt{\text{fan-in}}`
(the same exponents, other constants). With ``parametrization="ntk"`` the constants sit in the
multiplier instead (:math:`m_l = \gamma_l \rho^{-a_l}`, :math:`s_l = \rho^{-b_l}`), which is
neural-tangents' NTK parameterization: every layer computes
:math:`\sigma_w / \sqrt{\text{fan-in}}\; w x + \sigma_b b` with :math:`w, b \sim \mathcal{N}(0, 1)`.
So ``"ntk"`` is *not* SP at the base width: it computes the same initial function, but SGD's
gradient picks up the multiplier, and its learning rate on :math:`W^l` is
:math:`\eta\, \sigma_w^2 / F_l` instead of :math:`\eta` (an
:class:`~widthlimits.parametrization.ABC` equal to :func:`~widthlimits.parametrization.ntk` does
equal SP at the base width).

Biases of hidden layers scale like input weights (a weight from a constant input coordinate,
exponents :math:`(a_1, b_1)`); the readout's bias uses :math:`(-c/2, c/2)` so that its SGD update
is of order one.

The tables, for SGD and Adam, in both conventions (µP; :math:`\eta` is the base learning rate,
constants omitted, "absorbed" is the talk's convention where the trained parameter is :math:`W^l`
itself; microsoft's ``mup`` absorbs the multipliers of the input and hidden layers only and keeps
a readout multiplier :math:`1/\rho`, see :mod:`widthlimits.parametrization`):

============  ==================  ======================  =================  =====================
layer         TP4: (a, b, c)      absorbed: init var      SGD lr on W        Adam lr on W
============  ==================  ======================  =================  =====================
input         (-1/2, 1/2, 0)      :math:`1/d`             :math:`\eta n`     :math:`\eta`
hidden        (0, 1/2, 0)         :math:`1/n`             :math:`\eta`       :math:`\eta / n`
readout       (1/2, 1/2, 0)       :math:`1/n^2` (or 0)    :math:`\eta / n`   :math:`\eta / n`
============  ==================  ======================  =================  =====================

In the TP4 convention the multipliers :math:`n^{-a_l}` stay in the forward pass and one global
SGD learning rate :math:`\eta n^{-c}` acts on every :math:`w^l`; the absorbed learning rate on
:math:`W^l` is :math:`\eta n^{-(2a_l + c)}` because the multiplier acts twice (once in the
gradient, once in the update). For Adam the absorbed learning rate on :math:`W^l` is
:math:`\eta n^{-e_l}` with :math:`e_l` from
:meth:`widthlimits.parametrization.ABC.adam_lr_exponents`,
and :meth:`MLP.param_groups` converts it to the learning rate on :math:`w^l`,
:math:`\eta \rho^{a_l - e_l}`, since Adam's update does not scale with the gradient.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from .._checks import check_int
from .abc import ABC, mup, ntk, standard

__all__ = [
    "MLP",
    "coord_check",
    "plot_coord_check",
    "coord_slopes",
    "train_linear_mup",
    "NONLINEARITIES",
]

#: The nonlinearities :class:`MLP` accepts by name.
NONLINEARITIES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "erf": torch.erf,
    "gelu": nn.functional.gelu,
    "linear": lambda x: x,
}


def _positive_int(name: str, x) -> int:
    return check_int(name, x, 1)


def _resolve(parametrization, depth: int) -> tuple[ABC, str]:
    if isinstance(parametrization, ABC):
        if parametrization.L != depth:
            raise ValueError(
                f"the ABC describes {parametrization.L} hidden layers but depth={depth}"
            )
        return parametrization, "abc"
    if not isinstance(parametrization, str):
        raise TypeError(
            f"parametrization must be 'sp', 'ntk', 'mup' or an ABC, got {parametrization!r}"
        )
    presets = {"sp": standard, "ntk": ntk, "mup": mup}
    if parametrization not in presets:
        raise ValueError(
            f"parametrization must be 'sp', 'ntk', 'mup' or an ABC, got {parametrization!r}"
        )
    return presets[parametrization](depth), parametrization


class MLP(nn.Module):
    r"""A fully connected net with ``depth`` hidden layers of ``width`` in an abc-parametrization.

    See the module docstring for the exact forward pass and the scaling tables.

    Parameters
    ----------
    d_in, width, d_out, depth : int
        Input dimension :math:`d`, width :math:`n`, output dimension, number of hidden layers
        :math:`L \ge 1`.
    parametrization : {"sp", "ntk", "mup"} or ABC
        ``"sp"`` is :func:`~widthlimits.parametrization.standard` (learning rate of order one;
        with the default ``weight_std`` and ``bias_std``, He-normal weights and zero biases, not
        PyTorch's Kaiming-uniform default), ``"ntk"`` is neural-tangents' NTK parameterization
        (not SP at the base width: see the module docstring), ``"mup"`` is µP; an
        :class:`~widthlimits.parametrization.ABC` gives any other.
    base_width : int, optional
        The width :math:`n_0` at which every parametrization but ``"ntk"`` coincides with SP.
        ``None`` means
        :math:`n_0 = 1`: the pure powers of :math:`n` of TP4.
    nonlinearity : str or callable
        One of :data:`NONLINEARITIES` or a function of a tensor.
    weight_std, bias_std : float
        :math:`\sigma_w` and :math:`\sigma_b`.
    zero_readout : bool
        Start the readout weights at zero (the output is then zero at initialization).
    generator : torch.Generator, optional
        The only source of randomness; ``None`` uses a new generator with torch's default seed.
    bias : bool
        Whether the layers have biases.
    dtype : torch.dtype
        The parameters' dtype.

    Raises
    ------
    ValueError, TypeError
        For sizes that are not positive integers, an unknown parametrization or nonlinearity,
        an ABC with the wrong number of layers, or a negative standard deviation.

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
        weight_std: float = math.sqrt(2),
        bias_std: float = 0.0,
        zero_readout: bool = False,
        generator: torch.Generator | None = None,
        bias: bool = True,
        dtype: torch.dtype = torch.float32,
    ):
        super().__init__()
        d_in, width = _positive_int("d_in", d_in), _positive_int("width", width)
        d_out, depth = _positive_int("d_out", d_out), _positive_int("depth", depth)
        n0 = 1 if base_width is None else _positive_int("base_width", base_width)
        for name, s in (("weight_std", weight_std), ("bias_std", bias_std)):
            if isinstance(s, bool) or not isinstance(s, numbers.Real) or not s >= 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {s!r}")
            if not math.isfinite(s):
                raise ValueError(f"{name} must be finite, got {s!r}")
        if isinstance(nonlinearity, str):
            if nonlinearity not in NONLINEARITIES:
                raise ValueError(
                    f"nonlinearity must be one of {sorted(NONLINEARITIES)} or a callable, "
                    f"got {nonlinearity!r}"
                )
            self.phi = NONLINEARITIES[nonlinearity]
        elif callable(nonlinearity):
            self.phi = nonlinearity
        else:
            raise TypeError(f"nonlinearity must be a name or a callable, got {nonlinearity!r}")
        if generator is None:
            generator = torch.Generator()
        elif not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")

        self.abc, self.name = _resolve(parametrization, depth)
        self.d_in, self.width, self.d_out, self.depth = d_in, width, d_out, depth
        self.base_width = base_width
        self.nonlinearity = nonlinearity
        in_multiplier = self.name == "ntk"
        rho = width / n0
        a, b, c, L = self.abc.a, self.abc.b, self.abc.c, depth
        adam_e = self.abc.adam_lr_exponents()
        shapes = [(width, d_in)] + [(width, width)] * (L - 1) + [(d_out, width)]
        fan_in0 = [d_in] + [n0] * L
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        self.w_mult, self.b_mult = [], []
        self._lr = {"sgd": [], "adam": []}  # per layer: (weight factor, bias factor)
        for l, shape in enumerate(shapes):
            gamma = weight_std / math.sqrt(fan_in0[l])
            ab, bb = (a[0], b[0]) if l < L else (-c / 2, c / 2)
            if in_multiplier:
                wm, ws = gamma * rho ** (-a[l]), rho ** (-b[l])
                bm, bs = bias_std * rho ** (-ab), rho ** (-bb)
            else:
                wm, ws = rho ** (-a[l]), gamma * rho ** (-b[l])
                bm, bs = rho ** (-ab), bias_std * rho ** (-bb)
            w = torch.randn(shape, generator=generator, dtype=dtype) * ws
            if l == L and zero_readout:
                w.zero_()
            self.weights.append(nn.Parameter(w))
            self.w_mult.append(float(wm))
            if bias:
                bvec = torch.randn(shape[0], generator=generator, dtype=dtype) * bs
                self.biases.append(nn.Parameter(bvec))
                self.b_mult.append(float(bm))
            sgd = rho ** (-c)
            adam_w = rho ** (a[l] - adam_e[l])
            # hidden biases move like input weights; the readout bias by O(1)
            adam_b = rho ** (ab - adam_e[0]) if l < L else rho**ab
            self._lr["sgd"].append((float(sgd), float(sgd)))
            self._lr["adam"].append((float(adam_w), float(adam_b)))

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

    def _check_input(self, x) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        if x.ndim != 2 or x.shape[1] != self.d_in:
            raise ValueError(f"x must have shape (batch, {self.d_in}), got {tuple(x.shape)}")
        return x

    def activations(self, x: torch.Tensor) -> list[torch.Tensor]:
        r"""Every hidden layer's activations :math:`x^l = \phi(h^l)`, :math:`l = 1, \dots, L`.

        Multipliers are applied, so these are the network's actual features.

        Parameters
        ----------
        x : torch.Tensor
            A batch of shape ``(batch, d_in)``.

        Returns
        -------
        list of torch.Tensor
            ``L`` tensors of shape ``(batch, width)``.

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

        Examples
        --------
        >>> import torch
        >>> net = MLP(2, 8, 1, 2, generator=torch.Generator().manual_seed(1))
        >>> h = net.preactivations(torch.ones(5, 2))
        >>> [tuple(t.shape) for t in h], bool(torch.equal(net.phi(h[-1]), net.activations(
        ...     torch.ones(5, 2))[-1]))
        ([(5, 8), (5, 8)], True)
        """
        x = self._check_input(x)
        out = []
        for l in range(self.depth):
            h = self._layer(l, x)
            out.append(h)
            x = self.phi(h)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The output :math:`f(x)`, of shape ``(batch, d_out)``.

        Examples
        --------
        >>> import torch
        >>> net = MLP(3, 16, 2, 2, "mup", generator=torch.Generator().manual_seed(0))
        >>> net(torch.ones(4, 3)).shape
        torch.Size([4, 2])
        """
        return self._layer(self.depth, self.activations(x)[-1])

    def param_groups(self, lr: float, optimizer: str = "sgd") -> list[dict]:
        r"""Optimizer parameter groups carrying each layer's learning rate in this parametrization.

        With SGD every :math:`w^l` gets :math:`\eta \rho^{-c}`; with Adam it gets
        :math:`\eta \rho^{a_l - e_l}` (see the module docstring), which for µP is Adam's µP table.

        Parameters
        ----------
        lr : float
            The base learning rate :math:`\eta > 0`.
        optimizer : {"sgd", "adam"}

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
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
            raise ValueError(f"lr must be a positive number, got {lr!r}")
        if not math.isfinite(lr):
            raise ValueError(f"lr must be finite, got {lr!r}")
        if optimizer not in self._lr:
            raise ValueError(f"optimizer must be 'sgd' or 'adam', got {optimizer!r}")
        groups = []
        for l in range(self.depth + 1):
            fw, fb = self._lr[optimizer][l]
            groups.append({"params": [self.weights[l]], "lr": lr * fw, "name": f"weight{l + 1}"})
            if len(self.biases):
                groups.append({"params": [self.biases[l]], "lr": lr * fb, "name": f"bias{l + 1}"})
        return groups


def _default_data(n: int = 256):
    from .sweep import load_digits_split

    x, y, _, _ = load_digits_split()
    return x[:n], y[:n]


def coord_check(
    widths: Sequence[int],
    parametrization="mup",
    *,
    depth: int = 3,
    steps: int = 5,
    lr: float = 0.1,
    optimizer: str = "sgd",
    seeds: Sequence[int] = (0, 1, 2),
    base_width: int | None = None,
    nonlinearity="relu",
    x: torch.Tensor | None = None,
    y: torch.Tensor | None = None,
    zero_readout: bool = False,
) -> dict:
    r"""Train a few steps at several widths and record the size of every layer and of its change.

    For each width, seed, step :math:`t = 0, \dots, T` and layer (the :math:`L` hidden layers and
    the output), it records :math:`\frac{1}{n B}\sum |x^l_t|` and :math:`\frac{1}{nB}\sum
    |x^l_t - x^l_0|` on the training batch. Training is full-batch on the cross-entropy loss.
    Under µP every entry stays :math:`\Theta(1)` as the width grows; under SP with a fixed
    learning rate the output's change grows; under NTP the hidden changes shrink.

    Parameters
    ----------
    widths : sequence of int
        The widths, increasing.
    parametrization : {"sp", "ntk", "mup"} or ABC
    depth, steps : int
        Hidden layers and SGD/Adam steps.
    lr : float
        Base learning rate.
    optimizer : {"sgd", "adam"}
    seeds : sequence of int
        Seeds of the ``torch.Generator`` that initializes each network.
    base_width : int, optional
        Passed to :class:`MLP`.
    nonlinearity : str or callable
    x, y : torch.Tensor, optional
        A batch of inputs and integer class labels; by default the first 256 training digits
        of :func:`widthlimits.transfer.load_digits_split`.
    zero_readout : bool
        Passed to :class:`MLP`.

    Returns
    -------
    dict
        ``widths`` (array), ``size`` and ``change``: arrays of shape
        ``(len(widths), len(seeds), steps + 1, depth + 1)``; ``loss``: shape
        ``(len(widths), len(seeds), steps + 1)``; ``layers``: the layer names.

    Raises
    ------
    ValueError
        For empty widths, non-positive steps or learning rate, or a loss that became infinite.

    Examples
    --------
    >>> import torch
    >>> x = torch.randn(16, 4, generator=torch.Generator().manual_seed(0))
    >>> y = torch.arange(16) % 3
    >>> out = coord_check([32, 64], "mup", depth=2, steps=2, x=x, y=y, seeds=(0,))
    >>> out["change"].shape, out["layers"]
    ((2, 1, 3, 3), ['hidden 1', 'hidden 2', 'output'])
    """
    widths = [_positive_int("width", w) for w in widths]
    if not widths:
        raise ValueError("coord_check needs at least one width")
    steps = _positive_int("steps", steps)
    if not seeds:
        raise ValueError("coord_check needs at least one seed")
    if x is None or y is None:
        if x is not None or y is not None:
            raise ValueError("give both x and y, or neither")
        x, y = _default_data()
    d_out = int(y.max()) + 1
    size = np.zeros((len(widths), len(seeds), steps + 1, depth + 1))
    change = np.zeros_like(size)
    loss = np.zeros((len(widths), len(seeds), steps + 1))
    for i, n in enumerate(widths):
        for j, seed in enumerate(seeds):
            g = torch.Generator().manual_seed(int(seed))
            net = MLP(
                x.shape[1],
                n,
                d_out,
                depth,
                parametrization,
                base_width,
                nonlinearity,
                zero_readout=zero_readout,
                generator=g,
                dtype=x.dtype,
            )
            opt_cls = torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam
            opt = opt_cls(net.param_groups(lr, optimizer))
            first = None
            for t in range(steps + 1):
                feats = net.activations(x)
                out = net._layer(depth, feats[-1])
                now = [f.detach() for f in (*feats, out)]
                if first is None:
                    first = now
                for k, (f, f0) in enumerate(zip(now, first, strict=True)):
                    size[i, j, t, k] = f.abs().mean().item()
                    change[i, j, t, k] = (f - f0).abs().mean().item()
                ell = nn.functional.cross_entropy(out, y)
                loss[i, j, t] = ell.item()
                if not math.isfinite(loss[i, j, t]):
                    raise ValueError(
                        f"the loss became {loss[i, j, t]} at width {n}, step {t}: the learning "
                        f"rate {lr} is too large for this parametrization"
                    )
                if t < steps:
                    opt.zero_grad()
                    ell.backward()
                    opt.step()
    layers = [f"hidden {l + 1}" for l in range(depth)] + ["output"]
    return {
        "widths": np.array(widths),
        "size": size,
        "change": change,
        "loss": loss,
        "layers": layers,
    }


def plot_coord_check(result: dict, *, step: int = -1, quantity: str = "change", ax=None):
    """Plot a :func:`coord_check` result: each layer's mean ``|x|`` or ``|Δx|`` against width.

    Parameters
    ----------
    result : dict
        The output of :func:`coord_check`.
    step : int
        Which step to show (default: the last).
    quantity : {"change", "size"}
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import torch
    >>> x = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))
    >>> out = coord_check([16, 32, 64], depth=1, steps=1, x=x, y=torch.arange(8) % 2, seeds=(0,))
    >>> ax = plot_coord_check(out)
    >>> ax.get_xscale()
    'log'
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from .. import plotting

    if quantity not in ("change", "size"):
        raise ValueError(f"quantity must be 'change' or 'size', got {quantity!r}")
    if ax is None:
        _, ax = plotting.subplots()
    vals = result[quantity][:, :, step, :]  # width, seed, layer
    for k, name in enumerate(result["layers"]):
        m = vals[:, :, k].mean(axis=1)
        ax.plot(
            result["widths"], m, "o-", color=plotting.COLORS[k % len(plotting.COLORS)], label=name
        )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("width n")
    sym = "|Δx|" if quantity == "change" else "|x|"
    ax.set_ylabel(f"mean {sym} after step {step if step >= 0 else 'T'}")
    ax.legend()
    return ax


def train_linear_mup(
    width: int, lr: float, target: float, steps: int, generator: torch.Generator | None = None
) -> np.ndarray:
    r"""Train the network of :func:`widthlimits.tp.linear_mup_program` at width ``n``; return
    :math:`f_t`.

    Parameters
    ----------
    width : int
    lr, target : float
    steps : int
    generator : torch.Generator, optional

    Returns
    -------
    numpy.ndarray
        The outputs :math:`f_0, \dots, f_T` on the training input, shape ``(steps + 1,)``.

    Examples
    --------
    >>> import torch
    >>> f = train_linear_mup(4096, 0.1, 1.0, 1, torch.Generator().manual_seed(0))
    >>> f.shape, bool(abs(f[1] - 0.3) < 0.1)
    ((2,), True)
    """
    steps = _positive_int("steps", steps)
    net = MLP(
        1,
        width,
        1,
        2,
        "mup",
        nonlinearity="linear",
        bias=False,
        weight_std=1.0,
        generator=generator,
        dtype=torch.float64,
    )
    opt = torch.optim.SGD(net.param_groups(lr))
    xi = torch.ones(1, 1, dtype=torch.float64)
    out = []
    for t in range(steps + 1):
        f = net(xi)[0, 0]
        out.append(f.item())
        if t < steps:
            opt.zero_grad()
            (0.5 * (f - target) ** 2).backward()
            opt.step()
    return np.array(out)


def coord_slopes(result: dict, step: int, *, min_width: int = 1, quantity: str = "change"):
    r"""Fit :math:`\log \overline{|\Delta x^l|} = c + s \log n` for every layer of a coord check.

    Parameters
    ----------
    result : dict
        The output of :func:`coord_check` (at least 2 seeds).
    step : int
        The step whose values are fitted.
    min_width : int
        Fit only the widths ``>= min_width`` (at least 3 of them).
    quantity : {"change", "size"}

    Returns
    -------
    slopes, ses : numpy.ndarray
        The fitted slope of each layer (hidden layers, then the output) and its standard error,
        from a fit weighted by the standard errors of the seed means
        (:func:`widthlimits.stats.loglog_slope`).

    Examples
    --------
    >>> import torch
    >>> x = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))
    >>> out = coord_check([16, 32, 64], depth=1, steps=1, x=x, y=torch.arange(8) % 2,
    ...                   seeds=(0, 1))
    >>> s, se = coord_slopes(out, 1)
    >>> s.shape
    (2,)
    """
    from ..stats import loglog_slope, mean_se

    if quantity not in ("change", "size"):
        raise ValueError(f"quantity must be 'change' or 'size', got {quantity!r}")
    keep = result["widths"] >= min_width
    if keep.sum() < 3:
        raise ValueError(f"need at least 3 widths >= {min_width}, got {int(keep.sum())}")
    vals = result[quantity][keep][:, :, step, :]  # width, seed, layer
    m, se = mean_se(vals, axis=1)
    out = [loglog_slope(result["widths"][keep], m[:, k], se[:, k]) for k in range(m.shape[1])]
    return np.array([s for s, _ in out]), np.array([e for _, e in out])
