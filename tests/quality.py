"""Cheap, fixed-seed measures of shipped weights, for the quality floors (tests/test_weights.py).

Each measure is a small, seeded version of what `python -m gen_core.evaluate` reports on the card:
the same estimator on a subset, so it runs in seconds and gives the same number on every run of
the same machine. Images are judged by the shipped classifier against the 500 standard test digits
shipped with the app (demos/assets/test_digits.png), which CI has even without the MNIST files.
"""
from __future__ import annotations

import functools

import torch

import gen_core
from demos.digit_sources import test_digits
from gen_core import metrics
from gen_core.audio import CLIP_SAMPLES
from gen_core.data import toy2d

N_IMAGES = 500           # generated digits per image measure, 50 of each digit where the model is asked
N_CLIPS = 200            # generated clips for the audio measure, 20 of each digit
N_POINTS = 20_000        # fresh draws of a toy density for a flow's KL
SEED = 0


@functools.lru_cache(maxsize=None)
def _load(name: str) -> gen_core.HubModel:
    return gen_core.load(name, device="cpu")


@functools.lru_cache(maxsize=1)
def _real_features() -> torch.Tensor:
    features, _ = _load("mnist-classifier").features_and_probs(test_digits()[0])
    return features


def digits_of(name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """N_IMAGES samples of an image model at SEED, and the digits asked for as `labels=` (a model that takes
    no digit cannot be asked, so its samples match them at chance)."""
    model, generator = _load(name), torch.Generator().manual_seed(SEED)
    asked = torch.arange(N_IMAGES) % 10
    with torch.no_grad():
        return model.sample(N_IMAGES, labels=asked if "labels" in model.conditions else None, generator=generator), asked


@functools.lru_cache(maxsize=None)
def image_measures(name: str) -> dict[str, float]:
    """Inception score (5 splits), Fréchet distance to the 500 shipped test digits, digits covered,
    and the share drawn as the digit asked for; all by the shipped classifier."""
    images, asked = digits_of(name)
    features, probs = _load("mnist-classifier").features_and_probs(images)
    return {"inception_score": metrics.inception_score(probs, splits=5)[0],
            "frechet_distance": metrics.frechet_distance(features, _real_features()),
            "digits_covered": float(metrics.classes_covered(probs)),
            "asked_digit_accuracy": metrics.conditional_accuracy(probs, asked)}


@functools.lru_cache(maxsize=None)
def vae_elbo(name: str) -> float:
    """-ELBO in nats on the 500 shipped test digits, binarized with the evaluator's seed (one z each)."""
    model = _load(name)
    x = torch.bernoulli(test_digits()[0], generator=torch.Generator().manual_seed(123))
    with torch.no_grad():
        reconstruction, kl = model.elbo_terms(x, torch.Generator().manual_seed(SEED))
    return float(-(reconstruction - kl).mean())


@functools.lru_cache(maxsize=None)
def exact_nll(name: str) -> float:
    """-log p(x), exact, in nats on the 500 shipped test digits, binarized with the evaluator's seed (an
    autoregressive model; the PixelCNN's mixture over digits)."""
    x = torch.bernoulli(test_digits()[0], generator=torch.Generator().manual_seed(123))
    with torch.no_grad():
        return float(-_load(name).log_prob(x).mean())


@functools.lru_cache(maxsize=None)
def repair_accuracy(method: str, per_class: int = 20) -> float:
    """Classifier accuracy of vae-mnist's completions of the bottom half (14 rows hidden) of the first
    `per_class` shipped test digits of each class, 50 iterations, as the evaluator runs them."""
    from gen_core.repair import Corruption, complete

    images, labels = test_digits()
    keep = torch.cat([torch.nonzero(labels == d)[:per_class, 0] for d in range(10)])
    x = torch.bernoulli(images[keep], generator=torch.Generator().manual_seed(123))
    seen = Corruption("hide bottom", 14).observe(x)
    fixed = complete(_load("vae-mnist"), seen.y, seen.observed, method=method, steps=50,
                     generator=torch.Generator().manual_seed(SEED))
    return metrics.conditional_accuracy(_load("mnist-classifier").features_and_probs(fixed)[1], labels[keep])


@functools.lru_cache(maxsize=None)
def density_kl(name: str, density: str) -> float:
    """NLL - H(p) of a 2-D model (a flow, an energy) on N_POINTS fresh draws of `density` (the evaluator's
    estimator of KL(p || q))."""
    x = toy2d.sample(density, N_POINTS, torch.Generator().manual_seed(SEED))
    with torch.no_grad():
        nll = -_load(name).log_prob(x).double()
    return float(nll.mean() + toy2d.true_log_prob(density, x).double().mean())


@functools.lru_cache(maxsize=None)
def audio_measures(name: str) -> dict[str, float]:
    """The speech classifier's Inception score of N_CLIPS clips of `name` (or of white noise for
    "noise"), and the share heard as the asked digit."""
    asked = torch.arange(N_CLIPS) % 10
    generator = torch.Generator().manual_seed(SEED)
    if name == "noise":
        clips = torch.rand(N_CLIPS, CLIP_SAMPLES, generator=generator) * 0.2 - 0.1
    else:
        with torch.no_grad():
            clips = _load(name).sample(N_CLIPS, labels=asked, generator=generator)
    _, probs = _load("speech-digit-classifier").features_and_probs(clips)
    return {"inception_score": metrics.inception_score(probs, splits=5)[0],
            "asked_digit_accuracy": metrics.conditional_accuracy(probs, asked)}


if __name__ == "__main__":   # PYTHONPATH=. python tests/quality.py: every floor's model, measured (tests/test_weights.py)
    from test_weights import FLOORS, measure

    for floor in FLOORS:
        print(floor.model, floor.measure, round(measure(floor, floor.model), 4))
    print("vae-mnist repair accuracy, bottom half", {m: round(repair_accuracy(m), 3) for m in ("one-shot", "mwg")})
