r"""A character-level text corpus that ships with every Python: its standard library's sources.

:func:`load_corpus` reads the ``.py`` files under the standard library's directory (found with
:func:`sysconfig.get_paths`, or next to :mod:`inspect`'s own source when that fails), walked in
sorted order, skipping :data:`SKIPPED` directories (tests, third-party packages, codec tables),
until a fixed byte budget is read. Every character outside printable ASCII, newline and tab
becomes :data:`UNKNOWN`. The text is cut into blocks of :data:`BLOCK` characters and every
tenth block (by default) goes to the validation split, so both splits sample every part of the
library. Nothing is downloaded; the same Python version gives the same corpus, character for
character.

:meth:`Corpus.batch` draws windows of ``context + 1`` characters from one split with a seeded
``torch.Generator``: inputs are the first ``context``, targets the next-character shift.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .._checks import check_choice, check_int, check_torch_generator

__all__ = ["BLOCK", "SKIPPED", "UNKNOWN", "Corpus", "load_corpus", "stdlib_dir", "stdlib_files"]

#: Directories of the standard library the corpus skips: tests (data files in odd encodings),
#: installed third-party packages, byte-code caches and the codec tables of ``encodings``.
SKIPPED: frozenset[str] = frozenset(
    {"site-packages", "dist-packages", "__pycache__", "test", "tests", "idle_test", "encodings"}
)
#: The character that stands for every character outside printable ASCII, newline and tab.
UNKNOWN = "\x00"
#: Characters per block of the train/validation split.
BLOCK = 1024

_OUTSIDE = re.compile(r"[^\t\n\x20-\x7e]")


def stdlib_dir() -> Path:
    """The directory of this Python's standard library (where ``os.py`` lives).

    Examples
    --------
    >>> (stdlib_dir() / "os.py").is_file()
    True
    """
    lib = Path(sysconfig.get_paths().get("stdlib", ""))
    if not (lib / "os.py").is_file():
        lib = Path(inspect.getsourcefile(os) or "").parent
    if not (lib / "os.py").is_file():
        raise FileNotFoundError(
            "cannot find the standard library's sources (os.py) via sysconfig or inspect"
        )
    return lib


def stdlib_files(root: Path | None = None) -> list[Path]:
    """Every ``.py`` file under ``root`` (default: :func:`stdlib_dir`), in a fixed order.

    Directories are walked in sorted order and :data:`SKIPPED` ones are left out; files are
    sorted by their path relative to ``root``.

    Examples
    --------
    >>> files = stdlib_files()
    >>> files == sorted(files), all(f.suffix == ".py" for f in files)
    (True, True)
    """
    root = stdlib_dir() if root is None else Path(root)
    if not root.is_dir():
        raise ValueError(f"root must be an existing directory, got {str(root)!r}")
    found = []
    for here, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED)
        found.extend(Path(here) / n for n in names if n.endswith(".py"))
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _read(files: list[Path], n_bytes: int) -> tuple[str, tuple[str, ...]]:
    """The first ``n_bytes`` bytes of the concatenated files as text, and the files read."""
    chunks, used, total = [], [], 0
    for path in files:
        data = path.read_bytes()[: n_bytes - total]
        chunks.append(data.decode("utf-8", errors="replace"))
        used.append(path.name)
        total += len(data)
        if total >= n_bytes:
            break
    return _OUTSIDE.sub(UNKNOWN, "".join(chunks)), tuple(used)


@dataclass(frozen=True, eq=False)
class Corpus:
    """Encoded text, its character vocabulary and its two splits (see the module docstring).

    Attributes
    ----------
    vocab : tuple of str
        The characters, sorted, :data:`UNKNOWN` first; token ``i`` is ``vocab[i]``.
    train, valid : torch.Tensor
        The token ids of each split (``uint8``, 1-D).
    files : tuple of str
        The names of the files read, in order.
    """

    vocab: tuple[str, ...]
    train: torch.Tensor
    valid: torch.Tensor
    files: tuple[str, ...]

    @property
    def vocab_size(self) -> int:
        """The number of characters in :attr:`vocab`."""
        return len(self.vocab)

    def encode(self, text: str) -> torch.Tensor:
        """Token ids of ``text``; characters outside the vocabulary become :data:`UNKNOWN`
        (token 0).

        Examples
        --------
        >>> c = load_corpus(20_000)
        >>> c.decode(c.encode("def f(x):"))
        'def f(x):'
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        index = {ch: i for i, ch in enumerate(self.vocab)}
        return torch.tensor([index.get(ch, 0) for ch in text], dtype=torch.long)

    def decode(self, ids) -> str:
        """The text of a sequence of token ids."""
        ids = torch.as_tensor(ids).flatten().tolist()
        if any(not 0 <= i < self.vocab_size for i in ids):
            raise ValueError(f"ids must lie in [0, {self.vocab_size}), got {ids[:5]}...")
        return "".join(self.vocab[i] for i in ids)

    def batch(self, split: str, batch_size: int, context: int, generator: torch.Generator):
        """A batch of ``batch_size`` windows from ``split``: inputs and next-character targets.

        Parameters
        ----------
        split : {"train", "valid"}
        batch_size, context : int
            Windows per batch and characters per window (at least 1; a window must fit in
            the split).
        generator : torch.Generator
            The only source of randomness (the window starts).

        Returns
        -------
        x, y : torch.Tensor
            ``long`` tensors of shape ``(batch_size, context)``; ``y[:, t]`` is the character
            after ``x[:, t]``.

        Examples
        --------
        >>> c = load_corpus(20_000)
        >>> x, y = c.batch("train", 4, 16, torch.Generator().manual_seed(0))
        >>> x.shape, bool(torch.equal(x[:, 1:], y[:, :-1]))
        (torch.Size([4, 16]), True)
        """
        split = check_choice("split", split, ("train", "valid"))
        batch_size = check_int("batch_size", batch_size, 1)
        data = self.train if split == "train" else self.valid
        context = check_int("context", context, 1, len(data) - 1)
        generator = check_torch_generator(generator)
        starts = torch.randint(0, len(data) - context, (batch_size,), generator=generator)
        rows = starts[:, None] + torch.arange(context + 1)
        windows = data[rows].long()
        return windows[:, :-1], windows[:, 1:]

    def batches(self, split: str, n: int, batch_size: int, context: int, generator):
        """``n`` batches of :meth:`batch`, drawn in order from one generator (a list of pairs)."""
        n = check_int("n", n, 1)
        return [self.batch(split, batch_size, context, generator) for _ in range(n)]


