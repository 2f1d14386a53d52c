"""The scaffolding of a training script (issue #11): torch.compile, the runtime switches,
autocast, GradScaler and torch.jit's markers, live against torch 2.13 CPU. Snippets that
change a process-wide switch put it back before they return."""
import warnings

import pytest
import torch

from surface_live import check

# torch's first compiled call imports dynamo, which warns about torch.jit's deprecations
# once per process: not what the snippets compare. It also turns distributions' argument
# validation off for the process (as the engine's first compile does): put back after each
# test, for the other test files in this process.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    torch.compile(lambda x: x + 1)(torch.ones(1))
torch.distributions.Distribution.set_default_validate_args(True)


@pytest.fixture(autouse=True)
def _validation_put_back():
    import engine
    yield
    for library in (torch, engine):
        library.distributions.Distribution.set_default_validate_args(True)


def _validation_after_compile(library):
    before = library.distributions.Distribution._validate_args
    library.compile(library.nn.Linear(1, 1), disable=True)
    disabled = library.distributions.Distribution._validate_args
    library.compile(lambda x: x)
    after = library.distributions.Distribution._validate_args
    library.distributions.Distribution.set_default_validate_args(True)
    library.compile(lambda x: x)
    return [before, disabled, after, library.distributions.Distribution._validate_args]


def test_the_first_compile_turns_distribution_validation_off():
    from oracle import run_fresh
    assert run_fresh(_validation_after_compile, "engine") == \
        run_fresh(_validation_after_compile, "torch") == [True, True, False, True]


def _linear(t):
    t.manual_seed(0)
    return t.nn.Linear(2, 3)


def _compiled(t):
    return t.compile(_linear(t), mode="max-autotune", fullgraph=True, dynamic=False)


def _function(x):
    return x * 2


COMPILE = {
    "module type": lambda t: type(_compiled(t)).__name__,
    "state dict keys": lambda t: list(_compiled(t).state_dict()),
    "named parameters": lambda t: [name for name, _ in _compiled(t).named_parameters()],
    "repr": lambda t: repr(_compiled(t)),
    "orig mod": lambda t: (lambda m: (t.compile(m)._orig_mod is m, t.compile(m).weight is
                                      m.weight))(_linear(t)),
    # Values only: torch's compiled graph is one CompiledFunctionBackward node, the engine
    # keeps the eager graph (AddmmBackward0), which is what the debugger shows.
    "forward": lambda t: _compiled(t)(t.ones(1, 2)).detach(),
    "is a module": lambda t: isinstance(_compiled(t), t.nn.Module),
    "training follows": lambda t: (lambda c: (c.eval().training, c._orig_mod.training))(
        _compiled(t)),
    "setattr reaches module": lambda t: (lambda c: (setattr(c, "tag", 3), c._orig_mod.tag))(
        _compiled(t)),
    "load state dict": lambda t: (lambda c: c.load_state_dict(c.state_dict()))(_compiled(t)),
    "function": lambda t: (lambda f: (f.__name__, f.__wrapped__ is _function,
                                      f(t.ones(2))))(t.compile(_function)),
    "decorator": lambda t: t.compile(fullgraph=True)(_function)(t.ones(1)),
    "disable": lambda t: t.compile(_function, disable=True) is _function,
    "bad mode": lambda t: t.compile(_function, mode="fastest"),
    "mode and options": lambda t: t.compile(_function, mode="default", options={}),
    "none model": lambda t: t.compile()(None),
    "module compile": lambda t: (lambda m: (m.compile(mode="reduce-overhead"), type(m).__name__,
                                            list(m.state_dict()), m(t.ones(1, 2)).detach()))(
        _linear(t)),
    "module compile bad mode": lambda t: _linear(t).compile(mode="fastest"),
    "compiler": lambda t: (t.compiler.disable(_function)(t.ones(1)),
                           t.compiler.disable(_function).__name__, t.compiler.is_compiling(),
                           t.compiler.is_dynamo_compiling()),
}


@pytest.mark.parametrize("name", sorted(COMPILE))
def test_compile(name):
    check(COMPILE[name])


def _precision_steps(t, steps):
    seen = []
    try:
        for step in steps:
            if step in ("highest", "high", "medium", "fastest"):
                t.set_float32_matmul_precision(step)
            elif step in ("tf32 on", "tf32 off"):
                t.backends.cuda.matmul.allow_tf32 = step == "tf32 on"
            seen.append((t.get_float32_matmul_precision(),
                         t.backends.cuda.matmul.allow_tf32, t.backends.cudnn.allow_tf32))
    finally:
        t.set_float32_matmul_precision("highest")
        t.backends.cuda.matmul.allow_tf32 = False
    return seen


