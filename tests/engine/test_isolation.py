import subprocess
import sys


def test_import_engine_loads_neither_textual_nor_rich():
    code = ("import sys, engine, engine.trace; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'torch')]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
