"""A generated program: its data arrays and its statements, printable as a runnable script."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from tests.differential.execution import PRELUDE


@dataclass
class Program:
    seed: int
    kind: str                                  # "core" or "nn"
    data: dict = field(default_factory=dict)   # array name -> numpy array
    statements: list = field(default_factory=list)   # (source, tag)

    def with_statements(self, statements: list) -> "Program":
        return Program(self.seed, self.kind, self.data, list(statements))

    def source(self, library: str = "torch") -> str:
        """The program as a script that runs on its own (`library`: torch or engine)."""
        body = "\n".join(src for src, _ in self.statements)
        used = sorted(set(re.findall(r"\ba\d+\b", body)), key=lambda n: int(n[1:]))
        if library == "torch":
            head = ["import numpy as np", "import torch", "import torch.nn as nn",
                    "import torch.nn.functional as F"]
        else:
            head = ["import numpy as np", "import engine as torch", "import engine.nn as nn",
                    "import engine.nn.functional as F"]
        arrays = [f"{name} = {_array_source(self.data[name])}" for name in used
                  if name in self.data]
        lines = head + ["", PRELUDE] + arrays + [""]
        for src, tag in self.statements:
            lines.append(f"{src}  # {tag}" if "\n" not in src else f"# {tag}\n{src}")
        return "\n".join(lines) + "\n"


def _array_source(array: np.ndarray) -> str:
    return f"np.array({array.tolist()!r}, dtype=np.{array.dtype.name}).reshape({array.shape})"
