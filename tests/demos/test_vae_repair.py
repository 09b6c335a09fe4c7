"""The repair tab's handlers: the row of completions, the chain strip, the readout, the recipe that
reproduces them, the samplers' table, painted masks, and plain errors for whatever the API is sent."""
import re

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image

from demos import digit_sources, repair_plots
from demos import vae_repair as tab
from demos.lab import Lab, Models
from gen_core.hub import LoadError

EXAMPLE = tab.EXAMPLES["vae_repair"]


@pytest.fixture(scope="module")
def models(shipped):
    return shipped[tab.MODEL], shipped[tab.CLASSIFIER]


def _with(**changes):
    names = ["source", "digit", "index", "sketch", "upload", "kind", "rows", "fraction", "grid", "flip", "mask",
             "method", "steps", "seed"]
    values = dict(zip(names, EXAMPLE))
    values.update(changes)
    return [values[n] for n in names]


def _mask_canvas(top: int, bottom: int) -> dict:
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[top:bottom, :, 3] = 255          # painted rows, opaque; the rest of the canvas clear
    return {"background": None, "layers": [], "composite": canvas}


def test_the_recipe_reproduces_the_completions_shown(models):
    model, classifier = models
    row, strip, readout, recipe = tab.repair(model, classifier, *EXAMPLE)
    code = re.search(r"```python\n(.*?)```", recipe, re.S).group(1)
    scope = {"digit": digit_sources.pick_test_digit(7, 0)}
    exec(code, scope)   # noqa: S102 - the recipe the tab prints, run as a user would
    expected = repair_plots.repair_row(scope["x"], scope["seen"].y, scope["seen"].observed, scope["fixed"])
    assert np.array_equal(np.asarray(Image.open(row)), np.asarray(expected))
    assert Image.open(strip).format == "PNG" and Image.open(strip).size[0] > tab.STRIP_FRAMES * 28
    assert re.search(r"\*\*\d of 8\*\* read as 7 \(the true digit\)", readout)
    assert re.search(r"−log p\(hidden \| shown\) of the truth ≈ \d+\.\d ± \d+\.\d nats", readout)
    assert "Metropolis acceptance after the warm start" in readout


def test_the_samplers_table_has_one_row_per_sampler(models):
    rows = tab.compare(*models, *tab.EXAMPLES["vae_repair_compare"])
    assert [r[0] for r in rows] == ["one-shot (baseline)", "pseudo-Gibbs", "Metropolis-within-Gibbs"]
    assert [r[1] for r in rows] == [0, 50, 50] and rows[2][4].endswith("%") and rows[0][4] == ""
    assert all(re.fullmatch(r"\d / 8", r[2]) for r in rows)


def test_a_painted_mask_hides_what_was_painted(models):
    observed = tab.painted_mask(_mask_canvas(140, 280))
    assert observed[0, 0, :14].all() and not observed[0, 0, 14:].any()
    row, _, readout, recipe = tab.repair(*models, *_with(kind="painted mask", mask=_mask_canvas(0, 100)))
    assert "your painted mask" in recipe and "hidden | shown" in readout


def test_strokes_over_the_digit_background_are_the_mask(models):
    canvas = tab.mask_canvas("test digit", "7", 0)
    assert canvas["background"].shape == (280, 280, 4) and canvas["background"][..., :3].min() < 255
    painted = canvas["background"].copy()
    painted[:, 200:] = (0, 0, 0, 255)                          # the right fifth painted black
    observed = tab.painted_mask({**canvas, "composite": painted})
    assert observed[0, 0, :, :20].all() and not observed[0, 0, :, 20:].any()
    assert tab.mask_canvas("drawing", "7", 0) is not None      # a skip: the canvas is left alone


def test_flips_are_scored_on_every_pixel(models):
    _, _, readout, recipe = tab.repair(*models, *_with(kind="flip", flip=0.2))
    assert "Error on the pixels" in readout and "−log p(x | y)" in readout and "Corruption('flip', 0.2)" in recipe


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": "painted mask", "mask": None}, "Paint the part of the digit to hide"),
    ({"kind": "painted mask", "mask": _mask_canvas(0, 0)}, "The painted mask hides nothing"),
    ({"kind": "painted mask", "mask": _mask_canvas(0, 280)}, "The painted mask hides every pixel"),
    ({"kind": "painted mask", "mask": {"composite": np.zeros((5, 5))}}, "The mask must be an RGB or RGBA picture"),
    ({"flip": 0.6}, "Flip probability must be a number from 0.0 to 0.5; got 0.6"),
    ({"flip": float("nan")}, "Flip probability must be a number from 0.0 to 0.5; got 'nan'"),
    ({"fraction": 1.0}, "Fraction hidden must be a number from 0.05 to 0.95"),
    ({"rows": 0}, "must be a whole number from 1 to 27"),
    ({"kind": "hide centre", "rows": 1}, "The hidden centre square needs a side from 2 to 26"),
    ({"kind": "smudge"}, "Corruption must be one of hide bottom"),
    ({"grid": "3x3"}, "Sub-grid must be one of 14x14, 7x7"),
    ({"method": "gibbs"}, "Sampler must be one of one-shot, pseudo-gibbs, mwg"),
    ({"steps": 201}, "Iterations must be a whole number from 1 to 200"),
    ({"source": "seed"}, "Digit source must be one of test digit, drawing, upload"),
    ({"source": "drawing", "sketch": None}, "The digit: Draw a digit on the sketchpad first"),
    ({"index": 50}, "The digit index must be a whole number from 0 to 49"),
])
def test_bad_values_get_a_plain_sentence(models, changes, message):
    with pytest.raises(gr.Error, match=re.escape(message)):
        tab.repair(*models, *_with(**changes))


def test_the_tab_builds_with_its_card_table_and_without_its_model(models, shipped):
    with gr.Blocks() as demo:
        tab.build(Lab(Models({name: shipped[name] for name in tab.MODELS})))
    text = " ".join(str(b.value) for b in demo.blocks.values() if isinstance(b, gr.Markdown))
    assert "image denoising, inpainting and super-resolution" in text
    assert "| corruption | left blank | one-shot (baseline) | pseudo-Gibbs | Metropolis-within-Gibbs |" in text
    assert "| bottom 14 rows hidden | 13.0% | 58.6% · 12.9% |" in text and "| each pixel flipped with p = 0.1 |" in text
    with gr.Blocks() as broken:
        tab.build(Lab(Models({tab.MODEL: shipped[tab.MODEL], tab.CLASSIFIER: LoadError("gone")})))
    notes = [str(b.value) for b in broken.blocks.values() if isinstance(b, gr.Markdown)]
    assert any("`mnist-classifier` could not be loaded" in n for n in notes)


def test_completions_keep_the_seen_pixels(models):
    model, classifier = models
    x, _, evidence, _, steps, seed = tab._inputs(_with(kind="hide random", fraction=0.75)[:11] + [50, 3])
    completions, trail, _ = tab._run(model, evidence, "mwg", steps, seed)
    kept = evidence.observed.bool().expand_as(trail)
    assert torch.equal(trail[kept], evidence.y.expand_as(trail)[kept])
