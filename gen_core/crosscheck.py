"""A second opinion on a WaveGAN's digits that shares nothing with the project's CNNs.

WaveGAN's generator may be trained against a guide classifier (gen_core.train.wavegan --guide) of the
evaluator's architecture, and what fools one CNN often fools another trained on the same data. This
check is a different kind of model: multinomial logistic regression on coarse log-mel images
(20 mel bands x 16 time bins) of energy-centred clips, fitted on the training voices.
gen_core.evaluate puts its accuracy on generated clips, and on held-out real ones (its ceiling),
on the WaveGAN's card.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from gen_core.audio import center_clips, log_mel
from gen_core.audio import SAMPLE_RATE

GRID = (20, 16)   # mel bands x time bins of the pooled log-mel image
C = 0.05          # inverse L2 strength, scikit-learn's convention: sum of losses + |W|^2 / (2C)


def features(audio: torch.Tensor) -> torch.Tensor:
    """(n, samples) -> (n, 320): the log-mel image of each centred clip, average-pooled to GRID."""
    return torch.cat([F.adaptive_avg_pool2d(log_mel(center_clips(chunk), SAMPLE_RATE), GRID).flatten(1)
                      for chunk in audio.split(512)])


class LinearProbe:
    """Standardized features, then softmax regression fitted to convergence by L-BFGS."""

    def __init__(self, audio: torch.Tensor, labels: torch.Tensor, n_classes: int = 10):
        x = features(audio).double()
        self.mean, self.std = x.mean(0), x.std(0).clamp_min(1e-6)
        x = (x - self.mean) / self.std
        self.weight = torch.zeros(x.shape[1], n_classes, dtype=torch.float64, requires_grad=True)
        self.bias = torch.zeros(n_classes, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([self.weight, self.bias], max_iter=500, tolerance_grad=1e-9,
                                line_search_fn="strong_wolfe")

        def loss() -> torch.Tensor:
            opt.zero_grad()
            value = F.cross_entropy(x @ self.weight + self.bias, labels) + (self.weight ** 2).sum() / (2 * C * len(x))
            value.backward()
            return value

        opt.step(loss)

    @torch.no_grad()
    def accuracy(self, audio: torch.Tensor, labels: torch.Tensor) -> float:
        x = (features(audio).double() - self.mean) / self.std
        return ((x @ self.weight + self.bias).argmax(1) == labels).double().mean().item()

