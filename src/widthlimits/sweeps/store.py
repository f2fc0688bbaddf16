r"""A results store: one JSON record per finished run, in a folder, keyed by its configuration.

A *run* is one trained network: one parametrization, optimizer, width, learning rate and seed
of a sweep, with every setting that decides its result (steps, depth, batch size, the data's
fingerprint, the device type, the library's version, ...). :class:`ResultStore` keeps each
finished run as ``<key>.json``, where the key is the SHA-256 of the configuration written as
canonical JSON (:func:`config_key`), so

* an interrupted sweep, run again on the same store, finds its finished runs and trains only the
  others;
* a finished sweep run again trains nothing;
* a changed configuration (another step count, other data, another version of the library)
  has other keys, and never reads a stale record.

A record holds the configuration, the names of its fields that are the axes of a
:class:`~widthlimits.mup.results.Sweep`, and the results. Non-finite losses (a diverged run)
are written as ``null``, so every record is strict JSON::

    {"format": "widthlimits-run/1", "key": "3f0c...",
     "config": {"sweep": "mlp", "parametrization": "mup", "optimizer": "sgd", "width": 256,
                "lr": 0.125, "seed": 0, "steps": 50, "depth": 2, ...},
     "axes": {"parametrization": "parametrization", "optimizer": "optimizer", "width": "width",
              "lr": "lr", "seed": "seed"},
     "results": {"train_loss": 0.41, "test_loss": 0.47, "test_acc": 0.87, "diverged": false}}

Records are written atomically: to a hidden temporary file in the same folder, flushed to disk,
then renamed over the record's name (:func:`os.replace`), so a process killed mid-write leaves
either the whole record or none (and possibly a ``.tmp-*`` file, which the store ignores).
:meth:`ResultStore.to_sweep` loads a complete grid of records back into a
:class:`~widthlimits.mup.results.Sweep`; :meth:`ResultStore.merge` adds another store's
records.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["FORMAT", "ResultStore", "config_key", "fingerprint"]

#: The record format written in every record's ``"format"`` field.
FORMAT = "widthlimits-run/1"


def _plain(x, where: str):
    """``x`` as JSON-native values (numpy scalars become Python ones), or a TypeError."""
    if isinstance(x, Mapping):
        out = {}
        for k, v in x.items():
            if not isinstance(k, str):
                raise TypeError(f"{where}: keys must be strings, got {k!r}")
            out[k] = _plain(v, f"{where}[{k!r}]")
        return out
    if isinstance(x, (list, tuple)):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(x)]
    if x is None or isinstance(x, (str, bool)):
        return x
    if hasattr(x, "dtype") and getattr(x, "shape", None) == ():  # numpy scalar
        x = x.item()
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError(f"{where} must be finite, got {x}")
        return float(x)
    raise TypeError(
        f"{where} must be a string, number, bool, None, list or dict, got {type(x).__name__}"
    )


def _canonical(config) -> str:
    return json.dumps(_plain(config, "config"), sort_keys=True, separators=(",", ":"))


def config_key(config: Mapping) -> str:
    """The record key of a run: the SHA-256 of its configuration as canonical JSON (sorted keys,
    no spaces, numbers as Python writes them), in hexadecimal.

    Equal configurations give equal keys whatever the order of their fields; any changed value
    gives another key.

    Examples
    --------
    >>> a = config_key({"width": 64, "lr": 0.1, "seed": 0})
    >>> a == config_key({"seed": 0, "lr": 0.1, "width": 64}), len(a)
    (True, 64)
    >>> a == config_key({"width": 64, "lr": 0.1, "seed": 1})
    False
    >>> config_key({"lr": float("nan")})
    Traceback (most recent call last):
    ...
    ValueError: config['lr'] must be finite, got nan
    """
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a dict, got {type(config).__name__}")
    return hashlib.sha256(_canonical(config).encode()).hexdigest()


def fingerprint(*arrays) -> str:
    """A short name for the contents of arrays (numpy arrays or torch tensors): ``"sha256:"``
    and the first 16 hex digits of the hash of their dtypes, shapes and bytes. Runs on other
    data get other keys.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.arange(6.0)
    >>> fingerprint(a) == fingerprint(a.copy()), fingerprint(a) == fingerprint(a.reshape(2, 3))
    (True, False)
    """
    import numpy as np

    h = hashlib.sha256()
    for a in arrays:
        if hasattr(a, "detach"):  # a torch tensor
            a = a.detach().cpu().numpy()
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return "sha256:" + h.hexdigest()[:16]


def _results_json(results: Mapping) -> dict:
    """Results with non-finite floats as None (JSON has no infinity)."""
    out = {}
    for k, v in results.items():
        if hasattr(v, "item") and getattr(v, "shape", None) == ():
            v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        out[k] = v
    return _plain(out, "results")


class ResultStore:
    """A folder of run records (module docstring): put, get, merge, and load into a Sweep.

    Parameters
    ----------
    path : str or os.PathLike
        The folder; created (with its parents) if it does not exist.

    Raises
    ------
    TypeError
        If ``path`` is not a string or path.
    ValueError
        If ``path`` exists and is not a folder, or cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> store = ResultStore(tempfile.mkdtemp())
    >>> run = {"sweep": "demo", "width": 64, "lr": 0.1, "seed": 0}
    >>> path = store.put(run, {"train_loss": 0.5, "test_loss": float("inf")})
    >>> len(store), run in store, store.get(run)
    (1, True, {'test_loss': inf, 'train_loss': 0.5})
    >>> store.get(dict(run, seed=1)) is None
    True
    """

    def __init__(self, path):
        if isinstance(path, ResultStore):
            path = path.path
        if not isinstance(path, (str, os.PathLike)) or (isinstance(path, str) and not path):
            raise TypeError(f"store must be a folder path (str or Path), got {path!r}")
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"store {self.path} exists and is not a folder")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path / ".probe", os.O_CREAT | os.O_WRONLY, 0o644))
            os.remove(self.path / ".probe")
        except OSError as err:
            raise ValueError(f"store {self.path} cannot be written ({err.strerror})") from err

    def __repr__(self) -> str:
        return f"ResultStore({str(self.path)!r})"

    def _file(self, key: str) -> Path:
        return self.path / f"{key}.json"

    def _files(self) -> list[Path]:
        return sorted(p for p in self.path.glob("*.json") if not p.name.startswith("."))

    def __len__(self) -> int:
        return len(self._files())

    def __contains__(self, config) -> bool:
        return self._file(config_key(config)).exists()

    def _read(self, file: Path) -> dict:
        try:
            record = json.loads(file.read_text())
        except (OSError, ValueError) as err:
            raise ValueError(f"store record {file} cannot be read as JSON: {err}") from None
        ok = isinstance(record, dict) and record.get("format") == FORMAT
        ok = ok and all(isinstance(record.get(k), dict) for k in ("config", "results"))
        if not ok or config_key(record["config"]) != file.stem:
            raise ValueError(
                f"store record {file} is not a {FORMAT} record of the configuration its name is "
                "the key of (edited, or written by something else?)"
            )
        record["results"] = {
            k: (math.inf if v is None and k != "test_acc" else v)
            for k, v in record["results"].items()
        }
        return record

    def get(self, config: Mapping) -> dict | None:
        """The results of the run with configuration ``config``, or None if it has no record
        (a ``null`` loss reads back as ``inf``)."""
        file = self._file(config_key(config))
        return self._read(file)["results"] if file.exists() else None

    def put(self, config: Mapping, results: Mapping, axes: Mapping | None = None) -> Path:
        """Write the record of one run atomically and return its path.

        ``axes`` maps the Sweep axes (``"parametrization"``, ``"optimizer"``, ``"width"``,
        ``"lr"``, ``"seed"``) to the names of the configuration's fields that hold them; by
        default each axis is the field of its own name. A record already there is replaced.
        """
        key = config_key(config)
        if not isinstance(results, Mapping):
            raise TypeError(f"results must be a dict, got {type(results).__name__}")
        axes = {a: a for a in ("parametrization", "optimizer", "width", "lr", "seed")} | dict(
            axes or {}
        )
        record = {"format": FORMAT, "key": key, "config": _plain(config, "config"),
                  "axes": _plain(axes, "axes"), "results": _results_json(results)}  # fmt: skip
        text = json.dumps(record, indent=1, sort_keys=True, allow_nan=False) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.path)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._file(key))
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
        return self._file(key)

    def records(self, **where) -> list[dict]:
        """Every record (``config``, ``axes``, ``results``, ...) whose configuration has the given
        values (``where``: field name to value), sorted by key.

        Examples
        --------
        >>> import tempfile
        >>> s = ResultStore(tempfile.mkdtemp())
        >>> for seed in (0, 1):
        ...     _ = s.put({"width": 64, "seed": seed}, {"train_loss": 0.1 * seed})
        >>> [r["config"]["seed"] for r in s.records()], len(s.records(seed=1))
        ([0, 1], 1)
        """
        out = []
        for file in self._files():
            record = self._read(file)
            if all(record["config"].get(k) == v for k, v in where.items()):
                out.append(record)
        return out

    def merge(self, other) -> int:
        """Add every record of ``other`` (a ResultStore or folder) that this store lacks; return
        how many were added. Two records of one configuration must hold the same results.

        Raises
        ------
        ValueError
            If both stores hold a run with different results (a non-deterministic run, or a
            record edited by hand); nothing is written in that case.

        Examples
        --------
        >>> import tempfile
        >>> a, b = ResultStore(tempfile.mkdtemp()), ResultStore(tempfile.mkdtemp())
        >>> _ = a.put({"seed": 0}, {"train_loss": 1.0})
        >>> _ = b.put({"seed": 1}, {"train_loss": 2.0})
        >>> _ = b.put({"seed": 0}, {"train_loss": 1.0})
        >>> a.merge(b), len(a), a.merge(b)
        (1, 2, 0)
        """
        other = other if isinstance(other, ResultStore) else ResultStore(other)
        new = []
        for record in other.records():
            mine = self._file(record["key"])
            if mine.exists():
                theirs = self._read(mine)["results"]
                if _canonical(_results_json(theirs)) != _canonical(
                    _results_json(record["results"])
                ):
                    raise ValueError(
                        f"run {record['key'][:12]} has different results in {self.path} and "
                        f"{other.path}: {theirs} and {record['results']}"
                    )
            else:
                new.append(record)
        for record in new:
            self.put(record["config"], record["results"], record.get("axes"))
        return len(new)

    def to_sweep(self, **where):
        """Load the records into a :class:`~widthlimits.mup.results.Sweep`.

        ``where`` selects records by configuration fields (``sweep="mlp"``, ``steps=50``, ...);
        the selected records must share every field that is not an axis (those become the
        Sweep's ``settings``) and fill the whole grid of their axes' values. Axis values come
        in the order parametrization sp, ntk, depth-mup, completep, mup (the orders the sweeps
        use); optimizer sgd, adam; numbers ascending.
        ``seconds`` is 0 (the store keeps results, not timings).

        Raises
        ------
        ValueError
            If no record matches; if the records hold several configurations (the message
            names the fields that differ, to select one with ``where``); or if the grid is
            incomplete (the message says how many runs are missing and names one).

        Examples
        --------
        >>> import tempfile
        >>> s = ResultStore(tempfile.mkdtemp())
        >>> for width in (16, 32):
        ...     for lr in (0.1, 0.2):
        ...         cfg = {"parametrization": "mup", "optimizer": "sgd", "width": width,
        ...                "lr": lr, "seed": 0, "steps": 5}
        ...         _ = s.put(cfg, {"train_loss": lr, "test_loss": lr, "test_acc": 0.5})
        >>> sweep = s.to_sweep()
        >>> sweep.shape, sweep.coords["width"], sweep.settings
        ((1, 1, 2, 2, 1), (16, 32), {'steps': 5})
        """
        from .loading import records_to_sweep

        records = self.records(**where)
        if not records:
            raise ValueError(
                f"store {self.path} has no records"
                + (f" with {where}" if where else "")
                + f" ({len(self)} records in all)"
            )
        return records_to_sweep(records)
