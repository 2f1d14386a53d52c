"""Warn-once warnings (TORCH_WARN_ONCE): given once per process, every time while
torch.set_warn_always(True) is on. Compared with torch live in a fresh process."""
import json

import engine
import oracle
from engine import trace


def warn_once_sequence(torch):
    """conv2d with padding='same' and an even kernel warns the first time; with warn_always
    on it warns each time; off again, it stays quiet; float() of a tensor needing grad the
    same; is_warn_always_enabled reads the flag."""
    import warnings
    F = torch.nn.functional

    def caught(fn):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            fn()
        return [str(w.message)[:40] for w in seen]

    x = torch.ones(1, 1, 4, 4)
    w = torch.ones(1, 1, 2, 2)
    g = torch.tensor(1.5, requires_grad=True)
    conv = lambda: F.conv2d(x, w, padding="same")   # noqa: E731
    out = [torch.is_warn_always_enabled(), caught(conv), caught(conv), caught(lambda: float(g))]
    torch.set_warn_always(True)
    out += [torch.is_warn_always_enabled(), caught(conv), caught(conv), caught(lambda: float(g))]
    torch.set_warn_always(False)
    out += [caught(conv), caught(lambda: float(g))]
    return out


def test_warn_once_and_warn_always_as_torch():
    expected = oracle.run_fresh(warn_once_sequence, "torch")
    trace.reset_ids()                       # as a fresh process
    assert json.loads(json.dumps(warn_once_sequence(engine))) == expected
    assert expected[1] and not expected[2] and expected[5] == expected[6] == expected[1]
