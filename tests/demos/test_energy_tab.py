"""The energy-based tab's handlers on tiny random energies: the landscape and its table, a density
whose shipped methods differ, chains that stream frame by frame with a recipe that reproduces them
and the sampler gap beside its noise floor, and plain errors for whatever the API is sent."""
import math
import re

import gradio as gr
import pytest
import torch
from PIL import Image

from demos import energy_based as tab
from gen_core.hub import ENERGY_2D, energy_name
from tiny import tiny_model


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("ebm")
    return {(d, m): tiny_model("energy", root / energy_name(d, m), density=d, method=m) for d, m in ENERGY_2D}


def _no_progress(*args, **kwargs):
    return None


def test_the_landscape_sets_the_model_beside_the_truth(models):
    png, table, card, recipe = tab.landscape(models, *tab.EXAMPLES["ebm_landscape"])
    assert Image.open(png).size == (840, 440)
    density, method = tab.EXAMPLES["ebm_landscape"]
    assert f"`{energy_name(density, method)}`" in table and "not measured yet" in table   # tiny cards: no figures
    assert f'gen_core.load("{energy_name(density, method)}")' in recipe


@pytest.mark.parametrize("density", ["moons", "circles"])   # both methods shipped; one
def test_a_density_offers_only_its_shipped_methods(models, density):
    if density in tab.DENSITIES:
        offered = [m for d, m in ENERGY_2D if d == density]
        for asked in tab.METHOD_NAMES:
            radio, *_ = tab.select(models, density, asked)
            assert [value for _, value in radio.choices] == offered
            assert radio.value == (asked if asked in offered else offered[0])


def test_chains_stream_and_the_recipe_gives_the_same_points(models, monkeypatch):
    density, method, step_size, steps, noise_scale, seed = tab.EXAMPLES["ebm_chains"]
    frames = list(tab.chains(models, density, method, step_size, steps, noise_scale, seed, progress=_no_progress))
    assert len(frames) == tab.FRAMES + 1 and frames[0][1].startswith(f"Step 0 of {steps}")
    assert all(Image.open(png).format == "PNG" for png, _ in frames)
    status = frames[-1][1]
    gap, floor = map(float, re.search(r"= \*\*(\d+\.\d+)\*\* nats.*give \*\*(\d+\.\d+)\*\*", status).groups())
    assert math.isfinite(gap) and 0 < floor
    model = models[density, method]
    monkeypatch.setattr("gen_core.load", lambda name: model)
    scope = {}
    exec(re.search(r"```python\n(.*?)```", status, re.S).group(1), scope)   # noqa: S102 - the printed recipe
    assert len(scope["states"]) == steps + 1
    assert tab.sampler_gap(model, scope["x"], seed) in status


def test_no_noise_runs_descent_on_the_energy(models):
    density, method, step_size, _, _, seed = tab.EXAMPLES["ebm_chains"]
    model = models[density, method]
    states = list(model.sampler_steps(200, torch.Generator().manual_seed(seed), steps=30, step_size=step_size,
                                      noise_scale=0.0))
    assert model.energy(states[-1]).mean() < model.energy(states[0]).mean()


@pytest.mark.parametrize("bad, message", [
    ({"step_size": 0}, "Step size"), ({"step_size": -0.01}, "Step size"), ({"step_size": 5.0}, "Step size"),
    ({"step_size": float("nan")}, "Step size"), ({"steps": tab.MAX_STEPS + 1}, "Steps"), ({"steps": 0}, "Steps"),
    ({"noise_scale": -1}, "Noise scale"), ({"noise_scale": float("inf")}, "Noise scale"),
    ({"density": "spiral galaxy"}, "Density"), ({"method": "mcmc"}, "Method"), ({"seed": -3}, "Seed"),
])
def test_bad_requests_get_a_plain_error(models, bad, message):
    names = ["density", "method", "step_size", "steps", "noise_scale", "seed"]
    values = {**dict(zip(names, tab.EXAMPLES["ebm_chains"])), **bad}
    with pytest.raises(gr.Error, match=message):
        next(tab.chains(models, *[values[n] for n in names], progress=_no_progress))
