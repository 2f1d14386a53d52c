"""engine: an autograd and nn engine with PyTorch's API, for the subset it supports."""
