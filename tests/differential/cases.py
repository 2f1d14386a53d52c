"""Fixed programs, each the minimal form of a divergence the tester found and the engine
fixed: run live against torch by test_differential.py. A case is a list of statements
(the same source runs in both libraries)."""
from __future__ import annotations

import itertools

_A = "torch.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], requires_grad=True)"

CASES = {
    # -------------------------------------------------------------- indexing
    "alias_of_everything": [
        f"x = {_A}", "v1 = x[...]", "v2 = x[:, :]", "v3 = x[:, 0:9]", "v4 = x[()]",
        "v5 = x[:]", "v6 = x[::1]", "v7 = (x * 1)[...]"],
    "full_slices_are_skipped": [
        "x = torch.tensor([[[[1.0, 2.0]], [[3.0, 4.0]]]], requires_grad=True)",
        "v1 = x[..., ::1, ::2, 0]", "v2 = x[:, -5:]", "v3 = x[0, ...]", "v4 = x[1:2, None, 0]"],
    "too_many_indices": [f"x = {_A}", "v1 = x[0, 0, 0]"],
    "index_errors_name_the_keys_position": [
        "x = torch.ones(2, 3, 4, 1)", "v = x[..., 2:1, -4]", "v = x[None, 0, 5]",
        "v = x[0, None, None, 7]", "v = x[[0], 9]", "v = x[1, ..., 9]", "v = x.select(-1, -3)",
        "v = torch.select(x, 0, 2)", "x[..., 0:1, 5] = 1.0", "x[1, None, 7] = 1.0"],
    "bool_keys_unsqueeze_then_index": [
        f"x = {_A}", "v1 = x[True]", "v2 = x[False]", "v3 = x[0, True]", "v4 = x[True, 0]",
        "v5 = x[..., True]", "v6 = x[True, [0, 1]]", "v7 = x[:, False, 1:]", "v8 = x[True, True]",
        "y = x * 1", "y[0, True] = 2.0", "y[True, 0] = torch.ones(3, requires_grad=True)",
        "(v1.sum() + v3.sum() + v6.sum() + y.sum()).backward()"],
    "lone_index_of_a_0_dim_tensor": [
        "x = torch.tensor(1.5, requires_grad=True)", "v = x[0]", "v = x[-1]", "v = x[3]",
        "v = x[0:1]", "v = x[:]", "v = x[(0,)]", "v = x[None]", "v = x[True]", "v = x[...]",
        "v = x.select(0, 0)", "y = x * 1", "y[0] = 1.0", "y[1] = 1.0", "y[:] = 1.0",
        "y[...] = 2.0"],
    # -------------------------------------------------------------- setitem
    "setitem_on_leaf_texts": [
        f"x = {_A}", "x[x > 0] = 0.5", "x[[0]] = 1.0", "x[...] = 1.0", "x[:] = 1.0",
        "x[0] = 1.0", "x[None] = 1.0", "x[0:9] = 2.0"],
    "setitem_nodes": [
        f"x = {_A}", "v = torch.ones(1, requires_grad=True)", "s = torch.tensor(2.0, requires_grad=True)",
        "y1 = x * 1", "y1[...] = v", "y2 = x * 1", "y2[0] = s", "y3 = x * 1", "y3[0, 1] = v",
        "y4 = x * 1", "y4[[0, 1]] = torch.ones(1, 3, requires_grad=True)",
        "y5 = x * 1", "y5[1:, [0]] = v", "y6 = x * 1", "y6[None] = torch.ones(3, requires_grad=True)",
        "y7 = x * 1", "y7[y7 > 0] = s", "y8 = x * 1", "y8[...] = 1.0", "y9 = x * 1", "y9[:, 0] = 3.0",
        "(y1 + y2 + y3 + y4 + y5 + y6 + y7 + y8 + y9).sum().backward()"],
    "setitem_shape_mismatch": [f"y = {_A} * 1", "y[[0, 1]] = torch.ones(2, 2)", "y[0] = torch.ones(5)"],
    "setitem_into_empty_slice_of_detached": [
        "x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)", "v = (0.5 ** x).detach().requires_grad_()",
        "w = torch.tensor([], requires_grad=True)", "v[1:1] = w"],
    # -------------------------------------------------------------- elementwise
    "sign_requires_grad": [f"x = {_A}", "v = x.sign()", "(v * x).sum().backward()"],
    "maximum_minimum": [
        f"x = {_A}", "c = torch.tensor([1.0, 4.0, 0.0], requires_grad=True)",
        "v1 = torch.max(x, c)", "v2 = torch.min(x, torch.tensor([[2.0], [0.0]]))",
        "v3 = torch.maximum(x, c)", "v4 = x.minimum(c)", "(v1 + v2 + v3 + v4).sum().backward()"],
    # -------------------------------------------------------------- views
    "in_place_on_an_empty_view": [
        f"x = {_A}", "y = x.abs() + 0.5", "v = y[0:0, 0]", "v.mul_(torch.tensor([]))"],
    "views_made_under_no_grad": [
        f"x = {_A}", "y = x * 2",
        "with torch.no_grad():\n    a = x[0]\n    b = y.t()\n    c = y + 1\n    d = y.view(6)",
        "a.mul_(2)", "(b * 2).sum().backward()",
        "with torch.no_grad():\n    e = x.unsqueeze(0)", "f = e * 3"],
    "no_grad_views_after_an_in_place_edit": [
        f"x = {_A}", "y = x.sin()", "with torch.no_grad():\n    a = y[0]\n    b = y.view(6)",
        "with torch.no_grad():\n    y.clamp_(min=-0.5, max=0.5)", "la = a.is_leaf", "w = b * 2",
        "z = x * 3", "with torch.no_grad():\n    c = z[0]", "d = c[..., ::1]", "d -= 3",
        "e = c[:]", "with torch.no_grad():\n    e.clamp_(min=-0.5)", "f = e.grad_fn"],
    "hook_on_a_no_grad_view_after_its_base_changed": [
        f"x = {_A}", "y = x.sin()", "with torch.no_grad():\n    v = y.transpose(-1, 0)[0]",
        "y.clamp_(min=-0.5, max=0.5)", "h = v.register_hook(lambda g: rec('h', g))"],
    "no_grad_in_place_on_a_view_regenerates_its_grad_fn": [
        "x = torch.tensor([[1.5]], requires_grad=True)", "v = x.squeeze(-1).squeeze().view(())",
        "with torch.no_grad():\n    v.clamp_(min=-0.5, max=None)", "g = v.grad_fn"],
    "a_view_requires_grad_with_its_base": [
        "g = torch.tensor([1.0, 2.0, 3.0])", "h = g[0:2]", "g.requires_grad_()", "y = h * 2",
        "h.mul_(2)", "x = torch.tensor([1.0, 2.0, 3.0])", "v = x[0:2]",
        "x.copy_(torch.ones(3, requires_grad=True))", "z = v * 2",
        "a = torch.ones(2, 3)", "b = a[1:2, None, 1]", "b[:, ::2] = torch.ones(1, 1, requires_grad=True)",
        "c = b * 1"],
    "detach_has_no_base": [f"x = {_A}", "d = (x * 1).detach()", "d.requires_grad_()", "d[0] = 1.0"],
    "reshape_alias": [
        f"x = {_A}", "v1 = x.t().reshape(3, 2)", "v2 = x.t().reshape(6)", "v3 = x.reshape(3, 2)",
        "v4 = x[:, 0:1].reshape(2)", "(v1.sum() + v2.sum() + v4.sum()).backward()"],
    "expanded_tensors_accept_fill_not_mul": [
        "x = torch.tensor([[1.0], [2.0], [3.0]])", "e = x.expand(3, 4)", "e.mul_(2)", "e[0] = 1.0",
        "e[2:2] = torch.ones(0, 4)", "e.zero_()", "e.copy_(torch.ones(3, 4))",
        "e[:, 0] = torch.ones(3)", "e.fill_(1.0)", "e[0, 0] = 5.0",
        "e.select(0, 0).fill_(1.0)", "e.fill_(torch.tensor(1.0))", "e[...] = 1.0", "e[0:1] = 1.0",
        "y = torch.tensor(2.0, requires_grad=True).sum().expand(2)", "y[2:2] = torch.ones(0)"],
    "index_put_dtypes": [
        "y = torch.tensor([1.0, -2.0], dtype=torch.float64) * 1", "y[y > 0] = torch.tensor(1.0)",
        "y[y > 0] = torch.tensor([1.0])", "y[[0]] = torch.tensor([1.0])", "y[0] = torch.tensor(1.0)"],
    # -------------------------------------------------------------- 0-dim tensors
    "0_dim_everywhere": [
        "x = torch.tensor(1.5, requires_grad=True)", "v1 = x.sum(dim=-1, keepdim=True)",
        "v2 = x.mean(0)", "v3 = x.argmin(dim=0, keepdim=True)", "v4 = x.argmax(0)",
        "t5 = x.max(0)", "v6 = torch.min(x, dim=-1).values", "v7 = x.transpose(-1, 0)",
        "v8 = x.norm(dim=0)", "v9 = x.reciprocal()", "v9 /= torch.tensor(2.0)",
        "(v1 + v2 + t5[0] + v6 + v7 + v8 + v9).backward()"],
    "empty_reductions": [
        "x = torch.ones(2, 0, 3, requires_grad=True)", "t1 = x.max(dim=-1)", "t2 = x.max(dim=1)",
        "t3 = x.min(0)", "v4 = x.argmax(dim=1)", "v5 = x.argmax(dim=0)", "v6 = x.argmin()",
        "v7 = x.max()", "v8 = x.softmax(1)", "v9 = x.log_softmax(0)", "v10 = x.mean(1)",
        "v11 = x.mean(0)", "v12 = x.sum(1)", "v13 = torch.ones(0).mean()",
        "v14 = torch.ones(0).max(0)", "(v8.sum() + v10.sum() + v11.sum()).backward()"],
    "sign_of_nan": ["x = torch.tensor([float('nan'), -1.0, 0.0, 2.0], requires_grad=True)",
                    "v = torch.sign(x)", "v.sum().backward()"],
    "no_accumulation_after_requires_grad_false": [
        "x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)",
        "v = torch.softmax(x, -1)", "x.requires_grad_(False)", "v.sum().backward(retain_graph=True)",
        "x.requires_grad_(True)", "h = x.register_hook(lambda g: rec('h', g))", "x.requires_grad_(False)",
        "(v * v).sum().backward()"],
    "setitem_through_an_expanded_view_of_a_leaf": [
        "x = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=True)", "v = x.expand(3, 4)",
        "w = v.squeeze(-1)", "w[0:2, :] = 2", "w[0:2, :] = torch.tensor(2.0)"],
    "in_place_on_a_0_dim_grad": [
        "x = torch.tensor(2.0, requires_grad=True)",
        "t = torch.autograd.grad((x * x).sum(), [x, x], retain_graph=True)", "v = t[1]",
        "v.sub_(0.5)"],
    "index_nodes_free_their_indices": [
        "x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)", "v = x.clone()", "v[v > 0] = 3",
        "t = torch.autograd.grad(v.sum(), [x, v], allow_unused=True)", "v.sum().backward()",
        "w = x[[0, 2]]", "w.sum().backward()", "w.sum().backward()"],
    "backward_of_a_no_grad_view": [
        "x = torch.tensor([[1.0, 2.0]], requires_grad=True)",
        "with torch.no_grad():\n    v = x.expand(2, 2)", "v.backward(torch.ones(2, 2))"],
    "to_copy_hook_sees_the_inputs_dtype": [
        "x = torch.tensor([1.0, 2.0], requires_grad=True)", "v = x.double()",
        "h = v.grad_fn.register_hook(lambda gi, go: rec('h', gi, go))", "v.sum().backward()",
        "t = torch.autograd.grad((v * v).sum(), [x], create_graph=True)", "g = t[0]"],
    "cat_and_stack_post_hooks_see_every_inputs_grad": [
        "x = torch.tensor([[1.0, 2.0]], dtype=torch.float64, requires_grad=True)",
        "v = torch.cat([x, torch.ones(1, 3), torch.ones(1, 1)], dim=-1)",
        "h = v.grad_fn.register_hook(lambda gi, go: rec('h', gi, go))", "v.sum().backward()",
        "w = torch.stack([x, torch.ones(1, 2, dtype=torch.float64)], 1)",
        "h = w.grad_fn.register_hook(lambda gi, go: rec('h', gi, go))", "w.sum().backward()",
        "u = torch.cat([torch.ones(2), torch.zeros(1)])",
        "h = (u * x).grad_fn.register_hook(lambda gi, go: rec('h', gi, go))"],
    "grads_from_autograd_grad_are_writable_no_grad_views": [
        "x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)",
        "t = torch.autograd.grad(x.sum(), [x, x], retain_graph=True)", "g = t[0]",
        "g[[-1]] = 0.5", "g.mul_(2)", "g[1] = torch.tensor(1.0, requires_grad=True)",
        "t = torch.autograd.grad((x * 2).sum(), [x])", "g = t[0]",
        "g[0] = torch.tensor(1.0, requires_grad=True)",
        "y = torch.tensor([[1.0, 2.0]], requires_grad=True)",
        "t = torch.autograd.grad(y.mean(), [y], create_graph=True)", "g = t[0]",
        "g[0] = torch.ones(2, requires_grad=True)"],
    "sum_and_mean_backward_under_create_graph": [
        "y = torch.ones(2, 3, requires_grad=True)",
        "w = torch.tensor(2.0, requires_grad=True)", "u = torch.ones(2, requires_grad=True)",
        "k = torch.ones(2, 1, requires_grad=True)",
        "t1 = torch.autograd.grad(y.mean(), [y], w, create_graph=True)",
        "t2 = torch.autograd.grad(y.mean(1), [y], u, create_graph=True)",
        "t3 = torch.autograd.grad(y.mean(1, keepdim=True), [y], k, create_graph=True)",
        "t4 = torch.autograd.grad(y.sum(), [y], w, create_graph=True)",
        "t5 = torch.autograd.grad(y.sum(-1), [y], u, create_graph=True)",
        "g = t2[0]", "g[0] = torch.ones(3, requires_grad=True)"],
    "a_saved_output_unpacks_on_its_own_node": [
        "x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)",
        "v = x.reshape(1, -1).softmax(dim=-2)",
        "t = torch.autograd.grad((v * v).sum(), [x], create_graph=True, retain_graph=True)",
        "v[..., -2:, 0] = torch.tensor([1.0])", "g = t[0]", "g.sum().backward()",
        "y = x.tanh()", "t = torch.autograd.grad(y.sum(), [x], create_graph=True)",
        "y.clamp_(min=-0.5, max=0.5)", "g = t[0]", "g.sum().backward()"],
    "as_strided_backward_under_create_graph": [
        "x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)",
        "y = x * 1", "v = y.t()[None, 1:]", "w = y[0:1, ::2]", "e = y[1].expand(2, 3)",
        "z = y[0:0]", "y.mul_(2)",
        "t1 = torch.autograd.grad((v * v).sum(), [x], create_graph=True, retain_graph=True)",
        "t2 = torch.autograd.grad((w * w).sum(), [x], create_graph=True, retain_graph=True)",
        "t3 = torch.autograd.grad((e * e).sum(), [x], create_graph=True, retain_graph=True)",
        "t4 = torch.autograd.grad((z * z).sum(), [x], create_graph=True, allow_unused=True)",
        "g = t1[0]", "g.sum().backward()", "g = t3[0]", "(g * g).sum().backward()"],
    "expand_and_index_put_backward_under_create_graph": [
        "x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)",
        "m = x.mean()", "e = m.expand(())",
        "t1 = torch.autograd.grad((e * e).sum(), [x, m], create_graph=True)",
        "v = 2 / x", "v[[-1, -1]] = 3", "w = v.transpose(1, 1)", "u = x * 1",
        "u[:, [0, 2]] = torch.tensor([[7.0, 8.0]])", "u[u > 3] = 0.5",
        "t2 = torch.autograd.grad((w * w).sum(), [x, w], create_graph=True, retain_graph=True)",
        "t3 = torch.autograd.grad((u * u).sum(), [x], create_graph=True)",
        "g = t3[0]", "g.sum().backward()"],
    "every_saved_value_is_checked_even_unread": [
        "x = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)", "v = 2 ** x",
        "s = x.squeeze()", "with torch.no_grad():\n    s.add_(-1.5)", "v[None].backward()"],
    "split_of_a_view_made_under_no_grad": [
        "x = torch.ones(2, 3, 4, requires_grad=True)",
        "with torch.no_grad():\n    v = x[:, 1:2, None, -2]", "t1 = torch.chunk(v, 2, 2)",
        "t2 = v.unbind(0)", "t3 = torch.split(v, [1, 1], 0)"],
    "requires_grad_on_a_view_of_a_base_that_does_not": [
        "x = torch.ones(2, 3)", "v = x.unsqueeze(-1)",
        "with torch.no_grad():\n    v.copy_(torch.ones(2, 3, 1, requires_grad=True))",
        "v.requires_grad_(True)", "w = v * 2"],
    "retain_grad_on_a_no_grad_view_reads_the_node_held": [
        "x = torch.tensor([1.0, -2.0], requires_grad=True)", "v = (x + 1).sum().expand(())",
        "with torch.no_grad():\n    w = v[...]", "v.masked_fill_(v > 0, 0.0)", "w.retain_grad()",
        "leaf = w.is_leaf"],
    "var_and_std_without_degrees_of_freedom": [
        "x = torch.tensor([[1.0], [2.0]], requires_grad=True)", "v = x.var()", "w = x[:1].std()",
        "u = x.var(1)", "s = x.std(0, correction=2)", "r = x.var(correction=3)",
        "(v + w + u.sum() + s.sum() + r).backward()",
        "z = torch.tensor([[1.0, 1.0]], requires_grad=True)", "q = z.var(correction=2)",
        "q.backward()"],
    "index_select_bounds_texts": [
        "x = torch.ones(2, 3, 2)", "v = torch.index_select(x, 1, torch.tensor([3]))",
        "v = torch.index_select(x, 0, torch.tensor([2]))", "v = x.index_select(2, torch.tensor([-1]))",
        "v = torch.ones(3).index_select(0, torch.tensor([3]))",
        "v = torch.ones(3, 0).index_select(1, torch.tensor([0]))",
        "v = torch.ones(3, 0).index_select(0, torch.tensor([5]))"],
    "grad_of_an_expanded_view_after_its_base_changed": [
        "x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)", "y = x.log()",
        "v = y.t()", "e = v.expand(3, 2, 2)", "v[:, [1]] = 2",
        "e.backward(torch.arange(12.0).reshape(3, 2, 2))"],
    "prod_of_an_empty_tensor_backward": [
        "x = torch.ones(2, 3, requires_grad=True)", "v = (x * 2)[:, 1:1]", "p = v.prod()",
        "q = v.prod(1)", "(p + q.sum()).backward()", "w = v.t().prod(0)", "w.sum().backward()"],
    "softmax_needs_a_dim_except_in_F": [
        "x = torch.ones(2, 3)", "v = x.softmax()", "v = x.log_softmax()", "v = torch.softmax(x)",
        "v = torch.log_softmax(x)", "v = F.softmax(x)", "v = F.log_softmax(x)"],
    "var_std_warning_after_the_graph_and_on_empty_outputs": [
        "x = torch.ones(2, 3, requires_grad=True)", "y = x * 2", "t = y.split(1, dim=1)",
        "y.add_(1)", "v = t[0].std(dim=-1)", "e = torch.ones(0, 1, 4)",
        "v = torch.std(e, dim=2, correction=2)", "v = torch.var(e, dim=(0, 1))"],
    "prod_over_dim_0_of_a_0_dim_tensor": [
        "x = torch.tensor(3.0, requires_grad=True)", "v = x.prod(dim=0)", "v.backward()",
        "w = x.prod(0, keepdim=True)", "w.backward()"],
    "views_of_a_no_grad_view_require_grad": [
        "x = torch.ones(1, 3, 4, requires_grad=True)", "v = x.squeeze()",
        "with torch.no_grad():\n    w = v[-2:, None, 0:0]\n    u = v[1:][None]",
        "h = w.register_post_accumulate_grad_hook(lambda t: rec('h', t.grad))",
        "r = u.requires_grad"],
    "index_put_through_an_expanded_view_writes_only_the_indexed": [
        "x = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)", "y = x.var(dim=0)",
        "v = y.expand(3)", "v[[-2, 0]] = 1", "z = x.sum(0)", "w = z.expand(2, 2)",
        "w[w > 0] = 3.0"],
    "autograd_grad_captures_before_the_tensor_hooks_of_a_node_that_runs": [
        "x = torch.ones(1, 4, dtype=torch.float64, requires_grad=True)", "v = x.unsqueeze(-3)",
        "h = v.register_hook(lambda g: rec('h', g) or g * 2)",
        "t1 = torch.autograd.grad(v.sum(), [x, v], retain_graph=True)",
        "t2 = torch.autograd.grad(v.sum(), [v])"],
    "grad_of_inputs_with_node_hooks": [
        "x = torch.tensor([1.0, 2.0], requires_grad=True)", "c = torch.tensor([3.0, 4.0])",
        "v = torch.dot(x, c)", "h1 = v.grad_fn.register_prehook(lambda go: rec('h1', go))",
        "h2 = v.register_hook(lambda g: rec('h2', g))",
        "h3 = v.grad_fn.register_hook(lambda gi, go: rec('h3', gi, go))",
        "t1 = torch.autograd.grad((v * v).sum(), [v], retain_graph=True)",
        "t2 = torch.autograd.grad((v * v).sum(), [v, x], retain_graph=True)",
        "h4 = x.register_hook(lambda g: rec('h4', g))",
        "h5 = x.register_post_accumulate_grad_hook(lambda t: rec('h5', t.grad))",
        "t3 = torch.autograd.grad((v * v).sum(), [x])"],
    "where_broadcast_error": [
        "x = torch.ones(4, 2, 3)", "v = torch.where(x > 0, x, torch.ones(4))",
        "v = torch.where(x > 0, torch.ones(2, 1), torch.ones(5, 1, 1))"],
    "in_place_on_a_view_of_a_non_row_major_result": [
        "x = torch.tensor([[1.1, -1.3], [2.0, 0.7], [-0.1, -1.3], [-1.1, 1.4]], requires_grad=True)",
        "v = torch.tensor([-0.8]) + x[:, [1, 0]]", "w = v[3]", "w += torch.tensor(-1.4)",
        "u = w * torch.tensor([0.9, 1.6])", "u.sum().backward()"],
    "scalar_base_pow_keeps_float32": [
        "x = torch.tensor([[0.5, -1.0]], requires_grad=True)", "w = torch.ones(1, 2, 1, 2, requires_grad=True)",
        "v = F.linear(x, torch.ones(3, 2))", "u = 0.5 ** v", "u.sum().backward()",
        "t = torch.autograd.grad((2 ** x).sum(), [x], create_graph=True)", "g = t[0]"],
    "view_of_a_leaf_that_stopped_requiring_grad": [
        "x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)", "v = x[-1, -2:]",
        "w = v[:]", "x.requires_grad_(False)", "w[-1] = torch.tensor(5.0)"],
    "tanh_double_backward": [
        f"x = {_A}", "v = torch.log_softmax(x, -1).tanh()",
        "t = torch.autograd.grad(v.sum(), [x], create_graph=True)", "g = t[0]",
        "g.sum().backward()"],
    "sigmoid_double_backward": [
        f"x = {_A}", "v = torch.sigmoid(x * 2)",
        "t = torch.autograd.grad(v.sum(), [x], create_graph=True)", "g = t[0]",
        "u = torch.autograd.grad((g * g).sum(), [x], create_graph=True)", "h = u[0]",
        "h.sum().backward()"],
    "retain_grad_follows_an_in_place_op": [
        f"x = {_A}", "v = (x * 2)[::2, None]", "v.retain_grad()", "v.add_(-1.5)",
        "y = x * 3", "y.retain_grad()", "y.mul_(2)", "(v.sum() + y.sum()).backward()"],
    "unbind_gives_views_even_0_dim": [
        "x = torch.tensor([1.0, -2.0, 3.0]) - 1", "t = x.unbind(0)", "x.clamp_(min=-0.5)",
        "v = t[1]"],
    "pad_with_nothing_to_pad_is_a_new_tensor": [
        f"x = {_A}", "v = F.pad(x[None], (0, 0, 0, 0), mode='replicate')",
        "with torch.no_grad():\n    v.clamp_(min=-0.5)"],
    "size_of_a_0_dim_tensor": ["x = torch.tensor(1.0)", "s = x.size(-1)", "s = x.size()"],
    "implicit_softmax_dims_warn_with_their_names": [
        f"x = {_A}", "v1 = F.log_softmax(x)", "v2 = F.softmax(x)", "v3 = torch.softmax(x, 1)"],
    "index_put_on_an_expanded_tensor_warns": [
        "x = torch.tensor([[1.0], [2.0]])", "e = x.expand(2, 3)", "e[[0, 1]] = 3.0",
        "e[e > 0] = torch.tensor(2.0)", "x = torch.tensor(1.0, requires_grad=True)",
        "v = x.expand(3)", "v[[-1, 2]] = 2", "v[v > 0] = 1.0"],
    "retained_grad_accumulates_out_of_place": [
        f"x = {_A}", "v = x.clamp(min=-0.5, max=0.5)", "v.retain_grad()",
        "v.sum().backward(retain_graph=True)", "g = v.grad", "v.expand(2, 2, 3).sum().backward()",
        "x2 = torch.tensor([1.0, 2.0], requires_grad=True)", "(x2 * 2).sum().backward()",
        "g2 = x2.grad", "(x2 * 3).sum().backward()"],
    "duplicate_dims": [
        "x = torch.ones(2, 3, 4, 5)", "v = torch.mean(x, (-1, 3))", "v = x.sum((0, 0))"],
    # -------------------------------------------------------------- autograd.grad
    "grad_of_one_input_twice": [
        f"x = {_A}", "t1 = torch.autograd.grad(x.sum(), [x, x], retain_graph=True)",
        "t2 = torch.autograd.grad((x * x).sum(), [x, x], create_graph=True, allow_unused=True)"],
    "double_backward_of_broadcast_matmul_and_sum_to": [
        "a = torch.ones(1, 3, 2, 3, requires_grad=True)",
        "b = (torch.arange(36.0).reshape(2, 3, 3, 2) / 9).requires_grad_()",
        "t1 = torch.autograd.grad(torch.matmul(a, b).sum(), [a, b], create_graph=True)",
        "g1 = t1[0]", "g2 = t1[1]", "c = torch.tensor(2.0, requires_grad=True)",
        "d = torch.ones(2, 3, requires_grad=True)",
        "t2 = torch.autograd.grad((c * d * torch.ones(4, 1, 3)).sum(), [c, d], create_graph=True)",
        "g3 = t2[0]", "g4 = t2[1]", "(g1.sum() + g2.sum() + g3 + g4.sum()).backward()"],
    "double_backward_of_norm": [
        "x = torch.tensor([[3.0, 0.0, -1.0], [0.0, 0.0, 0.0]], requires_grad=True)",
        "t1 = torch.autograd.grad(x.norm(), [x], create_graph=True)", "g1 = t1[0]",
        "t2 = torch.autograd.grad(x.norm(dim=-1).sum(), [x], create_graph=True)", "g2 = t2[0]",
        "t3 = torch.autograd.grad(x.norm(dim=(0, 1), keepdim=True).sum(), [x], create_graph=True)",
        "g3 = t3[0]", "y = torch.tensor(2.0, requires_grad=True)",
        "t4 = torch.autograd.grad(y.norm(dim=0), [y], create_graph=True)", "g4 = t4[0]",
        "(g1.sum() + g2.sum() + g3.sum() + g4).backward()"],
    "double_backward_of_cos_and_l1": [
        f"x = {_A}", "t1 = torch.autograd.grad(x.cos().sum(), [x], create_graph=True)", "g1 = t1[0]",
        "t2 = torch.autograd.grad(F.l1_loss(x, torch.zeros(2, 3)), [x], create_graph=True)",
        "g2 = t2[0]", "t3 = torch.autograd.grad(x.sin().sum(), [x], create_graph=True)", "g3 = t3[0]",
        "t4 = torch.autograd.grad(x.abs().sum(), [x], create_graph=True)", "g4 = t4[0]",
        "(g1.sum() + g2.sum() + g3.sum()).backward()"],
    "double_backward_of_unsqueeze": [
        f"x = {_A}", "v = (x.abs() + 0.5).log()", "u = v.unsqueeze(1)",
        "t = torch.autograd.grad((u * u).sum(), [v], create_graph=True)", "g = t[0]"],
    "modified_saved_value_names_the_op": [
        f"x = {_A}", "v = 0.5 ** x", "w = v[:, :]", "w.copy_(torch.ones(2, 3))",
        "n = w.norm()", "n.backward()"],
    "matmul_squeezes_a_batch_of_one_that_requires_grad": [
        "a = torch.ones(2, 3, 4, requires_grad=True)", "b = torch.ones(1, 4, 5, requires_grad=True)",
        "v1 = a @ b", "v2 = b.mT @ a.mT", "c = torch.ones(2, 3, 4)", "v3 = c @ b",
        "v4 = torch.ones(1, 3, 4) @ b"],
    "double_backward_of_indexing": [
        "x = torch.arange(12.0).reshape(3, 4).requires_grad_()",
        "t1 = torch.autograd.grad((x[1] * x[1]).sum(), [x], create_graph=True)", "g1 = t1[0]",
        "t2 = torch.autograd.grad((x[:, 1:3] ** 2).sum(), [x], create_graph=True)", "g2 = t2[0]",
        "t3 = torch.autograd.grad((x[[0, 2, 0]] ** 2).sum(), [x], create_graph=True)", "g3 = t3[0]",
        "t4 = torch.autograd.grad((x[x > 3] ** 2).sum(), [x], create_graph=True)", "g4 = t4[0]",
        "t5 = torch.autograd.grad((x[0, ::2] ** 2).sum(), [x], create_graph=True)", "g5 = t5[0]",
        "t6 = torch.autograd.grad((x.select(1, -1) ** 2).sum(), [x], create_graph=True)",
        "g6 = t6[0]", "(g1 + g2 + g3 + g4 + g5 + g6).sum().backward()"],
    "double_backward_of_matmul_folds": [
        "a = torch.arange(9.0).reshape(3, 3).requires_grad_()",
        "b = (torch.arange(6.0).reshape(1, 3, 2) / 7).requires_grad_()",
        "t1 = torch.autograd.grad((torch.matmul(a, b) ** 2).sum(), [a, b], create_graph=True)",
        "g1 = t1[0]", "g2 = t1[1]", "u = torch.arange(3.0).requires_grad_()",
        "m = (torch.arange(6.0).reshape(3, 2) / 5).requires_grad_()",
        "t2 = torch.autograd.grad(((u @ m) ** 2).sum(), [u, m], create_graph=True)",
        "g3 = t2[0]", "g4 = t2[1]",
        "t3 = torch.autograd.grad(((m.t() @ u) ** 2).sum(), [u, m], create_graph=True)",
        "g5 = t3[0]", "g6 = t3[1]",
        "(g1.sum() + g2.sum() + g3.sum() + g4.sum() + g5.sum() + g6.sum()).backward()"],
    "double_backward_of_reciprocal_and_maximum": [
        "x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)",
        "c = torch.tensor([[2.0], [3.0]], requires_grad=True)",
        "y = torch.tensor([1.5, -2.0, 0.5], requires_grad=True)",
        "t1 = torch.autograd.grad(x.reshape(1, 3).reciprocal().sum(), [x], create_graph=True)",
        "g1 = t1[0]", "t2 = torch.autograd.grad((torch.max(x, c) * y).sum(), [x, c], create_graph=True)",
        "g2 = t2[0]", "g3 = t2[1]",
        "t3 = torch.autograd.grad((torch.minimum(x, c) * y).sum(), [x, c], create_graph=True)",
        "g4 = t3[0]", "g5 = t3[1]", "(g1.sum() + g2.sum() + g3.sum() + g4.sum() + g5.sum()).backward()"],
    "double_backward_of_div_and_sqrt": [
        "x = torch.tensor([1.0, 2.0], requires_grad=True)",
        "y = torch.tensor([3.0, -4.0], requires_grad=True)", "v = x / y",
        "t1 = torch.autograd.grad(v.sum(), [v, y], create_graph=True, allow_unused=True)",
        "g1 = t1[1]", "w = (x.abs() + 0.5).sqrt()",
        "t2 = torch.autograd.grad((w * w).sum(), [x], create_graph=True)", "g2 = t2[0]",
        "(g1.sum() + g2.sum()).backward()"],
    "products_save_an_operand_only_for_the_others_grad": [
        "x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)", "m = torch.ones(2, 3)",
        "v = x * 1", "w = m @ v", "d = torch.dot(torch.ones(3), v)",
        "b = torch.bmm(torch.ones(1, 2, 3), v.reshape(1, 3, 1))", "v[1:1] = 0.5",
        "(w.sum() + d + b.sum()).backward()", "v2 = x * 1", "w2 = v2 @ torch.ones(3)",
        "v2.mul_(2)", "w2.backward()"],
    "a_second_backward_through_copy_slices_or_pow_0_raises": [
        "x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)", "y = x * 1", "y[0:1] = 2.0",
        "y.sum().backward(inputs=[x])", "y.sum().backward()", "z = x * 1", "z[0:0] = 2.0",
        "z.sum().backward(retain_graph=True)", "z.sum().backward()", "p = x ** 0",
        "n = p.norm()", "n.backward()", "p.sum().backward()"],
    "in_place_on_a_0_dim_view_of_a_0_dim_result": [
        "x = torch.tensor([1.0], requires_grad=True)", "v = x.mean(dim=-1)", "w = v.view(())",
        "w.masked_fill_(w > 0, 0.0)", "e = v.exp()", "e.backward()"],
    "backward_with_inputs_hooks_of_the_root_and_of_skipped_inputs": [
        "x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)",
        "h1 = x.register_hook(lambda g: rec('h1', g))",
        "y = torch.tensor([1.0, 2.0], requires_grad=True)",
        "x.backward(torch.tensor(3.0), retain_graph=True, inputs=[y])",
        "a = torch.tensor([[1.0, 2.0]], requires_grad=True)", "b = torch.tensor([[3.0]], requires_grad=True)",
        "v = torch.sub(a, b)", "h2 = v.grad_fn.register_hook(lambda gi, go: rec('h2', gi, go))",
        "h3 = v.register_hook(lambda g: rec('h3', g))", "v.sum().backward(inputs=[b], retain_graph=True)",
        "w = v * 2", "h4 = w.grad_fn.register_prehook(lambda go: rec('h4', go))", "w.retain_grad()",
        "w.backward(torch.ones(1, 2), inputs=[a])"],
    "views_made_under_no_grad_of_tensors_that_do_not_require_grad": [
        "x = torch.tensor([[1.5]], requires_grad=True)", "d = x.detach()",
        "with torch.no_grad():\n    t = d.transpose(-1, 0)", "v = t.view(())", "v.add_(1)",
        "v.copy_(torch.tensor(2.0, requires_grad=True))", "y = torch.ones(3)",
        "with torch.no_grad():\n    z = y[0:2]", "y.add_(1)", "f = z.grad_fn",
        "z[0:1] = torch.ones(1, requires_grad=True)", "z.mul_(2)", "r = z.requires_grad"],
    "empty_views_are_views": [
        "x = torch.ones(1, 0, requires_grad=True)", "v = x.expand(3, 0)", "v[:, :] = 3",
        "e = torch.ones(4, 2, 0, requires_grad=True)", "s = torch.sign(e * 1)",
        "with torch.no_grad():\n    a = s.expand(-1, 2, 0)", "r = a.requires_grad"],
    "outputs_of_split_whose_base_did_not_require_grad": [
        "x = torch.ones(2, 3)", "t = x.split(1, dim=1)", "x[0:0] = torch.ones(0, 3, requires_grad=True)",
        "l = t[1].is_leaf", "y = torch.ones(2, 3)", "u = y.unbind(0)",
        "u[0].mul_(torch.ones(3, requires_grad=True))", "u[1].mul_(2)", "f = u[1].grad_fn",
        "with torch.no_grad():\n    w = torch.ones(2, 3, requires_grad=True).unbind(0)",
        "w[0].mul_(torch.ones(3, requires_grad=True))"],
    "grad_of_a_no_grad_view_is_unused": [
        "x = torch.ones(3, 3, requires_grad=True)", "with torch.no_grad():\n    v = x[1:2, 2:3]",
        "t = torch.autograd.grad((v * v).sum(), [v], create_graph=True)"],
    "relu_double_backward_is_threshold_backward": [
        "x = torch.tensor([[1.0, -2.0, 3.0], [0.5, -4.0, 1.0]], requires_grad=True)",
        "v = torch.relu(x)", "p = v.permute(1, 0)",
        "t = torch.autograd.grad(p.sum(), [x, p], create_graph=True, allow_unused=True)",
        "g = t[0]", "u = torch.autograd.grad((v * v).sum(), [x], create_graph=True)",
        "h = u[0]", "(h * h).sum().backward()"],
    "matmul_with_a_vector_on_the_right_squeezes_the_bmm": [
        "x = (torch.arange(64.0).reshape(4, 2, 2, 4) / 9).requires_grad_()",
        "v = x[None, 1, :]", "w = v @ torch.tensor([1.0, 0.5, -1.0, 2.0])",
        "a = torch.ones(2, 3, 2, requires_grad=True)",
        "b = a.transpose(-1, -2) @ torch.ones(2)", "(w.sum() + b.sum()).backward()",
        "d = torch.ones(7) @ torch.ones(8, dtype=torch.float64)"],
    "a_view_edited_while_nothing_required_grad_regenerates_its_grad_fn": [
        "x = torch.ones(3, 2, requires_grad=True)", "d = x.detach()", "v = d[2]",
        "v *= torch.tensor([2.0, 3.0])", "d.requires_grad_()", "l = v.is_leaf",
        "y = torch.ones(3)", "with torch.no_grad():\n    z = y[0:2]", "y.add_(1)", "z.mul_(2)",
        "y.requires_grad_()", "z.mul_(2)"],
    "retain_grad_reads_the_grad_fn_of_a_view": [
        "a = torch.ones(2, 3, requires_grad=True) * 1", "t = a.split(1)", "w = a[0]",
        "with torch.no_grad():\n    w.div_(1)", "t[0].retain_grad()"],
    "modified_copy_names_copy_backwards": [
        "x = torch.ones(3, 4, requires_grad=True)", "v = x[torch.tensor([2, 2])]", "m = v.max()",
        "v[:] = torch.ones(1, 1, requires_grad=True)", "m.backward()"],
    # -------------------------------------------------------------- nn
    "relu_in_place": [
        f"x = {_A}", "v0 = F.relu(x, inplace=True)", "y = torch.sigmoid(x.abs())",
        "v1 = F.relu(y, inplace=True)", "z = F.avg_pool2d(x[None], (2, 1), ceil_mode=True)",
        "v2 = F.relu(z, inplace=True)", "(v1.sum() + v2.sum()).backward()"],
    "loss_broadcasting": [
        f"x = {_A} * 0.5", "v1 = F.mse_loss(x, torch.ones(3), reduction='none')",
        "v2 = F.l1_loss(x, torch.ones(1, 3))", "v3 = F.mse_loss(x, torch.ones(2, 3, 2))",
        "v4 = F.l1_loss(torch.ones(0, requires_grad=True), torch.ones(0))",
        "(v1.sum() + v2).backward()"],
    "bce_with_logits_has_the_targets_dtype": [
        "x = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)",
        "v = F.binary_cross_entropy_with_logits(x, torch.tensor([0.2, 0.9]), reduction='none')",
        "v.sum().backward()"],
    "nn_dtype_texts": [
        "x = torch.ones(1, 2, 4, 4)", "w = torch.ones(3, 2, 2, 2)", "b = torch.ones(3)",
        "v = F.conv2d(x.double(), w, b)", "v = F.conv2d(x.double(), w)", "v = F.conv2d(x, w, b.double())",
        "v = F.linear(torch.ones(2, 3).double(), torch.ones(4, 3), torch.ones(4))",
        "v = F.linear(torch.ones(2, 3), torch.ones(4, 3), torch.ones(4).double())",
        "v = F.linear(torch.ones(2, 2, 3).double(), torch.ones(4, 3), torch.ones(4))",
        "v = F.batch_norm(torch.ones(2, 3).double(), torch.zeros(3), torch.ones(3))",
        "v = F.batch_norm(torch.ones(2, 3), torch.zeros(3).double(), torch.ones(3))"],
    "batch_norm_of_zero_elements": [
        "x = torch.ones(2, 3, 0, requires_grad=True)", "w = torch.ones(3, requires_grad=True)",
        "b = torch.zeros(3, requires_grad=True)", "m = torch.zeros(3)", "s = torch.ones(3)",
        "v1 = F.batch_norm(x, m, s, w, b, training=True)", "v2 = F.batch_norm(x, m, s, w, b)",
        "v3 = F.batch_norm(x, m, s, None, b)", "v4 = F.batch_norm(x, m, s, training=True)",
        "v5 = F.batch_norm(torch.ones(0, 3), m, s, w, training=True)",
        "(v1.sum() + v2.sum() + v3.sum() + v5.sum()).backward()",
        "v6 = F.batch_norm(torch.ones(1, 3, 1), m, s, training=True)"],
    "pool_output_too_small": [
        "x = torch.ones(2, 4, 1)", "v = F.avg_pool2d(x, 3, stride=1, padding=0, ceil_mode=True)",
        "v = F.max_pool2d(x, 3)"],
    "embedding_index_out_of_range": [
        "w = torch.ones(3, 2, requires_grad=True)", "v = F.embedding(torch.tensor([0, 3]), w)",
        "v = F.embedding(torch.tensor([[-1]]), w)", "v = F.embedding(torch.tensor([], dtype=torch.int64), w)",
        "v = F.embedding(torch.tensor([2], dtype=torch.int32), w)"],
    "a_lone_root_off_the_inputs_path_still_fires_its_tensor_hooks": [
        f"x = {_A}", "z = torch.ones(2, requires_grad=True)", "y = F.cross_entropy(x, torch.tensor([0, 2]))",
        "h1 = y.register_hook(lambda g: rec('y', g))",
        "h2 = y.grad_fn.register_prehook(lambda g: rec('pre', g))",
        "h3 = y.grad_fn.register_hook(lambda gi, go: rec('post', gi, go))",
        "y.backward(retain_graph=True, inputs=[z])", "t = torch.autograd.grad(y, [z], allow_unused=True, retain_graph=True)",
        "y2 = (x * 3).sum()", "h4 = y2.register_hook(lambda g: rec('y2', g))",
        "torch.autograd.backward([y, y2], inputs=[z])"],
    "pool_input_checks": [
        "e = torch.ones(0, 2, 3, requires_grad=True)", "v = F.max_pool2d(e, 1)",
        "v = F.avg_pool2d(e, 1)", "v = F.adaptive_avg_pool2d(e, 2)",
        "v = F.max_pool2d(torch.ones(1, 0, 2, 3), 1)", "v = F.avg_pool2d(torch.ones(2, 3, 0), 1)",
        "v = F.adaptive_avg_pool2d(torch.ones(1, 1, 0, 3), 2)",
        "v = F.adaptive_avg_pool2d(torch.ones(2, 0, 3), (None, 2))",
        "v = F.adaptive_avg_pool2d(torch.ones(2, 3, 0), 1)",
        "v = F.max_pool2d(torch.ones(2, 3), 1)", "v = F.avg_pool2d(torch.ones(2, 3), 1)",
        "v = F.avg_pool2d(torch.ones(3), 1, divisor_override=0)",
        "v = F.adaptive_avg_pool2d(torch.ones(2, 3), 2)",
        "v = F.adaptive_avg_pool2d(torch.ones(2, 3), (None, 2))",
        "v = F.max_pool2d(torch.ones(1, 1, 1, 2, 3), 1)",
        "v = F.avg_pool2d(torch.ones(1, 1, 1, 2, 3), 1)",
        "v = F.max_pool2d(torch.ones(0, 1, 2, 2, requires_grad=True), 2)"],
    "linear_of_non_contiguous_input_is_matmul_then_add_": [
        "w = torch.ones(3, 2, requires_grad=True)", "b = torch.ones(3, requires_grad=True)",
        "v1 = F.linear(torch.ones(1).expand(2), w, b)", "v2 = F.linear(torch.ones(4)[::2], w)",
        "x = torch.ones(2, requires_grad=True)", "v3 = F.linear(x, w, b)",
        "v4 = F.linear(x.expand(3, 2)[None].transpose(0, 1), w, b)",
        "v5 = F.linear(torch.ones(2, 3, 0), torch.ones(3, 0), b)",
        "v6 = F.linear(torch.ones(2, 1, 2), w, torch.ones(1, 3))",
        "v7 = F.linear(torch.tensor(1.0), w, b)",
        "(v1.sum() + v3.sum() + v4.sum() + v6.sum()).backward()",
        "v8 = F.linear(torch.ones(2, 1, 3).double().transpose(1, 2), w, b)",
        "v9 = F.linear(torch.ones(3, 2).double(), w, b.double())",
        "v10 = F.linear(torch.ones(2).double().expand(3, 2), w, b.double())"],
    "mm_backward_keeps_a_column_major_operand_column_major": [
        "x = torch.ones(2, 2, 3, requires_grad=True)", "w = torch.ones(4, 3, requires_grad=True)",
        "t1 = torch.autograd.grad(F.linear(x, w).sum(), [w, x], create_graph=True)",
        "g1 = t1[0]", "g2 = t1[1]", "a = torch.ones(3, 2).t().requires_grad_()",
        "b = torch.ones(3, 4, requires_grad=True)",
        "t2 = torch.autograd.grad((torch.mm(a, b) ** 2).sum(), [a, b], create_graph=True)",
        "g3 = t2[0]", "g4 = t2[1]", "(g1.sum() + g3.sum() + g4.sum()).backward()"],
    "relu_double_backward_is_threshold_backward_backward": [
        f"x = {_A}", "y = F.relu(x * 2)", "m = nn.Sequential(nn.Linear(3, 2), nn.ReLU())\nwith torch.no_grad():\n"
        "    m[0].weight.fill_(0.5)\n    m[0].bias.fill_(-1.0)",
        "t1 = torch.autograd.grad((y * y).sum(), [x], create_graph=True)", "g1 = t1[0]",
        "t2 = torch.autograd.grad(g1.sum(), [x], create_graph=True)", "g2 = t2[0]",
        "t3 = torch.autograd.grad(m(x).sum() * 3, [x], create_graph=True)", "g3 = t3[0]",
        "(g1.sum() + g3.sum()).backward()"],
    "linear_double_backward_transposes_with_t": [
        "x = torch.ones(2, 3, requires_grad=True)", "w = torch.ones(4, 3, requires_grad=True)",
        "t = torch.autograd.grad(F.linear(x, w).sum(), [x], create_graph=True)", "g = t[0]"],
    "overwriting_ops_give_zero_grads_without_a_graph": [
        f"x = {_A}", "w = torch.ones(2, 3, requires_grad=True)",
        "y1 = x * w", "y1.copy_(torch.ones(2, 3))", "y2 = x * w", "y2.fill_(2.0)",
        "y3 = x * w", "y3.zero_()", "y4 = x * w", "y4[0:9] = torch.ones(3)",
        "y5 = x * w", "y5.fill_(torch.tensor(3.0, requires_grad=True))",
        "t = torch.autograd.grad((y1 * y2 * y3 * y4 * y5 * w).sum(), [x], create_graph=True)",
        "g = t[0]"],
    "as_strided_grad_of_a_grad_that_needs_none": [
        "x = torch.tensor([0.3, -0.25, -1.3, -0.2], requires_grad=True)",
        "with torch.no_grad():\n    v = x.expand(3, 4)", "w = v.clamp(max=0.5)", "u = w[::1]",
        "u[:].sin_()", "t = torch.autograd.grad(u.sum(), [w], create_graph=True)", "g = t[0]"],
    "no_grad_view_requires_grad_follows_its_base": [
        "x = torch.tensor([1.5, -0.5, 2.0], requires_grad=True)", "y = x.neg()",
        "with torch.no_grad():\n    v = y[0]", "v.requires_grad_(True)", "v.backward()",
        "with torch.no_grad():\n    w = y[1]", "w.backward()",
        "with torch.no_grad():\n    u = x[2]", "x.requires_grad_(False)", "u.tanh_()",
        "z = u * 2"],
    "double_backward_of_var_and_std": [
        "x = torch.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], dtype=torch.float64, requires_grad=True)",
        "t1 = torch.autograd.grad((x.std() ** 2), [x], create_graph=True)", "g1 = t1[0]",
        "t2 = torch.autograd.grad(x.expand(2, 2, 3).var(), [x], create_graph=True)", "g2 = t2[0]",
        "t3 = torch.autograd.grad(x.std(dim=1).sum(), [x], create_graph=True)", "g3 = t3[0]",
        "t4 = torch.autograd.grad(x.var(dim=0, keepdim=True).sum(), [x], create_graph=True)",
        "g4 = t4[0]", "y = torch.tensor([1.0, 2.0], requires_grad=True)",
        "t5 = torch.autograd.grad(y.var(dim=0, correction=2), [y], create_graph=True)",
        "g5 = t5[0]", "t6 = torch.autograd.grad(y[:1].std(), [y], create_graph=True)",
        "g6 = t6[0]", "(g1.sum() + g2.sum() + g3.sum() + g4.sum()).backward()"],
    "double_backward_through_copy_slices": [
        "x = torch.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], requires_grad=True)",
        "s = x.sum()", "v = s.view(())", "v -= torch.tensor(0.5)",
        "t1 = torch.autograd.grad((s * s).sum(), [x, s], create_graph=True)", "g1 = t1[0]",
        "y = x * x", "y[1:1] = torch.ones(0, 3)", "y[:, 1:].mul_(2.0)",
        "t2 = torch.autograd.grad((y * y).sum(), [x], create_graph=True)", "g2 = t2[0]",
        "(g1.sum() + g2.sum()).backward()"],
    "double_backward_of_a_0_dim_transpose": [
        "x = torch.tensor(1.5, requires_grad=True)", "v = x.transpose(-1, -1)",
        "t = torch.autograd.grad((v * v).sum(), [x], create_graph=True)", "g = t[0]",
        "g.backward()"],
    "stack_post_hook_under_inputs_sees_every_grad": [
        "a = torch.ones(2, requires_grad=True)", "b = torch.ones(2, requires_grad=True)",
        "v = torch.stack([a, b * 2, torch.zeros(2)], 0)",
        "h = v.grad_fn.register_hook(lambda gi, go: rec('h', gi, go))",
        "t = torch.autograd.grad((v * 3).sum(), [b], retain_graph=True)",
        "(v * 3).sum().backward(inputs=[a])"],
    # -------------------------------------------------------------- in place
    "inplace_saved_output_edited_later": [
        f"x = {_A}", "y = x.to(torch.float64)", "y.sigmoid_()", "z = y + 1",
        "y[:] = torch.zeros(2, 3, dtype=torch.float64)", "z.sum().backward()",
        "y2 = x * 1", "y2.exp_()", "z2 = y2 * 2", "y2.mul_(2)", "z2.sum().backward()"],
    "inplace_saved_output_of_a_view_names_as_strided": [
        f"x = {_A}", "v = (x * 1)[:, :]", "torch.tanh_(v)", "v.div_(torch.tensor(2.0))",
        "v.sum().backward()"],
    "attention_of_empty_inputs_and_math_path": [
        "q = torch.ones(0, 2, 4, 2, requires_grad=True)", "k = torch.ones(0, 2, 3, 2)",
        "v1 = F.scaled_dot_product_attention(q, k, k, attn_mask=torch.ones(4, 3) > 0)",
        "q2 = torch.ones(2, 1, 2, 1, requires_grad=True)",
        "k2 = torch.arange(16.0).reshape(2, 1, 4, 2).requires_grad_()",
        "v2 = F.scaled_dot_product_attention(q2.permute(2, 3, 1, 0), k2, k2 / 3, "
        "attn_mask=torch.ones(1, 4))",
        "v3 = F.scaled_dot_product_attention(q2[0, 0], k2[0, 0, :3], k2[0, 0], is_causal=True)",
        "(v1.sum() + v2.sum() + v3.sum()).backward()",
        "v4 = torch.ones(3).add_(torch.ones(2, 3))"],
    # -------------------------------------------------------------- reductions
    "softmax_of_0_dim": [
        "x = torch.tensor(0.25, requires_grad=True)",
        "with torch.no_grad():\n    v1 = torch.log_softmax(x, 0)", "v2 = torch.softmax(x, 0)",
        "v3 = x.log_softmax(dim=-1)"],
}


