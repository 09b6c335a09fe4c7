"""WaveGAN for spoken digits (Donahue, McAuley & Puckette 2019, arXiv:1802.04208), conditioned on the digit.

The generator is the paper's: a dense layer to a (16, 16w) feature sequence, then five 1-D
transposed convolutions (kernel 25, stride 4) up to 16,384 samples, ReLU between them and tanh at
the end. The critic mirrors it with strided 1-D convolutions, leaky ReLU and *phase shuffle*: each
layer's output is shifted by a random -n..n samples (reflection-padded) so the critic cannot key on
the checkerboard phase that transposed convolutions leave in audio. Trained on the WGAN-GP
objective. The digit enters G as a learned embedding concatenated with z, and the critic through a
projection term (Miyato & Koyama 2018) and an auxiliary classifier head (AC-GAN). Sizes are the paper's shrunk (width w = 64 in the paper) so
training fits a CPU.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from gen_core.base import HubModel
from gen_core.family import Family, Name, Output
from gen_core.audio import CLIP_SAMPLES, SAMPLE_RATE

KERNEL, STRIDE, LAYERS = 25, 4, 5
BASE_LENGTH = CLIP_SAMPLES // STRIDE ** LAYERS    # 16


@dataclass
class WaveGANConfig:
    z_dim: int = 100              # the paper's latent size
    n_classes: int = 10
    width: int = 8                # w: the first feature sequence has 16w channels, halving each layer
    label_dim: int = 10           # size of the digit embedding concatenated with z
    sample_rate: int = SAMPLE_RATE
    data: str = ""


def _channels(width: int) -> list[int]:
    """Channels from the dense layer's output down to the waveform: [16w, 8w, 4w, 2w, w, 1]."""
    return [16 * width, 8 * width, 4 * width, 2 * width, width, 1]


