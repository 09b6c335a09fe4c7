"""Small random moves of MNIST-sized images, shared by the trainers that augment digits."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def affine_warp(images: torch.Tensor, u: torch.Tensor, max_degrees: float, max_shift: float,
                max_zoom: float = 0.1) -> torch.Tensor:
    """Rotate, zoom and shift each image by the amounts in u (B, 4) in [-1, 1]: rotation
    u0 * max_degrees, zoom 1 + u1 * max_zoom, shift (u2, u3) * max_shift in affine_grid units
    (the image spans [-1, 1]). Uncovered pixels are 0. (B, 1, H, W) -> same."""
    angle = u[:, 0] * math.radians(max_degrees)
    zoom = 1 + u[:, 1] * max_zoom
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    shift = u[:, 2:] * max_shift
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, align_corners=False, padding_mode="zeros")


def deskew(images: torch.Tensor) -> torch.Tensor:
    """Each digit sheared upright and centred by its image moments (the classic MNIST deskew):
    row r of the output is the input's row shifted by alpha * (r - centre), alpha = cov(row, col) /
    var(row) of the ink. Differentiable in the pixels. (B, 1, H, W) -> same."""
    b, _, h, w = images.shape
    rows = torch.arange(h, dtype=images.dtype, device=images.device)[:, None].expand(h, w)
    cols = torch.arange(w, dtype=images.dtype, device=images.device)[None, :].expand(h, w)
    ink = images[:, 0]
    mass = ink.sum((1, 2)).clamp_min(1e-6)
    mean_r = (ink * rows).sum((1, 2)) / mass
    mean_c = (ink * cols).sum((1, 2)) / mass
    dr = rows - mean_r[:, None, None]
    dc = cols - mean_c[:, None, None]
    alpha = (ink * dr * dc).sum((1, 2)) / (ink * dr ** 2).sum((1, 2)).clamp_min(1e-6)
    mid_r, mid_c = (h - 1) / 2, (w - 1) / 2
    source_r = rows + (mean_r - mid_r)[:, None, None]
    source_c = cols + (mean_c - mid_c)[:, None, None] + alpha[:, None, None] * (rows - mid_r)
    grid = torch.stack([source_c / mid_c - 1, source_r / mid_r - 1], -1)  # grid_sample wants (x, y) in [-1, 1]
    return F.grid_sample(images, grid, align_corners=True, padding_mode="zeros")


def random_translate(images: torch.Tensor, max_pixels: int, generator: torch.Generator) -> torch.Tensor:
    """DiffAugment's translation (Zhao et al. 2020): each image moved by its own whole-pixel offset in
    -max_pixels..max_pixels along each axis, the uncovered border 0. Differentiable in the pixels, so
    a generator learns through it. (B, C, H, W) -> same."""
    if max_pixels == 0:
        return images
    b, _, h, w = images.shape
    offsets = torch.randint(-max_pixels, max_pixels + 1, (b, 2), generator=generator).to(images.device)
    padded = F.pad(images, (max_pixels,) * 4)
    rows = torch.arange(h, device=images.device)[None] + max_pixels - offsets[:, :1]   # (B, H)
    cols = torch.arange(w, device=images.device)[None] + max_pixels - offsets[:, 1:]   # (B, W)
    picked = padded[torch.arange(b, device=images.device)[:, None, None], :, rows[:, :, None], cols[:, None, :]]
    return picked.permute(0, 3, 1, 2)   # advanced indexing put the channels last
