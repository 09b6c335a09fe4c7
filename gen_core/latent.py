"""Latent noise shared by the generative models."""
from __future__ import annotations

import math

import torch

_EPS = 1e-12


def truncated_normal(shape: tuple[int, ...], *, truncation: float | None = None,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """Standard-normal noise, optionally truncated to [-truncation, truncation].

    Drawn by inverse-CDF from one uniform draw per entry, so the same generator state gives the
    same noise for every truncation, and tightening the truncation pulls each entry smoothly
    toward 0 (the "truncation trick", Brock et al. 2019, with a deterministic sampler instead of
    rejection). Noise is always drawn on the CPU so results do not depend on the device.
    """
    if truncation is not None and not (truncation > 0 and math.isfinite(truncation)):
        raise ValueError(f"truncation must be a positive finite number, got {truncation}")
    u = torch.rand(shape, generator=generator, dtype=torch.float64)
    if truncation is not None:
        lo = 0.5 * math.erfc(truncation / math.sqrt(2.0))  # Phi(-t)
        u = lo + u * (1.0 - 2.0 * lo)
    return torch.special.ndtri(u.clamp(_EPS, 1.0 - _EPS)).float()
