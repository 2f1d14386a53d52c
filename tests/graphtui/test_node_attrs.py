"""A node's plain saved values (`grad_fn._saved_dim`, `_saved_keepdim`, `_saved_stride`, ...)
reach the debugger: the model, the recording, `graphtui dump` (text and --json) and the
inspector's Node tab show them with PyTorch's names and values, compared live with torch."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import engine
from engine import trace
from graphtui import recording, wire
from graphtui.dump import write_state
from graphtui.model import StateBuilder
from graphtui.model.node_attrs import attr_text, node_attrs
from tui_support import running

PROGRAM = """
    import torch
    import torch.nn.functional as F
    x = torch.linspace(-1.0, 1.0, 150).reshape(2, 3, 5, 5).requires_grad_()
    w = torch.linspace(-1.0, 1.0, 54).reshape(2, 3, 3, 3).requires_grad_()
    s = x.sum(1, keepdim=True)
    c = F.conv2d(x, w, stride=2, padding=1)
    p = F.max_pool2d(x, 2)
    loss = F.mse_loss(c, torch.zeros(2, 2, 3, 3), reduction="sum") + s.sum() + p.mean()
"""


def torch_attrs(lib, make) -> dict:
    """Every `_saved_<name>` of the node that is not a tensor, read through PyTorch's API."""
    node = make(lib).grad_fn
    values = {}
    for attribute in dir(node):
        if attribute.startswith("_saved_"):
            value = getattr(node, attribute)
            if not isinstance(value, (torch.Tensor, engine.Tensor)):
                values[attribute[len("_saved_"):]] = value
    return values


OPS = {
    "SumBackward1": lambda t: t.linspace(-1, 1, 150).reshape(2, 3, 5, 5)
    .requires_grad_().sum(1, keepdim=True),
    "ConvolutionBackward0": lambda t: t.nn.functional.conv2d(
        t.ones(2, 3, 5, 5, requires_grad=True), t.ones(2, 3, 3, 3), stride=2, padding=1),
    "MaxPool2DWithIndicesBackward0": lambda t: t.nn.functional.max_pool2d(
        t.ones(2, 3, 5, 5, requires_grad=True), 2),
    "MseLossBackward0": lambda t: t.nn.functional.mse_loss(
        t.ones(2, 3, requires_grad=True), t.zeros(2, 3), reduction="sum"),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_the_event_carries_what_grad_fn_saved_shows_in_torch(name):
    """NodeCreated.attrs, made plain, is torch's `_saved_*` of the same node (not tensors)."""
    seen = []
    trace.subscribe(seen.append)
    try:
        OPS[name](engine)
    finally:
        trace.unsubscribe(seen.append)
    event = next(e for e in seen if type(e) is trace.NodeCreated and e.name == name)
    assert dict(node_attrs(event.attrs)) == torch_attrs(torch, OPS[name])


def test_private_entries_and_odd_values_stay_out_of_the_plain_form():
    attrs = {"dim": (np.int64(1),), "keepdim": np.bool_(True), "_inner": lambda g: g,
             "_region": np.arange(3), "dtype": engine.float32, "eps": 1e-5, "weight": None}
    plain = node_attrs(attrs)
    assert plain == (("dim", (1,)), ("keepdim", True), ("dtype", repr(engine.float32)),
                     ("eps", 1e-5), ("weight", None))
    assert type(plain[0][1][0]) is int and node_attrs(plain) is plain


def test_saved_tensors_in_attrs_are_their_shape_and_dtype_on_one_line():
    rows = engine.arange(6.0).reshape(3, 2).requires_grad_()
    picked = rows[engine.tensor([0, 2]), engine.tensor([1, 1])]
    plain = dict(node_attrs(picked.grad_fn._attrs))
    assert plain["indices"] == ("<tensor [2] int64>", "<tensor [2] int64>")
    assert attr_text(plain["indices"]) == "(<tensor [2] int64>, <tensor [2] int64>)"
    assert attr_text(("a",)) == "('a',)" and attr_text((1, 2)) == "(1, 2)"

    class Spread:
        def __repr__(self):
            return "first\n  second"

    assert node_attrs({"odd": Spread()}) == (("odd", "first second"),)


def test_the_model_keeps_a_node_attrs_from_the_runner(finished_state):
    state = finished_state(PROGRAM)
    nodes = {node.name: node for node in state.nodes.values()}
    assert dict(nodes["SumBackward1"].attrs) == {"dim": (1,), "keepdim": True,
                                                 "self_sym_sizes": (2, 3, 5, 5)}
    conv = dict(nodes["ConvolutionBackward0"].attrs)
    assert conv["stride"] == (2, 2) and conv["padding"] == (1, 1) and conv["groups"] == 1
    assert dict(nodes["MseLossBackward0"].attrs) == {"reduction": 2}
    assert nodes["AccumulateGrad"].attrs == ()


def test_the_wire_and_a_recording_carry_only_plain_values(tmp_path):
    """The engine's event holds the node's own dict (closures included); what crosses the
    wire and what a recording holds is the plain tuple, and it reads back the same."""
    seen = []
    trace.subscribe(seen.append)
    try:
        x = engine.ones(2, 3, requires_grad=True)
        y = x * 1
        y[0].mul_(2)                       # CopySlices: a closure among its private attrs
        engine.nn.functional.pad(x, (1, 1), mode="reflect").sum(-1, keepdim=True)
    finally:
        trace.unsubscribe(seen.append)
    events = wire.decode_events(wire.encode_events(seen))
    created = [e for e in events if type(e) is trace.NodeCreated]
    assert all(type(e.attrs) is tuple for e in created)
    sums = [e for e in created if e.name == "SumBackward1"]
    assert dict(sums[0].attrs)["dim"] == (18446744073709551615,)     # -1, as torch keeps it
    path = tmp_path / "run.jsonl"
    recording.save(seen, path)                                       # the in-process events
    _, loaded = recording.load(path)
    assert [e.attrs for e in loaded if type(e) is trace.NodeCreated] == [e.attrs for e in created]
    state = StateBuilder().apply_all(loaded).snapshot()
    assert dict(next(n for n in state.nodes.values()
                     if n.name == "SumBackward1").attrs)["keepdim"] is True


def test_a_recording_with_a_non_plain_attr_is_refused(tmp_path):
    line = {"$": "NodeCreated", "node_id": 1, "name": "SumBackward1", "sequence_nr": 0,
            "next_functions": [], "output_ids": [], "saved": [], "module": None,
            "location": None, "attrs": [["dim", {"$": "Stats"}]]}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({recording.HEADER_KEY: recording.FORMAT_VERSION}) + "\n"
                    + json.dumps(line) + "\n")
    with pytest.raises(recording.RecordingError, match="NodeCreated.attrs cannot be"):
        recording.load(path)


