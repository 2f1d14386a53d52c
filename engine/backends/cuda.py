"""torch.backends.cuda on a CPU-only build: not built, and the matmul flags scripts set
(matmul.allow_tf32 = True), which share their state with torch.set_float32_matmul_precision."""
from engine import _runtime_config
from engine._unsupported import module_getattr


def is_built() -> bool:
    return False


class cuBLASModule:
    """torch.backends.cuda.matmul."""

    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True

    @property
    def allow_tf32(self) -> bool:
        return _runtime_config.cuda_allows_tf32()

    @allow_tf32.setter
    def allow_tf32(self, allow: bool) -> None:
        _runtime_config.set_cuda_allows_tf32(allow)


matmul = cuBLASModule()

# Which scaled_dot_product_attention kernels CUDA may use (the engine always computes the
# math one); torch.nn.attention.sdpa_kernel sets them for a block.
_sdp_enabled = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def enable_flash_sdp(enabled: bool) -> None:
    _sdp_enabled["flash"] = enabled


def flash_sdp_enabled() -> bool:
    return _sdp_enabled["flash"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    _sdp_enabled["mem_efficient"] = enabled


def mem_efficient_sdp_enabled() -> bool:
    return _sdp_enabled["mem_efficient"]


def enable_math_sdp(enabled: bool) -> None:
    _sdp_enabled["math"] = enabled


def math_sdp_enabled() -> bool:
    return _sdp_enabled["math"]


def enable_cudnn_sdp(enabled: bool) -> None:
    _sdp_enabled["cudnn"] = enabled


def cudnn_sdp_enabled() -> bool:
    return _sdp_enabled["cudnn"]

__getattr__ = module_getattr("torch.backends.cuda")
