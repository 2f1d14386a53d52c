"""What each hook did to the gradient, and why three hooks never fired.

Look at, in graphtui (the Why panel, key `w`, or `graphtui dump --explain`):
- `double` on y replaces the gradient: its norm doubles;
- `look` on y prints the gradient and returns None: unchanged;
- `show_norm` on the Linear's weight runs after accumulation and cannot change it;
- `entering` and `leaving` sit on y's node itself (`y.grad_fn.register_prehook` /
  `register_hook`): they see what MulBackward0 receives and what it gives x, unchanged;
- `never_removed` was removed before backward, so it never fired;
- `never_no_grad` sits on `unused`, which gets no gradient;
- `too_late` is a module full backward hook registered after the module's forward: PyTorch
  captures those when forward runs, so it would apply from the next forward only.

Ends normally (exit status 0).
"""
import torch
import torch.nn as nn

torch.manual_seed(0)


def double(grad):
    return grad * 2


def look(grad):
    print("y's gradient:", grad)


def show_norm(param):
    print("weight grad norm:", float(param.grad.norm()))


def entering(grad_outputs):
    print("MulBackward0 receives", grad_outputs[0])


def leaving(grad_inputs, grad_outputs):
    print("MulBackward0 gives x", grad_inputs[0])


def never_removed(grad):
    return grad


def never_no_grad(grad):
    return grad


def too_late(module, grad_input, grad_output):
    print("too late")


x = torch.tensor([1.0, 2.0], requires_grad=True)
unused = torch.tensor([1.0], requires_grad=True)
y = x * 3
y.register_hook(double)
y.register_hook(look)
y.grad_fn.register_prehook(entering)
y.grad_fn.register_hook(leaving)
handle = x.register_hook(never_removed)
handle.remove()
unused.register_hook(never_no_grad)

linear = nn.Linear(2, 1)
linear.weight.register_post_accumulate_grad_hook(show_norm)
out = linear(y)
linear.register_full_backward_hook(too_late)     # after forward: not captured for this graph

loss = out.sum() + y.sum()
loss.backward()
print(x.grad)
