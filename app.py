"""Generative model lab: the overview, then one tab per model family (see demos/). `python app.py`
serves it on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 127.0.0.1:7860)."""
import functools

from demos import hosting, overview, tab_modules  # first: it turns analytics off before gradio is imported

import gradio as gr

import gen_core
from demos.lab import Lab, Models

INTRO = ("# Generative model lab\nClassic generative models, trained on a CPU, "
         "with their measured quality beside every output.")


def build_app(models: Models | None = None) -> gr.Blocks:
    """The app on `models`; by default every registered model, each loaded once here (the overview
    lists them all, and each tab drives its own)."""
    tabs = tab_modules()
    lab = Lab(models if models is not None else Models.load(gen_core.available()))
    front = functools.partial(overview.build, tabs=[(tab.TITLE, tab.TAB_ID, tab.MODELS) for tab in tabs])
    return hosting.blocks("Generative model lab", lab, front, *(tab.build for tab in tabs), intro=INTRO)


if __name__ == "__main__":
    hosting.configure_serving()
    hosting.launch(build_app())
