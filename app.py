"""Generative model lab: one tab per model family (see demos/). `python app.py` serves it on
GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 127.0.0.1:7860)."""
from demos import common, tab_modules  # first: it turns analytics off before gradio is imported

import gradio as gr

QUEUE_SIZE = 64
CONCURRENCY = 2


def build_app() -> gr.Blocks:
    with gr.Blocks(title="Generative model lab") as app:
        gr.Markdown("# Generative model lab\nClassic generative models, trained on a CPU, "
                    "with their measured quality beside every output.")
        for tab in tab_modules():
            tab.build()
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return app


if __name__ == "__main__":
    common.configure_serving()
    build_app().launch(css=common.CSS)
