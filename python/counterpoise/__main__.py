"""``python -m counterpoise``: the ``counterpoise`` command
(:mod:`counterpoise.workflow.cli`)."""

import sys

from .workflow.cli import main

if __name__ == "__main__":
    sys.exit(main())
