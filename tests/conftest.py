"""Shared test configuration.

The browser tests in ``tests/browser`` need a built book and Chromium; they run in the ``site``
nox session, which sets ``WL_SITE_TESTS=1``, and are not collected otherwise.
"""

import os

collect_ignore = [] if os.environ.get("WL_SITE_TESTS") == "1" else ["browser"]
