"""torch.as_tensor and torch.from_numpy share memory with a NumPy array when dtype allows,
live against torch: writes through either side are seen by the other."""
import numpy as np
import pytest

from tests.oracle import agree, error_of, params, scenarios


def _both_ways(t, array, tensor, index):
    """What each side sees after a write through the other."""
    tensor[index] = -5
    seen_by_array = array[index].item()
    array[index] = 7
    return seen_by_array, tensor[index].item(), str(tensor.dtype), tuple(tensor.stride())


def sc_ndarray_is_shared(t):
    a = np.arange(6.0).reshape(2, 3)
    return _both_ways(t, a, t.as_tensor(a), (0, 1))


def sc_same_dtype_named_is_shared(t):
    a = np.arange(6, dtype=np.int32)
    return _both_ways(t, a, t.as_tensor(a, dtype=t.int32), (2,))


def sc_transposed_and_strided_are_shared(t):
    a = np.arange(12.0).reshape(3, 4)
    b = np.arange(10.0)[::2]
    return _both_ways(t, a, t.as_tensor(a.T), (1, 2)), _both_ways(t, b, t.as_tensor(b), (3,))


def sc_from_numpy_is_shared(t):
    a = np.arange(4.0, dtype=np.float32)
    return _both_ways(t, a, t.from_numpy(a), (1,))


def sc_other_dtype_copies(t):
    a = np.arange(6.0).reshape(2, 3).T
    tensor = t.as_tensor(a, dtype=t.float32)
    tensor[0, 0] = 9
    return a[0, 0].item(), str(tensor.dtype), tuple(tensor.stride())


def sc_list_and_scalar_copy(t):
    values = [1.0, 2.0]
    tensor = t.as_tensor(values)
    tensor[0] = 5
    scalar = t.as_tensor(np.float64(2.5))
    return values, str(tensor.dtype), str(t.as_tensor([1, 2]).dtype), str(scalar.dtype), \
        str(t.as_tensor([1, 2], dtype=t.float64).dtype)


def sc_a_tensor_is_itself(t):
    x = t.ones(2, requires_grad=True)
    same = t.as_tensor(x), t.as_tensor(x, dtype=t.float32), t.as_tensor(x, device="cpu")
    other = t.as_tensor(x, dtype=t.float64)
    return [y is x for y in same], other is x, other.grad_fn.name(), other.requires_grad


def sc_negative_strides_are_refused(t):
    a = np.arange(6.0).reshape(2, 3)[:, ::-1]
    return error_of(lambda: t.as_tensor(a)), error_of(lambda: t.from_numpy(a)), \
        error_of(lambda: t.as_tensor(a, dtype=t.float32))


def sc_shared_under_inference_mode(t):
    a = np.arange(3.0)
    with t.inference_mode():
        shared = t.as_tensor(a), t.from_numpy(a)
    return [s.is_inference() for s in shared]


SCENARIOS = scenarios(globals())


@pytest.mark.parametrize("name", params(SCENARIOS))
def test_as_tensor_agrees_with_torch(name):
    agree(SCENARIOS[name])
