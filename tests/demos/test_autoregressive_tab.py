"""The autoregressive tab's handlers on tiny random models: the drawing streams row by row and its
recipe reproduces the picture, completion keeps the shown rows, the look-inside pass and the receptive
fields answer, and whatever the API is sent gets a plain error."""
import re

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image

from demos import autoregressive as tab
from demos import digit_sources, repair_plots
from tiny import tiny_model


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("ar")
    return tiny_model("pixelcnn", root / "pixelcnn"), tiny_model("made", root / "made")


def _run_recipe(recipe: str, **scope) -> dict:
    code = re.search(r"```python\n(.*?)```", recipe, re.S).group(1)
    exec(code, scope)   # noqa: S102 - the recipe the tab prints, run as a user would
    return scope


def test_drawing_streams_row_by_row_and_the_recipe_redraws_it(models, tmp_path, monkeypatch):
    pixelcnn, _ = models
    frames = list(tab.draw(pixelcnn, "3", 5, 0.8, 11, progress=lambda *a, **k: None))
    assert len(frames) == 28 // tab.ROWS_PER_FRAME and "Drawing row 2 of 28" in frames[0][1]
    final, status = frames[-1]
    assert "5 digits in" in status
    monkeypatch.setattr("gen_core.load", lambda name: pixelcnn)
    monkeypatch.chdir(tmp_path)
    _run_recipe(status)
    assert (tmp_path / "digits.png").read_bytes() == open(final, "rb").read()


def test_completion_keeps_the_shown_rows_and_prints_the_exact_nll(models, monkeypatch):
    pixelcnn, _ = models
    picture, readout, recipe = tab.complete(pixelcnn, *tab.EXAMPLES["ar_complete"])
    assert re.search(r"−log p\(the true bottom 14 rows \| the top 14\) = \d+\.\d\d nats", readout)
    monkeypatch.setattr("gen_core.load", lambda name: pixelcnn)
    scope = _run_recipe(recipe, digit=digit_sources.pick_test_digit(7, 0))
    assert torch.equal(scope["fixed"][..., :14, :], scope["x"].expand(8, -1, -1, -1)[..., :14, :])
    expected = repair_plots.repair_row(scope["x"], scope["x"] * scope["shown"], scope["shown"], scope["fixed"])
    assert np.array_equal(np.asarray(Image.open(picture)), np.asarray(expected))


def test_look_inside_gives_the_maps_the_reading_and_both_nlls(models):
    digit, probability, surprise, reading, readout = tab.inspect(*models, *tab.EXAMPLES["ar_inspect"])
    assert all(Image.open(p).format == "PNG" for p in (digit, probability, surprise))
    assert set(reading) == {str(d) for d in range(10)} and abs(sum(reading.values()) - 1) < 1e-5
    assert re.search(r"−log p\(x\) = \*\*\d+\.\d nats\*\* under the PixelCNN .* \*\*\d+\.\d nats\*\* under MADE", readout)


def test_the_receptive_fields_are_measured_and_the_gated_one_has_no_blind_spot(models):
    picture, readout = tab.receptive_fields(models[0], 6, 10)
    plain, gated, missed = map(int, re.search(r"read \*\*(\d+)\*\* of them.* read \*\*(\d+)\*\*\. The \*\*(\d+)\*\*", readout).groups())
    assert 0 < plain < gated <= 6 * 28 + 10 and missed > 0 and Image.open(picture).format == "PNG"


@pytest.mark.parametrize("handler, bad, message", [
    ("draw", {"digit": "12"}, "Digit"), ("draw", {"n": 10_000}, "Number of digits"),
    ("draw", {"temperature": 0}, "Temperature"), ("draw", {"temperature": float("nan")}, "Temperature"),
    ("complete", {"rows": 0}, "Rows kept"), ("complete", {"rows": 29}, "Rows kept"),
    ("complete", {"rows": 28}, "Rows kept"), ("complete", {"source": "webcam"}, "Digit source"),
    ("receptive_fields", {"row": -1}, "Row"), ("receptive_fields", {"column": 28.5}, "Column"),
])
def test_bad_requests_get_a_plain_error(models, handler, bad, message):
    names = {"draw": ["digit", "n", "temperature", "seed"],
             "complete": ["source", "digit", "index", "sketch", "upload", "rows", "temperature", "seed"],
             "receptive_fields": ["row", "column"]}[handler]
    example = {"draw": "ar_draw", "complete": "ar_complete", "receptive_fields": "ar_receptive_field"}[handler]
    values = {**dict(zip(names, tab.EXAMPLES[example])), **bad}
    fn = getattr(tab, handler)
    with pytest.raises(gr.Error, match=message):
        out = fn(models[0], *[values[n] for n in names])
        if handler == "draw":
            next(out)
