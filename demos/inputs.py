"""What the tabs accept: components whose server side answers bad values with a plain sentence, and
validators that turn any value sent straight to the API into the type a handler needs, or a gr.Error
that says what is allowed."""
from __future__ import annotations

import io
import math
import secrets
from numbers import Real

import gradio as gr

from gen_core.data.digit_input import DigitInputError, read_picture
from gen_core.sample import MAX_SEED


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


def require_digit(value: object, name: str = "Digit", anything: str | None = None) -> int | None:
    """A digit 0-9 given as an int or its one-character string; `anything` (e.g. 'any') -> None."""
    if anything is not None and value == anything:
        return None
    if isinstance(value, str) and len(value.strip()) == 1 and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9:
        return value
    allowed = "one of 0-9" + (f" or '{anything}'" if anything is not None else "")
    raise gr.Error(f"{name} must be {allowed}; got {str(value)[:40]!r}.")


def new_seed() -> int:
    return secrets.randbelow(MAX_SEED + 1)
