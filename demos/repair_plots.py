"""Pictures of a repair: the truth, what was seen (hidden pixels tinted) and the completions in one
row, and one chain's states in a strip. Pure numpy/PIL, upscaled without blur like every digit grid."""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from gen_core.imaging import GAP, GAP_VALUE, grid_scale, to_uint8

HIDDEN_TINT = (40, 70, 120)   # a hidden pixel: dark blue, so "unknown" never reads as "blank"


def _rgb(cells: np.ndarray) -> np.ndarray:
    return np.repeat(cells[..., None], 3, axis=-1)


def seen_rgb(y: torch.Tensor, observed: torch.Tensor) -> np.ndarray:
    """uint8 (28, 28, 3): the seen pixels in grey, the hidden ones tinted."""
    cell = _rgb(to_uint8(y)[0])
    cell[to_uint8(observed)[0] == 0] = HIDDEN_TINT
    return cell


def repair_row(truth: torch.Tensor, y: torch.Tensor, observed: torch.Tensor, completions: torch.Tensor) -> Image.Image:
    """truth (1, 1, 28, 28) | seen | a wider gap | completions (n, 1, 28, 28), as one RGB picture."""
    cells = [_rgb(to_uint8(truth)[0]), seen_rgb(y[0:1], observed[0:1]), None, *(_rgb(c) for c in to_uint8(completions))]
    width = sum(28 + GAP if c is not None else 4 * GAP for c in cells) - GAP
    row = np.full((28, width, 3), GAP_VALUE, np.uint8)
    x = 0
    for cell in cells:
        if cell is None:
            x += 4 * GAP
            continue
        row[:, x:x + 28] = cell
        x += 28 + GAP
    scale = grid_scale(*row.shape[:2])
    return Image.fromarray(row.repeat(scale, 0).repeat(scale, 1), mode="RGB")
