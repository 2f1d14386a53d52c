"""cosine_similarity records x2 / x2_norm before x1 / x1_norm, as ATen's compiled
`(*x1 / x1_norm) * (*x2 / x2_norm)` does (operands evaluated right to left): the order
decides which branch the backward runs first, hence the order in which a double backward
adds the contributions of the two norms (nn seed 1000759), live against torch."""
import oracle


def numbered_graph(tensor):
    numbers, lines = {}, []

    def visit(node):
        if node is None or node in numbers:
            return
        numbers[node] = len(numbers)
        lines.append(node)
        for child, _ in node.next_functions:
            visit(child)

    visit(tensor.grad_fn)
    return [(numbers[n], n.name().rsplit("::", 1)[-1],
             [None if c is None else numbers[c] for c, _ in n.next_functions]) for n in lines]


def double_backward_graph(lib):
    torch = lib.torch
    x = torch.tensor([[0.3, -0.9], [1.2, 0.4], [0.5, 2.0]], requires_grad=True)
    similarity = torch.nn.functional.cosine_similarity(x, x, dim=0)
    grad, = torch.autograd.grad(similarity.sum(), [x], create_graph=True)
    second, = torch.autograd.grad(grad.pow(2).sum(), [x])
    return numbered_graph(grad), [round(v, 6) for v in second.flatten().tolist()]


def test_the_second_quotient_is_recorded_first():
    graph, _ = oracle.agree(double_backward_graph, namespace_arg=True)
    assert graph[0][1] == "AddBackward0"
