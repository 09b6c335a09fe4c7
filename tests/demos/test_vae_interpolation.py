"""The VAE tab's handlers: paths, GIF, plots, endpoint numbers, drawings and uploads, plain errors."""
import re

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image

import gen_core
from demos import digit_sources
from demos import vae_interpolation as vae
from demos.lab import Lab, Models

SEEDS = ("seed", 5, "0", 0, None, None)
DIGIT_3 = ("test digit", 0, "3", 4, None, None)



@pytest.fixture(scope="module")
def big(shipped):
    return shipped[vae.MODEL]


@pytest.fixture(scope="module")
def small(shipped):
    return shipped[vae.MAP_MODEL]

def _sketch_of_a_one():
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[40:240, 125:150] = (0, 0, 0, 255)  # a black vertical stroke on a clear canvas
    return {"background": None, "layers": [], "composite": canvas}


def test_interpolation_outputs(big):
    strip, plot, recipe = vae.interpolate(big, *DIGIT_3, *SEEDS, 8, "slerp")
    gif, pairs, numbers = vae.details(big, *DIGIT_3, *SEEDS, 8, "slerp")
    assert Image.open(strip).size[0] > 8 * 28 and Image.open(strip).format == "PNG"
    animation = Image.open(gif)
    assert animation.format == "GIF" and animation.n_frames == 2 * 8 - 2  # there and back
    assert Image.open(plot).format == "PNG" and Image.open(pairs).format == "PNG"
    assert re.search(r"\*\*A\*\* \(test digit\): −ELBO \*\*\d+\.\d\*\* nats = reconstruction", numbers)
    assert "**B** (seed): a prior sample" in numbers
    assert 'mode="slerp"' in recipe and ", 8," in recipe


def test_path_ends_decode_the_endpoints(big):
    model = big
    x = digit_sources.pick_test_digit(3, 4)
    z0 = model.encode(x)[0][0]
    z1 = torch.randn(model.config.latent_dim, generator=torch.Generator().manual_seed(5))
    strip = vae.interpolate(big, *DIGIT_3, *SEEDS, 4, "lerp")[0]
    expected = vae.digit_grid(model.decode(model.interpolate(z0, z1, 4, "lerp")).detach(), columns=4)
    assert np.array_equal(np.asarray(Image.open(strip)), np.asarray(expected))


def test_drawings_and_uploads_are_encoded(big, tmp_path):
    picture = Image.new("L", (500, 400), 255)
    picture.paste(0, (230, 60, 262, 340))
    picture.save(tmp_path / "one.jpg")
    _, _, numbers = vae.details(big, "drawing", 0, "0", 0, _sketch_of_a_one(), None,
                                             "upload", 0, "0", 0, None, str(tmp_path / "one.jpg"), 4, "lerp")
    assert "**A** (drawing): −ELBO" in numbers and "**B** (upload): −ELBO" in numbers


def test_latent_map(big, small):
    assert Image.open(vae.latent_map(big, small, *DIGIT_3, *SEEDS)).size == (1000, 500)


@pytest.mark.parametrize("a, steps, mode, message", [
    (DIGIT_3, 1, "lerp", "Steps must be a whole number from 2 to 32"),
    (DIGIT_3, 10 ** 6, "lerp", "Steps must be a whole number from 2 to 32"),
    (DIGIT_3, 4, "cubic", "Path must be one of lerp, slerp"),
    (("webcam", 0, "3", 0, None, None), 4, "lerp", "Endpoint A source must be one of"),
    (("seed", -3, "3", 0, None, None), 4, "lerp", "Endpoint A seed must be a whole number"),
    (("test digit", 0, "12", 0, None, None), 4, "lerp", "Endpoint A digit must be one of 0-9"),
    (("test digit", 0, "3", 50, None, None), 4, "lerp", "Endpoint A index must be a whole number from 0 to 49"),
    (("drawing", 0, "3", 0, None, None), 4, "lerp", "Endpoint A: Draw a digit on the sketchpad first."),
    (("drawing", 0, "3", 0, {"composite": np.zeros((50, 50, 4), np.uint8)}, None), 4, "lerp",
     "Endpoint A: The picture looks empty"),
    (("upload", 0, "3", 0, None, None), 4, "lerp", "Endpoint A: Upload a picture of a digit first."),
    (("upload", 0, "3", 0, None, "/etc/hostname"), 4, "lerp", "Endpoint A: That file is not a picture"),
])
def test_bad_input_is_a_plain_error(big, a, steps, mode, message):
    for handler in (vae.interpolate, vae.details):
        with pytest.raises(gr.Error, match=re.escape(message)):
            handler(big, *a, *SEEDS, steps, mode)


def test_the_shipped_test_digits_are_the_first_fifty_of_each_class_in_the_standard_test_split():
    images, labels = digit_sources.test_digits()
    assert images.shape == (500, 1, 28, 28) and labels.tolist() == [d for d in range(10) for _ in range(50)]
    classifier = gen_core.load("mnist-classifier")
    assert (classifier(images).argmax(1) == labels).float().mean() > 0.97   # real digits, in the right rows


@pytest.mark.parametrize("damage", ["missing", "not a picture", "wrong size"])
def test_damaged_test_digits_turn_off_only_the_test_digit_endpoints(big, small, shipped, tmp_path, monkeypatch, damage):
    path = tmp_path / "test_digits.png"
    if damage == "not a picture":
        path.write_bytes(b"nope")
    elif damage == "wrong size":
        Image.new("L", (28, 28)).save(path)
    monkeypatch.setattr(digit_sources, "TEST_DIGITS", path)
    digit_sources.read_test_digits.cache_clear()
    vae._map_background.cache_clear()   # its background holds the test digits
    try:
        with pytest.raises(gr.Error, match="The test digits .* Pick a seed, a drawing or an upload instead"):
            vae.interpolate(big, *DIGIT_3, *SEEDS, 8, "slerp")
        assert vae.interpolate(big, *SEEDS, *SEEDS, 8, "slerp")[0].endswith(".png")   # seeds still work
        assert vae.latent_map(big, small, *SEEDS, *SEEDS).endswith(".png")                    # the map without digits
        with gr.Blocks() as demo:
            vae.build(Lab(Models({name: shipped[name] for name in vae.MODELS})))
        notes = [b.value for b in demo.blocks.values() if isinstance(b, gr.Markdown) and "⚠️" in str(b.value)]
        assert len(notes) == 1 and "test-digit endpoints are off" in notes[0]
        radios = [b.value for b in demo.blocks.values() if isinstance(b, gr.Radio) and b.label == "From"]
        assert radios == ["seed", "seed"]                                          # the tab opens on seeds
    finally:
        digit_sources.read_test_digits.cache_clear()
        vae._map_background.cache_clear()
    