def load_corpus(n_bytes: int = 2_000_000, *, valid_every: int = 10, root=None) -> Corpus:
    """The standard-library corpus: the first ``n_bytes`` bytes of its sources, encoded.

    Parameters
    ----------
    n_bytes : int
        The byte budget, at least ``2 * BLOCK`` (fewer bytes are read only if the library is
        smaller). The default, 2 MB, reads a few hundred files in a fraction of a second.
    valid_every : int
        Every ``valid_every``-th block of :data:`BLOCK` characters is validation (at least 2).
    root : path, optional
        Another directory of ``.py`` files (for tests); default :func:`stdlib_dir`.

    Returns
    -------
    Corpus
        Cached: the same arguments return the same object.

    Examples
    --------
    >>> c = load_corpus(50_000)
    >>> c.vocab[0] == UNKNOWN, c.vocab_size <= 97, len(c.train) > 8 * len(c.valid) > 0
    (True, True, True)
    """
    n_bytes = check_int("n_bytes", n_bytes, 2 * BLOCK)
    valid_every = check_int("valid_every", valid_every, 2)
    root = None if root is None else str(Path(root).resolve())
    return _load(n_bytes, valid_every, root)


@functools.lru_cache(maxsize=4)
def _load(n_bytes: int, valid_every: int, root: str | None) -> Corpus:
    text, files = _read(stdlib_files(None if root is None else Path(root)), n_bytes)
    if len(text) < 2 * BLOCK:
        raise ValueError(f"the sources hold only {len(text)} characters, need {2 * BLOCK}")
    vocab = tuple(sorted(set(text) | {UNKNOWN}))
    table = np.zeros(128, dtype=np.uint8)
    table[[ord(ch) for ch in vocab]] = np.arange(len(vocab), dtype=np.uint8)
    ids = table[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]
    blocks = np.arange(len(ids)) // BLOCK
    is_valid = blocks % valid_every == valid_every - 1
    return Corpus(vocab, torch.from_numpy(ids[~is_valid]), torch.from_numpy(ids[is_valid]), files)