def _saved_value_checks() -> list:
    """Each input an nn node saved, modified in place after forward: backward raises even
    where the rule does not read it (PyTorch unpacks every saved value first)."""
    ops = {
        "F.max_pool2d(x4, 2)": ["x4"], "F.avg_pool2d(x4, 2)": ["x4"],
        "F.adaptive_avg_pool2d(x4, 3)": ["x4"], "F.pad(x4, (1, 1), mode='reflect')": ["x4"],
        "F.pad(x4, (1, 1), mode='replicate')": ["x4"],
        "F.nll_loss(x2, i, weight=w)": ["x2", "i", "w"], "F.cross_entropy(x2, i)": ["i"],
        "F.embedding(i, x2.t())": ["i"], "F.layer_norm(x2, (4,), w, w2)": ["w2"],
        "F.batch_norm(x2, m, v, training=True)": ["m", "v"]}
    lines = []
    for op, modified in ops.items():
        for name in modified:
            lines += ["x4 = torch.ones(1, 2, 4, 4, requires_grad=True)",
                      "x2 = torch.ones(3, 4, requires_grad=True)", "i = torch.tensor([0, 3, 1])",
                      "w = torch.ones(4) * 2", "w2 = torch.ones(4, requires_grad=True)",
                      "m = torch.zeros(4)", "v = torch.ones(4)", f"y = {op}",
                      f"with torch.no_grad():\n    {name}.add_(1)", "y.sum().backward()"]
    return lines


