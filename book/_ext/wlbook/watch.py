"""Watch along: the ``watch`` directive links a chapter to its moments in the talk."""

from __future__ import annotations

import re

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.util import logging

logger = logging.getLogger(__name__)


TIME_RE = re.compile(r"^\s*(\d+):(\d\d):(\d\d)\s+(.+?)\s*$")


def seconds(stamp: str) -> int:
    h, m, s = (int(x) for x in stamp.split(":"))
    return 3600 * h + 60 * m + s


class WatchDirective(Directive):
    """``watch``: link to the moments of the talk that a chapter covers.

    Each content line is ``H:MM:SS Title``.
    """

    has_content = True

    def run(self):
        env = self.state.document.settings.env
        url = env.config.wl_talk_url
        if not self.content:
            raise self.error("watch needs at least one line 'H:MM:SS Title'")
        box = nodes.admonition(classes=["wl-watch", "tip"])
        box += nodes.title(text="Watch along")
        para = nodes.paragraph(text="This chapter follows the talk at ")
        for i, line in enumerate(self.content):
            m = TIME_RE.match(line)
            if not m:
                raise self.error(f"watch: expected 'H:MM:SS Title', got {line!r}")
            stamp = f"{int(m.group(1))}:{m.group(2)}:{m.group(3)}"
            if i:
                para += nodes.Text("; " if i < len(self.content) - 1 else " and ")
            para += nodes.reference(
                "", f"{stamp} ({m.group(4)})", refuri=f"{url}?t={seconds(stamp)}"
            )
        para += nodes.Text(".")
        box += para
        return [box]


def setup(app):
    """The ``watch`` directive: a chapter's moments in the talk."""
    app.add_config_value("wl_talk_url", "https://youtu.be/1aXOXHA7Jcw", "env")
    app.add_directive("watch", WatchDirective)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
