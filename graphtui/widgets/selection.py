"""What the inspector looks at: a node, a tensor, or both (an AccumulateGrad and its leaf)."""
from __future__ import annotations

from dataclasses import dataclass

from graphtui.model import State, TreeEntry


@dataclass(frozen=True)
class Selection:
    node_id: int | None = None
    tensor_id: int | None = None

    @classmethod
    def of_entry(cls, state: State, entry: TreeEntry | None) -> "Selection":
        if entry is None:
            return cls()
        tensor_id = entry.tensor_id
        if entry.node_id is None and tensor_id is not None:
            return cls.of_tensor(state, tensor_id)     # an iteration's row: its root
        node = state.nodes.get(entry.node_id) if entry.node_id is not None else None
        if tensor_id is None and node is not None and node.output_ids:
            tensor_id = node.output_ids[0]
        return cls(entry.node_id, tensor_id)

    @classmethod
    def of_tensor(cls, state: State, tensor_id: int) -> "Selection":
        tensor = state.tensors.get(tensor_id)
        return cls(tensor.grad_fn_id if tensor else None, tensor_id)
