"""A tour of torch.autograd as its tutorial and forum answers use it: vector-Jacobian
products, retain_graph and the second-backward error, the leaf in-place error, grad with
create_graph, jacobian/hessian, a custom Function, no_grad/inference_mode, hooks and
retain_grad, allow_unused. Written for PyTorch; run unchanged on graphtui's engine."""
import warnings
import torch

torch.manual_seed(3)
x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y.grad_fn.name(), y.grad_fn.next_functions[0][0].name(), y.is_leaf)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)
x.grad.zero_()

with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    z = x.exp()
    z.sum().backward(retain_graph=True)
    print(z.grad, len(w), str(w[0].message)[:80] if w else None)
z.sum().backward()
try:
    z.sum().backward()
except RuntimeError as e:
    print("RuntimeError:", str(e)[:120])

try:
    x.add_(1)
except RuntimeError as e:
    print("RuntimeError:", e)

print(torch.autograd.grad((x ** 3).sum(), x))
gx, = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
ggx, = torch.autograd.grad(gx.sum(), x)
print(gx, ggx)

from torch.autograd.functional import jacobian, hessian
print(jacobian(lambda a: a.sin() * a, x.detach()))
print(hessian(lambda a: (a ** 3).sum(), x.detach()))

class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inp):
        ctx.save_for_backward(inp)
        return inp.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        inp, = ctx.saved_tensors
        g = grad_output.clone()
        g[inp < 0] = 0
        return g

a = torch.randn(5, requires_grad=True)
b = MyReLU.apply(a)
print(b.grad_fn.__class__.__name__, b)
b.sum().backward()
print(a.grad)

with torch.no_grad():
    c = a * 2
print(c.requires_grad, c.grad_fn)
with torch.inference_mode():
    d = a * 2
print(d.is_inference())
with torch.set_grad_enabled(False):
    print((a * 2).requires_grad)

e = a.detach().requires_grad_()
f = e ** 2
f.register_hook(lambda g: print("hook saw", g))
f.retain_grad()
f.sum().backward()
print(f.grad, e.grad)
print(type(f.grad_fn).__name__)

w = torch.randn(2, 2, requires_grad=True)
out = w @ w
out.backward(torch.ones_like(out))
print(w.grad)
q = torch.tensor([1.0, 2.0], requires_grad=True)
r = torch.tensor([3.0], requires_grad=True)
s = (q * 2).sum()
print(torch.autograd.grad(s, [q, r], allow_unused=True))
try:
    torch.autograd.grad(s, [q, r])
except RuntimeError as err:
    print(err)
