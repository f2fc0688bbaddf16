"""Inline TeX in claim statements: ``$...$`` pieces, and their HTML for MathJax."""

from __future__ import annotations

import html
import re

_TEX_RE = re.compile(r"(?<![\\$])\$(?!\$)((?:\\.|[^$\\])+?)\$(?!\$)")


def split_tex(text: str) -> list[tuple[str, str]]:
    r"""Split a claim statement into ``("text", ...)`` and ``("math", ...)`` pieces.

    Inline TeX is written between single dollars, as in the prose; ``\$`` is a literal dollar.

    Examples
    --------
    >>> split_tex(r"The slope of $\log D_n$ is -1/2.")
    [('text', 'The slope of '), ('math', '\\log D_n'), ('text', ' is -1/2.')]
    >>> split_tex(r"It costs \$5.")
    [('text', 'It costs $5.')]
    """
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _TEX_RE.finditer(text):
        if m.start() > pos:
            out.append(("text", text[pos : m.start()].replace("\\$", "$")))
        out.append(("math", m.group(1).strip()))
        pos = m.end()
    if pos < len(text):
        out.append(("text", text[pos:].replace("\\$", "$")))
    return out


def statement_html(text: str) -> str:
    r"""A claim statement as HTML: text escaped, ``$...$`` as inline math for MathJax.

    The math spans are the ones Sphinx writes for ``{math}`` roles, so the book's MathJax
    typesets them like the prose.

    Examples
    --------
    >>> print(statement_html("Near $x < 1$ & more"))
    Near <span class="math notranslate nohighlight">\(x &lt; 1\)</span> &amp; more
    """
    parts = []
    for kind, piece in split_tex(text):
        if kind == "math":
            parts.append(
                f'<span class="math notranslate nohighlight">\\({html.escape(piece)}\\)</span>'
            )
        else:
            parts.append(html.escape(piece))
    return "".join(parts)
