"""Train the gated PixelCNN on dynamically binarized MNIST, conditioned on the digit (10% "no digit")."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from gen_core.models.pixelcnn import NO_DIGIT, PixelCNN, PixelCNNConfig
from gen_core.train.autoregressive import AutoregressiveTask
from gen_core.train.config import MnistConfig, flag
from gen_core.train.loop import Runtime, mnist_stream


@dataclass(frozen=True)
class Config(MnistConfig):
    """The flags of `python -m gen_core.train pixelcnn`."""

    family: ClassVar[str] = "pixelcnn"
    steps: int = 8000
    batch_size: int = 64
    channels: int = flag(32)
    layers: int = flag(8)
    kernel: int = flag(5)
    head: int = flag(64)
    lr: float = flag(1e-3, "peak learning rate (cosine decay to 0)")
    no_digit: float = flag(0.1, "fraction of training images given the 'no digit' label")
    measure_digits: int = flag(500, "validation digits whose NLL goes into the training log (0: none)")


class PixelCNNTask(AutoregressiveTask):
    def validation_nll(self, model: PixelCNN, x: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        """Given the true digit: one pass per digit, where the mixture takes ten."""
        return {"valid_nll_given_digit": float(-model.log_prob(x, labels).mean())}

    def inputs(self, labels: torch.Tensor, rng: torch.Generator) -> tuple[torch.Tensor]:
        hide = torch.rand(len(labels), generator=rng).to(labels.device) < self.args.no_digit
        return (torch.where(hide, torch.full_like(labels, NO_DIGIT), labels),)


def build(args: Config, runtime: Runtime) -> PixelCNNTask:
    model = PixelCNN(PixelCNNConfig(channels=args.channels, layers=args.layers, kernel=args.kernel, head=args.head))
    return PixelCNNTask(model, args, runtime, args.lr, args.measure_digits)


stream = mnist_stream
