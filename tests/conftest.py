"""Shared test configuration.

The browser tests in ``tests/browser`` need a built book and Chromium; they run in the ``site``
nox session, which sets ``WL_SITE_TESTS=1``, and are not collected otherwise.
"""

import os

collect_ignore = [] if os.environ.get("WL_SITE_TESTS") == "1" else ["browser"]

try:
    from hypothesis import settings
except ImportError:  # pragma: no cover - the site session has no hypothesis
    settings = None

if settings is not None:
    # Property tests draw the same examples on every run (two runs, one verdict): a random
    # search belongs in a deliberate `--hypothesis-seed=...` run, not in CI.
    settings.register_profile("widthlimits", derandomize=True, deadline=None, print_blob=True)
    settings.load_profile("widthlimits")
