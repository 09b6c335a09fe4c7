"""Langevin dynamics on a score s(x) = ∇_x log p(x) = −∇_x E(x).

The chain x ← x + (ε/2) s(x) + ν ξ, ξ ~ N(0, I), with ν = √ε, has a stationary law that tends to p as
ε → 0 (Welling & Teh 2011); image energy models take a larger ε with smaller ν and clip the gradient
step (Du & Mordatch 2019; Nijkamp et al. 2019). Annealed Langevin runs it down a ladder of noise levels
with ε_σ = ε (σ / σ_min)² (Song & Ermon 2019, Algorithm 1).
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Sequence

import torch

Score = Callable[[torch.Tensor], torch.Tensor]


def langevin(score: Score, x0: torch.Tensor, steps: int, step_size: float, noise: float, *,
             generator: torch.Generator | None = None, max_move: float = 0.0,
             bounds: tuple[float, float] | None = None, mask: torch.Tensor | None = None) -> Iterator[torch.Tensor]:
    """Chains x ← x + clip((ε/2) s(x), ±max_move) + ν ξ from x0, ε = step_size, ν = noise (max_move 0: no
    clip); each state clamped to `bounds` where given; where `mask` is 1 (broadcast to x) the values stay
    x0's (a repair: only the others move). The noise is drawn on the CPU from `generator`, so a seed gives
    the same chains on every device. Yields x0 (clamped) and each state."""
    if not (math.isfinite(step_size) and step_size > 0) or steps < 0:
        raise ValueError(f"need a positive step size and steps >= 0; got {step_size}, {steps}")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a non-negative number; got {noise}")
    x = x0.detach()
    if bounds is not None:
        x = x.clamp(*bounds)
    kept = None if mask is None else mask.to(x.device).expand_as(x) > 0.5
    fixed = x.clone()
    yield x
    for _ in range(steps):
        kick = torch.randn(x.shape, generator=generator).to(x.device)
        drift = 0.5 * step_size * score(x)
        if max_move:
            drift = drift.clamp(-max_move, max_move)
        x = x + drift + noise * kick
        if bounds is not None:
            x = x.clamp(*bounds)
        if kept is not None:
            x = torch.where(kept, fixed, x)
        x = x.detach()
        yield x


def annealed_langevin(score: Callable[[torch.Tensor, float], torch.Tensor], x0: torch.Tensor, sigmas: Sequence[float],
                      steps: int, step_size: float, *, noise_scale: float = 1.0, sigma_min: float | None = None,
                      generator: torch.Generator | None = None) -> Iterator[torch.Tensor]:
    """Langevin down the noise levels `sigmas` (largest first) on score(x, σ): `steps` in all, spread
    evenly (the last level's cut short), with ε_σ = step_size (σ / σ_min)², and noise
    noise_scale · √ε_σ (1: Langevin, 0: gradient ascent on log p). σ_min: the level where the step is
    step_size (default sigmas[-1]). Yields each state after x0."""
    sigma_min = sigmas[-1] if sigma_min is None else sigma_min
    per_level = -(-steps // len(sigmas))   # ceil
    x = x0
    for level, sigma in enumerate(sigmas):
        step = step_size * (sigma / sigma_min) ** 2
        count = min(per_level, steps - level * per_level)
        if count > 0:
            chain = langevin(functools.partial(score, sigma=sigma), x, count, step, noise_scale * math.sqrt(step),
                             generator=generator)
            next(chain)   # its first state is x
            for x in chain:
                yield x
