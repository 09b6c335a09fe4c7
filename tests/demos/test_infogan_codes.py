"""The InfoGAN tab's handlers: digit picker from the stored mapping, sliders, traversal, recipes, errors."""
import os
import re

import gradio as gr
import pytest
from PIL import Image

from demos import infogan_codes as tab
from gen_core.imaging import GAP, grid_scale


@pytest.fixture(scope="module")
def model(shipped):
    return shipped[tab.MODEL]


def _run_recipe(recipe: str, tmp_path, monkeypatch) -> bytes:
    code = re.search(r"```python\n(.*)\n```", recipe, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "recipe", "exec"), {})
    (out,) = [p for p in os.listdir(tmp_path) if p.endswith(".png")]
    return (tmp_path / out).read_bytes()


def test_picker_uses_the_stored_mapping(model):
    mapping = model.config.digit_of_code
    assert sorted(mapping) == list(range(10))
    for digit in range(10):
        assert mapping[tab.parse_choice(model, str(digit))] == digit
    assert tab.code_choices(model, False) == [(str(d), str(d)) for d in range(10)]
    raw = tab.code_choices(model, True)  # codes in their own order; the value stays the digit
    assert raw[4] == (f"code 4 → {mapping[4]}", str(mapping[4]))
    assert sorted(v for _, v in raw) == [str(d) for d in range(10)]


def test_raw_toggle_keeps_the_selection(model):
    update = tab.toggle_raw(model, True, "7")
    assert update.value == "7" and len(update.choices) == 10
    assert tab.toggle_raw(model, False, "7").value == "7"


def test_sample_and_its_recipe_reproduce_the_file(model, tmp_path, monkeypatch):
    path, recipe = tab.sample(model, "7", 1.5, -0.5, 42)
    image = Image.open(path)
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 28 * 8
    assert _run_recipe(recipe, tmp_path, monkeypatch) == open(path, "rb").read()


def test_slider_moves_the_digit_and_the_seed_fixes_it(model):
    a, _ = tab.sample(model, "3", -2.0, 0.0, 1)
    b, _ = tab.sample(model, "3", 2.0, 0.0, 1)
    again, _ = tab.sample(model, "3", -2.0, 0.0, 1)
    assert open(a, "rb").read() != open(b, "rb").read()
    assert open(a, "rb").read() == open(again, "rb").read()


def test_traversal_grid_has_ten_labelled_rows_and_its_recipe_reproduces_it(model, tmp_path, monkeypatch):
    path, recipe = tab.traversal(model, "c2", 8, 0.0, 0.5, 3)
    pixels = Image.open(path)
    height, width = 10 * 28 + 9 * GAP, 8 * 28 + 7 * GAP
    assert pixels.size[1] == grid_scale(height, width) * height
    assert _run_recipe(recipe, tmp_path, monkeypatch) == open(path, "rb").read()


def test_new_seed(model):
    seed, path, recipe = tab.sample_with_new_seed(model, "0", 0.0, 0.0)
    assert 0 <= seed <= 2 ** 32 - 1 and f"manual_seed({seed})" in recipe


def test_code_labels_come_from_the_card(model):
    effects = tab.code_effects(model)
    assert len(effects) == 2
    for text in effects:
        assert re.fullmatch(r"(slant|thickness \(ink\)), ρ = [+-]\d\.\d\d|no clear effect measured", text)


@pytest.mark.parametrize("call, message", [
    (lambda model: tab.sample(model, "12", 0, 0, 0), "Digit must be one of 0-9"),
    (lambda model: tab.sample(model, "code 1", 0, 0, 0), "Digit must be one of 0-9"),
    (lambda model: tab.sample(model, None, 0, 0, 0), "Digit must be one of 0-9"),
    (lambda model: tab.sample(model, 70, 0, 0, 0), "Digit must be one of 0-9; got '70'"),
    (lambda model: tab.sample(model, "7", 2.5, 0, 0), "Code c1 must be a number from -2.0 to 2.0"),
    (lambda model: tab.sample(model, "7", 0, float("nan"), 0), "Code c2 must be a number from -2.0 to 2.0"),
    (lambda model: tab.sample(model, "7", "x", 0, 0), "Code c1 must be a number"),
    (lambda model: tab.sample(model, "7", 0, 0, -1), "Seed must be a whole number"),
    (lambda model: tab.sample(model, "7", 0, 0, 2 ** 40), "Seed must be a whole number"),
    (lambda model: tab.traversal(model, "c3", 8, 0, 0, 0), "Traversed code must be one of c1, c2"),
    (lambda model: tab.traversal(model, "c1", 1000, 0, 0, 0), "Steps must be a whole number from 2 to 16"),
    (lambda model: tab.traversal(model, "c1", 8, -9, 0, 0), "Code c1 must be a number"),
])
def test_bad_input_is_a_plain_sentence(model, call, message):
    with pytest.raises(gr.Error) as info:
        call(model)
    text = str(info.value.message)
    assert text.startswith(message) and text.endswith(".") and "Traceback" not in text
