"""Train the conditional GAN (non-saturating loss, projection discriminator, EMA rng)."""
from __future__ import annotations

from dataclasses import dataclass

from typing import ClassVar

import torch
import torch.nn.functional as F

from gen_core.models.cgan import CGANConfig, CGANDiscriminator, CGANGenerator
from gen_core.train.adversarial import EMA, AdversarialTask
from gen_core.train.config import MnistConfig, flag
from gen_core.train.loop import Batch, Runtime, mnist_stream, unwrap


@dataclass(frozen=True)
class Config(MnistConfig):
    """The flags of `python -m gen_core.train cgan`."""

    family: ClassVar[str] = "cgan"
    steps: int = 40000
    batch_size: int = 64
    z_dim: int = flag(64)
    width: int = flag(32)
    lr: float = flag(2e-4, "generator learning rate")
    lr_d: float = flag(None, "discriminator learning rate (default: --lr)")
    ema: float = flag(0.999, "decay of the exported generator's weight average")  # the shipped cgan-mnist recipe


class CGANTask(AdversarialTask):
    def __init__(self, args: Config, runtime: Runtime):
        config = CGANConfig(z_dim=args.z_dim, width=args.width)
        self.args, self.runtime = args, runtime
        self.generator = runtime.wrap(CGANGenerator(config))
        self.discriminator = runtime.wrap(CGANDiscriminator(config))
        self.ema = EMA(unwrap(self.generator), args.ema)
        betas = (0.5, 0.999)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=args.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=args.lr_d or args.lr, betas=betas)

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        images, labels = batch
        b, device = len(images), images.device
        z = torch.randn(b, self.args.z_dim, generator=rng).to(device)
        fake_labels = torch.randint(0, 10, (b,), generator=rng).to(device)
        self.generator.train()
        fake = self.generator(z, fake_labels)

        # D step: one forward over real and fake together (DDP wants one forward per backward).
        logits = self.discriminator(torch.cat([images, fake.detach()]), torch.cat([labels, fake_labels]))
        d_loss = F.softplus(-logits[:b]).mean() + F.softplus(logits[b:]).mean()  # -log D(x|y) - log(1 - D(G(z|y)|y))
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()

        # G step: non-saturating -log D(G(z|y)|y) (Goodfellow 2014, sec. 3) instead of log(1 - D).
        g_loss = F.softplus(-self.discriminator(fake, fake_labels)).mean()
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        self.ema.update(unwrap(self.generator))
        return {"d": d_loss.item(), "g": g_loss.item()}


def build(args: Config, runtime: Runtime) -> CGANTask:
    return CGANTask(args, runtime)


stream = mnist_stream
