"""L-BFGS with an optional strong-Wolfe line search, as PyTorch's `torch.optim.LBFGS`.

The parameters are flattened into one vector; the scalars the algorithm derives from it
(dot products, norms, the step t) are 0-dim tensors in the parameters' dtype in PyTorch, and
NumPy scalars of that dtype here: NumPy 2 treats Python floats as weak scalars exactly as
PyTorch's type promotion does (float32 + float stays float32, comparisons too), so each
decision (a Wolfe test, a tolerance) is taken on the same rounded values. What stays a Python
float in PyTorch (the losses, `lr`, `prev_loss`) is one here too. In the state, the scalars
that are tensors in PyTorch are 0-dim Tensors. Dot products sum in NumPy's (OpenBLAS's) order,
not MKL's: they can differ in the last bit."""
from __future__ import annotations

import numpy as np

from engine.autograd.grad_mode import no_grad
from engine.optim.optimizer import Optimizer
from engine.optim._fma import fma as _fma
from engine.tensor import Tensor

_STATE_VECTORS = ("d", "prev_flat_grad")
_STATE_LISTS = ("old_dirs", "old_stps", "ro", "al")


class LBFGS(Optimizer):
    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, {
            "lr": lr, "max_iter": max_iter, "max_eval": max_eval,
            "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
            "history_size": history_size, "line_search_fn": line_search_fn})
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ------------------------------------------------------------ the flat vector
    def _flat_grad(self) -> np.ndarray:
        parts = [np.zeros(p._data.size, p._data.dtype) if p._grad is None
                 else p._grad._data.reshape(-1) for p in self._params]
        return np.concatenate(parts)

    def _move(self, step, direction: np.ndarray) -> None:
        """Each parameter += step * its slice of `direction` (ATen's add_ with alpha: one
        rounding)."""
        offset = 0
        for param in self._params:
            data = param._data
            piece = direction[offset:offset + data.size].reshape(data.shape)
            data[...] = _fma(piece, np.asarray(step, data.dtype), data, data.dtype)
            offset += data.size
            self._changed(param, "add_")

    def _copies(self) -> list:
        return [p._data.copy() for p in self._params]

    def _restore(self, copies: list) -> None:
        for param, saved in zip(self._params, copies):
            param._data[...] = saved
            self._changed(param, "copy_")

    def _evaluate_along(self, closure, start: list, step, direction):
        """(loss, flat gradient) at start + step * direction; the parameters go back to start."""
        self._move(step, direction)
        loss = float(self._run_closure(closure))
        grad = self._flat_grad()
        self._restore(start)
        return loss, grad

    # ------------------------------------------------------------ the step
    def step(self, closure):
        with no_grad():
            return self._step(closure)

    def _step(self, closure):
        group = self.param_groups[0]
        lr = float(group["lr"]) if isinstance(group["lr"], Tensor) else group["lr"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._run_closure(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        memory = _Memory.load(state)
        d, t = memory.d, memory.t
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                memory.reset()
            else:
                memory.remember(flat_grad - memory.prev_flat_grad, d * t, group["history_size"])
                d = memory.direction(flat_grad, group["history_size"])
            memory.prev_flat_grad = flat_grad.copy()
            memory.prev_loss = loss

            if state["n_iter"] == 1:
                t = min(1.0, _divide(1.0, np.abs(flat_grad).sum())) * lr
            else:
                t = lr
            gtd = flat_grad @ d
            if gtd > -tolerance_change:
                break

            evals = 0
            if group["line_search_fn"] is not None:
                if group["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                start = self._copies()

                def along(step):
                    return self._evaluate_along(closure, start, step, d)
                loss, flat_grad, t, evals = _strong_wolfe(along, t, d, loss, flat_grad, gtd,
                                                          max_ls=max_eval - current_evals)
                self._move(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._move(t, d)
                opt_cond = False
                if n_iter != max_iter:
                    loss = float(self._run_closure(closure))
                    flat_grad = self._flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    evals = 1
            current_evals += evals
            state["func_evals"] += evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - memory.prev_loss) < tolerance_change:
                break

        memory.d, memory.t = d, t
        memory.store(state)
        self._step_count += 1
        return orig_loss


class _Memory:
    """The curvature pairs and what the next step starts from, unpacked from the state."""

    def __init__(self) -> None:
        self.d = self.t = self.prev_flat_grad = self.prev_loss = None
        self.old_dirs = self.old_stps = self.ro = self.al = None
        self.H_diag = None

    @classmethod
    def load(cls, state: dict) -> "_Memory":
        memory = cls()
        for key in _STATE_VECTORS:
            if key in state:
                setattr(memory, key, state[key]._data)
        for key in _STATE_LISTS:
            if key in state:
                setattr(memory, key, [_unwrap(v) for v in state[key]])
        memory.t = _unwrap(state.get("t"))
        memory.H_diag = _unwrap(state.get("H_diag"))
        memory.prev_loss = state.get("prev_loss")
        return memory

    def store(self, state: dict) -> None:
        state["d"] = Tensor._make(self.d)
        state["t"] = _wrap(self.t)
        for key in ("old_dirs", "old_stps", "ro"):
            state[key] = [_wrap(v) for v in getattr(self, key)]
        state["H_diag"] = _wrap(self.H_diag)
        state["prev_flat_grad"] = Tensor._make(self.prev_flat_grad)
        state["prev_loss"] = self.prev_loss
        if self.al is not None:
            state["al"] = [_wrap(v) for v in self.al]

    def reset(self) -> None:
        self.old_dirs, self.old_stps, self.ro, self.H_diag = [], [], [], 1

    def remember(self, y: np.ndarray, s: np.ndarray, history_size: int) -> None:
        ys = y @ s
        if ys > 1e-10:
            if len(self.old_dirs) == history_size:
                del self.old_dirs[0], self.old_stps[0], self.ro[0]
            self.old_dirs.append(y)
            self.old_stps.append(s)
            self.ro.append(_divide(1.0, ys))
            self.H_diag = ys / (y @ y)

    def direction(self, flat_grad: np.ndarray, history_size: int) -> np.ndarray:
        """The two-loop recursion: the inverse Hessian estimate times -flat_grad."""
        if self.al is None:
            self.al = [None] * history_size
        dtype = flat_grad.dtype
        q = -flat_grad
        for i in range(len(self.old_dirs) - 1, -1, -1):
            self.al[i] = (self.old_stps[i] @ q) * self.ro[i]
            q = _fma(self.old_dirs[i], np.asarray(-self.al[i], dtype), q, dtype)
        r = q * self.H_diag
        for i in range(len(self.old_dirs)):
            be_i = (self.old_dirs[i] @ r) * self.ro[i]
            r = _fma(self.old_stps[i], np.asarray(self.al[i] - be_i, dtype), r, dtype)
        return r


def _wrap(value):
    """A NumPy value (a 0-dim tensor in PyTorch) as a Tensor; Python numbers as they are."""
    if isinstance(value, (np.generic, np.ndarray)):
        return Tensor._make(np.asarray(value))
    return value


def _unwrap(value):
    if isinstance(value, Tensor):
        data = value._data
        return data[()] if data.ndim == 0 else data
    return value


def _divide(numerator, denominator):
    """numerator / denominator; a Python number over a 0-dim tensor is, in PyTorch,
    reciprocal(denominator) * numerator: two roundings."""
    if isinstance(denominator, np.generic) and not isinstance(numerator, np.generic):
        return np.reciprocal(denominator) * numerator
    return numerator / denominator


def _cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to bounds
    (the interval itself by default); the bounds' middle if the cubic has none."""
    if bounds is None:
        bounds = (x1, x2) if x1 <= x2 else (x2, x1)
    low, high = bounds
    d1 = g1 + g2 - _divide(3 * (f1 - f2), x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, low), high)
    return (low + high) / 2.0


def _strong_wolfe(along, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step t along d meeting the strong Wolfe conditions: (loss, gradient, t, evaluations).
    `along(t)` gives (loss, flat gradient) at x + t d."""
    d_norm = np.abs(d).max()
    f_new, g_new = along(t)
    evals = 1
    gtd_new = g_new @ d
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g.copy(), gtd
    done = False
    ls_iter = 0
    bracket = bracket_f = bracket_g = bracket_gtd = None
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        previous = t
        t = _cubic_minimum(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                           bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.copy(), gtd_new
        f_new, g_new = along(t)
        evals += 1
        gtd_new = g_new @ d
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    insufficient = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimum(bracket[0], bracket_f[0], bracket_gtd[0],
                           bracket[1], bracket_f[1], bracket_gtd[1])
        t, insufficient = _away_from_ends(t, bracket, insufficient)
        f_new, g_new = along(t)
        evals += 1
        gtd_new = g_new @ d
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], evals


def _away_from_ends(t, bracket: list, insufficient: bool):
    """t moved to a tenth of the bracket from its nearest end when it is that close to an
    end twice in a row or outside it: (t, whether progress was insufficient)."""
    top, bottom = max(bracket), min(bracket)
    eps = 0.1 * (top - bottom)
    if not min(top - t, t - bottom) < eps:
        return t, False
    if insufficient or t >= top or t <= bottom:
        t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
        return t, False
    return t, True
