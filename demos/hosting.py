"""How the app is served: one gr.Blocks of tabs built from a Lab, the lab's queue and server
settings, and `run_alone` for `python -m demos.<tab>`."""
from __future__ import annotations

import os
from collections.abc import Callable

import gradio as gr
import torch

from demos.lab import Lab, Models
from demos.lanes import Lanes

MAX_UPLOAD = "10mb"         # uploads above this are refused by the server before any handler runs
MAX_SESSIONS = 400          # sessions whose state the server keeps (GEN_CORE_MAX_SESSIONS overrides)
QUEUE_SIZE = 64             # Gradio's cap on requests not yet started (GEN_CORE_QUEUE_SIZE overrides): "Queue is full"
GRADIO_CACHE_SWEEP = (600, 3600)  # every 10 min, delete Gradio's served copies older than an hour
# Keep upscaled digits crisp when the browser resizes the image, and show all of it.
CSS = ".pixelated img { image-rendering: pixelated; object-fit: contain; }"


def configure_serving() -> None:
    """One torch thread per request: the queue already runs requests side by side on the cores,
    and intra-op threads would fight the server's event loop (GEN_CORE_TORCH_THREADS overrides)."""
    torch.set_num_threads(int(os.environ.get("GEN_CORE_TORCH_THREADS", "1")))


def blocks(title: str, lab: Lab, *builds: Callable[[Lab], None], intro: str | None = None) -> gr.Blocks:
    """The tabs built by `builds` from `lab` (in one gr.Tabs, below `intro`), inside one gr.Blocks, with
    the lab's queue: Gradio starts every request at once (no concurrency limit of its own), and the
    lanes (demos/lanes.py) run it, let it wait a bounded time, or refuse it as busy. Gradio's own cap on
    held requests stays as a safety net. The tabs' first outputs are filled on page load (Lab.on_first_view),
    and their background work starts once all are built."""
    with gr.Blocks(title=title, delete_cache=GRADIO_CACHE_SWEEP) as app:
        if intro:
            gr.Markdown(intro)
        with gr.Tabs():
            for build in builds:
                build(lab)
        for compute, outputs in lab.first_views:   # the tabs' first outputs, on page load (the first load computes them)
            app.load(lab.lanes.light.admit(compute), None, outputs, api_visibility="private")
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
