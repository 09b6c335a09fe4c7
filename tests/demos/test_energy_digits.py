"""The energy tab's Digits section on a tiny random digit energy: chains stream frame by frame with the
energy of every step, the recipe reproduces the digits, repairs keep the visible pixels and say how the
classifier reads them, and whatever the API is sent gets a plain error."""
import math
import re

import gradio as gr
import pytest
import torch
from PIL import Image

from demos import energy_digits as section
from demos.repair_plots import repair_row
from tiny import tiny_model


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return tiny_model("digit-energy", tmp_path_factory.mktemp("ebm-mnist") / "ebm-mnist")


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    return tiny_model("classifier", tmp_path_factory.mktemp("classifier") / "mnist-classifier")


def _no_progress(*args, **kwargs):
    return None


def _recipe(status: str) -> str:
    return re.search(r"```python\n(.*?)```", status, re.S).group(1)


@pytest.mark.parametrize("start", list(section.STARTS))
def test_chains_stream_with_the_energy_of_every_step(model, start):
    _, steps, seed = section.EXAMPLES["ebm_digits"]
    frames = list(section.chains(model, start, steps, seed, progress=_no_progress))
    assert len(frames) == section.FRAMES + 1 and frames[0][2].startswith(f"Step 0 of {steps}")
    assert all(Image.open(png).format == "PNG" for png, _, _ in frames)
    energies = frames[-1][1]
    chains = energies[energies.series == "chains: mean"]
    assert list(chains.step) == list(range(steps + 1))
    assert all(math.isfinite(e) for e in energies.energy)
    level = energies[energies.series == "test digits: mean"].energy
    assert len(level) == 2 and level.iloc[0] == pytest.approx(section.data_energy(model))
    low, high = (energies[energies.series == s].energy.to_numpy() for s in ("chains: lowest", "chains: highest"))
    assert (low <= chains.energy.to_numpy() + 1e-6).all() and (chains.energy.to_numpy() <= high + 1e-6).all()


def test_the_chains_recipe_gives_the_same_digits(model, monkeypatch):
    start, steps, seed = section.EXAMPLES["ebm_digits"]
    *_, (png, energies, status) = section.chains(model, start, steps, seed, progress=_no_progress)
    monkeypatch.setattr("gen_core.load", lambda name: model)
    scope = {}
    exec(_recipe(status), scope)   # noqa: S102 - the printed recipe
    with torch.no_grad():
        assert float(model.energy(scope["x"]).mean()) == pytest.approx(
            energies[energies.series == "chains: mean"].energy.iloc[-1], abs=1e-5)


@pytest.mark.parametrize("corruption", section.CORRUPTIONS)
def test_a_repair_keeps_the_visible_pixels_and_its_recipe_reproduces_it(model, classifier, corruption, monkeypatch):
    values = list(section.EXAMPLES["ebm_repair"])
    values[5] = corruption
    *_, (png, energies, status) = section.repair(model, classifier, *values, progress=_no_progress)
    assert Image.open(png).format == "PNG" and f"of {section.REPAIRS}** repairs read as 3" in status
    digit = section.digit_sources.pick_test_digit(3, 0)
    monkeypatch.setattr("gen_core.load", lambda name: model)
    scope = {"digit": digit}
    exec(_recipe(status), scope)   # noqa: S102 - the printed recipe
    x, kept = scope["states"][-1], scope["kept"]
    seen = scope["x0"][:1] if kept is None else digit * kept
    assert repair_row(digit, seen, torch.ones_like(digit) if kept is None else kept, x).tobytes() == Image.open(png).convert("RGB").tobytes()
    if kept is not None:
        assert torch.equal(x * kept, digit.expand_as(x) * kept)             # the visible pixels never moved
        assert not torch.equal(x * (1 - kept), digit.expand_as(x) * (1 - kept))


@pytest.mark.parametrize(("values", "message"), [
    (["sideways", 60, 0], "Start from"),
    (["noise", 0, 0], "Steps"),
    (["noise", section.MAX_STEPS + 1, 0], "Steps"),
    (["noise", float("nan"), 0], "Steps"),
    (["noise", 60, -1], "Seed"),
])
def test_bad_chain_requests_get_a_plain_error(model, values, message):
    with pytest.raises(gr.Error, match=message):
        next(section.chains(model, *values, progress=_no_progress))


@pytest.mark.parametrize(("index", "value", "message"), [
    (1, "11", "digit"), (5, "melt", "Corruption"), (6, 0, "square side"), (6, 28, "square side"),
    (7, float("nan"), "Noise std"), (7, 5.0, "Noise std"), (8, 10_000, "Steps"), (9, None, "Seed"),
])
def test_bad_repair_requests_get_a_plain_error(model, classifier, index, value, message):
    values = list(section.EXAMPLES["ebm_repair"])
    values[index] = value
    with pytest.raises(gr.Error, match=message):
        next(section.repair(model, classifier, *values, progress=_no_progress))


def test_weights_without_replay_states_refuse_the_replay_start(tmp_path):
    bare = tiny_model("digit-energy", tmp_path / "bare", replay_states=0)
    with pytest.raises(gr.Error, match="no replay-buffer states"):
        next(section.chains(bare, "replay buffer", 5, 0, progress=_no_progress))


def test_chains_run_without_the_test_digits_and_drop_only_their_level(model, monkeypatch):
    monkeypatch.setattr(section.digit_sources, "read_test_digits", lambda: "The test digits could not be read.")
    section.data_energy.cache_clear()
    try:
        *_, (png, energies, status) = section.chains(model, "noise", 5, 0, progress=_no_progress)
    finally:
        section.data_energy.cache_clear()
    assert set(energies.series) == {"chains: mean", "chains: lowest", "chains: highest"}
    assert "test digits" not in status and Image.open(png).format == "PNG"
