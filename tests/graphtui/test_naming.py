"""What a scan of the scenario's variables names (graphtui.naming), decided per type."""
from __future__ import annotations

import engine
from engine import trace
from graphtui import naming


def _with_id(tensor):
    trace.tensor_id(tensor)
    return tensor


def _names(namespace: dict) -> list[tuple[str, int]]:
    return [(name, tid) for tid, name, _ in naming.names_in_namespace(namespace)]


def test_tensors_list_items_and_module_parameters_are_named_in_order():
    x = _with_id(engine.ones(2))
    first, second = _with_id(engine.zeros(1)), _with_id(engine.zeros(3))
    layer = engine.nn.Linear(2, 1)
    for parameter in layer.parameters():
        trace.tensor_id(parameter)
    namespace = {"x": x, "count": 3, "feats": [first, 7, second], "pair": (second,),
                 "layer": layer, "engine": engine, "Linear": engine.nn.Linear,
                 "__hidden": x, "no_id": engine.ones(1)}
    assert _names(namespace) == [
        ("x", x._tid), ("feats[0]", first._tid), ("feats[2]", second._tid),
        ("pair[0]", second._tid), ("weight", layer.weight._tid), ("bias", layer.bias._tid)]


def test_an_object_with_named_parameters_of_its_own_is_asked_each_time():
    # Its class has no named_parameters: the per-type decision must still ask the value.
    class Holder:
        pass
    weight = _with_id(engine.ones(2))
    plain, wrapper = Holder(), Holder()
    wrapper.named_parameters = lambda: iter([("w", weight)])
    assert _names({"plain": plain}) == []
    assert _names({"wrapper": wrapper, "plain": plain}) == [("w", weight._tid)]


def test_a_tensor_class_watched_after_a_scan_is_named_from_then_on(monkeypatch):
    class OtherTensor:                     # another backend's tensor class
        _tid = 0
    value = OtherTensor()
    value._tid = 42
    monkeypatch.setattr(naming, "_watched_classes", ())
    assert _names({"v": value}) == []
    naming.watch_tensor_class(OtherTensor)
    assert _names({"v": value}) == [("v", 42)]
    naming._KINDS.clear()                  # no decision about the test's class outlives it


def _scan(*namespaces) -> list[tuple[str, int]]:
    """Names found with ``namespaces`` as outer frames' locals, under an empty innermost
    frame (the innermost frame's namespace is never kept between scans)."""
    frames = [_FrameOf({})] + [_FrameOf(namespace) for namespace in namespaces]
    return [(name, tid) for tid, name, _ in naming.names_in_frames(frames)]


class _FrameOf:
    """A function frame as names_in_frames reads one (its own globals: none); a new one
    each scan, so never taken for a frame suspended since the last."""
    f_code = _with_id.__code__
    f_globals: dict = {}
    f_lasti = 0

    def __init__(self, namespace: dict) -> None:
        self.f_locals = namespace


def test_an_unchanged_namespace_is_scanned_again_for_what_can_change():
    first, second = _with_id(engine.zeros(1)), _with_id(engine.ones(1))
    items = [first]
    namespace = {"items": items, "x": first, "n": 1}
    assert _scan(namespace) == [("items[0]", first._tid), ("x", first._tid)]
    items.append(second)                        # the same variables, a new item
    assert _scan(namespace) == [("items[0]", first._tid), ("items[1]", second._tid),
                                ("x", first._tid)]
    namespace["x"] = second                     # a variable rebound
    namespace["y"] = first
    assert _scan(namespace) == [("items[0]", first._tid), ("items[1]", second._tid),
                                ("x", second._tid), ("y", first._tid)]
    late = engine.zeros(2)
    namespace["late"] = late
    assert _scan(namespace)[-1:] == [("y", first._tid)]      # no id yet: not named
    trace.tensor_id(late)                       # given an id later, same variables
    assert _scan(namespace)[-1] == ("late", late._tid)


def test_a_namespace_no_longer_scanned_is_not_kept_alive():
    import gc
    import weakref
    gone = _with_id(engine.ones(1))
    dead_frame = {"gone": gone}
    assert _scan({"other": 1}, dead_frame) == [("gone", gone._tid)]
    alive = weakref.ref(gone)
    del gone, dead_frame
    _scan({"other": 1})                         # the scan after the frame returned
    gc.collect()
    assert alive() is None