def _conv2d_check_order() -> list:
    """at::conv2d's checks in its order: the bias's dtype (numeric padding only), then the
    shapes (channels, bias size, kernel size), then the weight's dtype; 'same' and 'valid'
    add a bias of another dtype, cast."""
    lines = []
    for x, w, b in itertools.product(("D", "F"), ("D", "F"), (None, "D", "F")):
        for weight_shape, bias_size in (("1, 2, 1, 1", 1), ("1, 2, 5, 1", 1), ("1, 3, 1, 1", 1),
                                        ("1, 2, 1, 1", 2), ("1, 2, 5, 1", 2)):
            for padding in ("0", "'same'", "'valid'"):
                dtype = {"D": "torch.float64", "F": "torch.float32"}
                bias = "None" if b is None else f"torch.full(({bias_size},), 0.5, dtype={dtype[b]})"
                lines.append(f"v = F.conv2d(torch.ones(1, 2, 3, 4, dtype={dtype[x]}), "
                             f"torch.ones({weight_shape}, dtype={dtype[w]}), {bias}, "
                             f"padding={padding})")
    for shape in ("(2, 4)", "(5,)", "(1, 1, 2, 4, 4)"):       # before 'same' warns (once)
        for padding in ("0", "'same'", "'valid'"):
            lines.append(f"v = F.conv2d(torch.ones{shape}, torch.ones(1, 2, 2, 2), "
                         f"torch.ones(1, dtype=torch.float64), padding={padding})")
    lines += ["v = F.conv2d(torch.ones(1, 3, 4, 4), torch.ones(1, 2, 2, 2), padding='same')",
              "x = torch.ones(1, 2, 3, 4, dtype=torch.float64, requires_grad=True)",
              "b = torch.full((1,), 0.1, requires_grad=True)",
              "v = F.conv2d(x, torch.ones(1, 2, 2, 1, dtype=torch.float64), b, padding='valid')",
              "v.sum().backward()"]
    return lines


