"""Quality floors on the shipped weights, with teeth, and cheap checks of the cards' figures.

A floor is a fixed number: the shipped model's figure on a small fixed-seed protocol (tests/quality.py),
less a margin for numerical drift between machines (stated in MARGINS). Fixed seeds make each figure the
same on every run, so a margin for sampling noise is not needed, and a floor catches any change of
weights that makes the figure worse. Each floor names the next-worse shipped model on that measure, and
that model's figure must fail it: a floor that the next-worse model passes would catch nothing. The
worst model of a ranking has no worse shipped model; its floor is stated, not proven sharp.

Retraining a model means measuring again (`PYTHONPATH=. python tests/quality.py`) and editing its floors here, on
purpose: a worse model cannot lower its own floor by rewriting its card.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch

import gen_core
import quality
from gen_core.card import read_card
from gen_core.family import DIGIT_IMAGES
from gen_core.hub import ENERGY_2D, FLOW_DENSITIES, GAN_FAMILY, REGISTRY, energy_name
from gen_core.models import RECORDS

pytestmark = pytest.mark.slow

# Drift allowed between machines on the same fixed-seed protocol, per measure.
MARGINS = {"digits_covered": 0, "inception_score": 0.05, "frechet_distance": 1.0, "asked_digit_accuracy": 0.005, "elbo": 0.5,
           "nll": 0.2, "kl": 0.002}
HIGHER_IS_BETTER = {"digits_covered": True, "inception_score": True, "frechet_distance": False, "asked_digit_accuracy": True,
                    "elbo": False, "nll": False, "kl": False}


@dataclass(frozen=True)
class Floor:
    model: str
    measure: str          # a key of MARGINS
    shipped: float        # the shipped model's figure on this protocol (tests/quality.py), measured 2026-11-30
    worse: str | None     # the next-worse shipped model on this measure, which must fail the floor

    @property
    def bound(self) -> float:
        margin = MARGINS[self.measure]
        return self.shipped - margin if HIGHER_IS_BETTER[self.measure] else self.shipped + margin

    def passes(self, value: float) -> bool:
        return value >= self.bound if HIGHER_IS_BETTER[self.measure] else value <= self.bound


def _flow_floors() -> list[Floor]:
    """Each density's flow; its teeth: the flow of the next density, scored on this one."""
    shipped = {"8gaussians": 0.0019, "checkerboard": 0.0328, "moons": 0.0025, "circles": 0.0052,
               "2spirals": 0.0154, "swissroll": 0.0037, "pinwheel": 0.0056}
    others = FLOW_DENSITIES[1:] + FLOW_DENSITIES[:1]
    return [Floor(f"flow-{d}", "kl", shipped[d], f"flow-{other}") for d, other in zip(FLOW_DENSITIES, others)]


def _energy_floors() -> list[Floor]:
    """Each 2-D energy; its teeth: the energy of the next density shipped, scored on this one."""
    shipped = {"ebm-moons-dsm": 0.0044, "ebm-moons-cd": 0.0499, "ebm-8gaussians-dsm": 0.0021, "ebm-8gaussians-cd": 0.1149,
               "ebm-circles-dsm": 0.0017, "ebm-swissroll-dsm": 0.0028, "ebm-pinwheel-dsm": 0.0224,
               "ebm-2spirals-dsm": 0.0200, "ebm-checkerboard-dsm": 0.0763}
    names = [energy_name(d, m) for d, m in ENERGY_2D]
    others = [next(energy_name(d2, m2) for d2, m2 in ENERGY_2D[i + 1:] + ENERGY_2D[:i] if d2 != d)
              for i, (d, _) in enumerate(ENERGY_2D)]
    return [Floor(name, "kl", shipped[name], other) for name, other in zip(names, others)]


