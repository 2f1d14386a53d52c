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

__getattr__ = module_getattr("torch.backends.cuda")
