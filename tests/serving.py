"""The app served on 127.0.0.1 for a test, with the settings `python app.py` uses (hosting.launch)."""
import contextlib
from collections.abc import Iterator

import gradio as gr

import app
from demos import hosting


@contextlib.contextmanager
def serving() -> Iterator[tuple[gr.Blocks, str]]:
    """Build the app, serve it in this process and yield (app, its URL); closed afterwards."""
    demo = app.build_app()
    _, url, _ = hosting.launch(demo, server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    try:
        yield demo, url
    finally:
        demo.close()
