"""Image grids as PNG bytes: one renderer shared by the sampling CLI and the app, so the same
recipe gives the same file byte for byte. Pure numpy/PIL; models only return tensors."""
from __future__ import annotations

import io
import math

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

GAP = 2              # pixels between cells, before upscaling
GAP_VALUE = 48       # dark grey, so white-on-black digits keep their edges
MAX_SIDE = 1024      # upscale small grids until their long side would pass this
MAX_SCALE = 8


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """Float (n, 1, H, W) in [0, 1] -> uint8 (n, H, W)."""
    return (images.detach().float().clamp(0, 1).mul(255).round().to(torch.uint8)).squeeze(1).cpu().numpy()


def tile(cells: np.ndarray, columns: int) -> np.ndarray:
    """uint8 (n, h, w) -> one (rows*(h+GAP)-GAP, columns*(w+GAP)-GAP) mosaic, row-major."""
    n, h, w = cells.shape
    rows = math.ceil(n / columns)
    grid = np.full((rows * (h + GAP) - GAP, columns * (w + GAP) - GAP), GAP_VALUE, np.uint8)
    for i in range(n):
        r, c = divmod(i, columns)
        grid[r * (h + GAP):r * (h + GAP) + h, c * (w + GAP):c * (w + GAP) + w] = cells[i]
    return grid


def grid_scale(height: int, width: int) -> int:
    """Integer nearest-neighbour factor that keeps digits crisp and the image under MAX_SIDE."""
    return int(max(1, min(MAX_SCALE, MAX_SIDE // max(height, width))))


def _label_column(labels: list[str], row_height: int, gap: int, height: int) -> np.ndarray:
    font = ImageFont.load_default(size=max(10, int(row_height * 0.55)))
    widest = max((font.getlength(text) for text in labels), default=0)
    width = max(24, int(row_height * 0.8), int(widest + row_height * 0.3))
    column = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(column)
    for r, text in enumerate(labels):
        centre_y = r * (row_height + gap) + row_height / 2
        draw.text((width / 2, centre_y), text, fill=255, font=font, anchor="mm")
    return np.asarray(column)


def digit_grid(images: torch.Tensor, *, columns: int, row_labels: list[str] | None = None) -> Image.Image:
    """A grayscale grid of digits, upscaled by an integer factor (no blur), rows optionally labelled."""
    cells = to_uint8(images)
    grid = tile(cells, columns)
    scale = grid_scale(*grid.shape)
    grid = grid.repeat(scale, 0).repeat(scale, 1)
    if row_labels is not None:
        labels = _label_column(row_labels, cells.shape[1] * scale, GAP * scale, grid.shape[0])
        grid = np.concatenate([labels, grid], axis=1)
    return Image.fromarray(grid, mode="L")


def png_bytes(image: Image.Image) -> bytes:
    """Deterministic PNG encoding (fast zlib level; no timestamps or metadata)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
