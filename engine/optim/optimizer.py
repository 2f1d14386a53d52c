"""Optimizer: param_groups, per-parameter state, zero_grad, state_dict, and the repr.

Steps work on the parameters' arrays in place (no graph is recorded, as under no_grad)
and bump each parameter's version counter as an in-place add would.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from engine import trace
from engine.tensor import Tensor


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    def __init__(self, params, defaults: dict) -> None:
        self.defaults = defaults
        self.state: dict = defaultdict(dict)
        self.param_groups: list = []
        self._step_count = 0
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {params.dtype.tensor_type}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        params = param_group["params"]
        param_group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(param).__name__)
            if param._grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def __getstate__(self) -> dict:
        # torch pickles these three only (a scheduler's wrapper of step stays behind)
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_step_count", 0)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for param in group["params"]:
                param._zero_grad(set_to_none)

    def step(self, closure=None):
        raise NotImplementedError

    def _step_each(self, closure):
        """A step that updates each parameter with a gradient on its own (`_update`)."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            for param in group["params"]:
                if param._grad is not None:
                    self._update(param, group)
        self._step_count += 1
        return loss

    def _run_closure(self, closure):
        if closure is None:
            return None
        from engine.autograd.grad_mode import enable_grad
        with enable_grad():
            return closure()

    @staticmethod
    def _before(param: Tensor) -> np.ndarray | None:
        """A copy of the parameter's values before a step, when a watcher will want the
        size of the update (``_changed``); None otherwise."""
        return param._data.copy() if trace.active else None

    @staticmethod
    def _changed(param: Tensor, op: str, before: np.ndarray | None = None) -> None:
        param._vc[0] += 1
        if trace.active:
            from engine.ops._core import user_location
            update_norm = None
            if before is not None:
                delta = (param._data - before).reshape(-1).astype(np.float64, copy=False)
                update_norm = float(np.sqrt(np.dot(delta, delta)))
            trace.emit(trace.TensorModified(trace.tensor_id(param), op, param._vc[0], None,
                                            trace.summarize(param), param._requires_grad,
                                            user_location(), update_norm=update_norm))

    # ------------------------------------------------------------ state dict
    def state_dict(self) -> dict:
        index_of, groups, next_index = {}, [], 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for param in group["params"]:
                if id(param) not in index_of:
                    index_of[id(param)] = next_index
                    next_index += 1
                packed["params"].append(index_of[id(param)])
            groups.append(packed)
        state = {index_of[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index_of}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        by_index = {}
        for group, saved in zip(self.param_groups, groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
            by_index.update(zip(saved["params"], group["params"]))
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = defaultdict(dict)
        for index, value in state_dict["state"].items():
            param = by_index[index]
            self.state[param] = {k: _copy_state(v) for k, v in value.items()}

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for index, group in enumerate(self.param_groups):
            text += "\n" + f"Parameter Group {index}"
            for key in sorted(group):
                if key != "params":
                    text += "\n" + f"    {key}: {group[key]}"
        return text + "\n)"


def _copy_state(value):
    if isinstance(value, Tensor):
        return Tensor._make(np.array(value._data, copy=True))
    return value
