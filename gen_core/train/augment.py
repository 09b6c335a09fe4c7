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
