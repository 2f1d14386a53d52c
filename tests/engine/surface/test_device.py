"""torch.device, Tensor.device, .to(device), device= on factories, torch.cuda,
torch.accelerator, torch.backends and the default device, live against torch (CPU build)."""
import pickle

import pytest
import torch

import engine
from surface_live import check

DEVICE_SNIPPETS = {
    "cpu": lambda t: (repr(t.device("cpu")), str(t.device("cpu")), t.device("cpu").type,
                      t.device("cpu").index),
    "cpu:0": lambda t: (repr(t.device("cpu:0")), str(t.device("cpu:0")),
                        t.device("cpu:0").index),
    "type and index": lambda t: (repr(t.device("cpu", 0)), repr(t.device(type="cpu", index=0))),
    "cuda parses": lambda t: (repr(t.device("cuda")), repr(t.device("cuda:1")),
                              t.device("cuda:1").type),
    "from a device": lambda t: t.device(t.device("cpu:0")) == t.device("cpu", 0),
    "equality": lambda t: (t.device("cpu") == t.device("cpu"), t.device("cpu") == t.device("cpu:0"),
                           t.device("cpu") == "cpu", t.device("cpu") != t.device("cuda")),
    "hash": lambda t: len({t.device("cpu"), t.device("cpu"), t.device("cpu:0")}),
    "unknown type": lambda t: t.device("gpu"),
    "upper case": lambda t: t.device("CPU"),
    "bad index": lambda t: t.device("cpu:x"),
    "negative index string": lambda t: t.device("cpu:-1"),
    "negative index": lambda t: t.device("cpu", -1),
    "index twice": lambda t: t.device("cpu:0", 1),
    "index as text": lambda t: t.device("cpu", "0"),
    "an int": lambda t: t.device(3),
}


@pytest.mark.parametrize("name", sorted(DEVICE_SNIPPETS))
def test_device_objects(name):
    check(DEVICE_SNIPPETS[name])


TENSOR_SNIPPETS = {
    "device": lambda t: (repr(t.ones(2).device), t.ones(2).device == t.device("cpu"),
                         t.ones(2).is_cuda, t.ones(2).get_device()),
    "to cpu is self": lambda t: [x.to(d) is x for x in [t.ones(2)]
                                 for d in ("cpu", t.device("cpu"), t.device("cpu:0"))],
    "cpu() is self": lambda t: (lambda x: x.cpu() is x)(t.ones(2)),
    "to device and dtype": lambda t: t.ones(2, requires_grad=True).to("cpu", t.float64),
    "to dtype keyword": lambda t: t.ones(2, requires_grad=True).to(dtype=t.float64,
                                                                     device="cpu"),
    "to other": lambda t: t.ones(2).to(t.zeros(1, dtype=t.int64)),
    "to copy": lambda t: (lambda x: (x.to("cpu", copy=True), x.to("cpu", copy=True) is x))(
        t.ones(2, requires_grad=True)),
    "to cuda": lambda t: t.ones(2).to("cuda"),
    "to cuda device": lambda t: t.ones(2).to(t.device("cuda:0")),
    "cuda()": lambda t: t.ones(2).cuda(),
    "type": lambda t: (t.ones(2).type(), t.ones(2, requires_grad=True).type(t.float64),
                       t.ones(2).type("torch.LongTensor"), t.arange(2).type(t.float)),
    "type unknown": lambda t: t.ones(2).type("torch.Foo"),
    "module to cpu": lambda t: t.nn.Linear(2, 3).to("cpu").weight.shape,
    "module to dtype": lambda t: t.nn.Linear(2, 3).to(t.device("cpu"), t.float64).weight.dtype,
    "module to cuda": lambda t: t.nn.Linear(2, 3).to("cuda"),
    "module cuda()": lambda t: t.nn.Linear(2, 3).cuda(),
}


@pytest.mark.parametrize("name", sorted(TENSOR_SNIPPETS))
def test_tensor_device(name):
    check(TENSOR_SNIPPETS[name])


