"""The nn section of the op table: forwards on arrays (Numba kernels where loops are hot),
what each op saves as PyTorch saves it, and one backward rule per node class.

Rules work on arrays. Under create_graph=True they still return constants (no double
backward through nn nodes yet).
"""