FLOORS = [
    # 500 samples (50 of each asked digit), the shipped classifier, the 500 shipped test digits.
    Floor("infogan-mnist", "inception_score", 9.996, "cgan-mnist"),
    Floor("cgan-mnist", "inception_score", 9.831, "sngan-mnist"),
    Floor("sngan-mnist", "inception_score", 8.018, "wgan-gp-mnist"),
    # wgan-gp (7.824) and gan (7.816) tie within the margin: each one's teeth is dcgan.
    Floor("wgan-gp-mnist", "inception_score", 7.824, "dcgan-mnist"),
    Floor("gan-mnist", "inception_score", 7.816, "dcgan-mnist"),
    Floor("dcgan-mnist", "inception_score", 7.280, "ebm-mnist"),
    Floor("ebm-mnist", "inception_score", 7.125, None),   # fresh Langevin chains from noise
    Floor("cgan-mnist", "frechet_distance", 50.68, "infogan-mnist"),
    Floor("infogan-mnist", "frechet_distance", 61.32, "sngan-mnist"),
    Floor("sngan-mnist", "frechet_distance", 63.15, "gan-mnist"),
    Floor("gan-mnist", "frechet_distance", 68.73, "wgan-gp-mnist"),
    Floor("wgan-gp-mnist", "frechet_distance", 78.16, "dcgan-mnist"),
    Floor("dcgan-mnist", "frechet_distance", 102.70, "ebm-mnist"),
    Floor("ebm-mnist", "frechet_distance", 127.78, None),
    # Every shipped GAN covers all 10 digits (each with at least 5% of the samples); the digit energy's fresh chains do not.
    *(Floor(name, "digits_covered", 10, "ebm-mnist") for name in ("infogan-mnist", "cgan-mnist", *GAN_FAMILY)),
    Floor("ebm-mnist", "digits_covered", 8, None),
    Floor("infogan-mnist", "asked_digit_accuracy", 1.000, "cgan-mnist"),
    Floor("cgan-mnist", "asked_digit_accuracy", 0.992, "gan-mnist"),     # unconditional: digits at chance
    # -ELBO on the 500 shipped test digits, binarized with the evaluator's seed.
    Floor("vae-mnist", "elbo", 89.52, "vae-mnist-2d"),
    Floor("vae-mnist-2d", "elbo", 142.24, None),
    # Exact -log p(x) on the same 500 binarized digits (the PixelCNN: its mixture over digits).
    Floor("pixelcnn-mnist", "nll", 83.915, "made-mnist"),
    Floor("made-mnist", "nll", 89.575, None),
    # WaveGAN, 200 clips, the speech classifier: no second audio generator ships, so its teeth are white noise.
    Floor("wavegan-digits", "inception_score", 7.296, "noise"),
    Floor("wavegan-digits", "asked_digit_accuracy", 0.955, "noise"),
    *_flow_floors(),
    *_energy_floors(),
]


def measure(floor: Floor, model: str) -> float:
    """`model`'s figure on the floor's protocol (for a 2-D model's floor: on that model's density)."""
    if floor.measure == "kl":
        return quality.density_kl(model, gen_core.load(floor.model).config.density)
    if floor.measure == "elbo":
        return quality.vae_elbo(model)
    if floor.measure == "nll":
        return quality.exact_nll(model)
    if RECORDS[REGISTRY[floor.model].family].output != DIGIT_IMAGES:   # the audio generator
        return quality.audio_measures(model)[floor.measure]
    return quality.image_measures(model)[floor.measure]


def _id(floor: Floor) -> str:
    return f"{floor.model}-{floor.measure}"


@pytest.mark.parametrize("floor", FLOORS, ids=_id)
def test_the_shipped_model_meets_its_floor(floor):
    value = measure(floor, floor.model)
    assert floor.passes(value), f"{floor.model} {floor.measure} {value:.4f}, floor {floor.bound:.4f}"


@pytest.mark.parametrize("floor", [f for f in FLOORS if f.worse], ids=_id)
def test_the_next_worse_model_fails_the_floor(floor):
    value = measure(floor, floor.worse)
    assert not floor.passes(value), f"{floor.worse} passes the {_id(floor)} floor with {value:.4f}"


# Cheap checks of the cards: the same estimator on a subset must land near the card's figure.
@pytest.mark.parametrize("name", [f"flow-{d}" for d in FLOW_DENSITIES] + [energy_name(d, m) for d, m in ENERGY_2D])
def test_a_2d_models_cards_kl_is_what_a_fifth_of_its_draws_give(name):
    """The card's KL is NLL - H(p) on 100,000 draws; 20,000 fresh draws must give it within 0.01 nats
    (a few standard errors: the per-point spread of log q - log p is under 0.3 nats on these models)."""
    model = gen_core.load(name)
    card = {m.key: m.value for m in read_card(model.source.directory).metrics}
    assert abs(quality.density_kl(name, model.config.density) - card["kl"]) < 0.01