FACTORIES = {
    "tensor": lambda t, d: t.tensor([1.0, 2.0], device=d),
    "zeros": lambda t, d: t.zeros(2, 3, device=d),
    "ones": lambda t, d: t.ones(2, device=d, dtype=t.float64),
    "empty": lambda t, d: t.empty(2, device=d).shape,
    "full": lambda t, d: t.full((2,), 7, device=d),
    "arange": lambda t, d: t.arange(4, device=d),
    "linspace": lambda t, d: t.linspace(0, 1, 5, device=d),
    "eye": lambda t, d: t.eye(2, device=d),
    "zeros_like": lambda t, d: t.zeros_like(t.ones(2), device=d),
    "ones_like": lambda t, d: t.ones_like(t.ones(2), device=d),
    "full_like": lambda t, d: t.full_like(t.ones(2), 3.0, device=d),
    "rand shape": lambda t, d: t.rand(2, 3, device=d).shape,
    "randn shape": lambda t, d: t.randn(2, device=d).shape,
    "randint shape": lambda t, d: t.randint(0, 5, (3,), device=d).shape,
    "as_tensor": lambda t, d: t.as_tensor([1, 2], device=d),
}


@pytest.mark.parametrize("device", ["cpu", "cpu:0", "cuda", "cuda:0", None])
@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factory_device_argument(name, device):
    check(lambda t: FACTORIES[name](t, t.device(device) if device == "cpu:0" else device))


ACCELERATOR_SNIPPETS = {
    "cuda": lambda t: (t.cuda.is_available(), t.cuda.device_count(), t.cuda.is_initialized(),
                       t.cuda.manual_seed(0), t.cuda.manual_seed_all(0), t.cuda.empty_cache()),
    "cuda current_device": lambda t: t.cuda.current_device(),
    "cuda synchronize": lambda t: t.cuda.synchronize(),
    "cuda get_device_name": lambda t: t.cuda.get_device_name(0),
    "accelerator": lambda t: (t.accelerator.is_available(), t.accelerator.current_accelerator(),
                              t.accelerator.device_count()),
    "mps": lambda t: (t.backends.mps.is_available(), t.backends.mps.is_built()),
    "cudnn": lambda t: (t.backends.cudnn.is_available(), t.backends.cudnn.enabled,
                        t.backends.cudnn.benchmark, t.backends.cudnn.deterministic),
    "the usual device line": lambda t: str(t.device("cuda" if t.cuda.is_available() else "mps"
                                                    if t.backends.mps.is_available() else "cpu")),
}


@pytest.mark.parametrize("name", sorted(ACCELERATOR_SNIPPETS))
def test_accelerator_queries(name):
    check(ACCELERATOR_SNIPPETS[name])


def test_cudnn_flags_can_be_set():
    engine.backends.cudnn.deterministic = True
    try:
        assert engine.backends.cudnn.deterministic is True
    finally:
        engine.backends.cudnn.deterministic = False


@pytest.fixture
def default_device_restored():
    yield
    torch.set_default_device(None)
    engine.set_default_device(None)


@pytest.mark.parametrize("snippet", [
    lambda t: (t.set_default_device("cpu"), repr(t.get_default_device()), t.ones(2).device)[1:],
    lambda t: (t.set_default_device(None), repr(t.get_default_device()))[1:],
    lambda t: (t.set_default_device(t.device("cpu")), repr(t.get_default_device()))[1:],
    lambda t: (t.set_default_device("cuda"), t.ones(2)),
    lambda t: (t.set_default_device("cuda"), t.get_default_device()),
], ids=["cpu", "none", "device", "cuda then a factory", "cuda then get"])
def test_default_device(snippet, default_device_restored):
    check(snippet)


def test_device_pickles():
    d = engine.device("cpu", 0)
    assert pickle.loads(pickle.dumps(d)) == d


def test_other_device_types_are_not_supported():
    with pytest.raises(NotImplementedError, match="torch device 'mps' is not supported by "
                                                  "graphtui's engine"):
        engine.zeros(2, device="mps")
