"""What a sampler looks like to the project's classifier: features, Fréchet distance with its
real floor, Inception score, conditional accuracy."""
from __future__ import annotations

from typing import NamedTuple

import torch

from gen_core import metrics
from gen_core.card import Metric


class Seen(NamedTuple):
    """The classifier's features and probabilities of the samples and of the held-out items,
    computed once per evaluation."""
    feats: torch.Tensor
    probs: torch.Tensor
    test_feats: torch.Tensor
    test_probs: torch.Tensor


def classifier_view(classifier, samples, labels, real, test_inputs, test_labels, unit: str
                     ) -> tuple[Seen, list[Metric]]:
    """What a class-conditional sampler looks like to its project classifier: conditional accuracy,
    the classifier's accuracy on held-out data (the ceiling), and fidelity. samples cycle through
    the classes (0, 1, ..., 9, 0, ...), as real does, so every split of the IS is class-balanced."""
    seen, quality = fidelity(classifier, samples, real, test_inputs, test_labels, unit)
    return seen, [
        Metric("conditional_accuracy", f"Generated {unit} classified as the requested digit ({len(samples):,})",
               metrics.conditional_accuracy(seen.probs, labels)),
        Metric("classifier_accuracy_real", f"Classifier accuracy on the {len(test_inputs):,} real test {unit}, the ceiling",
               metrics.conditional_accuracy(seen.test_probs, test_labels)),
    ] + quality


def fidelity(classifier, samples, real, test_inputs, test_labels, unit: str,
              splits: str = "digit-balanced splits") -> tuple[Seen, list[Metric]]:
    """What the classifier sees of the samples and the held-out items, and: Fréchet distance on its
    features against held-out data (and the floor of as many real training items), and the Inception
    score over 10 consecutive splits of the samples and over 10 class-balanced splits of the held-out items."""
    n = len(samples)
    feats, probs = classifier.features_and_probs(samples)
    real_feats, _ = classifier.features_and_probs(real)
    test_feats, test_probs = classifier.features_and_probs(test_inputs)
    order = metrics.stratified_order(test_labels)
    order = order[:len(order) - len(order) % 10]   # 10 equal splits, each class-balanced
    is_mean, is_std = metrics.inception_score(probs, splits=10)
    real_is, real_is_std = metrics.inception_score(test_probs[order], splits=10)
    return Seen(feats, probs, test_feats, test_probs), [
        Metric("frechet_distance", f"Fréchet distance on classifier features, {n:,} generated vs the {len(test_inputs):,} test {unit}",
               metrics.frechet_distance(feats, test_feats)),
        Metric("frechet_distance_real_floor", f"Fréchet distance floor: {n:,} real training {unit} vs the same test {unit}",
               metrics.frechet_distance(real_feats, test_feats)),
        Metric("inception_score", f"Inception score (classifier), {n:,} {unit}, 10 {splits}", is_mean),
        Metric("inception_score_std", "Inception score std over splits", is_std),
        Metric("inception_score_real", f"Inception score of {len(order):,} real test {unit} (as many of each class), "
               "10 splits", real_is),
        Metric("inception_score_real_std", "Inception score std over splits, real", real_is_std),
    ]
