"""The TUI's start-up path leaves out what the first frame does not need: the findings,
the forms and the help screen are imported when first used."""
from __future__ import annotations

import json
import subprocess
import sys

from graphtui.model.findings import ERROR, INFO, WARNING
from graphtui.widgets.why_panel import SEVERITY_MARKS

LATER = ("graphtui.model.findings", "graphtui.model.findings_scan",
         "graphtui.screens.breakpoints", "graphtui.screens.go_to_event",
         "graphtui.screens.help")

# What `graphtui run` imports up to its first frame: the command, the session, the app.
START_UP = """
import json, sys
import graphtui.cli, graphtui.session, graphtui.headless, graphtui.app
print(json.dumps(sorted(name for name in sys.modules if name.startswith("graphtui"))))
"""


def test_the_start_up_path_does_not_import_what_is_used_later():
    done = subprocess.run([sys.executable, "-c", START_UP], capture_output=True, text=True,
                          check=True)
    imported = set(json.loads(done.stdout))
    assert {"graphtui.app", "graphtui.screens.main", "graphtui.widgets.why_panel"} <= imported
    assert imported.isdisjoint(LATER), sorted(imported & set(LATER))


def test_the_why_pane_marks_every_severity_the_findings_use():
    assert set(SEVERITY_MARKS) == {ERROR, WARNING, INFO}
