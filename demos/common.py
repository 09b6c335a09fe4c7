"""Helpers shared by the tabs: input validation, PNG outputs, model-card tables, serving."""
from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import math
import os
import queue
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from numbers import Real
from pathlib import Path

import gradio as gr
import torch
from matplotlib.figure import Figure
from PIL import Image

import gen_core
from gen_core.card import Metric, format_figure, paper_cell, read_card
from gen_core.data.digit_input import DigitInputError, read_picture
from gen_core.imaging import png_bytes
from demos.lab import Lab, Models
from demos.lanes import Lanes

OUTPUT_DIR = Path(tempfile.gettempdir()) / "gen_core_lab"
OUTPUT_MAX_AGE_S = 3600     # outputs untouched this long are deleted (Gradio serves its own copies)
PRUNE_EVERY = 200           # saves between two sweeps of OUTPUT_DIR
MAX_UPLOAD = "10mb"         # uploads above this are refused by the server before any handler runs
MAX_SEED = 2 ** 32 - 1
MAX_SESSIONS = 400          # sessions whose state the server keeps (GEN_CORE_MAX_SESSIONS overrides)
QUEUE_SIZE = 64             # Gradio's cap on requests not yet started (GEN_CORE_QUEUE_SIZE overrides): "Queue is full"
GRADIO_CACHE_SWEEP = (600, 3600)  # every 10 min, delete Gradio's served copies older than an hour
# Keep upscaled digits crisp when the browser resizes the image, and show all of it.
CSS = ".pixelated img { image-rendering: pixelated; object-fit: contain; }"
# Inline $...$ as well as display $$...$$ math in Markdown.
LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]


def configure_serving() -> None:
    """One torch thread per request: the queue already runs requests side by side on the cores,
    and intra-op threads would fight the server's event loop (GEN_CORE_TORCH_THREADS overrides)."""
    torch.set_num_threads(int(os.environ.get("GEN_CORE_TORCH_THREADS", "1")))


def _finite_number(value: object) -> bool:
    """A real, finite number (bool is not one, though Python counts it as an int)."""
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _require_number(payload: object, label: str | None) -> None:
    if not _finite_number(payload):
        raise gr.Error(f"{label or 'This value'} must be a number; got {str(payload)[:40]!r}.")


class Slider(gr.Slider):
    """gr.Slider whose server answers a value that is not a finite number with a plain sentence.
    (Gradio's own range check fails with a TypeError on None or text sent straight to the API, which
    the client only sees as "the upstream Gradio app has raised an exception".)"""

    is_template = True  # the browser draws it as a plain slider

    def preprocess(self, payload):
        _require_number(payload, self.label)
        return super().preprocess(payload)


class Number(gr.Number):
    """gr.Number, with the same plain sentence for text; None still reaches the handler, which says what it needs."""

    is_template = True

    def preprocess(self, payload):
        if payload is not None:
            _require_number(payload, self.label)
        return super().preprocess(payload)


class Sketchpad(gr.Sketchpad):
    """gr.Sketchpad that reads what it is sent the way the app reads uploads: a picture of more than
    MAX_PIXELS is refused from its header, before Gradio decodes it, and a file that is not a
    picture gets a plain sentence (Gradio's own decoding fails with an exception the client only
    sees as "the upstream Gradio app has raised an exception")."""

    is_template = True

    def get_block_name(self) -> str:
        return "imageeditor"   # gr.Sketchpad is itself a template of ImageEditor: draw it with that front end

    get_block_class = get_block_name

    def convert_and_format_image(self, file, flatten_on_white=False):
        try:
            if file is not None:
                source = io.BytesIO(file) if isinstance(file, (bytes, bytearray, memoryview)) else file.path
                with read_picture(source):
                    pass
            return super().convert_and_format_image(file, flatten_on_white)
        except DigitInputError as error:
            raise gr.Error(f"The drawing: {error}") from None
        except (OSError, ValueError, SyntaxError) as error:
            raise gr.Error(f"The drawing is not a picture this app can read ({type(error).__name__}).") from None


def require_int(value: object, name: str, low: int, high: int) -> int:
    """`value` as an int in [low, high], or a gr.Error that says what is allowed."""
    message = f"{name} must be a whole number from {low} to {high}"
    if not _finite_number(value):
        raise gr.Error(f"{message}; got {str(value)[:40]!r}.")
    if value != int(value) or not low <= value <= high:
        raise gr.Error(f"{message}; got {value}.")
    return int(value)


def require_float(value: object, name: str, low: float, high: float) -> float:
    message = f"{name} must be a number from {low} to {high}"
    if not _finite_number(value):
        raise gr.Error(f"{message}; got {str(value)[:40]!r}.")
    if not low <= value <= high:
        raise gr.Error(f"{message}; got {value}.")
    return float(value)


def require_choice(value: object, name: str, choices: tuple[str, ...] | list[str]) -> str:
    if isinstance(value, str) and value in choices:
        return value
    raise gr.Error(f"{name} must be one of {', '.join(choices)}; got {str(value)[:40]!r}.")


def new_seed() -> int:
    return secrets.randbelow(MAX_SEED + 1)


