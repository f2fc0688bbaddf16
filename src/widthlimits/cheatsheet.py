r"""The µP cheat sheet: per layer type, the power of the width in every scaling a practitioner sets.

For a parametrization of :mod:`widthlimits.mup.presets` and a layer type (input weights,
hidden weights, output weights, hidden biases), four quantities scale like a power of the width
:math:`n`: the **multiplier** in the forward pass, the **initial standard deviation** of the
trained parameter, and its **SGD** and **Adam learning rates**. Only two combinations are fixed by
the parametrization (Tensor Programs IV, Section 3): the size of the layer's effective weight at
initialization, :math:`n^{-(a_l + b_l)}`, and the size of its updates, :math:`n^{-(2a_l + c)}`
for SGD. Where the multiplier :math:`n^{-a'_l}` sits is a free choice, a *gauge*; once it is
chosen,

.. math::

    \text{init std } n^{-(a_l + b_l - a'_l)}, \qquad
    \text{SGD lr } n^{-(2a_l + c - 2a'_l)}, \qquad
    \text{Adam lr } n^{-(e_l - a'_l)},

with :math:`e_l` from :meth:`~widthlimits.mup.abc.ABC.adam_lr_exponents` (Adam moves an
entry by about its learning rate, so the multiplier enters once, not twice).

**Biases.** A hidden layer's bias is an input weight whose input is the constant 1: a vector
with one width-sized dimension (microsoft's *vector-like* parameter). It gets the exponents of
the input layer :math:`W^1` (Tensor Programs V, Table 3, "input weights & all biases"). The
output layer's bias has no width-sized dimension, and every one of its scalings is :math:`n^0`.

Nothing here is typed in by hand: :func:`layer_exponents` derives every entry from
:meth:`~widthlimits.mup.abc.ABC.absorbed` and
:meth:`~widthlimits.mup.abc.ABC.adam_lr_exponents`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ._checks import check_bool, check_choice, check_int, check_real, check_reals
from .mup.abc import ABC, check_abc, check_abcs
from .mup.presets import mean_field, mup, ntk, standard

__all__ = [
    "LAYERS",
    "QUANTITIES",
    "ExponentTable",
    "TableGrid",
    "conventional_gauge",
    "grid",
    "layer_exponents",
    "power",
    "presets",
    "table",
]

#: The layer types of the cheat sheet, in the order of its rows.
LAYERS: tuple[str, ...] = ("input", "hidden", "output", "bias")

#: The names :func:`conventional_gauge` knows (lower case; they are matched case-insensitively).
_NAMES: tuple[str, ...] = ("sp", "ntk", "µp", "mf")

#: The quantities of the cheat sheet, in the order of its columns, with their headings.
QUANTITIES: dict[str, str] = {
    "multiplier": "multiplier",
    "init_std": "init std",
    "sgd_lr": "SGD lr",
    "adam_lr": "Adam lr",
}


def presets(L: int = 2) -> dict[str, ABC]:
    """The four named parametrizations of the cheat sheet, with ``L`` hidden layers.

    Mean field is defined for one hidden layer only, so its entry always has ``L = 1``.

    Examples
    --------
    >>> {name: p.L for name, p in presets().items()}
    {'SP': 2, 'NTK': 2, 'µP': 2, 'MF': 1}
    """
    L = check_int("L", L, 1)
    return {"SP": standard(L), "NTK": ntk(L), "µP": mup(L), "MF": mean_field(1)}


def conventional_gauge(name: str, p: ABC) -> tuple[float, ...]:
    """The multiplier exponents :math:`a'_l` in which a parametrization is usually written.

    ``name`` is one of ``"SP"``, ``"NTK"``, ``"µP"``, ``"MF"`` (case-insensitive).

    SP, NTK and mean field are written with their own ``a`` (no multipliers for SP; a
    :math:`1/\\sqrt{\\text{fan-in}}` multiplier for NTK; :math:`1/n` on the readout for mean
    field). µP is written as microsoft's ``mup`` package implements it (Tensor Programs V,
    Table 8): no multiplier except :math:`1/n` on the readout (``MuReadout``).

    Examples
    --------
    >>> conventional_gauge("µP", mup(2)), conventional_gauge("NTK", ntk(2))
    ((0.0, 0.0, 1.0), (0.0, 0.5, 0.5))
    """
    check_abc("p", p)
    name = check_choice("name", name, _NAMES)
    return (0.0,) * p.L + (1.0,) if name == "µp" else tuple(p.a)


def layer_exponents(p: ABC, gauge: str | Sequence[float] = "absorbed") -> dict:
    r"""The power of :math:`n` in each scaling of each layer type, in a given gauge.

    Parameters
    ----------
    p : ABC
        The parametrization.
    gauge : "absorbed", "own" or sequence of float
        Where the multipliers sit: ``"absorbed"`` puts none (every multiplier is 1, the form of
        Tensor Programs V's Table 3), ``"own"`` uses ``p.a``, and a sequence gives the
        multiplier exponents :math:`a'_l` of the ``L + 1`` weight matrices.

    Returns
    -------
    dict
        ``{layer: {quantity: power}}`` over :data:`LAYERS` and :data:`QUANTITIES`, where the
        quantity scales like :math:`n^{\text{power}}`; ``None`` for the hidden row of a network
        with one hidden layer, which has no hidden-to-hidden weights.

    Raises
    ------
    TypeError
        If ``p`` is not an :class:`~widthlimits.mup.abc.ABC`.
    ValueError
        If ``gauge`` is an unknown name or has the wrong length.

    Examples
    --------
    >>> e = layer_exponents(mup(2))
    >>> e["output"]
    {'multiplier': 0.0, 'init_std': -1.0, 'sgd_lr': -1.0, 'adam_lr': -1.0}
    >>> layer_exponents(mup(2), gauge=(0, 0, 1))["output"]
    {'multiplier': -1.0, 'init_std': 0.0, 'sgd_lr': 1.0, 'adam_lr': 0.0}
    """
    check_abc("p", p)
    if isinstance(gauge, str):
        gauge = check_choice("gauge", gauge, ("absorbed", "own"))
        a_ = (0.0,) * (p.L + 1) if gauge == "absorbed" else tuple(p.a)
    else:
        a_ = tuple(check_reals("gauge", gauge))
        if len(a_) != p.L + 1:
            raise ValueError(
                f"gauge needs one multiplier exponent per weight matrix ({p.L + 1}), got {len(a_)}"
            )
    init, lr = p.absorbed()
    adam = p.adam_lr_exponents()

    def row(l: int) -> dict[str, float]:
        return {
            "multiplier": 0.0 - a_[l],
            "init_std": a_[l] - init[l],
            "sgd_lr": 2 * a_[l] - lr[l],
            "adam_lr": a_[l] - adam[l],
        }

    return {
        "input": row(0),
        "hidden": row(1) if p.L >= 2 else None,
        "output": row(p.L),
        "bias": row(0),
    }


def power(x: float | None, html_output: bool = True) -> str:
    """Write :math:`n^x` for a table: ``1``, ``n``, ``1/n``, ``n^(1/2)``; an em dash for None.

    Examples
    --------
    >>> [power(x, html_output=False) for x in (0, 1, -1, 0.5, -1.5, None)]
    ['1', 'n', '1/n', 'n^(1/2)', 'n^(-3/2)', '—']
    >>> power(-0.5), power(-1)
    ('<i>n</i><sup>−1/2</sup>', '1/<i>n</i>')
    """
    html_output = check_bool("html_output", html_output)
    if x is None:
        return "—"
    q = Fraction(check_real("x", x)).limit_denominator(12)
    n = "<i>n</i>" if html_output else "n"
    if q == 0:
        return "1"
    if q == 1:
        return n
    if q == -1:
        return f"1/{n}"
    if not html_output:
        return f"n^({q})"
    return f"<i>n</i><sup>{str(q).replace('-', '−')}</sup>"


@dataclass(frozen=True)
class ExponentTable:
    """A width-exponent table that renders as HTML in a notebook (and as text elsewhere).

    Attributes
    ----------
    caption : str
    columns : tuple of str
        Column headings (after the first, which names the layer).
    rows : tuple of (str, tuple of float or None)
        Each row: the layer type and its powers of :math:`n`, one per column.
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[float | None, ...]], ...]

    def to_html(self) -> str:
        head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in self.columns)
        body = "".join(
            f'<tr><th scope="row">{html.escape(layer)}</th>'
            + "".join(f"<td>{power(x)}</td>" for x in values)
            + "</tr>"
            for layer, values in self.rows
        )
        return (
            '<table class="wl-cheatsheet">'
            f"<caption>{html.escape(self.caption)}</caption>"
            f'<thead><tr><th scope="col">layer</th>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        lines = [self.caption, " | ".join(("layer", *self.columns))]
        for layer, values in self.rows:
            lines.append(" | ".join((layer, *(power(x, html_output=False) for x in values))))
        return "\n".join(lines)

    def __repr__(self) -> str:
        """The table as aligned plain text (what a PDF or a terminal shows)."""
        cells = [["layer", *self.columns]] + [
            [layer, *(power(x, html_output=False) for x in values)] for layer, values in self.rows
        ]
        widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in cells
        ]
        return "\n".join(([self.caption] if self.caption else []) + lines)


