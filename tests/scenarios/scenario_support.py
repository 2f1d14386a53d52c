"""Shared helpers for the scenario tests: every scenario is run as a real subprocess, once
under ``python -m graphtui dump``, once as a plain script on the engine (run_with_engine.py)
and once as ``python scenarios/NAME.py`` on real PyTorch, and the results
are cached for the session (several tests read the same run). Runs start in a small thread
pool the first time any result is asked for, so the ~20 subprocesses overlap.
"""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
GOLDEN = Path(__file__).resolve().parent / "golden"
TIMEOUT = 300

#: The scenarios issue 5 asks for, tutorial ones first.
TUTORIAL = [
    "seed_01_grad_basics", "seed_02_requires_grad_false", "seed_03_backward_twice",
    "seed_04_retain_graph", "seed_05_grad_fn", "seed_06_forward_hooks",
    "seed_07_forward_pre_hook", "seed_08_backward_hook", "seed_09_remove_hook",
    "seed_10_cam_features",
]
BEYOND = [
    "mlp_training", "vanishing_gradients", "nan_origin", "inplace_error", "shared_subgraph",
    "custom_function", "full_vs_legacy_hooks", "long_chain", "memory_mlp", "grad_is_none",
    "hook_effects", "inplace_warning", "exploding_gradients",
    "training_loop",
]
ALL = TUTORIAL + BEYOND
#: Scenarios only PyTorch can run (--backend torch): tested in tests/torch_backend, where
#: their engine run's "not supported ... --backend torch" failure is checked too.
TORCH_ONLY = ["torch_lstm_dict"]

#: Scenarios that need torch.nn (engine.nn / engine.nn.functional / engine.optim).
NEEDS_NN = {
    "seed_06_forward_hooks", "seed_07_forward_pre_hook", "seed_08_backward_hook",
    "seed_09_remove_hook", "seed_10_cam_features", "mlp_training", "vanishing_gradients",
    "full_vs_legacy_hooks", "memory_mlp", "hook_effects", "exploding_gradients",
    "training_loop",
}
NN_MODULES = ("engine.nn", "engine.nn.functional", "engine.optim")

#: Scenarios that end by raising (the lesson is the error): exit status 1 under dump.
FAILING = {"seed_02_requires_grad_false", "seed_03_backward_twice", "nan_origin",
           "inplace_error", "custom_function"}


def missing_nn() -> str | None:
    """Why the nn scenarios cannot run yet, or None when engine.nn and friends import."""
    for name in NN_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as error:
            return f"{name} is not importable yet ({error})"
    return None


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    for name in ("FORCE_COLOR", "CLICOLOR_FORCE", "PYTHONWARNINGS"):
        env.pop(name, None)
    env["NO_COLOR"] = "1"
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float = 0.0

    def describe(self) -> str:
        return (f"$ {' '.join(self.args)}\n-> exit {self.returncode}\n--- stdout\n"
                f"{self.stdout[-6000:]}\n--- stderr\n{self.stderr[-6000:]}")


def _run(*args: str) -> Run:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=REPO, env=subprocess_env(),
                            capture_output=True, text=True, timeout=TIMEOUT)
    return Run(tuple(args), result.returncode, result.stdout, result.stderr,
               time.perf_counter() - start)


def dump_args(name: str) -> tuple[str, ...]:
    return ("-m", "graphtui", "dump", f"scenarios/{name}.py")


def plain_args(name: str) -> tuple[str, ...]:
    return ("tests/scenarios/run_with_engine.py", name)


def torch_args(name: str) -> tuple[str, ...]:
    return (f"scenarios/{name}.py",)          # `import torch` is real PyTorch here


_pool: ThreadPoolExecutor | None = None
_futures: dict[tuple[str, ...], Future] = {}
_wanted: set[str] = set()      # scenario names the collected tests use


def pytest_collection_finish(session):
    """Note which scenarios the selected tests use (after -k / deselection)."""
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("name") if callspec is not None else None
        if name in ALL:
            _wanted.add(name)


def _start_all() -> None:
    """Submit the collected tests' runs at once (the first request pays), so they overlap."""
    global _pool
    if _pool is not None:
        return
    _pool = ThreadPoolExecutor(max_workers=max(2, min(4, (os.cpu_count() or 2))))
    nn_ok = missing_nn() is None
    # The slow ones first, so they overlap with the many short ones.
    order = sorted(_wanted, key=lambda n: (n != "long_chain", n not in NEEDS_NN, n))
    for name in order:
        if name in NEEDS_NN and not nn_ok:
            continue
        for args in (dump_args(name), plain_args(name), torch_args(name)):
            _futures[args] = _pool.submit(_run, *args)


def cached_run(args: tuple[str, ...]) -> Run:
    _start_all()
    if args not in _futures:
        assert _pool is not None
        _futures[args] = _pool.submit(_run, *args)
    return _futures[args].result()


def dump(name: str) -> Run:
    """``python -m graphtui dump scenarios/NAME.py`` from the repository root (cached)."""
    return cached_run(dump_args(name))


def plain(name: str) -> Run:
    """The scenario as a plain script on the engine, without the debugger
    (run_with_engine.py, from the repository root; cached)."""
    return cached_run(plain_args(name))


def with_torch(name: str) -> Run:
    """``python scenarios/NAME.py``: the scenario on real PyTorch (cached)."""
    return cached_run(torch_args(name))


def assert_in_order(text: str, expected: list[str], what: str = "output") -> None:
    """Each expected fragment occurs in ``text``, each after the previous one."""
    position = 0
    for fragment in expected:
        found = text.find(fragment, position)
        if found < 0:
            earlier = text.find(fragment)
            where = (f"it occurs earlier, at offset {earlier}" if earlier >= 0
                     else "it does not occur at all")
            pytest.fail(f"{what}: {fragment!r} not found after offset {position} ({where}); "
                        f"the text from there:\n{text[position:position + 1500]}")
        position = found + len(fragment)


def pytest_sessionfinish(session, exitstatus):
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