PRECISION = {
    "default": [],
    "high": ["high"],
    "medium": ["medium", "highest"],
    "unknown": ["fastest"],
    "legacy on": ["tf32 on"],
    "legacy on off": ["tf32 on", "tf32 off"],
    "mixed": ["high", "tf32 off"],
}


@pytest.mark.parametrize("name", sorted(PRECISION))
def test_float32_matmul_precision(name):
    check(lambda t: _precision_steps(t, PRECISION[name]))


def _deterministic(t, mode, **kwargs):
    try:
        t.use_deterministic_algorithms(mode, **kwargs)
        return (t.are_deterministic_algorithms_enabled(),
                t.is_deterministic_algorithms_warn_only_enabled(),
                t.get_deterministic_debug_mode())
    finally:
        t.use_deterministic_algorithms(False)


DETERMINISTIC = {
    "on": lambda t: _deterministic(t, True),
    "warn only": lambda t: _deterministic(t, True, warn_only=True),
    "off": lambda t: _deterministic(t, False),
    "not a bool": lambda t: _deterministic(t, 1),
    "default": lambda t: (t.are_deterministic_algorithms_enabled(),
                          t.get_deterministic_debug_mode()),
    "cudnn flags": lambda t: (t.backends.cudnn.deterministic, t.backends.cudnn.benchmark,
                              t.backends.cuda.is_built()),
}


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_deterministic_algorithms(name):
    check(DETERMINISTIC[name])


def _threads(t):
    before = t.get_num_threads()
    try:
        t.set_num_threads(1)
        return before, t.get_num_threads(), t.get_num_interop_threads()
    finally:
        t.set_num_threads(before)


def _interop_threads(library):
    library.get_num_interop_threads()
    library.set_num_interop_threads(1)
    count = library.get_num_interop_threads()
    try:
        library.set_num_interop_threads(2)
    except RuntimeError as error:
        return [count, str(error)]
    return [count, None]


def test_interop_threads_are_set_once_per_process():
    from oracle import run_fresh
    assert run_fresh(_interop_threads, "engine") == run_fresh(_interop_threads, "torch")


def test_threads():
    check(_threads)
    check(lambda t: t.set_num_threads(0))


def _autocast_block(t, *args, **kwargs):
    with t.autocast(*args, **kwargs) as context:
        return (t.ones(2, 2) @ t.ones(2, 2)).dtype, t.is_autocast_enabled(), context._enabled




AUTOCAST = {
    "cpu disabled": lambda t: _autocast_block(t, "cpu", enabled=False),
    "keyword device": lambda t: _autocast_block(t, device_type="cpu", enabled=False),
    "cuda on a cpu build": lambda t: _autocast_block(t, "cuda"),
    "cpu float32": lambda t: _autocast_block(t, "cpu", dtype=t.float32),
    "amp spelling": lambda t: (t.amp.autocast is t.autocast,
                               _autocast_block(t, "cpu", enabled=False)),
    "cpu amp": lambda t: _deprecated(t.cpu.amp.autocast(enabled=False)),
    "cuda amp": lambda t: _deprecated(t.cuda.amp.autocast()),
    "decorator": lambda t: t.autocast("cpu", enabled=False)(lambda x: x + 1)(t.ones(1)),
    "not callable": lambda t: t.autocast("cpu", enabled=False)(3),
    "device not a string": lambda t: t.autocast(3),
    "unknown device": lambda t: t.autocast("gpu", enabled=False),
    "is enabled": lambda t: (t.is_autocast_enabled(), t.is_autocast_enabled("cpu"),
                             t.amp.is_autocast_available("cpu")),
}


def _deprecated(context):
    with context:
        return context._enabled, context.device


@pytest.mark.parametrize("name", sorted(AUTOCAST))
def test_autocast(name):
    check(AUTOCAST[name])


def test_an_enabled_cpu_autocast_names_bfloat16_which_the_engine_lacks():
    import engine
    with pytest.raises(NotImplementedError, match=r"computes in torch\.bfloat16, which "
                                                  r"graphtui's engine does not support"):
        with engine.autocast("cpu"):
            pass
    with pytest.raises(NotImplementedError, match=r"torch\.float16"):
        engine.autocast("cpu", dtype=engine.float16)(lambda: None)()