def _matmul_cases() -> dict:
    """Every rank pair of matmul, with each operand requiring grad or not, and a mismatched
    dtype each way: the graph (Mv, Mm, Bmm, Expand, View, UnsafeView, folds through mT) and
    the error texts are torch's."""
    a_shapes = {1: "(3,)", 2: "(2, 3)", 3: "(2, 2, 3)", 4: "(2, 2, 2, 3)"}
    b_shapes = {1: "(3,)", 2: "(3, 2)", 3: "(2, 3, 2)", 4: "(2, 2, 3, 2)"}
    cases = {}
    for ra, rb in itertools.product(range(1, 5), range(1, 5)):
        lines = []
        for ga, gb in ((True, True), (True, False), (False, True)):
            a = f"torch.arange(float(np.prod({a_shapes[ra]}))).reshape({a_shapes[ra]})"
            b = f"torch.arange(float(np.prod({b_shapes[rb]}))).reshape({b_shapes[rb]}) / 7"
            lines += [f"a = ({a}).requires_grad_({ga})", f"b = ({b}).requires_grad_({gb})",
                      "v = a @ b", "v.sum().backward()"]
        lines += [f"c = torch.ones({a_shapes[ra]}, dtype=torch.float64)",
                  f"d = torch.ones({b_shapes[rb]})", "v = c @ d", "v = d.double() @ c.float() "
                  "if d.dim() == 1 and c.dim() == 1 else c.float() @ d.double()"]
        cases[f"matmul_{ra}d_{rb}d"] = lines
    cases["matmul_batch_mismatch"] = [
        "v = torch.ones(2, 3, 4) @ torch.ones(5, 4, 2)", "v = torch.ones(2, 3, 4) @ torch.ones(2, 5, 2)",
        "v = torch.ones(3, 4) @ torch.ones(5)", "v = torch.ones(3) @ torch.ones(2, 5, 2)",
        "v = torch.bmm(torch.ones(2, 2, 3, dtype=torch.float64), torch.ones(2, 3, 2))",
        "v = torch.mv(torch.ones(2, 3), torch.ones(3, dtype=torch.float64))",
        "v = torch.dot(torch.ones(3, dtype=torch.float64), torch.ones(3))"]
    return cases


