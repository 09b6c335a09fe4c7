"""Any picture of a digit -> MNIST framing; hostile files -> plain errors."""
import numpy as np
import pytest
import torch
from PIL import Image

import gen_core
from gen_core.data.digit_input import MAX_PIXELS, DigitInputError, mnist_like, open_image
from gen_core.data.mnist import load_mnist


def _as_picture(digit: torch.Tensor, size: int, invert: bool, canvas=(640, 480), offset=(90, 40)) -> Image.Image:
    ink = digit[0].numpy()
    pixels = ((1 - ink) if invert else ink) * 255
    big = Image.fromarray(pixels.astype(np.uint8)).resize((size, size), Image.Resampling.BILINEAR)
    picture = Image.new("L", canvas, 255 if invert else 0)
    picture.paste(big, offset)
    return picture


def test_pictures_of_test_digits_are_still_read_as_those_digits():
    """Held-out digits enlarged, moved and inverted come back MNIST-like: the classifier agrees."""
    test = load_mnist("test")
    classifier = gen_core.load("mnist-classifier")
    picks = torch.arange(0, len(test), 5)[:200]   # 200 digits: the 90% bar's standard error is 2 points
    inputs = torch.cat([mnist_like(_as_picture(test.images[i], 200 + 10 * (k % 7), invert=bool(k % 2)))
                        for k, i in enumerate(picks.tolist())])
    assert inputs.shape == (len(picks), 1, 28, 28) and 0 <= inputs.min() and inputs.max() <= 1
    _, probs = classifier.features_and_probs(inputs)
    assert (probs.argmax(1) == test.labels[picks]).float().mean() >= 0.9


def test_centre_of_mass_is_centred_and_box_is_20_pixels():
    bar = Image.new("L", (300, 300), 0)
    bar.paste(255, (10, 20, 40, 280))  # a tall stroke near the left edge
    x = mnist_like(bar)[0, 0].numpy()
    rows, cols = np.nonzero(x > 0.2)
    assert rows.max() - rows.min() + 1 == 20
    cy, cx = (np.indices(x.shape) * x).reshape(2, -1).sum(1) / x.sum()
    assert abs(cy - 13.5) <= 1 and abs(cx - 13.5) <= 1


def test_transparent_sketch_strokes_count_as_ink():
    sketch = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    sketch.paste((0, 0, 0, 255), (120, 40, 150, 240))
    assert mnist_like(sketch).sum() > 10


@pytest.mark.parametrize("picture", [Image.new("L", (64, 64), 255), Image.new("L", (64, 64), 0),
                                     Image.new("RGBA", (64, 64), (0, 0, 0, 0))])
def test_empty_pictures_are_refused(picture):
    with pytest.raises(DigitInputError, match="looks empty"):
        mnist_like(picture)


def test_hostile_files_get_plain_errors(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("not an image")
    (tmp_path / "cut.png").write_bytes((lambda b: b[: len(b) // 2])(_png(Image.new("L", (50, 50), 9))))
    for name in ("empty.png", "text.png", "cut.png", "missing.png"):
        with pytest.raises(DigitInputError, match="not a picture this app can read"):
            open_image(str(tmp_path / name))
    side = int(MAX_PIXELS ** 0.5) + 1  # a decompression bomb: tiny file, huge declared size
    Image.new("1", (side, side)).save(tmp_path / "bomb.png")
    assert (tmp_path / "bomb.png").stat().st_size < 2_000_000
    with pytest.raises(DigitInputError, match="the limit is"):
        open_image(str(tmp_path / "bomb.png"))


def _png(image):
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
