r"""The base-shapes record: one :class:`ParamShape` per parameter, gathered in :class:`Shapes`.

Plain data (names, integers, flags) plus the µP rules that follow from it, keyed by normalized
parameter names; nothing lives on tensors. :func:`~widthlimits.mup.shapes.set_base_shapes`
builds the record; the rules are tabulated in :mod:`widthlimits.mup.shapes` and explained in
:mod:`widthlimits.mup.optim`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from torch import nn

from .._checks import check_bool, check_choice, check_int, check_ints, check_real

__all__ = ["OPTIMIZERS", "ROLES", "ParamShape", "Shapes", "normalize_name"]

_PREFIXES = ("_orig_mod.", "module.")

#: The roles a parameter can have (see :mod:`widthlimits.mup.shapes`).
ROLES: tuple[str, ...] = ("input", "hidden", "output", "vector", "fixed")

#: The optimizer families whose µP learning rates are known: SGD-like and Adam-like.
OPTIMIZERS: tuple[str, ...] = ("sgd", "adam", "adamw")


@dataclass(frozen=True)
class ParamShape:
    r"""A parameter's shape, base shape, width axes, role and the µP rules that follow.

    Attributes
    ----------
    name : str
        The normalized parameter name.
    shape, base_shape : tuple of int
        Its shape in the model and in the base model.
    infinite : tuple of bool
        Which axes are widths.
    fan_out_axis, fan_in_axis : int or None
        Axes 0 and 1 (swapped for embeddings); ``None`` for 1-D tensors.
    role : str
        One of :data:`ROLES`.
    owner : str
        The class name of the module that holds it (``"Linear"``, ``"Embedding"``, ...).
    init_scale : float
        The factor :func:`~widthlimits.mup.optim.init_` multiplies an SP initialization by.

    Examples
    --------
    >>> p = ParamShape("w", (256, 128), (64, 32), (True, True), 0, 1, "hidden", "Linear")
    >>> p.fan_in_mult, p.fan_out_mult, p.lr_mult("sgd"), p.lr_mult("adam"), p.wd_mult("adamw")
    (4.0, 4.0, 1.0, 0.25, 4.0)
    """

    name: str
    shape: tuple[int, ...]
    base_shape: tuple[int, ...]
    infinite: tuple[bool, ...]
    fan_out_axis: int | None
    fan_in_axis: int | None
    role: str
    owner: str = "Parameter"
    init_scale: float = 1.0

    def __post_init__(self):
        shape = tuple(check_ints("shape", list(self.shape), 0)) if self.shape else ()
        base = tuple(check_ints("base_shape", list(self.base_shape), 0)) if self.base_shape else ()
        inf = tuple(check_bool("infinite", x) for x in self.infinite)
        if not len(shape) == len(base) == len(inf):
            raise ValueError(
                f"{self.name!r}: shape, base_shape and infinite must have one entry "
                f"per dimension, got {shape}, {base}, {inf}"
            )
        check_choice("role", self.role, ROLES)
        for axis in ("fan_out_axis", "fan_in_axis"):
            if getattr(self, axis) is not None:
                check_int(axis, getattr(self, axis), 0, max(len(shape) - 1, 0))
        check_real("init_scale", self.init_scale, 0, low_open=True)
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "base_shape", base)
        object.__setattr__(self, "infinite", inf)
        object.__setattr__(self, "init_scale", float(self.init_scale))

    def _mult(self, axis: int | None) -> float:
        if axis is None or not self.infinite[axis]:
            return 1.0
        return self.shape[axis] / self.base_shape[axis]

    @property
    def fan_in_mult(self) -> float:
        """Model fan-in over base fan-in (1 if the fan-in is finite or the tensor is 1-D)."""
        return self._mult(self.fan_in_axis)

    @property
    def fan_out_mult(self) -> float:
        """Model fan-out over base fan-out (1 if finite or 1-D)."""
        return self._mult(self.fan_out_axis)

    @property
    def width_mult(self) -> float:
        r"""The multiplier :math:`\rho` of the role: fan-in for hidden and output weights,
        fan-out for input weights, the one axis for vectors, 1 for fixed tensors."""
        if self.role in ("hidden", "output"):
            return self.fan_in_mult
        if self.role == "input":
            return self.fan_out_mult
        if self.role == "vector":
            return self._mult(0)
        return 1.0

    @property
    def output_mult(self) -> float:
        r"""The forward multiplier µP puts on the layer's input: :math:`1/\rho_\text{in}` for the
        readout (applied by :class:`~widthlimits.mup.readout.Readout`), 1 otherwise."""
        return 1.0 / self.fan_in_mult if self.role == "output" else 1.0

    def lr_mult(self, optimizer: str) -> float:
        r"""The factor of the base learning rate for this tensor (Tensor Programs V, Table 8).

        SGD: hidden :math:`\rho_\text{out}/\rho_\text{in}`, input, output and vector
        :math:`\rho`; Adam and AdamW: hidden :math:`1/\rho_\text{in}`, all others 1.
        """
        optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
        if self.role == "fixed":
            return 1.0
        if optimizer == "sgd":
            if self.role == "hidden":
                return self.fan_out_mult / self.fan_in_mult
            return self.width_mult
        return 1.0 / self.fan_in_mult if self.role == "hidden" else 1.0

    def wd_mult(self, optimizer: str) -> float:
        """The factor of the base weight decay, ``1 / lr_mult``: the product of learning rate
        and weight decay, which is each step's decay, does not depend on the width."""
        return 1.0 / self.lr_mult(optimizer)

    def with_init_scale(self, scale: float) -> ParamShape:
        """A copy with another :attr:`init_scale`."""
        return replace(self, init_scale=scale)

    def to_dict(self) -> dict:
        """Plain JSON types."""
        d = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: dict) -> ParamShape:
        """The entry :meth:`to_dict` wrote."""
        if not isinstance(d, dict):
            raise TypeError(f"a ParamShape record must be a dict, got {type(d).__name__}")
        keys = [f.name for f in fields(cls)]
        missing, extra = [k for k in keys[:7] if k not in d], [k for k in d if k not in keys]
        if missing or extra:
            raise ValueError(f"a ParamShape record lacks {missing} or has unknown keys {extra}")
        return cls(**d)


