"""The tutorial's cells 7-11, every module-hook rule, and the Module API, against what the
same scenarios print under torch 2.13 (fixtures/torch_hook_outputs.json, written by
benchmarks/record_nn_fixtures.py)."""
import contextlib
import io
import json
import pathlib
import sys
import types

import pytest

import engine
import engine.nn as nn
import engine.nn.functional as F
import engine.optim as optim

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import hook_scenarios  # noqa: E402

LIB = types.SimpleNamespace(torch=engine, nn=nn, F=F, optim=optim)
EXPECTED = json.loads((pathlib.Path(__file__).parent / "fixtures" /
                       "torch_hook_outputs.json").read_text())


def printed_by(scenario) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        scenario(LIB)
    return buffer.getvalue()


@pytest.mark.parametrize("scenario", hook_scenarios.SCENARIOS, ids=lambda s: s.__name__)
def test_prints_what_torch_prints(scenario):
    assert printed_by(scenario) == EXPECTED[scenario.__name__]


def test_every_scenario_was_recorded():
    assert sorted(EXPECTED) == sorted(s.__name__ for s in hook_scenarios.SCENARIOS)
