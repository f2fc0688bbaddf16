"""``python -m widthlimits``: see :mod:`widthlimits.cli`."""

import sys

from widthlimits.cli import main

if __name__ == "__main__":
    sys.exit(main())