CASES.update(_matmul_cases())
CASES["conv2d_check_order"] = _conv2d_check_order()
CASES["every_saved_value_is_checked_before_a_node_runs"] = _saved_value_checks()


# -------------------------------------------------------------- core autograd fidelity (#11)
CASES.update({
    "masked_fill_of_an_expanded_tensor_warns": [
        "x = torch.tensor([1.5, -2.0, 0.5], requires_grad=True)",
        "t = torch.autograd.grad(x.sum(), [x, x], create_graph=True)", "g = t[1]",
        "g.masked_fill_(g > 0, 0.0)", "c = torch.tensor([[1.0], [2.0]])", "e = c.expand(2, 3)",
        "e.masked_fill_(torch.tensor([True, False, False]), 7.0)",
        "e.masked_fill_(e > 1, torch.tensor(5.0))", "w = torch.ones(2, 1, requires_grad=True)",
        "f = w.expand(2, 3)", "f.masked_fill_(f > 0, 2.0)"],
    "copy_slices_of_an_expanded_view_refuses_backward": [
        "x = torch.tensor([[-0.5, 0.75]], requires_grad=True)", "v = x[-1, 0:1].clone()",
        "e = v.expand(3, 2)", "e[e < 0] = 1", "w = v[:]", "w.sum().backward()",
        "y = torch.tensor([[[0.3]], [[-0.6]]], requires_grad=True)",
        "u = y.scatter(0, torch.tensor([[[1]]]), 2)", "f = u.expand(2, 2, -1, 3)",
        "f[torch.tensor([1])] = torch.tensor(-0.8)", "f.backward(torch.ones(2, 2, 1, 3))",
        "z = torch.ones(3, 1)", "k = z.expand(3, 4)", "k[[0]] = torch.tensor(2.0, requires_grad=True)",
        "k.sum().backward()"],
    "new_tensors_take_atens_layout_so_view_agrees": [
        "x = torch.arange(24.0).reshape(2, 3, 4).requires_grad_()", "t = x.transpose(0, 2)",
        "v = x[:, [0, 0]].view(-1)", "v = x[:, [1, 0], :2].reshape(4, 2)",
        "v = x[:, [[0], [1]], [0, 1]].view(-1)", "v = t[:, [1, 0]].view(-1)",
        "v = x.transpose(1, 2)[:, [0, 1]].view(-1)", "v = x[:, :, [0, 0]].reshape(12)",
        "v = torch.stack([t, t], -1).view(-1)", "v = torch.cat([x.transpose(0, 1)] * 2, 0).view(-1)",
        "v = t.clone().view(-1)", "v = t.contiguous().view(-1)",
        "v = (t + t.contiguous()).view(-1)", "v = (t.contiguous() * t).view(-1)",
        "v = torch.where(t > 1, 1.0, t.contiguous()).view(-1)", "v = torch.maximum(t, t.contiguous()).view(-1)",
        "v = (2 ** t).view(-1)", "v = t.masked_fill(t > 3, 0.0).view(-1)", "v = t.sum(1).view(-1)",
        "v = t.mean(1).view(-1)", "v = t.prod(1).view(-1)", "v = t.var(1).view(-1)",
        "v = t.norm(dim=1).view(-1)", "v = t.logsumexp(1).view(-1)", "v = t.cumsum(0).view(-1)",
        "v = t.flip(0).view(-1)", "v = t.roll(1, 0).view(-1)", "v = t.repeat(1, 1, 1).view(-1)",
        "v = t.tril().view(-1)", "c = torch.zeros_like(t).is_contiguous()",
        "c = torch.full_like(t, 2.0).is_contiguous()", "torch.manual_seed(0)", "r = torch.rand_like(t)",
        "r = torch.randn_like(t[:, ::2], dtype=torch.float64)", "c = r.is_contiguous()"],
    "a_0_dim_integer_tensor_key_selects": [
        "x = torch.arange(24.0).reshape(2, 3, 4).requires_grad_()", "v = x[torch.tensor(1)]",
        "v = x[torch.tensor(5)]", "v = x[torch.tensor(0), torch.tensor(-1)]",
        "v = x[torch.tensor(1, dtype=torch.int32)]", "v = x[torch.tensor(True)]",
        "v = x[torch.tensor(1, dtype=torch.uint8)]", "v = x[:, torch.tensor(2)]",
        "v = x[torch.tensor(1), [0, 1]]", "v = x[torch.tensor(1.0)]", "v = x[None, torch.tensor(7)]",
        "v = x[torch.tensor(1), :, [0, 1]]", "v = x[torch.tensor(1), torch.tensor(True)]",
        "v = x[torch.tensor(1), ..., [1]]", "s = torch.tensor(2.0)", "v = s[torch.tensor(0)]",
        "v = s[torch.tensor(True)]", "y = x * 1", "y[torch.tensor(1)] = 5.0",
        "y[torch.tensor(0), torch.tensor(2)] = torch.ones(4, requires_grad=True)",
        "y[torch.tensor(9)] = 1.0", "y[torch.tensor(False)] = 3.0", "y.sum().backward()"],
    "nan_gradients_of_abs_and_full_max_min": [
        "x = torch.tensor([float('nan'), 0.0, -1.0, float('inf'), -float('inf'), 2.0], requires_grad=True)",
        "v = x.abs()", "v.sum().backward()", "y = torch.tensor([float('nan'), 0.0, 2.0, 2.0], requires_grad=True)",
        "m = y.max()", "m.backward()", "z = torch.tensor([1.0, 3.0, 3.0, float('nan')], requires_grad=True)",
        "n = z.min()", "n.backward()", "w = torch.tensor([1.0, 3.0, 3.0], requires_grad=True)",
        "k = w.max()", "k.backward()",
        "t = torch.autograd.grad(y.max() * 2, [y], create_graph=True)", "g = t[0]"],
    "a_stale_no_grad_view_raises_before_the_broadcast_error": [
        "x = torch.ones(2, 4, requires_grad=True)", "y = x.sqrt()",
        "with torch.no_grad():\n    v = y[0]", "with torch.no_grad():\n    y[:, [3, 2]] = 2.0",
        "w = torch.ones(5, requires_grad=True)", "u = v - w", "u = v * torch.ones(5)",
        "u = torch.maximum(v, w)"],
    "post_accumulate_hook_of_a_leaf_that_stopped_requiring_grad": [
        "x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)",
        "h1 = x.register_post_accumulate_grad_hook(lambda t: rec('post', t.grad))",
        "h2 = x.register_hook(lambda g: rec('pre', g))", "v = x[:, -1]", "y = x * 2",
        "x.requires_grad_(False)", "w = v.expand(3, 2)", "torch.min(w, torch.ones(2)).sum().backward()",
        "y.sum().backward()", "g = x.grad"],
    "prod_and_index_select_double_backward_graphs": [
        "x = torch.tensor([[1.0, 2.0, 0.5], [3.0, 4.0, 2.0]], requires_grad=True)",
        "t1 = torch.autograd.grad(x.prod(), [x], create_graph=True)", "g1 = t1[0]",
        "t2 = torch.autograd.grad(x.prod(1).sum(), [x], create_graph=True)", "g2 = t2[0]",
        "t3 = torch.autograd.grad(x.prod(0, keepdim=True).sum(), [x], create_graph=True)",
        "g3 = t3[0]", "(g1.sum() + g2.sum() + g3.sum()).backward()",
        "s = torch.tensor(3.0, requires_grad=True)",
        "t4 = torch.autograd.grad(s.prod(), [s], create_graph=True)",
        "t5 = torch.autograd.grad(x.index_select(1, torch.tensor([0, 2, 0])).pow(2).sum(), [x], "
        "create_graph=True)", "g5 = t5[0]", "g5.sum().backward()",
        "t6 = torch.autograd.grad(s.index_select(0, torch.tensor([0])).sum(), [s], create_graph=True)"],
    "a_gradient_passed_through_is_one_tensor": [
        "x = torch.tensor([1.0, -2.0], requires_grad=True)", "v = x.clone()",
        "t = torch.autograd.grad(v.sum(), [v, x])", "g = t[1]", "same = t[0] is t[1]",
        "g.requires_grad_()", "r = t[0][0].requires_grad"],
    "retained_grad_under_create_graph_is_a_clone": [
        "x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)", "v = x.view(4, 1, 1)",
        "v.retain_grad()", "t = torch.autograd.grad((v * v).sum(), [x], create_graph=True, "
        "retain_graph=True)", "g = v.grad", "(v * v).sum().backward(create_graph=True)", "h = v.grad"],
    "scatter_add_saves_its_index_only_for_src": [
        "x = torch.ones(2, 3, requires_grad=True)", "i = torch.tensor([[1, 0, 1]])",
        "v = x.scatter_add(0, i, torch.ones(1, 3))", "v.sum().backward()", "v.sum().backward()",
        "w = x.scatter_add(0, i, torch.ones(1, 3, requires_grad=True))", "w.sum().backward()",
        "w.sum().backward()"],
    "backward_of_a_stale_no_grad_view_names_the_view": [
        "x = torch.ones(2, 3, requires_grad=True)", "y = torch.sin(x)",
        "with torch.no_grad():\n    v = y.transpose(0, 1)", "torch.exp_(y)",
        "v.backward(torch.ones(3, 2))", "t = torch.autograd.grad(v, [x], torch.ones(3, 2))"],
    "requires_grad_must_be_a_bool": [
        "a = np.arange(12.0).reshape(3, 4)", "v = torch.tensor(a.T)", "c = v.is_contiguous()",
        "w = v.view(-1)", "v = torch.tensor(a[:, ::-1])", "v = torch.tensor(np.float64(2.0))",
        "v = torch.tensor([1.0], requires_grad=1)", "v = torch.zeros(2, requires_grad=0)",
        "v = torch.ones_like(torch.ones(2), requires_grad=None)",
        "v = torch.full((2,), 1.0, requires_grad=np.bool_(True))",
        "v = torch.ones(2).requires_grad_(1)", "v = torch.ones(2).requires_grad_(requires_grad=1)"],
    "size_1_dims_of_an_index_result_have_atens_strides": [
        "x = torch.ones(2, 4, 4, 3, requires_grad=True)", "v = x[:, -4][:, [2]]",
        "w = v @ torch.ones(3, 1)", "s = v.stride()"],
    "a_1_dim_empty_input_of_cat_gets_a_new_empty_grad": [
        "x = torch.ones(0, requires_grad=True)", "v = torch.cat([x, torch.ones(2)], dim=-1)",
        "t = torch.autograd.grad((v * v).sum(), [x, x], create_graph=True)", "g = t[1]"],
    "full_min_max_share_a_nan_grad_as_masked_fill": [
        "x = torch.tensor([1.0, 0.5, 0.5], requires_grad=True)",
        "h = x.register_hook(lambda g: rec('h', g))", "m = x.min()",
        "s = torch.std(m, dim=0, correction=2)", "s.backward()",
        "t = torch.autograd.grad(x.max() * x.min(), [x], create_graph=True)", "g = t[0]",
        "g.sum().backward()"],
    "double_backward_of_an_in_place_op_on_a_view_reads_the_view": [
        "x = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)", "v = (x * 2).permute(1, 0)[-2]",
        "v.sigmoid_()", "t = torch.autograd.grad(v.sum(), [x], create_graph=True)", "g = t[0]"],
    "div_checks_other_before_self": [
        "x = torch.tensor(2.0, requires_grad=True)", "a = x[None] * 3", "b = x[None].relu()",
        "v = a / b", "a[0] = torch.tensor(1.0, requires_grad=True)", "b[:] = -1.5",
        "v.sum().backward()"],
    "no_grad_view_operands_save_nothing": [
        "x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)",
        "y = torch.ones(2, requires_grad=True)", "v = x[torch.tensor([0, 1])]",
        "with torch.no_grad():\n    w = v[1]", "u = w * w", "z = w / w", "(y + u).sum().backward()",
        "u.sum().backward()", "z.sum().backward()"],
    "in_place_on_a_view_saves_a_clone_of_its_original": [
        "x = torch.tensor([[1.0, -2.0], [0.5, 3.0], [-1.0, 2.0]], requires_grad=True)",
        "v = (x ** -1)[-2:, 1:]", "v.abs_()",
        "t = torch.autograd.grad((v * v).sum(), [x], create_graph=True)", "g = t[0]",
        "w = (x * 2)[1:]", "w.mul_(torch.tensor([2.0, 3.0], requires_grad=True))",
        "u = torch.autograd.grad((w * w).sum(), [x], create_graph=True)", "h = u[0]",
        "(g.sum() + h.sum()).backward()"],
    "scatter_reads_a_stale_views_grad_fn_before_the_dtype_check": [
        "x = torch.ones(2, 3, dtype=torch.float64, requires_grad=True)", "y = 2 * x",
        "t = y.unbind(1)", "y.tanh_()", "v = t[0]",
        "w = v.scatter(0, torch.tensor([1]), torch.ones(1, requires_grad=True))",
        "w = v.scatter_add(0, torch.tensor([1]), torch.ones(1, requires_grad=True))"],
    "var_and_std_of_float32_accumulate_in_double": [
        "x = torch.tensor([[[0.523], [-0.504], [-0.257], [0.482]], "
        "[[-0.061], [-0.831], [0.172], [-0.368]]], requires_grad=True)",
        "v = x.expand(2, 4, 3).var(dim=-1, keepdim=True)", "i = torch.max(v, dim=0).indices",
        "s = x.expand(2, 4, 3).std(dim=-1)",
        "y = torch.tensor([[0.1, -1.7, 2.3, 0.9, -0.4], [1.1, 1.3, -2.9, 0.05, 0.7]])",
        "v2 = y.var(dim=1)", "s2 = y.std()", "s3 = y.std(dim=0, correction=0)"],
    "copy_checks_shapes_as_tensor_iterator": [
        "x = torch.ones(3, 2, requires_grad=True)", "y = x * 1", "y[:, 0].copy_(torch.ones(2, 1))",
        "y.copy_(torch.ones(4, 1, 2))", "y.copy_(torch.ones(2))", "y.copy_(torch.ones(3, 1))",
        "y[0].copy_(torch.ones(1, 2))", "y[1] = torch.ones(2, 1)"],
    "matmul_of_1_dim_by_2_dim_squeezes_in_place": [
        "x = torch.tensor([-0.8, 1.7, -1.5], requires_grad=True)", "v = x @ torch.ones(3, 1)",
        "n = v._version", "w = v.min()", "v.masked_fill_(v > 0, 0.0)", "w.sum().backward()",
        "u = torch.matmul(torch.ones(3), torch.ones(3, 2))", "m = u._version"],
    "a_stale_no_grad_view_raises_before_a_reductions_dim_error": [
        "x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)", "y = x * 2",
        "with torch.no_grad():\n    v = y.reshape(1, 3)\n    v[0, 0] = 5.0",
        "s = torch.std(v, (-2, 0), keepdim=True)", "s = v.var((0, 0))", "s = v.sum((0, -2))",
        "s = torch.mean(v, (1, 1))", "s = v.amax((0, 0))", "s = torch.amin(v, 4)",
        "s = torch.logsumexp(v, (0, 0))", "s = torch.norm(v, dim=(1, 1))", "s = torch.prod(v, 5)",
        "with torch.no_grad():\n    s = v.sum((0, 0))"],
    "post_accumulate_hook_on_a_view_of_a_base_made_to_require_grad": [
        "x = torch.tensor([[0.8, -0.8, 0.3, 1.3]], requires_grad=True)",
        "with torch.no_grad():\n    b = x * -1.5", "t = torch.chunk(b, 2, 1)", "s = b[:, :2]",
        "b.requires_grad_(True)", "v = t[-1]",
        "h = v.register_post_accumulate_grad_hook(lambda t: rec('h', t.grad))",
        "k = s.register_post_accumulate_grad_hook(lambda t: rec('k', t.grad))",
        "(b * 2).sum().backward()", "(v * 3).sum().backward()", "(s * 4).sum().backward()",
        "w = torch.ones(2).register_post_accumulate_grad_hook(lambda t: None)"],
    "copy_slices_zeroes_the_region_of_a_transposed_gradient": [
        "x = torch.arange(24.0).reshape(2, 4, 3, 1).requires_grad_()", "v = x[[0, -1]]",
        "w = v.squeeze(3)", "w[[1, 0]] = 3", "u = v.transpose(-2, -4)",
        "u.backward(torch.ones(3, 4, 2, 1))", "y = x * 1", "y[0, 1:3] = 0.5",
        "y.permute(3, 2, 1, 0).backward(torch.arange(24.0).reshape(1, 3, 4, 2))"],
    "in_place_on_a_non_view_saves_a_clone_of_its_original": [
        "x = torch.tensor([[-0.19, 0.35], [0.28, -0.63]], requires_grad=True)",
        "v = torch.stack([x, x], 2)", "w = v.float()", "w.pow_(2)",
        "t = torch.autograd.grad(v.sum(), [x], create_graph=True)", "g = t[0]",
        "y = x * 1", "y.sin_()", "u = torch.autograd.grad(y.sum(), [x], create_graph=True)",
        "h = u[0]", "(g.sum() + h.sum()).backward()"],
    "size_1_dims_keep_atens_strides_through_unsqueeze_and_elementwise": [
        "x = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64, requires_grad=True)",
        "p = x.permute(1, 0)", "with torch.no_grad():\n    u = p.unsqueeze(-2)",
        "s1 = u.stride()", "m = torch.min(u, torch.tensor([0.25]))", "s2 = m.stride()",
        "v = torch.matmul(m, torch.ones(1, 3))", "w = torch.matmul(m, torch.ones(1, 3, dtype=torch.float64))",
        "s3 = p.unsqueeze(2).stride()", "s4 = (p.unsqueeze(0) * 2).stride()"],
})