def _scaler_steps(t, scaler, grads):
    t.manual_seed(0)
    model = t.nn.Linear(2, 1)
    opt = t.optim.SGD(model.parameters(), lr=0.1)
    seen = []
    for grad in grads:
        opt.zero_grad()
        loss = model(t.ones(3, 2)).pow(2).sum()
        scaled = scaler.scale(loss)
        scaled.backward()
        if grad is not None:
            model.bias.grad = t.tensor([grad])
        scaler.unscale_(opt)
        t.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        stepped = scaler.step(opt)
        scaler.update()
        seen.append((scaled, scaled is loss, stepped, model.weight.detach().clone(),
                     model.bias.grad, scaler.get_scale(), scaler.state_dict(),
                     scaler._get_growth_tracker()))
    return seen, scaler.is_enabled()


SCALER = {
    "default device disables": lambda t: _scaler_steps(t, t.amp.GradScaler(), [None, None]),
    "cuda amp disables": lambda t: _scaler_steps(t, t.cuda.amp.GradScaler(), [None]),
    "disabled": lambda t: _scaler_steps(t, t.amp.GradScaler("cpu", enabled=False), [None]),
    "cpu scales": lambda t: _scaler_steps(t, t.amp.GradScaler("cpu", growth_interval=2),
                                          [None, None, float("inf"), None, None]),
    "cpu nan": lambda t: _scaler_steps(t, t.amp.GradScaler("cpu"), [float("nan"), None]),
    "cpu amp": lambda t: _scaler_steps(t, t.cpu.amp.GradScaler(init_scale=8.0), [None]),
    "growth factor of disabled": lambda t: t.amp.GradScaler().get_growth_factor(),
    "bad growth": lambda t: t.amp.GradScaler("cpu", growth_factor=1.0),
    "unscale twice": lambda t: _unscale_twice(t),
    "load into disabled": lambda t: t.amp.GradScaler("cpu").load_state_dict({}),
    "round trip": lambda t: _scaler_round_trip(t),
}


def _unscale_twice(t):
    scaler = t.amp.GradScaler("cpu")
    p = t.nn.Parameter(t.ones(1))
    opt = t.optim.SGD([p], lr=1.0)
    scaler.scale(p.sum()).backward()
    scaler.unscale_(opt)
    scaler.unscale_(opt)


def _scaler_round_trip(t):
    first = t.amp.GradScaler("cpu", init_scale=4.0, growth_interval=7)
    second = t.amp.GradScaler("cpu")
    second.load_state_dict(first.state_dict())
    return second.state_dict(), second.scale(t.ones(1))


@pytest.mark.parametrize("name", sorted(SCALER))
def test_grad_scaler(name):
    check(SCALER[name])


JIT = {
    "markers": lambda t: (t.jit.is_scripting(), t.jit.is_tracing(),
                          t.jit.ignore(_function) is _function,
                          t.jit.unused(_function) is _function),
}


@pytest.mark.parametrize("name", sorted(JIT))
def test_jit_markers(name):
    check(JIT[name])


def test_jit_script_and_trace_say_they_are_not_supported():
    import engine
    for name, call in (("script", lambda: engine.jit.script(_function)),
                       ("trace", lambda: engine.jit.trace(_function, engine.ones(1)))):
        with pytest.raises(NotImplementedError,
                           match=rf"torch\.jit\.{name} is not supported by graphtui's engine"):
            call()


def _nanogpt_setup(t):
    """nanoGPT's precision set-up, on a machine without CUDA."""
    import contextlib
    device_type = "cuda" if t.cuda.is_available() else "cpu"
    dtype = "bfloat16" if t.cuda.is_available() and t.cuda.is_bf16_supported() else "float16"
    ptdtype = {"float32": t.float32, "bfloat16": t.bfloat16, "float16": t.float16}[dtype]
    ctx = contextlib.nullcontext() if device_type == "cpu" else t.amp.autocast(
        device_type=device_type, dtype=ptdtype)
    scaler = t.cuda.amp.GradScaler(enabled=(dtype == "float16"))
    with ctx:
        y = t.ones(2) * 3
    return (repr(ptdtype), repr(t.bfloat16), t.bfloat16.is_floating_point,
            t.bfloat16.itemsize, t.bfloat16 == t.float16, t.cuda.is_bf16_supported(),
            scaler.is_enabled(), scaler.scale(y), y)


def test_a_nanogpt_precision_setup():
    check(_nanogpt_setup)
    check(lambda t: _autocast_block(t, "cpu", dtype=t.bfloat16, enabled=False))


