"""Generative model lab: one tab per model family (see demos/). `python app.py` serves it on
GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 127.0.0.1:7860)."""
from demos import common, tab_modules  # first: it turns analytics off before gradio is imported

import os

import gradio as gr

QUEUE_SIZE = int(os.environ.get("GEN_CORE_QUEUE_SIZE", "64"))  # waiting requests; more get "Queue is full" (503)
CONCURRENCY = 2
GRADIO_CACHE_SWEEP = (600, 3600)  # every 10 min, delete Gradio's served copies older than an hour


def build_app() -> gr.Blocks:
    with gr.Blocks(title="Generative model lab", delete_cache=GRADIO_CACHE_SWEEP) as app:
        gr.Markdown("# Generative model lab\nClassic generative models, trained on a CPU, "
                    "with their measured quality beside every output.")
        for tab in tab_modules():
            tab.build()
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return app


if __name__ == "__main__":
    common.configure_serving()
    common.launch(build_app())