def test_outer_frames_are_read_again_whenever_they_may_have_run():
    import sys

    def names_from_here():
        frames = [sys._getframe(1), sys._getframe(2)]      # inner, outer (no globals: [])
        return sorted(name for _, name, _ in naming.names_in_frames(frames)
                      if name in ("a", "batch", "c"))

    def outer():
        seen = []
        a = _with_id(engine.zeros(1))

        def inner():
            c = _with_id(engine.ones(1))
            first = names_from_here()          # a new call: outer read
            c = _with_id(engine.ones(3))
            return first, names_from_here()    # the same call: outer as read before
        for step in range(2):
            batch = _with_id(engine.ones(2)) if step else None
            seen.append(inner())               # the same call site, outer ran between
        return seen, a
    (before, before_again), (after, after_again) = outer()[0]
    assert before == before_again == ["a", "c"]
    assert after == after_again == ["a", "batch", "c"]


def test_a_generator_frame_does_not_vouch_for_its_callers():
    import sys

    def produce():
        while True:
            frames = [sys._getframe(0), sys._getframe(1)]
            yield sorted(name for _, name, _ in naming.names_in_frames(frames)
                         if name == "batch")

    def consume():
        source = produce()
        first = next(source)
        batch = _with_id(engine.ones(2))
        return first, next(source), batch
    first, second, _ = consume()
    assert (first, second) == ([], ["batch"])


def test_a_value_the_innermost_frame_deletes_is_not_kept_alive():
    import gc
    import weakref

    class ModuleFrame:                          # a scenario's module-level code
        f_code = compile("", "scenario.py", "exec")

        def __init__(self, namespace: dict) -> None:
            self.f_globals = self.f_locals = namespace
    z = _with_id(engine.ones(1))
    namespace = {"z": z}
    frames = [ModuleFrame(namespace)]
    assert [name for _, name, _ in naming.names_in_frames(frames)] == ["z"]
    alive = weakref.ref(z)
    del z, namespace["z"]                       # `del z` at module level, no scan after
    gc.collect()
    assert alive() is None


def _ids_of(module) -> None:
    for parameter in module.parameters():
        trace.tensor_id(parameter)


def test_a_module_changed_between_scans_is_named_afresh():
    """Its names are kept between scans (a big model costs tens of microseconds a walk),
    and found again after any change to a module's parameters or children."""
    net = engine.nn.Sequential(engine.nn.Linear(2, 2))
    _ids_of(net)
    first = _names({"net": net})
    assert [name for name, _ in first] == ["0.weight", "0.bias"]
    walks = []
    walk = net.named_parameters
    net.named_parameters = lambda *args, **kwargs: walks.append(1) or walk(*args, **kwargs)
    assert _names({"net": net}) == first and walks == []     # kept, not walked again
    net.append(engine.nn.Linear(2, 1))                       # a child added
    _ids_of(net)
    assert [name for name, _ in _names({"net": net})] == [
        "0.weight", "0.bias", "1.weight", "1.bias"]
    replacement = engine.nn.Parameter(engine.zeros(2, 2))
    net[0].weight = replacement                              # a parameter replaced
    trace.tensor_id(replacement)
    assert ("0.weight", replacement._tid) in _names({"net": net})
    del net[1]                                               # a child removed
    assert [name for name, _ in _names({"net": net})] == ["0.weight", "0.bias"]
    net[0]._parameters["extra"] = _with_id(engine.nn.Parameter(engine.ones(1)))
    assert [name for name, _ in _names({"net": net})][-1] == "0.extra"


def test_a_parameter_given_its_id_after_a_scan_is_named_at_the_next():
    layer = engine.nn.Linear(2, 1)
    trace.tensor_id(layer.weight)                  # the bias has no id yet
    assert [name for name, _ in _names({"layer": layer})] == ["weight"]
    trace.tensor_id(layer.bias)                    # no registry changed: the scan must see it
    assert [name for name, _ in _names({"layer": layer})] == ["weight", "bias"]


def test_a_module_that_dies_takes_its_kept_names_and_parameters_with_it():
    import gc
    import weakref
    layer = engine.nn.Linear(2, 1)
    _ids_of(layer)
    assert [name for name, _ in _names({"layer": layer})] == ["weight", "bias"]
    weight = weakref.ref(layer.weight)
    del layer
    gc.collect()
    assert weight() is None
