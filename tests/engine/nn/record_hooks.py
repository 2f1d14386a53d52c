"""Writes fixtures/torch_hook_outputs.json: what each hook_scenarios.py scenario prints under
torch 2.13 (run by hand, never by pytest):

    /work/torchenv/bin/python tests/engine/nn/record_hooks.py
"""
import contextlib
import io
import json
import pathlib
import sys
import types

import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import hook_scenarios  # noqa: E402

LIB = types.SimpleNamespace(torch=torch, nn=torch.nn, F=torch.nn.functional, optim=torch.optim)
OUT = pathlib.Path(__file__).parent / "fixtures" / "torch_hook_outputs.json"


def main():
    outputs = {}
    for scenario in hook_scenarios.SCENARIOS:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            scenario(LIB)
        outputs[scenario.__name__] = buffer.getvalue()
    OUT.write_text(json.dumps(outputs, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(outputs)} scenarios to {OUT}")


if __name__ == "__main__":
    main()
