"""Integrators of dx/dt = f(t, x) and of dx = f(t, x) dt + g(t) dW, from t0 to t1 (either direction).

Each yields (t, x) at t0 and after every step, so a caller can stream the path or keep only the end;
noise is drawn on the CPU from `generator`, so a seed gives the same path on every device. The fixed-step
ones take the times as a sequence; dopri5 chooses its steps (Dormand & Prince 1980, the 5(4) pair with the
error control of Hairer, Nørsett & Wanner, Solving ODEs I, §II.4).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

import torch

Drift = Callable[[float, torch.Tensor], torch.Tensor]
Path = Iterator[tuple[float, torch.Tensor]]


def _check_times(times: Sequence[float]) -> list[float]:
    times = [float(t) for t in times]
    if len(times) < 2 or not all(math.isfinite(t) for t in times):
        raise ValueError(f"need at least two finite times; got {times}")
    return times


def euler(f: Drift, x0: torch.Tensor, times: Sequence[float]) -> Path:
    """x ← x + h f(t, x) over the grid `times` (first order)."""
    times = _check_times(times)
    x = x0
    yield times[0], x
    for t, t_next in zip(times, times[1:]):
        x = x + (t_next - t) * f(t, x)
        yield t_next, x


def heun(f: Drift, x0: torch.Tensor, times: Sequence[float]) -> Path:
    """Heun's method (explicit trapezoid, second order) over `times`: an Euler guess, then the mean of the
    slopes at both ends. Two evaluations of f per step."""
    times = _check_times(times)
    x = x0
    yield times[0], x
    for t, t_next in zip(times, times[1:]):
        h = t_next - t
        slope = f(t, x)
        guess = x + h * slope
        x = x + 0.5 * h * (slope + f(t_next, guess))
        yield t_next, x


def euler_maruyama(f: Drift, g: Callable[[float], float], x0: torch.Tensor, times: Sequence[float], *,
                   generator: torch.Generator | None = None) -> Path:
    """dx = f(t, x) dt + g(t) dW over `times`: x ← x + h f(t, x) + g(t) √|h| ξ (strong order ½)."""
    times = _check_times(times)
    x = x0
    yield times[0], x
    for t, t_next in zip(times, times[1:]):
        h = t_next - t
        kick = torch.randn(x.shape, generator=generator).to(x.device)
        x = x + h * f(t, x) + g(t) * math.sqrt(abs(h)) * kick
        yield t_next, x


# Dormand-Prince 5(4): nodes c, stages a, 5th-order weights b (also the last stage: FSAL), and b - b* (the error).
_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0)
_A = ((), (1 / 5,), (3 / 40, 9 / 40), (44 / 45, -56 / 15, 32 / 9),
      (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
      (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656))
_B = (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84)
_E = (71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40)


def dopri5(f: Drift, x0: torch.Tensor, t0: float, t1: float, *, rtol: float = 1e-5, atol: float = 1e-5,
           first_step: float | None = None, max_steps: int = 10_000) -> Path:
    """Adaptive Dormand-Prince 5(4) from t0 to t1: a step is kept when its error estimate, scaled per
    element by atol + rtol·max(|x|, |x_new|), has RMS ≤ 1, and the next step is sized by the usual factor
    0.9·err^(-1/5), within [0.2, 10]. Yields (t, x) at t0 and after every accepted step; raises
    RuntimeError after `max_steps` attempts."""
    if not (math.isfinite(t0) and math.isfinite(t1)) or t0 == t1:
        raise ValueError(f"need finite, distinct t0 and t1; got {t0}, {t1}")
    if not (rtol > 0 and atol > 0):
        raise ValueError("rtol and atol must be positive")
    direction = 1.0 if t1 > t0 else -1.0
    t, x = float(t0), x0
    h = direction * (abs(first_step) if first_step else 0.01 * abs(t1 - t0))
    k_first = f(t, x)
    yield t, x
    for _ in range(max_steps):
        last = direction * (t + h - t1) >= 0
        if last:
            h = t1 - t
        stages = [k_first]
        for c, row in zip(_C[1:], _A[1:]):
            stages.append(f(t + c * h, x + h * sum(a * k for a, k in zip(row, stages))))
        x_new = x + h * sum(b * k for b, k in zip(_B, stages))
        stages.append(f(t + h, x_new))   # first same as last: the next step's first stage
        error = h * sum(e * k for e, k in zip(_E, stages))
        scale = atol + rtol * torch.maximum(x.abs(), x_new.abs())
        norm = float((error / scale).pow(2).mean().sqrt())
        if norm <= 1.0:
            t, x, k_first = t1 if last else t + h, x_new, stages[-1]
            yield t, x
            if last:
                return
        factor = 10.0 if norm == 0 else min(10.0, max(0.2, 0.9 * norm ** -0.2))
        h *= factor
    raise RuntimeError(f"dopri5 took more than {max_steps} steps from {t0} to {t1}")
