"""The tutorial's cells 7-11, every module-hook rule, and the Module API: each scenario of
hook_scenarios.py must print under engine what it prints under torch 2.13 (run live, through
tests/oracle.py)."""
import pathlib
import sys

import pytest

import oracle

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import hook_scenarios  # noqa: E402


@pytest.mark.parametrize("scenario", hook_scenarios.SCENARIOS, ids=lambda s: s.__name__)
def test_prints_what_torch_prints(scenario):
    assert oracle.agree_printed(scenario, namespace_arg=True) != ""
