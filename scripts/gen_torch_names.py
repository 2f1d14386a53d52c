"""Write engine/_torch_names.py: PyTorch's public names per namespace the engine mirrors.

The engine cannot import torch, yet it must tell "torch has this, the engine does not"
(NotImplementedError) from "no such name" (AttributeError). Run with torch 2.13 installed:

    python scripts/gen_torch_names.py            # writes the file
    python scripts/gen_torch_names.py --stdout   # prints what it would write
"""
from __future__ import annotations

import importlib
import pathlib
import sys
import textwrap

NAMESPACES = ("torch", "torch.Tensor", "torch.nn", "torch.nn.functional", "torch.nn.init",
              "torch.nn.utils", "torch.nn.utils.rnn",
              "torch.optim", "torch.optim.lr_scheduler", "torch.autograd", "torch.cuda",
              "torch.accelerator", "torch.backends", "torch.backends.mps",
              "torch.backends.cudnn", "torch.utils", "torch.utils.data",
              "torch.utils.checkpoint", "torch.linalg", "torch.special",
              # distributions
              "torch.distributions", "torch.distributions.constraints",
              "torch.distributions.transforms",
              # training-script scaffolding (issue #11)
              "torch.amp", "torch.compiler", "torch.cpu", "torch.cpu.amp", "torch.cuda.amp",
              "torch.jit", "torch.profiler", "torch.autograd.profiler", "torch.version",
              "torch.nn.attention", "torch.backends.cuda", "torch.backends.mkldnn",
              "torch.backends.opt_einsum", "torch.multiprocessing")
TARGET = pathlib.Path(__file__).resolve().parent.parent / "engine" / "_torch_names.py"


def _namespace(path: str):
    if path == "torch.Tensor":
        import torch
        return torch.Tensor
    return importlib.import_module(path)


def public_names(path: str) -> list[str]:
    return sorted(name for name in dir(_namespace(path)) if not name.startswith("_"))


def render() -> str:
    import torch
    version = torch.__version__.split("+")[0]
    lines = [f'"""PyTorch\'s public names per namespace (torch {version}).',
             "", 'Written by scripts/gen_torch_names.py; do not edit."""', "", "NAMES = {"]
    for path in NAMESPACES:
        words = textwrap.wrap(" ".join(public_names(path)), 88)
        lines.append(f'    "{path}": frozenset("""')
        lines.extend(f"        {line}" for line in words)
        lines.append('    """.split()),')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    if "--stdout" in sys.argv:          # what the file should hold (a fresh process: dir(torch)
        sys.stdout.write(render())      # grows as torch's submodules get imported)
        return 0
    TARGET.write_text(render())
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
