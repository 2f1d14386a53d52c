"""The nn section of the op table: forwards on arrays (Numba kernels where loops are hot),
what each op saves as PyTorch saves it, and one backward rule per node class.

Rules work on arrays. Under create_graph=True each node's `double` records the gradients
as outputs of its *BackwardBackward0 node (engine.ops._double.record_grads), named, wired
and saving as in PyTorch, whose rule gives the second derivatives; a few gradients that ATen
computes as composites (BCE with logits, BCE's target) are recorded op by op instead.
Differentiating a *BackwardBackward0 node again (third order) gives constants, with a warning.
"""
