"""The differential tester in CI: fixed programs (cases.py) and a fixed range of generated
programs, each run in torch and in engine and compared after every statement.

More seeds: python -m tests.differential --seeds 0:3000 [--nn] [--shrink]."""
import pytest

from tests.differential.cases import CASES
from tests.differential.generator import generate
from tests.differential.program import Program
from tests.differential.runner import first_divergence

CI_SEEDS = {"core": range(0, 60), "nn": range(0, 20)}
CHUNK = 10

# Seeds in CI_SEEDS that still diverge, with the class of their first divergence: a seed that
# starts to agree must leave this table, and any other divergence fails.
KNOWN_DIVERGENT: dict = {}


def _describe(program: Program, divergence) -> str:
    return (f"statement {divergence.index}: {program.statements[divergence.index][0]!r}\n"
            f"{divergence.kind}: {divergence.detail}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_agrees_with_torch(name):
    program = Program(0, "case", {}, [(src, name) for src in CASES[name]])
    divergence = first_divergence(program)
    assert divergence is None, _describe(program, divergence)


_CHUNKS = [(kind, start) for kind, seeds in CI_SEEDS.items()
           for start in range(seeds.start, seeds.stop, CHUNK)]


@pytest.mark.parametrize("kind,start", _CHUNKS, ids=[f"{k}-{s}" for k, s in _CHUNKS])
def test_generated_programs_agree_with_torch(kind, start):
    found, details = {}, []
    for seed in range(start, min(start + CHUNK, CI_SEEDS[kind].stop)):
        program, steps = generate(seed, kind)
        divergence = first_divergence(program, steps)
        if divergence is not None:
            found[(kind, seed)] = divergence.cls
            details.append(f"seed {seed}: {_describe(program, divergence)}")
    expected = {key: cls for key, cls in KNOWN_DIVERGENT.items()
                if key[0] == kind and start <= key[1] < start + CHUNK}
    assert found == expected, "\n".join(details)


def test_a_generated_program_prints_as_a_script_that_runs():
    """A program without errors, printed, runs on its own in torch and in engine and defines
    the same variables."""
    for seed in range(50):
        program, steps = generate(seed, "core")
        if all(step.error is None for step in steps) and len(steps) > 12:
            break
    results = {}
    for library in ("torch", "engine"):
        namespace = {}
        exec(compile(program.source(library), "<program>", "exec"), namespace)
        last = program.statements[-1][0]
        results[library] = sorted(name for name in namespace if name[0] in "xv")
        assert "torch.tensor(" in program.source(library), last
    assert results["torch"] == results["engine"] and results["torch"]
