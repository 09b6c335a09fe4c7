"""Generative model lab: one tab per model family (see demos/). `python app.py` serves it on
GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 127.0.0.1:7860)."""
from demos import common, tab_modules  # first: it turns analytics off before gradio is imported

import gradio as gr

INTRO = ("# Generative model lab\nClassic generative models, trained on a CPU, "
         "with their measured quality beside every output.")


def build_app() -> gr.Blocks:
    return common.blocks("Generative model lab", lambda lanes: gr.Markdown(INTRO), *(tab.build for tab in tab_modules()))


if __name__ == "__main__":
    common.configure_serving()
    common.launch(build_app())
