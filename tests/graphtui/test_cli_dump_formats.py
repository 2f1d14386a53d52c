"""dump's colours on a terminal, and `open` refusing what is not a recording."""
import io
import subprocess
import sys

from graphtui.dump import Colours


def test_colours_paint_headers_errors_and_freed_lines_only():
    out = io.StringIO()
    colours = Colours(out)
    colours.write("== graph\nMulBackward0  [error]\nplain line\n_saved_other freed")
    colours.flush()
    lines = out.getvalue().split("\n")
    assert lines[0] == "\x1b[1;36m== graph\x1b[0m"
    assert lines[1] == "\x1b[31mMulBackward0  [error]\x1b[0m"
    assert lines[2] == "plain line"
    assert lines[3] == "\x1b[2m_saved_other freed\x1b[0m"


def test_a_piped_dump_is_plain_text():
    result = subprocess.run([sys.executable, "-m", "graphtui", "dump",
                             "scenarios/seed_01_grad_basics.py"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout and "== graph" in result.stdout


def test_open_refuses_a_scenario_file():
    result = subprocess.run([sys.executable, "-m", "graphtui", "open",
                             "scenarios/seed_01_grad_basics.py"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == ("graphtui: scenarios/seed_01_grad_basics.py: not a graphtui "
                                     "recording (.gtr or .jsonl); use 'graphtui run' for a scenario")
