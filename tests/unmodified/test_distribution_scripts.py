"""Unmodified PyTorch scripts built on torch.distributions print on graphtui's engine what
they print on PyTorch, both run as a plain script and under the debugger (`graphtui dump`):
the same lines and words, the same sampled actions and rewards (the same seed draws the same
numbers), the same node names and reprs, and each decimal number equal to the printed digits.

- policy_gradient_vae.py: a REINFORCE loop with Categorical, a VAE with Normal's rsample and
  kl_divergence;
- ppo_sac_policies.py: a PPO clipped update with an Independent Normal policy, a SAC actor
  with a tanh-squashed Gaussian (TransformedDistribution, TanhTransform with its cache).

The printed digits hold although the engine's exp and log (NumPy's) may differ from torch's
(SLEEF's) in the last float32 bit: a handful of Adam and SGD steps do not carry such a
difference to the printed decimals. Should one ever, the numbers are compared to 1e-4 rather
than as text."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "unmodified" / "policy_gradient_vae.py"
DECIMAL = re.compile(r"-?\d+\.\d+")


def _run(*args: str) -> str:
    # This checkout's engine and graphtui, whichever one the interpreter has installed.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _stdout_of_dump(jsonl: str) -> str:
    events = [json.loads(line) for line in jsonl.splitlines()[1:]]
    return "".join(e["text"] + "\n" for e in events
                   if e["$"] == "OutputWritten" and e["stream"] == "stdout")


def _assert_prints_agree(on_engine: str, on_torch: str) -> None:
    assert DECIMAL.sub("#", on_engine) == DECIMAL.sub("#", on_torch)
    np.testing.assert_allclose([float(v) for v in DECIMAL.findall(on_engine)],
                               [float(v) for v in DECIMAL.findall(on_torch)],
                               rtol=1e-4, atol=1e-4)


def _assert_runs_print_what_torch_prints(script: Path) -> str:
    on_torch = _run(str(script))
    on_engine = _run(str(REPO / "tests" / "scenarios" / "run_with_engine.py"), str(script))
    _assert_prints_agree(on_engine, on_torch)
    on_debugger = _stdout_of_dump(_run("-m", "graphtui", "dump", "--json", "--backend",
                                       "engine", str(script.relative_to(REPO))))
    _assert_prints_agree(on_debugger, on_torch)
    return on_torch


def test_reinforce_and_vae_print_what_pytorch_prints():
    on_torch = _assert_runs_print_what_torch_prints(SCRIPT)
    assert len(on_torch.splitlines()) == 19
    assert "policy loss node NegBackward0" in on_torch
    assert "Normal(loc: torch.Size([16, 2]), scale: torch.Size([16, 2]))" in on_torch


def test_ppo_and_sac_policies_print_what_pytorch_prints():
    on_torch = _assert_runs_print_what_torch_prints(
        REPO / "tests" / "unmodified" / "ppo_sac_policies.py")
    assert len(on_torch.splitlines()) == 12
    assert "action node TanhBackward0 log_prob node SumBackward1" in on_torch
    assert "Independent(Normal(loc: torch.Size([64, 2]), scale: torch.Size([64, 2])), 1)" \
        in on_torch
