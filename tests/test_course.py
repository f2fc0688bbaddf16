"""The course around the chapters: reading times and "where am I", the glossary's A-Z index and
hover previews, and the µP cheat sheet, which must agree with tables written down independently
from Tensor Programs V and microsoft's ``mup`` package.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from docutils.core import publish_doctree

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
sys.path.insert(0, str(BOOK / "_ext"))

import wlcourse  # noqa: E402

from widthlimits import cheatsheet  # noqa: E402
from widthlimits.mup import mean_field, mup, ntk, standard  # noqa: E402


# ----------------------------------------------------------------------------------------------
# Reading times and positions
# ----------------------------------------------------------------------------------------------
def test_reading_time_is_words_at_200_a_minute_plus_a_minute_per_figure_rounded_up():
    assert wlcourse.reading_minutes(1000, 3) == 8  # 5 min of text + 3 figures
    assert wlcourse.reading_minutes(1001, 0) == 6  # a started minute counts
    assert wlcourse.reading_minutes(200, 0) == 1  # exactly one minute is not rounded up to 2
    assert wlcourse.reading_minutes(0, 0) == 1  # never "0 min read"
    assert wlcourse.reading_minutes(300, 1, wpm=100, per_figure=2) == 5
    with pytest.raises(ValueError):
        wlcourse.reading_minutes(-1, 0)
    with pytest.raises(ValueError):
        wlcourse.reading_minutes(10, 0, wpm=0)


def test_prose_words_leave_out_code_raw_output_and_display_math_and_count_images():
    rst = textwrap.dedent(
        """
        Title words
        ===========

        One two three four five.

        .. code-block:: python

           these words are code and do not count

        .. raw:: html

           <div>claim box words do not count</div>

        .. math::

           a + b = c

        .. image:: figure.png

        Six seven :math:`x^2` eight.
        """
    )
    doctree = publish_doctree(rst, settings_overrides={"report_level": 5})
    words, figures = wlcourse.count_prose(doctree)
    # "Title words" (2) + five + "Six seven x 2 eight" (the inline math "x^2" reads as 2 words)
    assert words == 2 + 5 + 5
    assert figures == 1


def toc_parts() -> list[tuple[str, list[str]]]:
    """The parts of book/index.md, parsed here with a regex (not with the extension's code)."""
    text = (BOOK / "index.md").read_text()
    parts = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", text, re.S):
        caption = re.search(r"^:caption:\s*(.+)$", block, re.M).group(1).strip()
        docs = [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.startswith(":")]
        parts.append((caption, docs))
    return parts


def test_positions_follow_the_toctree_captions_of_the_landing_page():
    pos = wlcourse.positions(toc_parts())
    assert pos["intro/big-picture"] == ("Part I", 1, 3)
    assert pos["rmt/semicircle"] == ("Part III", 3, 4)
    assert pos["tp/master-theorem"] == ("Part IV", 3, 5)
    assert pos["kernels/ntk"] == ("Part V(a)", 4, 5)
    assert pos["mup/transfer"][0] == "Part V(b)"
    assert not any(doc.startswith("appendix/") for doc in pos), "the appendix is not a part"
    assert (
        wlcourse.where_text(*pos["rmt/semicircle"], 14) == "Part III · chapter 3 of 4 · 14 min read"
    )


def test_every_chapter_file_sits_in_exactly_one_part():
    pos = wlcourse.positions(toc_parts())
    listed = [doc for _, docs in toc_parts() for doc in docs]
    for folder in ("intro", "probability", "rmt", "tp", "kernels", "mup", "practice"):
        for path in (BOOK / folder).glob("*.md"):
            if path.name.startswith("_"):
                continue
            doc = f"{folder}/{path.stem}"
            assert doc in pos, f"{doc} is in no part of index.md"
            assert listed.count(doc) == 1, f"{doc} is listed {listed.count(doc)} times"


def test_part_labels_and_titles():
    assert wlcourse.part_label("Part V(b). abc-parametrizations and µP") == "Part V(b)"
    assert (
        wlcourse.part_title("Part V(b). abc-parametrizations and µP")
        == "abc-parametrizations and µP"
    )
    assert wlcourse.part_label("Appendix") is None
    assert wlcourse.part_label("Partial results") is None


# ----------------------------------------------------------------------------------------------
# The glossary
# ----------------------------------------------------------------------------------------------
def glossary_entries() -> list[tuple[list[str], str]]:
    """Every glossary entry of the book: (its terms, its definition text), parsed from Markdown."""
    entries = []
    for path in sorted(BOOK.glob("*/_glossary.md")):
        body = re.search(r"```\{glossary\}\n(.*?)```", path.read_text(), re.S).group(1)
        for block in re.split(r"\n\s*\n", body.strip()):
            lines = block.splitlines()
            terms = [ln for ln in lines if ln and not ln.startswith(" ")]
            definition = " ".join(ln.strip() for ln in lines if ln.startswith(" "))
            entries.append((terms, definition))
    return entries


def test_az_index_groups_by_initial_sorts_within_groups_and_reads_mu_as_m():
    groups = wlcourse.az_index(
        [
            ("NTK", "t1"),
            ("abc-parametrization", "t2"),
            ("µP", "t3"),
            ("Neural tangent kernel", "t1"),
            ("Moment method", "t4"),
            ("2-norm", "t5"),
            ("NTK", "t1"),
        ]
    )
    assert [letter for letter, _ in groups] == ["A", "M", "N", "#"]
    assert dict(groups)["M"] == [("Moment method", "t4"), ("µP", "t3")]  # "moment" < "mup"
    assert dict(groups)["N"] == [("Neural tangent kernel", "t1"), ("NTK", "t1")]  # case ignored
    assert dict(groups)["#"] == [("2-norm", "t5")]


def test_az_index_of_the_book_lists_every_term_once_in_order():
    terms = [t for names, _ in glossary_entries() for t in names]
    assert len(terms) > 80
    pairs = [(t, f"term-{i}") for i, t in enumerate(terms)]
    groups = wlcourse.az_index(pairs)
    flat = [t for _, items in groups for t, _ in items]
    assert sorted(flat) == sorted(terms), "every term once"
    letters = [letter for letter, _ in groups]
    assert letters == sorted(letters)
    for letter, items in groups:
        assert all(wlcourse.initial(t) == letter for t, _ in items)
        keys = [t.casefold().replace("µ", "mu") for t, _ in items]
        assert keys == sorted(keys)


def test_every_glossary_entry_starts_with_plain_words_before_any_formula():
    """The first sentence of each definition has no math; the formula, if any, comes after."""
    for terms, definition in glossary_entries():
        assert definition, f"{terms} has no definition"
        first = re.split(r"(?<=[.:;])\s", definition, maxsplit=1)[0]
        assert "$" not in first, f"{terms[0]!r} starts with a formula: {first!r}"
        assert len(first.split()) >= 3, f"{terms[0]!r} starts too tersely: {first!r}"


# ----------------------------------------------------------------------------------------------
# A small book built with the extension: where-am-I, course map, A-Z index, hover previews
# ----------------------------------------------------------------------------------------------
def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def test_a_built_book_shows_positions_reading_times_the_az_index_and_previews(tmp_path):
    src = tmp_path / "book"
    write(
        src / "index.md",
        """
        # Course

        ```{course-map}
        ```

        ```{toctree}
        :caption: Part I. Basics

        one
        two
        ```

        ```{toctree}
        :caption: Appendix

        glossary
        ```
        """,
    )
    write(src / "one.md", "# One\n\n" + "word " * 450 + "\n\nA {term}`Zeta` and a {term}`alpha`.\n")
    write(src / "two.md", "# Two\n\nShort.\n")
    write(
        src / "glossary.md",
        """
        # Glossary

        ```{glossary-index}
        ```

        ```{glossary}
        Zeta
          The last letter, with a formula after the words: $z^2$. See {doc}`one`.

        alpha
        Alpha particle
          The first letter.
        ```
        """,
    )
    write(
        tmp_path / "conf.py",
        f"""
        import sys
        sys.path.insert(0, {str(BOOK / "_ext")!r})
        extensions = ["myst_parser", "sphinx.ext.mathjax", "wlcourse"]
        myst_enable_extensions = ["dollarmath"]
        exclude_patterns = ["_build"]
        wl_glossary_doc = "glossary"
        """,
    )
    out = tmp_path / "_build" / "html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "-b",
            "html",
            "-c",
            str(tmp_path),
            str(src),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    one = (out / "one.html").read_text()
    # 451 words of prose at 200 a minute: 3 minutes; chapter 1 of the 2 of Part I
    assert "Part I</a> · chapter 1 of 2 · 3 min read" in one
    assert "Part I</a> · chapter 2 of 2 · 1 min read" in (out / "two.html").read_text()
    assert "wl-whereami" not in (out / "glossary.html").read_text(), "the appendix is not a part"
    index = (out / "index.html").read_text()
    assert 'id="course-part-i"' in index and "about 4 min" in index
    assert re.search(r'href="one.html">One</a> · 3 min', index)
    glossary = (out / "glossary.html").read_text()
    start = glossary.index("wl-az-bar")
    az = glossary[start : glossary.index("<dl", start)]  # the index, up to the glossary itself
    assert az.index(">A<") < az.index(">Z<")
    assert [m for m in re.findall(r'href="#(term-[^"]+)"', az)] == [
        "term-alpha",
        "term-Alpha-particle",
        "term-Zeta",
    ]
    assert 'src="_static/wlglossary.js' in one and 'src="_static/wlglossary-data.js' in one
    data_js = (out / "_static" / "wlglossary-data.js").read_text()
    data = json.loads(data_js.split("=", 1)[1].rstrip().rstrip(";"))
    assert set(data) == {"term-Zeta", "term-alpha", "term-Alpha-particle"}
    assert data["term-Alpha-particle"]["term"] == "alpha", "aliases preview their entry"
    zeta = data["term-Zeta"]["html"]
    assert "The last letter" in zeta and 'class="math' in zeta, "rendered HTML, math for MathJax"
    assert "<a " not in zeta, "links in a preview become plain text"
    assert (out / "_static" / "wlglossary.js").exists() and (
        out / "_static" / "wlglossary.css"
    ).exists()


# ----------------------------------------------------------------------------------------------
# The cheat sheet against tables written by hand from the sources
# ----------------------------------------------------------------------------------------------
# Tensor Programs V (Yang et al. 2022), Table 3, µP and (in its gray) SP, as powers of the width:
# init *variance* 1/fan_in etc. is halved into an std exponent here. Input weights have a fixed
# fan-in d (power 0) and fan-out n; "all biases" share their column. Multipliers are all 1.
TP5_TABLE3 = {
    "µP": {
        "input": {"init_std": 0, "sgd_lr": 1, "adam_lr": 0},  # 1/fan_in; fan_out; 1
        "hidden": {"init_std": -0.5, "sgd_lr": 0, "adam_lr": -1},  # 1/fan_in; 1; 1/fan_in
        "output": {"init_std": -1, "sgd_lr": -1, "adam_lr": -1},  # 1/fan_in^2; 1/fan_in; 1/fan_in
        "bias": {"init_std": 0, "sgd_lr": 1, "adam_lr": 0},
    },
    "SP": {
        "input": {"init_std": 0, "sgd_lr": 0, "adam_lr": 0},
        "hidden": {"init_std": -0.5, "sgd_lr": 0, "adam_lr": 0},
        "output": {"init_std": -0.5, "sgd_lr": 0, "adam_lr": 0},
        "bias": {"init_std": 0, "sgd_lr": 0, "adam_lr": 0},
    },
}

# microsoft/mup (TP5 Table 8): MuReadout multiplies by 1/width_mult and its weights keep the base
# width's init; MuSGD multiplies vector-like learning rates by width_mult; MuAdam divides
# matrix-like ones by width_mult.
MUP_PACKAGE = {
    "input": {"multiplier": 0, "init_std": 0, "sgd_lr": 1, "adam_lr": 0},
    "hidden": {"multiplier": 0, "init_std": -0.5, "sgd_lr": 0, "adam_lr": -1},
    "output": {"multiplier": -1, "init_std": 0, "sgd_lr": 1, "adam_lr": 0},
    "bias": {"multiplier": 0, "init_std": 0, "sgd_lr": 1, "adam_lr": 0},
}

# neural-tangents' NTK parametrization: N(0, 1) weights, sigma_w / sqrt(fan_in) in the forward
# pass (fan-in d fixed for the first layer), sigma_b for biases, one SGD learning rate.
NTK_SGD = {
    "input": {"multiplier": 0, "init_std": 0, "sgd_lr": 0},
    "hidden": {"multiplier": -0.5, "init_std": 0, "sgd_lr": 0},
    "output": {"multiplier": -0.5, "init_std": 0, "sgd_lr": 0},
    "bias": {"multiplier": 0, "init_std": 0, "sgd_lr": 0},
}


@pytest.mark.parametrize("L", [2, 3, 5])
@pytest.mark.parametrize("name", ["µP", "SP"])
def test_absorbed_table_is_tp5_table_3(name, L):
    p = {"µP": mup(L), "SP": standard(L)}[name]
    got = cheatsheet.layer_exponents(p)
    for layer, row in TP5_TABLE3[name].items():
        assert got[layer]["multiplier"] == 0
        for q, power in row.items():
            assert got[layer][q] == power, (name, layer, q)


def test_conventional_mup_table_is_microsofts_mup_package():
    got = cheatsheet.layer_exponents(mup(3), cheatsheet.conventional_gauge("µP", mup(3)))
    for layer, row in MUP_PACKAGE.items():
        assert got[layer] == {q: float(v) for q, v in row.items()}, layer


def test_conventional_ntk_table_is_neural_tangents_convention():
    got = cheatsheet.layer_exponents(ntk(2), cheatsheet.conventional_gauge("NTK", ntk(2)))
    for layer, row in NTK_SGD.items():
        for q, power in row.items():
            assert got[layer][q] == power, (layer, q)


def test_mean_field_has_no_hidden_row_and_equals_mup_with_one_hidden_layer():
    mf, mu1 = cheatsheet.layer_exponents(mean_field()), cheatsheet.layer_exponents(mup(1))
    assert mf["hidden"] is None
    assert mf == mu1
    # and in its own form the readout carries the 1/n of the average over neurons
    own = cheatsheet.layer_exponents(mean_field(), "own")
    assert own["output"]["multiplier"] == -1 and own["output"]["sgd_lr"] == 1


def test_the_gauge_moves_the_multiplier_but_not_what_the_network_computes():
    """Invariants: multiplier x init std (the effective weight) and multiplier^2 x SGD lr."""
    for p in (standard(2), ntk(2), mup(2)):
        base = cheatsheet.layer_exponents(p)
        for gauge in ("own", (0.5, -1.0, 2.0)):
            other = cheatsheet.layer_exponents(p, gauge)
            for layer in cheatsheet.LAYERS:
                a, b = base[layer], other[layer]
                assert a["multiplier"] + a["init_std"] == b["multiplier"] + b["init_std"]
                assert 2 * a["multiplier"] + a["sgd_lr"] == 2 * b["multiplier"] + b["sgd_lr"]
                assert a["multiplier"] + a["adam_lr"] == b["multiplier"] + b["adam_lr"]


def test_table_html_is_a_real_table_with_typeset_powers():
    html = cheatsheet.table(cheatsheet.presets(), "init_std", caption="Init std")._repr_html_()
    assert (
        html.startswith('<table class="wl-cheatsheet">') and "<caption>Init std</caption>" in html
    )
    assert "<i>n</i><sup>−1/2</sup>" in html and "|" not in html and "$" not in html
    assert html.count("<tr>") == 1 + len(cheatsheet.LAYERS)


def test_bad_input_says_what_was_expected():
    with pytest.raises(ValueError, match="quantity"):
        cheatsheet.table(cheatsheet.presets(), "momentum")
    with pytest.raises(ValueError, match="one multiplier exponent per weight matrix"):
        cheatsheet.layer_exponents(mup(2), (0, 0))
    with pytest.raises(TypeError):
        cheatsheet.layer_exponents("µP")
    with pytest.raises(ValueError, match="name"):
        cheatsheet.conventional_gauge("muP", mup(2))
