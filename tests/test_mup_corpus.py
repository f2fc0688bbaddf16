"""The standard-library corpus: deterministic, no download, splits and seeded batches."""

from __future__ import annotations

import pytest
import torch

from widthlimits.mup.corpus import BLOCK, UNKNOWN, load_corpus, stdlib_files


def test_the_corpus_is_the_standard_library_read_in_a_fixed_order():
    c = load_corpus(200_000)
    first = stdlib_files()[0]
    head = first.read_text(encoding="utf-8")[:100]
    assert c.decode(c.train[:100]) == head
    assert c.files[0] == first.name
    assert all("test" not in f.parts and "site-packages" not in f.parts for f in stdlib_files())
    assert load_corpus(200_000) is c  # cached
    assert len(c.train) + len(c.valid) == 200_000  # the byte budget, all ASCII here


def test_every_tenth_block_is_validation():
    c = load_corpus(100 * BLOCK)
    assert len(c.valid) == 10 * BLOCK and len(c.train) == 90 * BLOCK
    raw = ""
    for f in stdlib_files():
        raw += f.read_text(encoding="utf-8")
        if len(raw) >= 100 * BLOCK:
            break
    assert c.decode(c.valid[:BLOCK]) == raw[9 * BLOCK : 10 * BLOCK]
    assert c.decode(c.train[9 * BLOCK : 10 * BLOCK]) == raw[10 * BLOCK : 11 * BLOCK]


def test_vocabulary_and_unknown_characters():
    c = load_corpus(100_000)
    assert c.vocab[0] == UNKNOWN and list(c.vocab) == sorted(c.vocab)
    assert c.vocab_size <= 97 and "\n" in c.vocab and "a" in c.vocab
    ids = c.encode("é = 1\n")
    assert ids[0] == 0 and c.decode(ids[1:]) == " = 1\n"
    with pytest.raises(ValueError, match="ids must lie"):
        c.decode([c.vocab_size])
    with pytest.raises(TypeError, match="text must be a str"):
        c.encode(b"abc")


def test_batches_are_shifted_windows_from_a_seeded_generator():
    c = load_corpus(100_000)
    x, y = c.batch("valid", 5, 32, torch.Generator().manual_seed(3))
    x2, y2 = c.batch("valid", 5, 32, torch.Generator().manual_seed(3))
    assert x.dtype == torch.long and x.shape == y.shape == (5, 32)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert torch.equal(x[:, 1:], y[:, :-1])
    other = c.batch("valid", 5, 32, torch.Generator().manual_seed(4))[0]
    assert not torch.equal(x, other)
    assert len(c.batches("train", 3, 2, 8, torch.Generator())) == 3


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda c: c.batch("test", 2, 8, torch.Generator()), "split"),
        (lambda c: c.batch("train", 0, 8, torch.Generator()), "batch_size"),
        (lambda c: c.batch("train", 2, 10**9, torch.Generator()), "context"),
        (lambda c: c.batch("train", 2, 8, 0), "generator"),
        (lambda c: load_corpus(10), "n_bytes"),
        (lambda c: load_corpus(10_000, valid_every=1), "valid_every"),
        (lambda c: load_corpus(10_000, root="/nonexistent/dir"), "root"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call(load_corpus(100_000))
