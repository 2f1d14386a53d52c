"""Running a program in engine against torch's steps, and shrinking a divergence."""
from __future__ import annotations

from dataclasses import dataclass

from tests.differential.compare import compare_steps
from tests.differential.execution import Execution
from tests.differential.program import Program


@dataclass
class Divergence:
    index: int          # the statement where the libraries first differ
    kind: str           # what differs: value, grad_fn, error-text, ...
    detail: str
    tag: str            # the op that wrote the statement

    @property
    def cls(self) -> str:
        return f"{self.kind} @ {self.tag}"


def torch_steps(program: Program) -> list:
    execution = Execution("torch", program.data)
    return [execution.step(src) for src, _ in program.statements]


def first_divergence(program: Program, steps: list | None = None):
    """The first statement where engine and torch differ, or None when they agree."""
    if steps is None:
        steps = torch_steps(program)
    engine = Execution("engine", program.data)
    for index, ((src, tag), torch_step) in enumerate(zip(program.statements, steps)):
        try:
            engine_step = engine.step(src)
        except Exception as exc:  # noqa: BLE001  (a snapshot the engine cannot give)
            return Divergence(index, "snapshot-crash", f"{type(exc).__name__}: {exc}", tag)
        found = compare_steps(torch_step, engine_step)
        if found:
            return Divergence(index, found[0], found[1], tag)
    return None


def shrink(program: Program, divergence: Divergence) -> tuple[Program, Divergence]:
    """Delta debugging over statements: the smallest program (1-minimal) that still diverges
    the same way (same kind, same op) at its last statement."""
    statements = program.statements[: divergence.index + 1]
    last = statements[-1]
    body = statements[:-1]

    def still_fails(candidate: list):
        trial = program.with_statements(candidate + [last])
        found = first_divergence(trial)
        if found and found.kind == divergence.kind and found.index == len(candidate):
            return found
        return None

    best = still_fails(body) or divergence
    chunks = 2
    while body:
        size = max(1, len(body) // chunks)
        removed = False
        for start in range(0, len(body), size):
            candidate = body[:start] + body[start + size:]
            found = still_fails(candidate)
            if found:
                body, best, removed = candidate, found, True
                chunks = max(chunks - 1, 2)
                break
        if not removed:
            if size == 1:
                break
            chunks = min(len(body), chunks * 2)
    return program.with_statements(body + [last]), best
