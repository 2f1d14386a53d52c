"""torch.version: what the build was made with. The engine is its own build (its version
is torch.__version__'s, as the README says) and has no CUDA, ROCm or XPU."""
from engine import __version__  # noqa: F401  (the engine's own)
debug = False
cuda = None
git_version = None
hip = None
rocm = None
xpu = None
