"""The PDF's tests need the built PDF and poppler-utils; they run in the ``pdf`` nox session,
which sets ``WL_PDF_TESTS=1``, and are not collected otherwise."""

import os

collect_ignore = [] if os.environ.get("WL_PDF_TESTS") == "1" else ["test_pdf.py"]