class WaveGANGenerator(HubModel, tags=["gan", "wavegan", "audio", "spoken-digits"]):
    """G(z | digit): noise and a digit to 16,384 samples of 16 kHz audio in [-1, 1]."""

    family = "wavegan"
    config_class = WaveGANConfig
    conditions = ("digits", "labels")
    task = "text-to-audio"  # the digit is the prompt; the Hub has no class-conditional audio tag

    def __init__(self, config: WaveGANConfig):
        super().__init__()
        self.config = config
        ch = _channels(config.width)
        self.embed = nn.Embedding(config.n_classes, config.label_dim)
        self.dense = nn.Linear(config.z_dim + config.label_dim, ch[0] * BASE_LENGTH)
        layers: list[nn.Module] = []
        for i, (c_in, c_out) in enumerate(zip(ch[:-1], ch[1:])):
            layers.append(nn.ConvTranspose1d(c_in, c_out, KERNEL, STRIDE, padding=11, output_padding=1))
            layers.append(nn.Tanh() if i == LAYERS - 1 else nn.ReLU(inplace=True))
        self.upsample = nn.Sequential(*layers)

    def card_dataset(self) -> tuple[str, str, str]:
        return ("spoken-digits-espeak", "Spoken digits synthesized with espeak-ng, held-out voice variants",
                "with the project's speech-digit-classifier, on synthesized speech (not SC09)")

    def forward_embedded(self, z: torch.Tensor, label_vectors: torch.Tensor) -> torch.Tensor:
        """Like forward, with the digit embeddings given directly (B, label_dim): lets a morph blend digits."""
        h = F.relu(self.dense(torch.cat([z, label_vectors], dim=1)))
        return self.upsample(h.view(len(z), -1, BASE_LENGTH)).squeeze(1)

    def forward(self, z: torch.Tensor, digits: torch.Tensor) -> torch.Tensor:
        """(B, z_dim), (B,) -> (B, CLIP_SAMPLES)."""
        return self.forward_embedded(z, self.embed(digits))

    def noise(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """The paper's prior, Uniform(-1, 1)^z_dim."""
        return torch.rand(n, self.config.z_dim, generator=generator) * 2 - 1

    def codes(self, n: int, *, digits: torch.Tensor | None = None,
              generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(z (n, z_dim), digits (n,)) as `sample` draws them: z first, then random digits if none are given."""
        z = self.noise(n, generator=generator)
        if digits is None:
            digits = torch.randint(0, self.config.n_classes, (n,), generator=generator)
        digits = torch.as_tensor(digits, dtype=torch.long)
        if digits.shape != (n,):
            raise ValueError(f"digits must have shape ({n},), got {tuple(digits.shape)}")
        if n and not (0 <= int(digits.min()) and int(digits.max()) < self.config.n_classes):
            raise ValueError(f"digits must lie in 0..{self.config.n_classes - 1}")
        return z, digits

    @torch.no_grad()
    def generate(self, n: int, *, generator: torch.Generator | None = None, digits: torch.Tensor | None = None,
                 labels: torch.Tensor | None = None) -> torch.Tensor:
        """n clips, float (n, CLIP_SAMPLES) in [-1, 1]; digits (or labels, the same): (n,) ints in 0..9, or
        None for random digits."""
        if labels is not None:
            if digits is not None:
                raise ValueError("digits and labels are the same condition: give one")
            digits = labels
        z, digits = self.codes(n, digits=digits, generator=generator)
        return self(z.to(self.device), digits.to(self.device)).float().cpu()

    @torch.no_grad()
    def morph(self, start: tuple[torch.Tensor, int], end: tuple[torch.Tensor, int], steps: int) -> torch.Tensor:
        """Clips along the straight line from (z, digit) `start` to `end`: noise and digit embedding
        both move linearly. (steps, CLIP_SAMPLES); the first and last are the endpoints' clips."""
        (z0, d0), (z1, d1) = start, end
        t = torch.linspace(0, 1, steps).unsqueeze(1)
        e0, e1 = self.embed(torch.tensor([d0, d1], device=self.device)).cpu()
        z = (1 - t) * z0 + t * z1
        labels = (1 - t) * e0 + t * e1
        return self.forward_embedded(z.to(self.device), labels.to(self.device)).float().cpu()


def phase_shuffle(x: torch.Tensor, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Shift each example of (B, C, L) by its own random k in -n..n samples, reflection-padding the
    edge (the paper's phase shuffle)."""
    if n == 0:
        return x
    b, _, length = x.shape
    padded = F.pad(x, (n, n), mode="reflect")
    shifts = torch.randint(-n, n + 1, (b,), generator=generator).to(x.device)
    index = torch.arange(length, device=x.device).unsqueeze(0) + n - shifts.unsqueeze(1)   # (B, L)
    return padded.gather(2, index.unsqueeze(1).expand(-1, x.shape[1], -1))


class WaveGANCritic(nn.Module):
    """D(x | digit): strided 1-D convolutions with leaky ReLU and phase shuffle, a linear score and a
    projection of the digit embedding onto the features. With `classify`, also a linear head with the
    digit's logits (the AC-GAN term of the WGAN-GP paper's conditional model). Training only; no
    normalization (the gradient penalty is per example)."""

    def __init__(self, config: WaveGANConfig, shuffle: int = 2, classify: bool = False):
        super().__init__()
        ch = _channels(config.width)[::-1]   # [1, w, 2w, 4w, 8w, 16w]
        self.convs = nn.ModuleList(nn.Conv1d(c_in, c_out, KERNEL, STRIDE, padding=11)
                                   for c_in, c_out in zip(ch[:-1], ch[1:]))
        self.shuffle = shuffle
        features = ch[-1] * BASE_LENGTH
        self.head = nn.Linear(features, 1)
        self.embed = nn.Embedding(config.n_classes, features)
        nn.init.zeros_(self.embed.weight)
        self.classifier = nn.Linear(features, config.n_classes) if classify else None

    def forward(self, audio: torch.Tensor, digits: torch.Tensor, generator: torch.Generator | None = None
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(B, CLIP_SAMPLES), (B,) -> scores (B,) (higher: more real) and digit logits (B, n_classes) or None."""
        h = audio.unsqueeze(1)
        for i, conv in enumerate(self.convs):
            h = F.leaky_relu(conv(h), 0.2)
            if i < len(self.convs) - 1:
                h = phase_shuffle(h, self.shuffle, generator)
        h = h.flatten(1)
        scores = self.head(h).squeeze(1) + (self.embed(digits) * h).sum(1)
        return scores, (self.classifier(h) if self.classifier is not None else None)


RECORD = Family(
    WaveGANGenerator, trainer="gen_core.train.wavegan", evaluator="gen_core.evaluate.audio:evaluate_wavegan",
    tiny_training=("--z-dim", "8", "--width", "2", "--n-critic", "2"),
    tiny=WaveGANConfig(z_dim=8, width=2, data="tiny"), output=Output((CLIP_SAMPLES,), -1.0, 1.0),
    names={"wavegan-digits": Name("v1")})
