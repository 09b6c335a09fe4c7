"""The WaveGAN tab's handlers: players, re-rolls, the inspector, morphs, recipes and errors (its quality floors: tests/test_weights.py)."""
import os
import re
import wave

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image

import gen_core
from demos import cards
from demos import wavegan_digits as tab
from gen_core.audio import CLIP_SAMPLES
from gen_core.data.spoken_digits import WORDS

@pytest.fixture(scope="module")
def model(shipped):
    return shipped[tab.MODEL]


N_OUT = 2 * tab.MAX_CLIPS   # players and their re-roll buttons come first in generate's outputs


def _read(path: str) -> tuple[int, np.ndarray]:
    """A WAV file the tab wrote: (rate, int16 samples), mono 16-bit."""
    with wave.open(path) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), "<i2")


def _run_recipe(recipe: str, tmp_path, monkeypatch) -> dict[str, np.ndarray]:
    """Execute a recipe in an empty folder: the int16 samples of each WAV it wrote, by file name."""
    code = re.search(r"```python\n(.*)\n```", recipe, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "recipe", "exec"), {})
    out = {}
    for name in sorted(os.listdir(tmp_path)):
        with wave.open(str(tmp_path / name)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16_000, 1, 2)
            out[name] = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    return out


def test_generate_fills_n_players_and_the_recipe_writes_the_same_samples(model, tmp_path, monkeypatch):
    out = tab.generate(model, "7", 3, 40)
    players, buttons, clips, batch_recipe = out[:tab.MAX_CLIPS], out[tab.MAX_CLIPS:N_OUT], out[N_OUT], out[N_OUT + 1]
    assert [p.visible for p in players] == [True] * 3 + [False] * 5
    assert [b.visible for b in buttons] == [True] * 3 + [False] * 5
    assert clips == {"digit": "7", "seeds": [40, 41, 42]}
    for k, player in enumerate(players[:3]):
        assert player.label == f"clip {k + 1} · seven · seed {40 + k}"
    written = _run_recipe(batch_recipe, tmp_path, monkeypatch)
    assert list(written) == ["clip-40.wav", "clip-41.wav", "clip-42.wav"]
    for k in range(3):
        rate, samples = _read(tab.clip(model, "7", 40 + k))
        assert rate == 16_000 and samples.dtype == np.int16 and samples.shape == (CLIP_SAMPLES,)
        assert np.array_equal(written[f"clip-{40 + k}.wav"], samples)


def test_any_digit_is_drawn_by_the_seed_and_named_on_the_player(model):
    out = tab.generate(model, "any", 8, 0)
    for k, player in enumerate(out[:tab.MAX_CLIPS]):
        _, digits = model.codes(1, generator=torch.Generator().manual_seed(k))
        assert player.label == f"clip {k + 1} · any digit → {WORDS[int(digits[0])]} · seed {k}"


def test_reroll_changes_only_that_clip_and_inspects_it(model):
    clips = tab.generate(model, "2", 4, 100)[N_OUT]
    player, new_clips, _, digit, seed, audio, plot, _ = tab.reroll(model, 2, clips)
    assert new_clips["digit"] == "2" and new_clips["seeds"][:2] == [100, 101] and new_clips["seeds"][3] == 103
    assert new_clips["seeds"][2] == seed and digit == "2"
    assert clips["seeds"] == [100, 101, 102, 103]      # the state passed in is not mutated
    assert np.array_equal(_read(audio)[1], _read(tab.clip(model, "2", seed))[1]) and plot.endswith(".png")


def test_inspect_plots_generated_beside_real_and_its_recipe_reproduces_the_clip(model, tmp_path, monkeypatch):
    path, recipe = tab.inspect(model, "4", 9)
    image = Image.open(path)
    assert image.format == "PNG" and image.size == (900, 460)
    pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels[:230].std() > 10 and pixels[230:].std() > 10   # both rows are drawn
    (samples,) = _run_recipe(recipe, tmp_path, monkeypatch).values()
    assert np.array_equal(samples, _read(tab.clip(model, "4", 9))[1])


def test_real_clips_are_the_right_words():
    classifier = gen_core.load("speech-digit-classifier")
    clips = torch.from_numpy(np.stack([tab.real_clip(d) for d in range(10)]))
    _, probs = classifier.features_and_probs(clips)
    assert probs.argmax(1).tolist() == list(range(10))


def test_morph_plays_the_steps_from_clip_a_to_clip_b(model, tmp_path, monkeypatch):
    audio, path, recipe = tab.morph(model, "3", 5, "8", 6, 4)
    rate, samples = _read(audio)
    assert rate == 16_000 and samples.shape == (4 * CLIP_SAMPLES,)
    # the endpoints are the single clips, up to float rounding of a batched forward (1 in 32767)
    assert np.abs(samples[:CLIP_SAMPLES].astype(int) - _read(tab.clip(model, "3", 5))[1]).max() <= 1
    assert np.abs(samples[-CLIP_SAMPLES:].astype(int) - _read(tab.clip(model, "8", 6))[1]).max() <= 1
    assert Image.open(path).format == "PNG"
    (written,) = _run_recipe(recipe, tmp_path, monkeypatch).values()
    assert np.array_equal(written, samples)


@pytest.mark.parametrize("call, message", [
    (lambda model: tab.generate(model, "12", 2, 0), "Digit must be one of 0-9 or 'any'; got '12'"),
    (lambda model: tab.generate(model, None, 2, 0), "Digit must be one of 0-9 or 'any'; got 'None'"),
    (lambda model: tab.generate(model, "3", 1000, 0), "Number of clips must be a whole number from 1 to 8; got 1000"),
    (lambda model: tab.generate(model, "3", 0, 0), "Number of clips must be a whole number from 1 to 8; got 0"),
    (lambda model: tab.generate(model, "3", 2.5, 0), "Number of clips must be a whole number from 1 to 8; got 2.5"),
    (lambda model: tab.generate(model, "3", 2, float("nan")), "Seed must be a whole number from 0 to 4294967295; got 'nan'"),
    (lambda model: tab.clip(model, "3", -1), "Seed must be a whole number from 0 to 4294967295; got -1"),
    (lambda model: tab.clip(model, "3", 2 ** 40), "Seed must be a whole number"),
    (lambda model: tab.inspect(model, "seven", 1), "Digit must be one of 0-9 or 'any'; got 'seven'"),
    (lambda model: tab.morph(model, "3", 0, "8", 1, 100), "Steps must be a whole number from 2 to 8; got 100"),
    (lambda model: tab.morph(model, "3", float("inf"), "8", 1, 4), "Seed A must be a whole number"),
    (lambda model: tab.morph(model, "3", 0, "../8", 1, 4), "Digit must be one of 0-9 or 'any'"),
])
def test_bad_input_is_a_plain_sentence(model, call, message):
    with pytest.raises(gr.Error, match=re.escape(message)):
        call(model)



def test_headline_shows_the_cards_figures_and_the_linear_second_opinion(model):
    card = {m.key: m.value for m in cards.read_metrics(model)}
    text = tab.headline(model)
    for key in ("conditional_accuracy", "linear_probe_accuracy", "linear_probe_accuracy_real"):
        assert f"{100 * card[key]:.1f}%" in text
    assert f"{card['inception_score']:.2f}" in text
    assert f"variety within a digit {card['within_digit_spread']:.2f}×" in text
