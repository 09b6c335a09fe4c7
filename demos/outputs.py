"""What the tabs write: PNG, GIF and WAV files in the app's output folder, named by their content, and
matplotlib figures rendered from reusable layouts."""
from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import os
import queue
import tempfile
import threading
import time
from pathlib import Path

import torch
from matplotlib.figure import Figure
from PIL import Image

from gen_core.imaging import png_bytes, to_uint8

OUTPUT_DIR = Path(tempfile.gettempdir()) / "gen_core_lab"
OUTPUT_MAX_AGE_S = 3600     # outputs untouched this long are deleted (Gradio serves its own copies)
PRUNE_EVERY = 200           # saves between two sweeps of the folder


class OutputFolder:
    """A folder of outputs named by their content hash (the same bytes give the same file), swept of
    files untouched for `max_age_s` every `prune_every` saves, so it stays bounded. The app's outputs
    all go to one, OUTPUTS: the folder on disk is shared by every request and tab of the process."""

    def __init__(self, path: Path, max_age_s: float = OUTPUT_MAX_AGE_S, prune_every: int = PRUNE_EVERY):
        self.path, self.max_age_s, self.prune_every = path, max_age_s, prune_every
        self._saves = itertools.count(1)

    def save(self, data: bytes, suffix: str) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        path = self.path / f"{hashlib.sha256(data).hexdigest()[:24]}{suffix}"
        if path.exists():
            os.utime(path)  # fresh again: not pruned while it is being served
        else:
            tmp = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")  # unique per writer
            tmp.write_bytes(data)
            tmp.replace(path)
        if next(self._saves) % self.prune_every == 0:
            self.prune(self.max_age_s)
        return str(path)

    def prune(self, max_age_s: float) -> int:
        """Delete files not modified for max_age_s seconds; returns how many."""
        cutoff, removed = time.time() - max_age_s, 0
        for item in self.path.iterdir():
            with contextlib.suppress(FileNotFoundError):  # another worker may have removed it
                if item.stat().st_mtime < cutoff:
                    item.unlink()
                    removed += 1
        return removed


OUTPUTS = OutputFolder(OUTPUT_DIR)


def save_bytes(data: bytes, suffix: str) -> str:
    """Write `data` to the app's output folder under its hash; the path."""
    return OUTPUTS.save(data, suffix)


def save_png(data: bytes) -> str:
    return save_bytes(data, ".png")


def save_image(image: Image.Image) -> str:
    """Write the image as PNG to the app's output folder under its hash (same image, same file)."""
    return save_png(png_bytes(image))


def save_gif(frames: torch.Tensor, size: int = 168, duration_ms: int = 90) -> str:
    """Frames (n, 1, 28, 28) in [0, 1] there and back as an animated GIF, each upscaled to size x size."""
    cells = [Image.fromarray(c).resize((size, size), Image.Resampling.NEAREST) for c in to_uint8(frames)]
    sequence = cells + cells[-2:0:-1]
    buffer = io.BytesIO()
    sequence[0].save(buffer, format="GIF", save_all=True, append_images=sequence[1:], duration=duration_ms, loop=0)
    return save_bytes(buffer.getvalue(), ".gif")


class FigurePool:
    """Figures of one layout, reused: building axes and tick labels is most of a figure's cost, so
    each request borrows a figure, swaps its data, renders it and gives it back (one per concurrent
    request, since a figure must not be drawn by two threads at once)."""

    def __init__(self, make):
        self.make, self.free = make, queue.SimpleQueue()

    @contextlib.contextmanager
    def borrow(self):
        try:
            canvas = self.free.get_nowait()
        except queue.Empty:
            canvas = self.make()
        try:
            yield canvas
        finally:
            self.free.put(canvas)


def render_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})  # fast; level 6 costs 4x the time
    return buffer.getvalue()
