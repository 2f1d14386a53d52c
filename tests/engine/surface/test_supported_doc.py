"""docs/supported.md is what scripts/gen_supported.py writes for the engine as it is."""
import importlib
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]


def _generator():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        return importlib.import_module("gen_supported")
    finally:
        sys.path.pop(0)


def test_supported_doc_is_current():
    """Rendered in a fresh process: node classes register as their modules are imported."""
    expected = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_supported.py"),
                               "--stdout"], capture_output=True, text=True, check=True,
                              cwd=ROOT).stdout
    actual = (ROOT / "docs" / "supported.md").read_text()
    assert actual == expected, "docs/supported.md is stale: run python scripts/gen_supported.py"


def test_supported_doc_lists_what_the_engine_has_and_only_that():
    gen = _generator()
    names = gen.supported_names("torch.nn")
    assert "LayerNorm" in names and "Linear" in names
    assert "SyncBatchNorm" not in names         # torch has it; the engine does not (yet)
    assert "ScatterAddBackward0" in gen.node_names()