def save_image(image: Image.Image) -> str:
    """Write the image as PNG to the app's output folder under its hash (same image, same file)."""
    return save_png(png_bytes(image))


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


def save_png(data: bytes) -> str:
    """Write PNG bytes to the app's output folder under their hash (same image, same file)."""
    return save_bytes(data, ".png")


_saves = itertools.count(1)


def save_bytes(data: bytes, suffix: str) -> str:
    """Write `data` to OUTPUT_DIR under its hash (the same bytes give the same file); every PRUNE_EVERY
    saves, files untouched for OUTPUT_MAX_AGE_S are deleted, so the folder stays bounded."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUTPUT_DIR / f"{hashlib.sha256(data).hexdigest()[:24]}{suffix}"
    if path.exists():
        os.utime(path)  # fresh again: not pruned while it is being served
    else:
        tmp = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")  # unique per writer
        tmp.write_bytes(data)
        tmp.replace(path)
    if next(_saves) % PRUNE_EVERY == 0:
        prune_outputs(OUTPUT_MAX_AGE_S)
    return str(path)


def prune_outputs(max_age_s: float) -> int:
    """Delete files in OUTPUT_DIR not modified for max_age_s seconds; returns how many."""
    cutoff, removed = time.time() - max_age_s, 0
    for item in OUTPUT_DIR.iterdir():
        with contextlib.suppress(FileNotFoundError):  # another worker may have removed it
            if item.stat().st_mtime < cutoff:
                item.unlink()
                removed += 1
    return removed


def blocks(title: str, lab: Lab, *builds: Callable[[Lab], None], intro: str | None = None) -> gr.Blocks:
    """The tabs built by `builds` from `lab` (in one gr.Tabs, below `intro`), inside one gr.Blocks, with
    the lab's queue: Gradio starts every request at once (no concurrency limit of its own), and the
    lanes (demos/lanes.py) run it, let it wait a bounded time, or refuse it as busy. Gradio's own cap on
    held requests stays as a safety net. The tabs' background work starts once all are built."""
    with gr.Blocks(title=title, delete_cache=GRADIO_CACHE_SWEEP) as app:
        if intro:
            gr.Markdown(intro)
        with gr.Tabs():
            for build in builds:
                build(lab)
    lab.start()
    return app.queue(default_concurrency_limit=None, max_size=int(os.environ.get("GEN_CORE_QUEUE_SIZE", QUEUE_SIZE)))


def launch(app: gr.Blocks, **kwargs) -> tuple:
    """Serve `app` with the lab's settings (also used by the tests): its CSS, the upload size cap, a
    server thread for every request the lanes may hold (running or waiting, so none waits outside
    them), and a cap on the sessions whose state Gradio keeps. Every session (each browser tab, each
    API call without one) holds a copy of every component's config, about 0.36 MB for this app, and
    Gradio keeps 10,000 by default: 3.6 GB. Past the cap the least recently used session is dropped."""
    kwargs.setdefault("state_session_capacity", int(os.environ.get("GEN_CORE_MAX_SESSIONS", MAX_SESSIONS)))
    kwargs.setdefault("max_threads", Lanes().threads + 8)
    return app.launch(css=CSS, max_file_size=MAX_UPLOAD, **kwargs)


def run_alone(title: str, build: Callable[[Lab], None], names: tuple[str, ...]) -> None:
    """`python -m demos.<tab>`: that tab alone, on its models `names`, served as `python app.py` serves the app."""
    configure_serving()
    launch(blocks(title, Lab(Models.load(names)), build))


def read_metrics(model: gen_core.HubModel) -> list[Metric]:
    """The metrics measured on the model card, or [] if the card is missing or unreadable."""
    try:
        return read_card(model.source.directory).metrics
    except (OSError, ValueError):
        return []


def metrics_table(model: gen_core.HubModel) -> str:
    """The model card's measured metrics as a Markdown table, the papers' figures on the same protocol
    beside ours, and the data the model saw (or a note that there are no metrics)."""
    try:
        info = read_card(model.source.directory)
    except (OSError, ValueError) as e:
        return f"_No readable model card ({type(e).__name__})._"
    if not info.metrics:
        return "_This model card has no measured metrics yet: run `python -m gen_core.evaluate`._"
    paper = {f.key: f for f in info.paper}
    rows = "\n".join(f"| {m.label} | {format_figure(m.value, key=m.key)} | {paper_cell(paper.get(m.key))} |"
                     for m in info.metrics)
    seconds = info.training.get("train_seconds")
    trained = f"\n\nTrained on {model.config.data or 'unknown data'}" + (
        f" in {seconds / 60:.1f} minutes of wall-clock time" if seconds else "") + "."
    return f"| metric | ours | paper, same protocol |\n|---|---|---|\n{rows}{trained}"


def unavailable(name: str, error: Exception) -> None:
    """In place of a tab's controls: what failed and how to fix it."""
    gr.Markdown(f"### ⚠️ `{name}` could not be loaded, so this tab is off.\n\n"
                f"The other tabs still work.\n\n```\n{error}\n```")
