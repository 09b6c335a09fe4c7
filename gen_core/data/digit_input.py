"""Turn any picture of one digit into an MNIST-like input, the way MNIST itself was made.

LeCun et al.: the digit's bounding box is scaled (keeping its aspect ratio) into 20 x 20 with
anti-aliasing, then placed in 28 x 28 so that its centre of mass sits at the centre. Pictures come
in any size and either polarity; MNIST is a light digit on black, so dark-on-light is inverted.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import torch
from PIL import Image

MAX_PIXELS = 4096 * 4096      # larger pictures are refused before decoding (decompression bombs)
INK = 0.2                     # a pixel counts as ink above this fraction of the brightest one
MIN_INK_PIXELS = 4


class DigitInputError(ValueError):
    """The picture cannot be read as one digit; the message says why in plain words."""


@contextlib.contextmanager
def read_picture(source: str | BinaryIO) -> Iterator[Image.Image]:
    """The picture in a file (path or binary stream), opened lazily after its header says it has at
    most MAX_PIXELS; a DigitInputError in plain words for anything unreadable, here or while it is
    decoded inside the block."""
    try:
        with Image.open(source) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise DigitInputError(f"The picture is {width} x {height} pixels; the limit is {MAX_PIXELS:,} pixels.")
            yield image
    except DigitInputError:
        raise
    except Image.DecompressionBombError:   # Pillow refuses pictures far past our limit at open
        raise DigitInputError(f"The picture has far too many pixels; the limit is {MAX_PIXELS:,} pixels.") from None
    except (OSError, ValueError, SyntaxError) as error:
        raise DigitInputError(f"That file is not a picture this app can read ({type(error).__name__}).") from None


def open_image(path: str) -> Image.Image:
    """Open an image file with a pixel limit, as grayscale; DigitInputError for anything else."""
    with read_picture(path) as image:
        image.draft("L", (512, 512))  # JPEGs decode straight at a reduced size
        return flatten(image)


def flatten(image: Image.Image) -> Image.Image:
    """Grayscale, with any transparency composited over white (a sketch's strokes on a clear canvas)."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    return image.convert("L")


def mnist_like(image: Image.Image) -> torch.Tensor:
    """A picture of one digit -> float (1, 1, 28, 28) in [0, 1], light digit on black, MNIST framing."""
    pixels = np.asarray(flatten(image), dtype=np.float32) / 255.0
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    if border.mean() > 0.5:
        pixels, border = 1.0 - pixels, 1.0 - border  # dark ink on a light background
    pixels = np.clip(pixels - np.median(border), 0, None)  # the background level becomes 0
    peak = pixels.max()
    ink = pixels > INK * peak if peak > 0.05 else np.zeros_like(pixels, dtype=bool)
    if ink.sum() < MIN_INK_PIXELS:
        raise DigitInputError("The picture looks empty: draw or upload one digit.")
    rows, cols = np.nonzero(ink)
    crop = pixels[rows.min():rows.max() + 1, cols.min():cols.max() + 1] / peak
    scale = 20.0 / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    small = np.asarray(Image.fromarray((crop * 255).astype(np.uint8)).resize(size, Image.Resampling.LANCZOS),
                       dtype=np.float32) / 255.0
    canvas = np.zeros((28, 28), dtype=np.float32)
    top, left = (28 - small.shape[0]) // 2, (28 - small.shape[1]) // 2
    canvas[top:top + small.shape[0], left:left + small.shape[1]] = small
    mass = canvas.sum()
    cy, cx = (np.indices(canvas.shape) * canvas).reshape(2, -1).sum(1) / mass
    # Shift the centre of mass to the centre, as far as the box allows (so nothing wraps around).
    shift_y = int(np.clip(round(13.5 - cy), -top, 28 - top - small.shape[0]))
    shift_x = int(np.clip(round(13.5 - cx), -left, 28 - left - small.shape[1]))
    canvas = np.roll(canvas, (shift_y, shift_x), axis=(0, 1))
    return torch.from_numpy(np.clip(canvas, 0, 1)).view(1, 1, 28, 28)
