"""``python -m graphtui``: the same as the ``graphtui`` console script."""
import sys

from graphtui.cli import main

if __name__ == "__main__":
    sys.exit(main())