# -------------------------------------------------------------- nn fidelity (fidnn)
_X3 = "torch.tensor([[[0.3, -1.2], [2.0, 0.7]], [[-0.4, 1.1], [0.9, -2.2]]], requires_grad=True)"
CASES.update({
    "group_norm_and_lstm_clone_a_non_contiguous_input": [
        f"x = {_X3}", "v = F.group_norm(x.transpose(1, 2), 1)", "torch.manual_seed(0)",
        "m = nn.LSTM(2, 2)", "w = m(x[:, :, :1].expand(2, 2, 2) * 1.0)",
        "u = m(x.transpose(0, 1))[0]", "(v.sum() + u.sum()).backward()"],
    "group_norm_one_element_per_group_grad_is_bit_exact": [
        "x = torch.tensor([[0.25, -1.5], [3.0, 0.125]], requires_grad=True)",
        "v = nn.GroupNorm(2, 2, affine=False)(x)",
        "v.backward(torch.tensor([[0.3, -0.7], [1.1, 0.2]]))"],
    "smooth_l1_and_huber_double_backward": [
        f"x = {_X3}", "t = torch.tensor([[[0.1, -1.0], [1.0, 0.2]], [[0.0, 1.5], [0.3, -2.0]]])",
        "g = torch.autograd.grad(F.smooth_l1_loss(x, t, beta=0.7), x, create_graph=True)",
        "h = torch.autograd.grad(F.huber_loss(x, t, reduction='sum', delta=0.6), x, "
        "create_graph=True)", "(g[0] * g[0]).sum().backward()", "(h[0] ** 3).sum().backward()"],
    "sdpa_double_backward_is_not_implemented": [
        "q = torch.tensor([[[[0.1, 0.4], [0.3, -0.2]]]], requires_grad=True)",
        "g = torch.autograd.grad((F.scaled_dot_product_attention(q, q, q) ** 2).sum(), q, "
        "create_graph=True)", "g[0].sum().backward()"],
    "multihead_attention_one_dim_per_head_with_padding": [
        "torch.manual_seed(0)", "m = nn.MultiheadAttention(2, 2, batch_first=True)", "x = torch.ones(2, 3, 2) * 0.5",
        "x.requires_grad_()",
        "o, w = m(x, x, x, need_weights=False, key_padding_mask=torch.tensor("
        "[[False, True, False], [False, False, True]]))", "o.sum().backward()"],
})


# -------------------------------------------------------------- linear algebra (issue #11)
_SPD = "torch.tensor([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]], requires_grad=True)"
CASES.update({
    "linalg_gaussian_log_likelihood": [
        f"a = {_SPD}", "b = torch.tensor([[1.0, 2.0], [0.5, -1.0], [0.3, 0.7]])",
        "L = torch.linalg.cholesky(a)", "x = torch.cholesky_solve(b, L)",
        "n = 0.5 * (b * x).sum() + torch.log(L.diagonal()).sum() + torch.logdet(a)",
        "g = torch.autograd.grad(n, a, create_graph=True)", "(g[0] ** 2).sum().backward()"],
    "linalg_inverse_det_solve_and_decompositions": [
        f"a = {_SPD}", "i = torch.linalg.inv(a)", "d = torch.det(a)",
        "s = torch.linalg.slogdet(a)", "x = torch.linalg.solve(a, a[0])",
        "q = torch.linalg.qr(a)", "e = torch.linalg.eigvalsh(a)", "v = torch.linalg.svdvals(a)",
        "p = torch.linalg.pinv(a[:2])",
        "(i.sum() + d + s.logabsdet + x.sum() + q.R.sum() + e.sum() + v.sum() + p.sum())"
        ".backward()"],
    "linalg_cdist_cross_and_errors": [
        "x = torch.tensor([[0.1, 0.2, 0.3], [1.0, -1.0, 0.5]], requires_grad=True)",
        "c = torch.cdist(x, x * 2, p=1.5)", "m = torch.linalg.cross(x, x.flip(0))",
        "k = torch.kron(x, x[:1])", "(c.sum() + m.sum() + k.sum()).backward()",
        "torch.linalg.inv(torch.tensor([[1.0, 2.0], [2.0, 4.0]]))",
        "torch.linalg.cholesky(-torch.eye(2))"],
})

