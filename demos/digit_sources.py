"""Where a tab's real digits come from: the standard MNIST test digits shipped beside the tabs, a
drawing on the sketchpad, or an uploaded picture, each read into one (1, 1, 28, 28) digit in [0, 1]."""
from __future__ import annotations

import functools
from pathlib import Path

import gradio as gr
import numpy as np
import torch
from PIL import Image

from demos import inputs
from gen_core.data.digit_input import DigitInputError, mnist_like, open_image
from gen_core.evaluate import TEST_BINARIZATION_SEED

TEST_DIGITS = Path(__file__).parent / "assets" / "test_digits.png"  # tools/test_digits_asset.py made it
PER_CLASS = 50                    # standard MNIST test digits per class in TEST_DIGITS
SOURCES = ("test digit", "drawing", "upload")


@functools.lru_cache(maxsize=1)
def read_test_digits() -> tuple[torch.Tensor, torch.Tensor] | str:
    """The shipped test digits and labels, or the sentence that says why they could not be read."""
    try:
        with Image.open(TEST_DIGITS) as picture:
            grid = np.asarray(picture.convert("L"), dtype=np.float32) / 255  # (10 * 28, PER_CLASS * 28)
    except (OSError, ValueError) as error:
        return f"The test digits ({TEST_DIGITS.name}) could not be read ({type(error).__name__}: {error})."
    if grid.shape != (10 * 28, PER_CLASS * 28):
        return f"The test digits ({TEST_DIGITS.name}) are {grid.shape[1]}x{grid.shape[0]} pixels, not {PER_CLASS * 28}x280."
    cells = torch.from_numpy(grid).reshape(10, 28, PER_CLASS, 28).permute(0, 2, 1, 3)  # (digit, index, 28, 28)
    return cells.reshape(-1, 1, 28, 28).contiguous(), torch.arange(10).repeat_interleave(PER_CLASS)


def test_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """The tabs' real digits: (500, 1, 28, 28) in [0, 1] and their labels, the first 50 of each class
    in the standard MNIST test split, shipped beside the tabs (the app needs no dataset). A missing or
    damaged file raises gr.Error; a tab offers drawings and uploads in its place."""
    outcome = read_test_digits()
    if isinstance(outcome, str):
        raise gr.Error(outcome + " Pick a seed, a drawing or an upload instead.")
    return outcome


def pick_test_digit(digit: int, index: int) -> torch.Tensor:
    images, labels = test_digits()
    return images[labels == digit][index:index + 1]


def read_digit(kind: str, digit: object, index: object, sketch: object, upload: object, label: str) -> torch.Tensor:
    """The digit (1, 1, 28, 28) from a checked source kind (one of SOURCES) and its inputs; gr.Error
    naming `label` (e.g. "Endpoint A") for anything unusable."""
    try:
        if kind == "test digit":
            d = inputs.require_digit(digit, f"{label} digit")
            return pick_test_digit(d, inputs.require_int(index, f"{label} index", 0, PER_CLASS - 1))
        if kind == "drawing":
            composite = sketch.get("composite") if isinstance(sketch, dict) else None
            if composite is None:
                raise DigitInputError("Draw a digit on the sketchpad first.")
            return mnist_like(Image.fromarray(np.asarray(composite, dtype=np.uint8)))
        if not isinstance(upload, str):
            raise DigitInputError("Upload a picture of a digit first.")
        return mnist_like(open_image(upload))
    except DigitInputError as error:
        raise gr.Error(f"{label}: {error}") from None


def read_named(source: object, digit: object, index: object, sketch: object, upload: object
               ) -> tuple[torch.Tensor, str, int | None]:
    """The digit (1, 1, 28, 28) in [0, 1] from the shared inputs; its name; and its label (test digits only)."""
    kind = inputs.require_choice(source, "Digit source", SOURCES)
    image = read_digit(kind, digit, index, sketch, upload, "The digit")
    if kind == "test digit":
        return image, f"test digit {int(digit)} #{int(index)}", int(digit)
    return image, f"your {kind}", None


def read_binarized(source: object, digit: object, index: object, sketch: object, upload: object
                   ) -> tuple[torch.Tensor, str, int | None]:
    """read_named's digit, binarized as the evaluator binarizes the test digits; its name and label."""
    image, name, label = read_named(source, digit, index, sketch, upload)
    return torch.bernoulli(image, generator=torch.Generator().manual_seed(TEST_BINARIZATION_SEED)), name, label


def controls() -> list:
    """The digit-source inputs (source, digit, index, sketch, upload), in the current column, with a note
    where the shipped test digits cannot be read."""
    digits = read_test_digits()
    if isinstance(digits, str):
        gr.Markdown(f"⚠️ {digits} Test digits are off; drawings and uploads work.")
    source = gr.Radio(list(SOURCES), value="test digit" if not isinstance(digits, str) else "drawing", label="Digit from")
    with gr.Row():
        digit = gr.Dropdown([str(d) for d in range(10)], value="7", label="Test digit", min_width=80)
        index = inputs.Slider(0, PER_CLASS - 1, value=0, step=1, label="Index", min_width=120)
    sketch = inputs.Sketchpad(label="Drawing: pick the brush, then draw a digit", height=200, canvas_size=(280, 280), type="numpy")
    upload = gr.File(label="Upload a picture", file_types=["image"], type="filepath", height=110)
    return [source, digit, index, sketch, upload]
