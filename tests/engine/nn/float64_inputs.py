"""Random float64 leaves for the finite-difference checks (gradcheck, gradgradcheck). Each
test file makes its own `Float64Inputs(seed)`, so its draws do not depend on another's."""
import numpy as np

import engine


class Float64Inputs:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def leaf(self, *shape, low=-1.0, high=1.0):
        return engine.tensor(self.rng.uniform(low, high, size=shape), dtype=engine.float64,
                             requires_grad=True)

    def distinct(self, *shape):
        """Values far apart, so max-pool's and leaky_relu's choices do not flip under finite
        differences."""
        n = int(np.prod(shape))
        values = self.rng.permutation(np.linspace(-2.0, 2.0, n) + 0.05)
        return engine.tensor(values.reshape(shape), dtype=engine.float64, requires_grad=True)