# The graphs create_graph builds through each linalg op's gradient, node for node as torch's.
_R = ("torch.tensor([[1.0, 2.0, 0.3], [0.5, -1.0, 0.8], [0.3, 0.7, -0.4], [1.5, -0.2, 0.1]], "
      "requires_grad=True)")
_LINALG_GRAPHS = {
    "inv": "torch.linalg.inv(a)", "inv_ex": "torch.linalg.inv_ex(a).inverse",
    "det": "torch.linalg.det(a)", "slogdet": "torch.linalg.slogdet(a).logabsdet",
    "logdet": "torch.logdet(a)", "solve": "torch.linalg.solve(a, a[0])",
    "solve_matrix": "torch.linalg.solve(a, a * 2)", "cholesky": "torch.linalg.cholesky(a)",
    "torch_cholesky": "torch.cholesky(a)", "qr_R": "torch.linalg.qr(r).R",
    "svdvals": "torch.linalg.svdvals(r)", "qr_Q": "torch.linalg.qr(r).Q",
    "svd_U": "torch.linalg.svd(r, full_matrices=False).U.abs()",
    "svd_Vh": "torch.linalg.svd(r, full_matrices=False).Vh.abs()",
    "svd_wide_U": "torch.linalg.svd(r.mT, full_matrices=False).U.abs()",
    "eigh": "torch.linalg.eigh(a).eigenvectors.abs()", "eigvalsh": "torch.linalg.eigvalsh(a)",
    "eigh_both": "(lambda e: e.eigenvalues * e.eigenvectors ** 2)(torch.linalg.eigh(a))",
    "pinv": "torch.linalg.pinv(r)", "cross": "torch.linalg.cross(r[:, :3], r.flip(0))",
    "cdist_mm": "torch.cdist(r, r * 2, compute_mode='use_mm_for_euclid_dist')",
    "trace": "torch.trace(a)", "kron": "torch.kron(a, r)", "diag_embed": "torch.diag_embed(r)",
    "solve_triangular": "torch.linalg.solve_triangular(a, r.mT, upper=True)",
    "cholesky_solve": "torch.cholesky_solve(r.mT, a.tril())",
    "cholesky_inverse": "torch.cholesky_inverse(a.tril())",
    "lstsq": "torch.linalg.lstsq(r, r[:, :2]).solution",
    "matrix_exp": "torch.linalg.matrix_exp(a * 0.3)",
    "matrix_norm_nuc": "torch.linalg.matrix_norm(a, 'nuc')",
    "matrix_norm_2": "torch.linalg.matrix_norm(r, 2)",
    "matrix_norm_1": "torch.linalg.matrix_norm(r, 1)", "cond": "torch.linalg.cond(r)",
    "multi_dot": "torch.linalg.multi_dot([r, a, r.mT])",
    "cdist_p3": "torch.cdist(r, r * 2, p=3)", "solve_right": "torch.linalg.solve(a, r, left=False)",
}
for _name, _expr in _LINALG_GRAPHS.items():
    CASES[f"linalg_double_backward_graph_{_name}"] = [
        f"a = {_SPD}", f"r = {_R}", f"y = {_expr}",
        "g = torch.autograd.grad((y * y).sum(), [a, r], create_graph=True, allow_unused=True)",
        "h = [x for x in g if x is not None]", "(sum((x * x).sum() for x in h)).backward()"]

# -------------------------------------------------------------- float32 and leftovers (fidfloat)
CASES.update({
    "prod_grad_after_data_written_with_nan": [
        "x = torch.tensor([[0.5, -2.0, 3.0], [1.5, 4.0, -1.0]], requires_grad=True)",
        "v = x.prod()", "w = x.prod(1)", "u = x.prod(0, keepdim=True)", "x.data.log_()",
        "(v + w.sum() + u.sum()).backward()"],
    "layer_norm_of_two_elements_param_grads": [
        "x = torch.tensor([[0.69, 1.64], [0.66, -2.61], [1.81, 0.89], [-1.07, 1.16]], "
        "requires_grad=True)", "m = nn.LayerNorm(2)", "v = m(x)",
        "v.backward(torch.tensor([[0.4, 0.3], [0.0, 0.5], [-0.7, -0.2], [-0.5, 0.6]]))"],
    "view_op_in_place_keeps_the_views_old_node_until_released": [
        "x = torch.ones(4, 3, 2, requires_grad=True)", "v4 = x / torch.full((4, 3, 2), 2.0)",
        "v5 = v4[:, 0]", "v5.reciprocal_()", "v9 = v4.reshape(12, 2)", "v10 = v5[:]",
        "v10.relu_()", "v14 = torch.reshape(v9, (-1, 3, 8))",
        "v14.backward(torch.ones(1, 3, 8), retain_graph=True)", "v9.sum().backward()"],
    "view_with_grad_of_a_no_grad_view_keeps_requiring_grad": [
        "x = torch.tensor([[1.0, 2.0]], requires_grad=True)",
        "with torch.no_grad():\n    v = x.view(1, 1, 2)", "w = v.view(2)",
        "x.requires_grad_(False)", "u = w * 2"],
})

# -------------------------------------------------------------- creation meta of views (lead)
CASES.update({
    "no_grad_view_of_an_unbind_output_names_no_grad_when_edited": [
        "x = torch.ones(3, 3, 1, requires_grad=True)", "v = x.unbind(2)[-1]",
        "with torch.no_grad():\n    w = v.unsqueeze(1)", "u = w[1:]", "u.mul_(2)"],
    "unbind_of_a_no_grad_view_names_multiple_views_when_edited": [
        "x = torch.ones(3, 2, requires_grad=True)",
        "with torch.no_grad():\n    v = x.view(2, 3)", "w = v.unbind(0)[0]", "w.mul_(2)"],
})

# -------------------------------------------------------------- custom Function views (lead)
_IDENTITY_FUNCTION = (
    "class Identity(torch.autograd.Function):\n"
    "    @staticmethod\n    def forward(ctx, x):\n        return x\n"
    "    @staticmethod\n    def backward(ctx, g):\n        return g")
CASES.update({
    "full_backward_hook_then_an_in_place_relu_is_refused": [
        "torch.manual_seed(0)", "net = nn.Sequential(nn.Linear(3, 3), nn.ReLU(inplace=True), nn.Linear(3, 1))",
        "h = net[1].register_full_backward_hook(lambda m, gi, go: None)",
        "x = torch.tensor([[1.0, -2.0, 0.5], [0.3, 0.2, -0.1]])", "y = net(x)"],
    "an_input_a_custom_function_returned_as_is_is_not_edited_in_place": [
        _IDENTITY_FUNCTION, "x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)",
        "h = x * 2", "y = Identity.apply(h)", "y.mul_(2)"],
    "its_grad_fn_is_refused_after_an_edit_under_no_grad": [
        _IDENTITY_FUNCTION, "x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)",
        "h = x * 2", "y = Identity.apply(h)", "with torch.no_grad():\n    y.mul_(2)",
        "f = y.grad_fn"],
    "without_grad_it_is_edited_freely": [
        _IDENTITY_FUNCTION, "x = torch.tensor([1.0, -2.0])", "y = Identity.apply(x)",
        "y.mul_(3)", "z = x + y"],
})

# -------------------------------------------------------------- norms' double backward (normseeds)
CASES.update({
    "group_norm_weight_grad_under_create_graph_seed_400117": [
        "x = torch.tensor([[0.628, -0.043, 0.05], [0.206, 0.887, -0.523]], requires_grad=True)",
        "w = torch.tensor([-2.021, -0.192, 0.916], requires_grad=True)",
        "b = torch.tensor([-0.517, 1.067, 0.619], requires_grad=True)",
        "v = F.group_norm(x, 3, w, b, eps=0.001)",
        "s = F.l1_loss(v, torch.tensor([[0.574, -0.649, 0.259], [-0.481, -2.388, 0.164]]))",
        "t = torch.autograd.grad((s * s).sum(), [w], create_graph=True, retain_graph=True)"],
    "group_norm_second_and_third_derivatives": [
        "x = torch.tensor([[[0.5, -1.2, 0.3], [1.1, 0.2, -0.7]], [[-0.4, 0.9, 1.6], "
        "[0.05, -1.3, 0.8]]], requires_grad=True)",
        "w = torch.tensor([1.5, -0.5], requires_grad=True)",
        "v = F.group_norm(x * 2, 1, w)",
        "g = torch.autograd.grad((v * v * v).sum(), [x, w], create_graph=True)",
        "h = torch.autograd.grad(sum((t * t).sum() for t in g), [x, w], create_graph=True)",
        "sum(t.sum() for t in h).backward()"],
    "layer_norm_second_and_third_derivatives": [
        "x = torch.tensor([[0.5, -1.2, 0.3, 2.0], [1.1, 0.2, -0.7, 0.4]], requires_grad=True)",
        "m = nn.LayerNorm(4)", "v = m(x)",
        "g = torch.autograd.grad((v * v * v).sum(), [x, m.weight, m.bias], create_graph=True)",
        "h = torch.autograd.grad(sum((t * t).sum() for t in g), [x, m.weight], "
        "create_graph=True)",
        "sum(t.sum() for t in h).backward()"],
    "conv_transpose_of_an_empty_slice_seed_400343": [
        "x = torch.ones(2, 2, 2, 4, requires_grad=True)", "v = x[..., 2:3, 2:0, 0]",
        "m = nn.ConvTranspose2d(2, 2, 1, stride=2, padding=1, groups=2, bias=False)\n"
        "with torch.no_grad():\n    m.weight.fill_(0.5)",
        "y = m(v)"],
    "broadcast_matmul_rounds_as_small_bmm_seed_500869": [
        "a = torch.tensor([[[[0.309, -1.44, 1.559]]]], requires_grad=True)",
        "b = torch.tensor([[[0.369], [1.012], [0.894]], [[1.0], [2.0], [3.0]]], "
        "requires_grad=True)",
        "y = (a @ b).double()", "y.sum().backward()"],
})
CASES.update({
    "attention_of_one_key_on_rows_masked_everywhere_seed_520117": [
        "q = torch.ones(2, 1, 3, 3)", "k = torch.ones(2, 1, 1, 3, requires_grad=True)",
        "v = torch.tensor([[[[1.061, 0.069, 2.174]]], [[[0.035, -0.532, -0.351]]]])",
        "y = F.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor([[0], [1], [0]]) "
        "> 0, scale=0.5)", "z = y.reciprocal()"],
})
CASES.update({
    "sub_with_alpha_under_create_graph_seed_530339": [
        "x = torch.tensor([1.606, -0.206], requires_grad=True)", "v = x.reciprocal()",
        "y = torch.tensor([[-0.118, -0.299]], requires_grad=True)",
        "w = torch.sub(v, y, alpha=2)", "u = torch.rsub(v, y, alpha=-0.5)",
        "t = torch.autograd.grad((w * w + u * u).sum(), [y], create_graph=True, "
        "retain_graph=True)"],
})
CASES.update({
    "lstm_of_an_empty_batch_seed_530973": [
        "x = torch.zeros(1, 0, 1, requires_grad=True)",
        "m = nn.LSTM(1, 1, num_layers=2)\nwith torch.no_grad():\n    for p in m.parameters():"
        "\n        p.fill_(0.5)",
        "y, (h, c) = m(x, (torch.zeros(2, 0, 1), torch.zeros(2, 0, 1)))"],
})
CASES.update({
    "attention_with_a_nan_query_row_seed_530026": [
        "q = torch.tensor([[[[float('nan'), 1.0], [0.5, -1.0], [0.2, 0.3]]]], "
        "requires_grad=True)", "k = torch.tensor([[[[1.0, 2.0], [0.3, -0.4]]]], requires_grad=True)",
        "v = torch.tensor([[[[1.0, -2.0], [0.3, 0.4]]]], requires_grad=True)",
        "y = F.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor([[True, True], "
        "[False, False], [True, False]]))", "y.sum().backward()"],
})