def test_the_vae_cards_elbo_is_what_500_test_digits_give():
    """-ELBO on the 500 shipped test digits (a subset of the card's 10,000; standard error about 1.2
    nats at this size) within 3 nats of the card's."""
    card = {m.key: m.value for m in read_card(gen_core.load("vae-mnist").source.directory).metrics}
    assert abs(quality.vae_elbo("vae-mnist") - card["negative_elbo"]) < 3.0


@pytest.mark.parametrize("name", ["pixelcnn-mnist", "made-mnist"])
def test_an_autoregressive_cards_nll_is_what_500_test_digits_give(name):
    """Exact -log p(x) on the 500 shipped test digits (a subset of the card's 10,000, binarized with the
    same seed; standard error about 1.3 nats at this size) within 4 nats of the card's."""
    card = {m.key: m.value for m in read_card(gen_core.load(name).source.directory).metrics}
    assert abs(quality.exact_nll(name) - card["nll"]) < 4.0


def test_the_vae_cards_repair_figures_are_what_200_test_digits_give():
    """Bottom half hidden: Metropolis-within-Gibbs completions of 200 shipped test digits are read right
    within 10 points of the card's figure on 1,000 (about 3 standard errors at 200), and beat one-shot
    by at least 10 points (the card's gap is 19.7)."""
    card = {m.key: m.value for m in read_card(gen_core.load("vae-mnist").source.directory).metrics}
    mwg, one_shot = quality.repair_accuracy("mwg"), quality.repair_accuracy("one-shot")
    assert abs(mwg - card["repair_bottom14_mwg_accuracy"]) < 0.10 and mwg - one_shot >= 0.10, (mwg, one_shot)


def test_the_wavegan_cards_inception_score_ratio_is_what_200_clips_give():
    """IS of 200 clips over the card's real IS, within 0.05 of the card's generated / real ratio (the
    splits' spread on the card is 0.23 of 7.3 at 100 clips a split; 40 a split here)."""
    card = {m.key: m.value for m in read_card(gen_core.load("wavegan-digits").source.directory).metrics}
    ratio = quality.audio_measures("wavegan-digits")["inception_score"] / card["inception_score_real"]
    assert abs(ratio - card["inception_score_ratio"]) < 0.05


def test_the_cgan_cards_frechet_distance_is_recomputed_from_the_shipped_test_statistics():
    """The card's FD is 1,000 samples (the evaluator's seed 0, 100 of each digit) against the 10,000
    standard test digits. Their classifier-feature mean and covariance ship beside the classifier
    (written by `python -m gen_core.evaluate mnist-classifier --data standard`), so the same figure is
    recomputed here without the MNIST files; only float summation order may differ."""
    from safetensors.torch import load_file

    from gen_core import metrics
    from gen_core.evaluate import TEST_STATISTICS

    classifier, model = gen_core.load("mnist-classifier"), gen_core.load("cgan-mnist")
    stats = load_file(classifier.source.directory / TEST_STATISTICS)
    labels = torch.arange(1000) % 10
    with torch.no_grad():
        samples = model.sample(1000, labels=labels, generator=torch.Generator().manual_seed(0))
    features, _ = classifier.features_and_probs(samples)
    fd = metrics.frechet_distance_of(metrics.feature_statistics(features),
                                     (stats["mean"].numpy(), stats["covariance"].numpy()))
    card = {m.key: m.value for m in read_card(model.source.directory).metrics}
    assert fd == pytest.approx(card["frechet_distance"], abs=0.01)


@pytest.mark.parametrize("name", sorted(gen_core.available()))
def test_a_shipped_card_names_its_model_as_users_load_it(name):
    """A card is written under the name of the folder it was trained into; shipped under another name,
    its title, its evaluate command and its gen_core.load line would name a model nobody can load."""
    directory = gen_core.load(name).source.directory
    text = (directory / "README.md").read_text()
    assert read_card(directory).training.get("name", name) == name
    for line in (f"\n# {name}\n", f"python -m gen_core.evaluate {name}`", f'gen_core.load("{name}")'):
        assert line in text, f"{name}'s card lacks {line.strip()!r}"
