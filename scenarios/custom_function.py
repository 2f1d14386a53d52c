"""A custom Function with a wrong backward runs silently; gradcheck catches it.

Cube.backward is right (3x^2); BadCube.backward forgets the factor 3 (x^2). Both run, both
produce plausible gradients; only comparing with finite differences tells them apart.
Look at, in graphtui:
- the custom nodes in the graph, named after the classes: CubeBackward and BadCubeBackward,
  with what each saved through ctx.save_for_backward;
- the gradients they produce: x.grad = [3, 12] for Cube, [1, 4] for BadCube;
- gradcheck (float64 inputs, as it requires): True for Cube; for BadCube it raises
  "GradcheckError: Jacobian mismatch for output 0 with respect to input 0" with the
  numerical and the analytical Jacobians.

Ends with that GradcheckError (exit status 1): gradcheck raising is how the bug is caught.
"""
import torch


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x ** 2


class BadCube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x ** 2  # wrong: d(x^3)/dx is 3x^2


x = torch.tensor([1.0, 2.0], requires_grad=True)
Cube.apply(x).sum().backward()
print(x.grad)

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = BadCube.apply(x)
print(y.grad_fn.name())
y.sum().backward()
print(x.grad)

inputs = (torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True),)
print(torch.autograd.gradcheck(Cube.apply, inputs))
print(torch.autograd.gradcheck(BadCube.apply, inputs))  # GradcheckError: Jacobian mismatch ...
