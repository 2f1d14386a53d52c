"""char_rnn_packed.py, a stranger's PyTorch script (nn.Embedding, pack_padded_sequence with
unsorted lengths, a packed LSTM and bidirectional GRU, pad_packed_sequence, Adam, gradient
clipping, then LSTMCell/GRUCell sampling), run unchanged on graphtui's engine prints what it
prints on PyTorch: the same lines and words, each number to float32 rounding."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "unmodified" / "char_rnn_packed.py"
NUMBER = re.compile(r"-?\d+\.\d+")


def _run(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_packed_char_model_prints_what_pytorch_prints():
    on_torch = _run(str(SCRIPT))
    on_engine = _run(str(REPO / "tests" / "scenarios" / "run_with_engine.py"), str(SCRIPT))
    assert len(on_torch.splitlines()) == 9 and on_torch.startswith("step 0 loss ")
    assert NUMBER.sub("#", on_engine) == NUMBER.sub("#", on_torch)
    np.testing.assert_allclose([float(v) for v in NUMBER.findall(on_engine)],
                               [float(v) for v in NUMBER.findall(on_torch)], rtol=1e-4)
