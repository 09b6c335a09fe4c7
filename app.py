"""Generative model lab: the overview, then one tab per model family (see demos/). `python app.py`
serves it on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 127.0.0.1:7860)."""
import functools

from demos import common, overview, tab_modules  # first: it turns analytics off before gradio is imported

import gradio as gr

INTRO = ("# Generative model lab\nClassic generative models, trained on a CPU, "
         "with their measured quality beside every output.")


def build_app() -> gr.Blocks:
    tabs = tab_modules()
    front = functools.partial(overview.build, tabs=[(tab.TITLE, tab.TAB_ID, tab.MODELS) for tab in tabs])
    return common.blocks("Generative model lab", front, *(tab.build for tab in tabs), intro=INTRO)


if __name__ == "__main__":
    common.configure_serving()
    common.launch(build_app())