# -------------------------------------------------------------- tensorops (issue #11)
CASES.update({
    "take_has_one_edge": [
        "x = torch.tensor(1.25, requires_grad=True)", "v = x.take(torch.tensor([0, 0, 0]))",
        "v.sum().backward()"],
    "in_place_comparison_records_its_node": [
        f"x = {_A}", "y = x * 1", "y.eq_(0.5)", "z = x * 1", "z.gt_(torch.zeros(3))",
        "(y + z).sum().backward()"],
    "logical_in_place_keeps_the_node_and_regenerates_the_view": [
        f"x = {_A}", "y = x * 1", "v = y[1:]", "v.logical_not_()", "y.logical_or_(y)",
        "(v * 2).sum().backward()"],
    "unfold_and_as_strided_double_backward": [
        f"x = {_A}", "u = x.unfold(1, 2, 1)", "s = x.as_strided((2, 2), (1, 2), 1)",
        "g = torch.autograd.grad((u ** 3).sum() + (s ** 3).sum(), x, create_graph=True)[0]",
        "(g * g).sum().backward()"],
    "quantile_graph": [
        f"x = {_A}", "q = x.quantile(torch.tensor([0.25, 0.75]), dim=1)",
        "n = x.nanquantile(0.4)", "(q.sum() + n).backward()"],
    "bitwise_operators_of_ints": [
        "i = torch.tensor([5, -3, 12, 0])", "v = (i & 3) | (i >> 1) ^ ~i", "w = 2 << i.abs()",
        "i &= 6", "i <<= 1"],
})

# -------------------------------------------------------------- losses and distances (nnloss)
CASES.update({
    "cosine_similarity_expands_both_and_clamps_a_clone": [
        "a = torch.tensor([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]], requires_grad=True)",
        "b = torch.tensor([1.0, 2.0, -0.5], requires_grad=True)",
        "v = F.cosine_similarity(a, b, dim=-1)", "(v * v).sum().backward()"],
    "triplet_margin_loss_swap_is_norms_and_a_minimum": [
        "a = torch.tensor([[0.1, 0.9], [1.5, -0.3]], requires_grad=True)",
        "p = torch.tensor([[0.2, 0.4], [1.0, 0.0]], requires_grad=True)",
        "n = torch.tensor([[0.3, 1.1], [-1.0, 0.5]], requires_grad=True)",
        "v = F.triplet_margin_loss(a, p, n, margin=1.5, p=1, swap=True, reduction='none')",
        "w = nn.TripletMarginWithDistanceLoss(margin=0.5)(a, p, n)",
        "(v.sum() + w).backward()"],
    "cosine_embedding_and_hinge_losses_keep_the_scalar_ops": [
        "a = torch.tensor([[0.3, -0.7, 1.2], [0.9, 0.1, -0.4]], requires_grad=True)",
        "b = torch.tensor([[1.0, 0.5, -0.2], [0.2, 0.2, 0.8]], requires_grad=True)",
        "v = F.cosine_embedding_loss(a, b, torch.tensor([1.0, -1.0]), margin=-0.3)",
        "w = F.hinge_embedding_loss(a, torch.tensor([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]]))",
        "u = torch.margin_ranking_loss(a[0], b[0], torch.tensor([1.0, -1.0, 1.0]), 0.2)",
        "(v + w + u.sum()).backward()"],
    "margin_losses_with_legacy_reduction_arguments": [
        "x = torch.tensor([[0.3, -0.7, 1.2, 0.1], [0.9, 0.1, -0.4, 2.0]], requires_grad=True)",
        "v = F.multi_margin_loss(x, torch.tensor([3, 0]), p=2, size_average=False)",
        "w = F.multilabel_margin_loss(x, torch.tensor([[1, 2, -1, 0], [0, -1, 3, 3]]), "
        "reduce=False)", "u = nn.SoftMarginLoss(size_average=False)(x, x.detach().sign())",
        "(v + w.sum() + u).backward()"],
    "gaussian_and_poisson_nll_with_variances_that_need_grad": [
        "x = torch.tensor([[0.3, -0.7], [0.9, 0.1]], requires_grad=True)",
        "s = torch.tensor([[0.5], [1e-8]], requires_grad=True)",
        "v = F.gaussian_nll_loss(x, torch.zeros(2, 2), s * s, full=True)",
        "w = nn.PoissonNLLLoss(log_input=False, full=True)(x.abs(), torch.tensor([[0.0, 2.0], "
        "[3.0, 1.0]]))", "(v + w).backward()"],
})

# -------------------------------------------------------------- missing nn layers (nnlayers)
CASES.update({
    "transformer_seeded_training_step": [
        "torch.manual_seed(0)",
        "m = nn.Transformer(8, 2, 1, 1, 16, dropout=0.2, batch_first=True, norm_first=True)",
        "src = torch.randn(2, 5, 8, requires_grad=True)", "tgt = torch.randn(2, 3, 8)",
        "mask = nn.Transformer.generate_square_subsequent_mask(3)",
        "v = m(src, tgt, tgt_mask=mask, src_key_padding_mask=torch.tensor("
        "[[False] * 5, [False, False, False, True, True]]))",
        "(v * v).sum().backward()", "w = src.grad"],
    "transformer_decoder_layer_gelu_unbatched": [
        "torch.manual_seed(1)", "layer = nn.TransformerDecoderLayer(4, 2, 8, 0.0, 'gelu')",
        "x = torch.randn(3, 4, requires_grad=True)", "mem = torch.randn(5, 4)",
        "v = nn.TransformerDecoder(layer, 2)(x, mem, tgt_is_causal=False)", "v.sum().backward()"],
    "random_layers_draw_as_torch": [
        "torch.manual_seed(2)", "x = torch.randn(2, 3, 4, requires_grad=True)",
        "v1 = F.rrelu(x, training=True)", "v2 = F.alpha_dropout(x, 0.3, True)",
        "v3 = F.feature_alpha_dropout(x, 0.4, True)", "v4 = F.dropout1d(x, 0.5)",
        "v5 = nn.RReLU(0.1, 0.4)(x * 1)", "(v1 + v2 + v3 + v4 + v5).sum().backward()"],
    "rrelu_in_place_double_backward": [
        "torch.manual_seed(3)", "x = torch.randn(6, dtype=torch.float64, requires_grad=True)",
        "y = x * 1", "F.rrelu_(y, 0.2, 0.5, True)",
        "g = torch.autograd.grad((y * y).sum(), x, create_graph=True)[0]",
        "g.sum().backward()"],
    "channel_layers": [
        "torch.manual_seed(4)", "x = torch.randn(2, 6, 2, 3, 2, requires_grad=True)",
        "v1 = nn.BatchNorm3d(6)(x)", "v2 = nn.InstanceNorm3d(6, affine=True)(x)",
        "v3 = F.local_response_norm(x, 3)", "v4 = F.channel_shuffle(x, 3)",
        "(v1 + v2 + v3 + v4).pow(2).sum().backward()"],
    "lp_pool_adaptive_max_unpool_3d": [
        "x = torch.linspace(-2, 3, 2 * 2 * 4 * 4 * 4).reshape(2, 2, 4, 4, 4).requires_grad_()",
        "v1 = F.lp_pool3d(x.abs() + 0.5, 2, 2)",
        "v2, i2 = F.adaptive_max_pool3d(x, (2, 3, 1), True)",
        "p, i = F.max_pool3d(x, 2, return_indices=True)", "v3 = F.max_unpool3d(p, i, 2)",
        "v4 = F.lp_pool1d(x[0, 0], 3, 2)",
        "(v1.sum() + v2.sum() + v3.pow(2).sum() + v4.sum()).backward()"],
    "lazy_modules_initialise_as_torch": [
        "torch.manual_seed(5)",
        "m = nn.Sequential(nn.LazyConv1d(3, 2), nn.LazyBatchNorm1d(), nn.Flatten(), "
        "nn.LazyLinear(2))",
        "x = torch.randn(4, 2, 5, requires_grad=True)", "v = m(x)", "v.sum().backward()",
        "w = list(m.parameters())"],
    "spatial_transformer_grid_sample": [
        "torch.manual_seed(6)", "x = torch.randn(2, 3, 6, 5, requires_grad=True)",
        "theta = torch.tensor([[[0.9, -0.2, 0.1], [0.3, 1.1, -0.2]], "
        "[[1.2, 0.1, 0.0], [-0.1, 0.8, 0.3]]], requires_grad=True)",
        "g = F.affine_grid(theta, (2, 3, 4, 7), align_corners=False)",
        "v1 = F.grid_sample(x, g, align_corners=False)",
        "v2 = F.grid_sample(x, g * 1.5, mode='nearest', padding_mode='border', align_corners=True)",
        "v3 = F.grid_sample(x, g * 2, padding_mode='reflection', align_corners=False)",
        "(v1.pow(2).sum() + v2.sum() + v3.sum()).backward()"],
    "grid_sample_3d_double_backward": [
        "torch.manual_seed(7)",
        "x = torch.randn(1, 2, 2, 3, 4, dtype=torch.float64, requires_grad=True)",
        "g = (torch.rand(1, 2, 1, 2, 3, dtype=torch.float64) * 2.4 - 1.2).requires_grad_()",
        "v = F.grid_sample(x, g, padding_mode='border', align_corners=True)",
        "gx, gg = torch.autograd.grad((v * v).sum(), [x, g], create_graph=True)",
        "((gx * gx).sum() + (gg * gg).sum()).backward()"],
})

CASES.update({
    "mha_key_is_value_backward_order_seed_530307": [
        "q = torch.tensor([[[-0.739, -0.685, 1.601, 1.073]], [[-0.169, -0.632, -0.197, -0.105]]])",
        "kv = torch.tensor([[[-1.977, -1.158, 0.042, 0.26]], [[0.27, -0.764, 2.42, -0.103]]], "
        "requires_grad=True)",
        "m = nn.MultiheadAttention(4, 2)\nwith torch.no_grad():\n"
        "    m.in_proj_weight.copy_(torch.linspace(-1, 1, 48).reshape(12, 4))\n"
        "    m.out_proj.weight.copy_(torch.linspace(-1, 0.5, 16).reshape(4, 4))",
        "o, w = m(q, kv, kv, need_weights=True)", "F.silu(q, inplace=True)",
        "w.sum().backward()"],
})
CASES.update({
    "std_of_equal_float32_values_seed_541162": [
        "x = torch.full((3,), 0.6933, requires_grad=True)", "s = x.std(dim=0, keepdim=True)",
        "r = s.detach().reciprocal()", "v = torch.full((2, 3), 0.3).var()"],
})
CASES.update({
    "scatter_of_a_stale_split_output_seed_542366": [
        "x = torch.tensor([-0.932, -2.543, 0.212], requires_grad=True)",
        "v = torch.add(x, 2, alpha=2)", "t = v.split(3, dim=0)",
        "v[..., -4:] = torch.tensor([0.038, -0.037, 0.398])", "w = t[-1]",
        "u = w.scatter(0, torch.tensor([2, 0, 3]), 2)"],
})
CASES.update({
    "max_unpool_of_an_empty_batch_seed_550513": [
        "x = torch.zeros(0, 1, 3, 4, requires_grad=True)",
        "t, i = F.max_pool2d(x, 3, 1, return_indices=True)",
        "v = F.max_unpool2d(t, i, 3, 1, output_size=[3, 4])", "v.sum().backward()"],
})

# -------------------------------------------------------------- fresh nn seeds 700000+ (lead)
CASES.update({
    "pdist_of_a_strided_view_is_made_contiguous_first": [
        "x = torch.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], requires_grad=True)",
        "v = x[None, ::2]", "d = F.pdist(x.t())", "e = F.pdist(v.t(), p=2)"],
    "instance_norm_of_an_empty_batch_selects_weight_zero": [
        "m = nn.InstanceNorm2d(2, affine=True)", "y = m(torch.ones(0, 2, 3, 3))"],
})

# -------------------------------------------------------------- sort keeps the input's layout (lead)
CASES.update({
    "sort_and_argsort_of_a_permuted_tensor_keep_its_strides": [
        "x = torch.tensor([[[1.0, -2.0], [3.0, 0.5]], [[4.0, -1.0], [2.5, 0.0]]], "
        "requires_grad=True)", "p = x.permute(2, 1, 0)", "s = p.sort(0)", "v = s.values",
        "f = v.flatten()", "a = p.argsort(1)", "m = torch.msort(p).reshape(-1)"],
})

# -------------------------------------------------------------- embedding_bag (breadth)
CASES.update({
    "embedding_bag_modes_with_padding_and_sample_weights": [
        "w = torch.tensor([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5], [1.0, 1.0]], "
        "requires_grad=True)",
        "i = torch.tensor([1, 2, 1, 3, 0, 2])", "o = torch.tensor([0, 2, 2])",
        "p = torch.tensor([0.5, 2.0, -1.0, 1.5, 0.25, 3.0], requires_grad=True)",
        "s = F.embedding_bag(i, w, o, mode='sum', per_sample_weights=p, padding_idx=3)",
        "m = F.embedding_bag(i.reshape(2, 3), w, mode='max')",
        "a = F.embedding_bag(i, w, o, scale_grad_by_freq=True)",
        "(s.sum() + (m * m).sum() + a.sum()).backward()"],
    "embedding_bag_module_with_last_offset": [
        "torch.manual_seed(0)",
        "b = nn.EmbeddingBag(5, 3, mode='sum', include_last_offset=True)",
        "y = b(torch.tensor([4, 0, 4, 1]), torch.tensor([0, 1, 1, 4]))",
        "y.pow(2).sum().backward()"],
    "nll_loss_2d_is_nll_loss_under_its_old_name": [
        "x = torch.tensor([[[[0.5, -1.0]], [[2.0, 0.25]], [[-0.75, 1.5]]]], requires_grad=True)",
        "m = nn.NLLLoss2d(weight=torch.tensor([1.0, 2.0, 0.5]))",
        "y = m(F.log_softmax(x, 1), torch.tensor([[[2, 0]]]))", "y.backward()"],
})