def test_dump_lists_each_node_attributes(run):
    session = run(PROGRAM, break_on_backward=False)
    assert session.wait_until_finished(60)
    out = io.StringIO()
    write_state(session.log, session.state(), out)
    text = out.getvalue()
    section = text.split("== node attributes (grad_fn._saved_<name> that are not tensors)\n")[1]
    lines = section.split("\n== ")[0].splitlines()
    assert "SumBackward1 (node 1)  dim=(1,)  keepdim=True  self_sym_sizes=(2, 3, 5, 5)" in lines
    assert "ConvolutionBackward0 (node 3)  bias_sym_sizes_opt=(0,)  stride=(2, 2)  " \
           "padding=(1, 1)  dilation=(1, 1)  transposed=False  output_padding=(0, 0)  " \
           "groups=1" in lines
    assert "MseLossBackward0 (node 6)  reduction=2" in lines
    assert not any(line.startswith("AccumulateGrad") for line in lines)


def test_dump_json_writes_them_in_node_created(tmp_path):
    scenario = tmp_path / "attrs.py"
    scenario.write_text(textwrap.dedent(PROGRAM))
    result = subprocess.run([sys.executable, "-m", "graphtui", "dump", str(scenario), "--json"],
                            capture_output=True, text=True, timeout=300, check=True)
    events = [json.loads(line) for line in result.stdout.splitlines()[1:]]
    created = {e["name"]: e for e in events if e.get("$") == "NodeCreated"}
    assert created["SumBackward1"]["attrs"] == [["dim", [1]], ["keepdim", True],
                                                ["self_sym_sizes", [2, 3, 5, 5]]]
    assert created["AccumulateGrad"]["attrs"] == []


async def test_the_node_tab_shows_them_next_to_the_saved_tensors(tmp_path):
    scenario = tmp_path / "attrs.py"
    scenario.write_text(textwrap.dedent(PROGRAM) + "loss.backward()\n")
    async with running(scenario) as ui:
        await ui.find("MaxPool2DWithIndicesBackward0")
        node = ui.inspector("node")
        saved = node.split("saved for backward")[1]
        assert "_saved_result1  [2, 3, 2, 2] int64" in saved
        lines = [line.strip() for line in saved.splitlines()]
        for expected in ("_saved_kernel_size = (2, 2)", "_saved_stride = ()",
                         "_saved_padding = (0, 0)", "_saved_dilation = (1, 1)",
                         "_saved_ceil_mode = False"):
            assert expected in lines
        assert saved.index("_saved_result1") < saved.index("_saved_kernel_size") \
            < saved.index("memory kept")