def normalize_name(name: str) -> str:
    """A parameter or module name without the prefixes of ``torch.compile`` and DDP.

    Examples
    --------
    >>> normalize_name("_orig_mod.module.blocks.0.weight")
    'blocks.0.weight'
    """
    if not isinstance(name, str):
        raise TypeError(f"a parameter name must be a str, got {type(name).__name__}")
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if name.startswith(prefix):
                name, changed = name[len(prefix) :], True
    return name


def _named(pairs, what: str) -> dict:
    out = {}
    for name, value in pairs:
        key = normalize_name(name)
        if key in out:
            raise ValueError(f"{what} has two entries named {key!r} once prefixes are removed")
        out[key] = value
    return out


def shapes_of(x, what: str) -> dict[str, tuple[int, ...]]:
    """Parameter name -> shape of a module, or a checked dict of name -> shape."""
    if isinstance(x, nn.Module):
        return _named(((n, tuple(p.shape)) for n, p in x.named_parameters()), what)
    if isinstance(x, dict):
        return _named(((n, tuple(check_ints(f"{what}[{n!r}]", s, 0))) for n, s in x.items()), what)
    raise TypeError(
        f"{what} must be a torch.nn.Module or a dict of name -> shape, got {type(x).__name__}"
    )


def same_names(model_shapes: dict, base_shapes: dict, what: str) -> None:
    extra, missing = (
        sorted(set(model_shapes) - set(base_shapes)),
        sorted(set(base_shapes) - set(model_shapes)),
    )
    if extra or missing:
        raise ValueError(
            f"the model and the {what} must have the same parameter names; only in the model: "
            f"{extra[:5]}, only in the {what}: {missing[:5]}"
        )
    for name, shape in model_shapes.items():
        if len(shape) != len(base_shapes[name]):
            raise ValueError(
                f"parameter {name!r} has {len(shape)} dimensions in the model but "
                f"{len(base_shapes[name])} in the {what} (shapes {shape} and {base_shapes[name]})"
            )