def test_a_bfloat16_tensor_says_the_engine_lacks_it():
    import engine
    for make in (lambda: engine.zeros(2, dtype=engine.bfloat16),
                 lambda: engine.ones(2).to(engine.bfloat16)):
        with pytest.raises(NotImplementedError, match="torch.bfloat16 tensors are not "
                                                      "supported by graphtui's engine"):
            make()


def _sdp_kernel_flags(t):
    cuda = t.backends.cuda
    attention = t.nn.attention

    def flags():
        return (cuda.flash_sdp_enabled(), cuda.mem_efficient_sdp_enabled(),
                cuda.math_sdp_enabled(), cuda.cudnn_sdp_enabled())
    seen = [flags()]
    with attention.sdpa_kernel([attention.SDPBackend.MATH]):
        seen.append(flags())
    with attention.sdpa_kernel(attention.SDPBackend.FLASH_ATTENTION):
        seen.append(flags())
    seen.append(flags())
    try:
        cuda.enable_flash_sdp(False)
        seen.append(flags())
    finally:
        cuda.enable_flash_sdp(True)
    return seen, repr(attention.SDPBackend.MATH), str(attention.SDPBackend.EFFICIENT_ATTENTION), \
        int(attention.SDPBackend.CUDNN_ATTENTION)


def _recorded(t):
    @t.profiler.record_function("step")
    def step(x):
        return x + 1
    with t.autograd.profiler.record_function("forward") as label:
        y = step(t.ones(2))
    return y, step.__name__, label.name, t.profiler.record_function is \
        t.autograd.profiler.record_function


ENVIRONMENT = {
    "sdpa kernel": _sdp_kernel_flags,
    "sdpa kernel not a backend": lambda t: t.nn.attention.sdpa_kernel(3).__enter__(),
    "pin memory": lambda t: t.ones(2).pin_memory(),
    "is pinned": lambda t: t.ones(2).is_pinned(),
    "mkldnn": lambda t: (t.backends.mkldnn.is_available(), t.backends.mkldnn.enabled),
    "cuda memory": lambda t: (t.cuda.memory_allocated(), t.cuda.max_memory_allocated(),
                              t.cuda.memory_reserved(), t.cuda.max_memory_reserved()),
    "version": lambda t: (t.version.cuda, t.version.hip, t.version.debug),
    "record function": _recorded,
    "sharing strategy": lambda t: _sharing(t),
    "bad sharing strategy": lambda t: t.multiprocessing.set_sharing_strategy("bogus"),
    "start method": lambda t: (t.multiprocessing.get_start_method(),
                               t.multiprocessing.cpu_count()),
    "opt einsum": lambda t: (t.backends.opt_einsum.is_available(),
                             t.backends.opt_einsum.enabled, t.backends.opt_einsum.strategy),
    "device properties": lambda t: t.cuda.get_device_properties(0),
    "device capability": lambda t: t.cuda.get_device_capability(),
}


def _sharing(t):
    before = t.multiprocessing.get_sharing_strategy()
    try:
        t.multiprocessing.set_sharing_strategy("file_system")
        return (before, t.multiprocessing.get_sharing_strategy(),
                sorted(t.multiprocessing.get_all_sharing_strategies()))
    finally:
        t.multiprocessing.set_sharing_strategy(before)


@pytest.mark.parametrize("name", sorted(ENVIRONMENT))
def test_environment(name):
    check(ENVIRONMENT[name])


def _forked(t, **kwargs):
    t.manual_seed(0)
    with t.random.fork_rng(**kwargs):
        inside = t.rand(2)
    return inside, t.rand(1)


RNG = {
    "fork": lambda t: _forked(t),
    "fork disabled": lambda t: _forked(t, enabled=False),
    "fork no devices": lambda t: _forked(t, devices=[]),
    "fork a cuda device": lambda t: _forked(t, devices=[0]),
    "generator device": lambda t: t.Generator().device,
    "clone state": lambda t: (lambda g: (g.clone_state().initial_seed(),
                                         t.rand(2, generator=g.clone_state())))(
        t.Generator().manual_seed(4)),
    "cuda rng state": lambda t: t.cuda.get_rng_state(),
    "cuda set rng state": lambda t: (t.cuda.set_rng_state(t.zeros(3, dtype=t.uint8)),
                                     t.cuda.get_rng_state_all(),
                                     t.cuda.set_rng_state_all([])),
    "round trip": lambda t: (lambda s: (t.rand(3), t.set_rng_state(s), t.rand(3)))(
        t.get_rng_state()),
}


@pytest.mark.parametrize("name", sorted(RNG))
def test_rng(name):
    check(RNG[name])