def table(
    params: dict[str, ABC],
    quantity: str | None = None,
    *,
    gauge: str | dict[str, Sequence[float]] = "absorbed",
    caption: str = "",
) -> ExponentTable:
    """One cheat-sheet table: layers by parametrizations for one quantity, or layers by
    quantities for one parametrization.

    Parameters
    ----------
    params : dict of str to ABC
        ``{name: parametrization}``; with ``quantity=None`` it must hold exactly one.
    quantity : str, optional
        A key of :data:`QUANTITIES`: the table then has one column per parametrization. Without
        it, the table has one column per quantity.
    gauge : "absorbed", "own", "conventional" or dict of name to sequence
        The gauge of :func:`layer_exponents` for every parametrization; ``"conventional"`` uses
        :func:`conventional_gauge`.
    caption : str

    Raises
    ------
    ValueError, TypeError
        If ``quantity`` or ``gauge`` is unknown (names are case-insensitive), ``params`` is not
        a non-empty dict of ABC or has the wrong size, or ``caption`` is not a string.

    Examples
    --------
    >>> print(table(presets(), "sgd_lr", caption="SGD learning rate"))
    SGD learning rate
    layer | SP | NTK | µP | MF
    input | 1 | 1 | n | n
    hidden | 1 | 1/n | 1 | —
    output | 1 | 1/n | 1/n | 1/n
    bias | 1 | 1 | n | n
    """
    check_abcs("params", params)
    if quantity is not None:
        quantity = check_choice("quantity", quantity, QUANTITIES)
    if quantity is None and len(params) != 1:
        raise ValueError(f"without a quantity, table shows one parametrization; got {len(params)}")
    if not isinstance(caption, str):
        raise TypeError(f"caption must be a string, got {type(caption).__name__}")
    if isinstance(gauge, str):
        gauge = check_choice("gauge", gauge, ("absorbed", "own", "conventional"))
    elif not isinstance(gauge, dict):
        raise TypeError(f"gauge must be a name or a dict of name -> sequence, got {gauge!r}")

    def gauge_of(name: str, p: ABC):
        if gauge == "conventional":
            return conventional_gauge(name, p)
        if isinstance(gauge, dict):
            return gauge.get(name, "absorbed")
        return gauge

    exps = {name: layer_exponents(p, gauge_of(name, p)) for name, p in params.items()}
    if quantity is None:
        ((_, e),) = exps.items()
        columns = tuple(QUANTITIES.values())
        rows = tuple(
            (layer, tuple(None if e[layer] is None else e[layer][q] for q in QUANTITIES))
            for layer in LAYERS
        )
    else:
        columns = tuple(exps)
        rows = tuple(
            (layer, tuple(None if e[layer] is None else e[layer][quantity] for e in exps.values()))
            for layer in LAYERS
        )
    return ExponentTable(caption, columns, rows)


@dataclass(frozen=True)
class TableGrid:
    """Several :class:`ExponentTable` side by side (as many as the page width allows)."""

    tables: tuple[ExponentTable, ...]

    def _repr_html_(self) -> str:
        inner = "".join(f'<div class="wl-cheatsheet-cell">{t.to_html()}</div>' for t in self.tables)
        return f'<div class="wl-cheatsheet-grid">{inner}</div>'

    def __repr__(self) -> str:
        return "\n\n".join(repr(t) for t in self.tables)


def grid(*tables: ExponentTable) -> TableGrid:
    """Show several tables side by side in a notebook.

    Examples
    --------
    >>> g = grid(table(presets(), "sgd_lr"), table(presets(), "adam_lr"))
    >>> g._repr_html_().count("<table")
    2
    """
    if not tables:
        raise ValueError("grid needs at least one ExponentTable")
    for t in tables:
        if not isinstance(t, ExponentTable):
            raise TypeError(f"grid takes ExponentTable objects, got {type(t).__name__}")
    return TableGrid(tuple(tables))