@dataclass(frozen=True)
class Shapes:
    """The base shapes of a model: a frozen record of one :class:`ParamShape` per parameter.

    Look entries up by (normalized) name; iterate over names. Build it with
    :func:`set_base_shapes`; save it with :meth:`to_dict` (plain JSON types).

    Examples
    --------
    >>> import torch
    >>> from widthlimits.mup import set_base_shapes
    >>> make = lambda n: torch.nn.Sequential(torch.nn.Linear(3, n), torch.nn.Linear(n, n))
    >>> shapes = set_base_shapes(make(64), make(16))
    >>> shapes.roles()
    {'0.weight': 'input', '0.bias': 'vector', '1.weight': 'hidden', '1.bias': 'vector'}
    >>> shapes["_orig_mod.1.weight"].fan_in_mult, Shapes.from_dict(shapes.to_dict()) == shapes
    (4.0, True)
    """

    params: tuple[ParamShape, ...]
    attention: tuple[tuple[str, int, int], ...] = ()

    def __post_init__(self):
        if not all(isinstance(p, ParamShape) for p in self.params):
            raise TypeError("Shapes.params must be a tuple of ParamShape")
        object.__setattr__(self, "params", tuple(self.params))
        object.__setattr__(self, "attention", tuple(tuple(a) for a in self.attention))

    def _index(self) -> dict[str, ParamShape]:
        return {p.name: p for p in self.params}

    def __getitem__(self, name: str) -> ParamShape:
        key = normalize_name(name)
        index = self._index()
        if key not in index:
            raise KeyError(f"no parameter named {key!r} in these shapes")
        return index[key]

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and normalize_name(name) in self._index()

    def __iter__(self):
        return iter(p.name for p in self.params)

    def __len__(self) -> int:
        return len(self.params)

    def roles(self) -> dict[str, str]:
        """Parameter name -> role."""
        return {p.name: p.role for p in self.params}

    def to_dict(self) -> dict:
        """A dict of plain JSON types (``torch.load(weights_only=True)`` accepts it too)."""
        return {
            "format": "widthlimits.mup.Shapes/1",
            "params": [p.to_dict() for p in self.params],
            "attention": [list(a) for a in self.attention],
        }

    @classmethod
    def from_dict(cls, d: dict) -> Shapes:
        """The record :meth:`to_dict` wrote."""
        if not isinstance(d, dict) or d.get("format") != "widthlimits.mup.Shapes/1":
            raise ValueError("d must be a dict written by Shapes.to_dict()")
        att = [
            (str(a[0]), check_int("head_dim", a[1], 1), check_int("head_dim", a[2], 1))
            for a in d.get("attention", [])
        ]
        return cls(tuple(ParamShape.from_dict(p) for p in d["params"]), tuple(att))

    def check(self, model: nn.Module) -> None:
        """Raise ``ValueError`` unless ``model``'s parameters have these names and shapes."""
        shapes = shapes_of(model, "model")
        same_names(shapes, {p.name: p.shape for p in self.params}, "shapes")
        for name, shape in shapes.items():
            if shape != self[name].shape:
                raise ValueError(
                    f"parameter {name!r} has shape {shape} in the model but "
                    f"{self[name].shape} in the shapes"
                )

    def bind(self, model: nn.Module) -> nn.Module:
        """Set ``base_in_features`` of every :class:`~.readout.Readout` of ``model``.

        Raises ``ValueError`` if one was given another value at construction.
        """
        from .readout import Readout

        names = {id(p): n for n, p in model.named_parameters()}  # a tied weight: its first name
        for mname, m in model.named_modules():
            if isinstance(m, Readout):
                base = self[names[id(m.weight)]].base_shape[1]  # (out, in) either way
                if m.base_in_features not in (None, base):
                    raise ValueError(
                        f"Readout {normalize_name(mname)!r} has base_in_features="
                        f"{m.base_in_features} but the base has {base}"
                    )
                m.base_in_features = base
        return model
