"""The cGAN tab's handlers: outputs, recipes that reproduce them, and plain errors for bad input."""
import re
import shlex

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from demos import cgan_digits
from gen_core.imaging import GAP, grid_scale
from gen_core.sample import main as sample


@pytest.fixture(scope="module")
def cgan(shipped):
    return shipped[cgan_digits.MODEL]


def test_generate_returns_a_crisp_png_and_its_recipe(cgan):
    path, recipe = cgan_digits.generate(cgan, "3", 16, 0, 4.0)
    image = Image.open(path)
    assert image.format == "PNG" and image.mode == "L"
    assert image.size[0] == image.size[1] >= 4 * 28 * 4  # 4 x 4 digits, upscaled at least 4x
    assert "seed `0`" in recipe and "digit `3`" in recipe and "truncation `4.0`" in recipe


def test_recipe_command_reproduces_the_file_byte_for_byte(cgan, tmp_path):
    for inputs in (["7", 9, 123, 1.5], ["all digits", 3, 5, 4.0]):
        path, recipe = cgan_digits.generate(cgan, *inputs)
        command = re.search(r"```bash\n(.*)\n```", recipe).group(1)
        args = shlex.split(command)[3:]  # drop "python -m gen_core.sample"
        out = tmp_path / "grid.png"
        args[args.index("--out") + 1] = str(out)
        sample(args)
        assert out.read_bytes() == open(path, "rb").read()


def test_all_digits_has_one_labelled_row_per_digit(cgan):
    path, _ = cgan_digits.generate(cgan, "all digits", 4, 0, 4.0)
    pixels = np.asarray(Image.open(path))
    height, width = 10 * 28 + 9 * GAP, 4 * 28 + 3 * GAP
    scale = grid_scale(height, width)
    assert pixels.shape[0] == scale * height  # ten rows
    labels = pixels[:, : pixels.shape[1] - scale * width]
    assert labels.shape[1] > 0 and labels.max() == 255  # a label column, with text in it


@pytest.mark.parametrize("digit", [0, "0", "9", 9, "all digits"])
def test_digit_forms_accepted(cgan, digit):
    cgan_digits.generate(cgan, digit, 1, 0, 4.0)


@pytest.mark.parametrize("digit, n, seed, truncation", [
    (11, 4, 0, 4.0), ("11", 4, 0, 4.0), ("seven", 4, 0, 4.0), (None, 4, 0, 4.0), (True, 4, 0, 4.0),
    ("3", 10 ** 6, 0, 4.0), ("3", 0, 0, 4.0), ("3", 2.5, 0, 4.0), ("3", float("nan"), 0, 4.0), ("3", "4", 0, 4.0),
    ("3", 4, -1, 4.0), ("3", 4, 2 ** 40, 4.0), ("3", 4, float("inf"), 4.0), ("3", 4, "abc", 4.0),
    ("3", 4, 0, 0.0), ("3", 4, 0, float("nan")), ("3", 4, 0, 100.0), ("3", 4, 0, "x"),
])
def test_bad_input_is_a_plain_sentence(cgan, digit, n, seed, truncation):
    with pytest.raises(gr.Error) as info:
        cgan_digits.generate(cgan, digit, n, seed, truncation)
    message = str(info.value.message)
    assert re.fullmatch(r"[A-Z][^\n]{10,160}\.", message), message
    assert "Traceback" not in message and "/" not in message.split("got")[0]


def test_new_seed_is_in_range_and_used(cgan):
    seed, path, recipe = cgan_digits.generate_with_new_seed(cgan, "5", 4, 4.0)
    assert 0 <= seed <= 2 ** 32 - 1 and f"seed `{seed}`" in recipe
