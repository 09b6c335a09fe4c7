"""Pictures of an autoregressive model at work: digits as they are drawn (rows not drawn yet in a
tint), per-pixel maps in a colour scale, and which pixels an output pixel reads. Pure numpy/PIL,
upscaled without blur like every digit grid."""
from __future__ import annotations

import numpy as np
import torch
from matplotlib import colormaps
from PIL import Image

from gen_core.imaging import GAP, GAP_VALUE, grid_scale, tile, to_uint8

NOT_DRAWN = (40, 70, 120)       # the repair tab's "unknown" blue
SEEN, TARGET, UNSEEN = (40, 70, 120), (230, 60, 40), (245, 245, 245)


def _upscaled(rgb: np.ndarray) -> Image.Image:
    scale = grid_scale(*rgb.shape[:2])
    return Image.fromarray(rgb.repeat(scale, 0).repeat(scale, 1), mode="RGB")


def drawing_grid(x: torch.Tensor, rows_done: int, columns: int) -> Image.Image:
    """Digits (n, 1, 28, 28) of which the first `rows_done` rows are drawn; the rest tinted."""
    cells = np.repeat(to_uint8(x)[..., None], 3, axis=-1)
    cells[:, rows_done:] = NOT_DRAWN
    channels = [tile(cells[..., c], columns) for c in range(3)]
    rgb = np.stack(channels, -1)
    rgb[(channels[0] == GAP_VALUE) & (channels[1] == GAP_VALUE) & (channels[2] == GAP_VALUE)] = GAP_VALUE
    return _upscaled(rgb)


def heat_map(values: np.ndarray, high: float, cmap: str = "magma") -> Image.Image:
    """A (28, 28) map of values in [0, high] in a colour scale, upscaled."""
    rgb = colormaps[cmap](np.clip(values / high, 0, 1))[..., :3]
    return _upscaled((rgb * 255).round().astype(np.uint8))


def fields_picture(fields: list[np.ndarray], row: int, column: int) -> Image.Image:
    """Receptive fields (28, 28) bool side by side: read pixels blue, the output pixel red."""
    panels = []
    for field in fields:
        rgb = np.empty((28, 28, 3), np.uint8)
        rgb[:] = UNSEEN
        rgb[field] = SEEN
        rgb[row, column] = TARGET
        panels.append(rgb)
    gap = np.full((28, 4 * GAP, 3), GAP_VALUE, np.uint8)
    return _upscaled(np.concatenate([panels[0], gap, *panels[1:]], axis=1))
