"""``python -m graphtui.runner UP_FD DOWN_FD [--pdeathsig]``: the runner process.

It imports the engine at once (while the debugger starts its UI), then reads its
configuration from the channel and runs the scenario under the recorder. See
``graphtui.runner`` and docs/runner.md.
"""
from __future__ import annotations

import sys

from graphtui.runner import dependencies

if __name__ == "__main__":
    dependencies.extend_path()      # before anything imports NumPy
    from graphtui.runner.main import main
    main(sys.argv[1:])
