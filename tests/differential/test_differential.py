"""The differential tester in CI: fixed programs (cases.py) and a fixed range of generated
programs, each run in torch and in engine and compared after every statement."""
import pytest

from tests.differential.cases import CASES
from tests.differential.program import Program
from tests.differential.runner import first_divergence


def _case_program(name: str) -> Program:
    return Program(0, "case", {}, [(src, name) for src in CASES[name]])


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_agrees_with_torch(name):
    program = _case_program(name)
    divergence = first_divergence(program)
    assert divergence is None, (
        f"statement {divergence.index}: {program.statements[divergence.index][0]!r}\n"
        f"{divergence.kind}: {divergence.detail}")
