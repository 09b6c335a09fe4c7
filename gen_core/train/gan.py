"""Train an unconditional MNIST GAN: --variant gan | dcgan | wgan-gp | sngan, one loop for all four.

A variant is a few small pieces (gen_core.train.gan.RECIPES): the networks, the discriminator's
regularizer, the loss pair, critic steps per generator step and Adam's settings. Everything else is
shared: the same batches, seeds, generator-step budget and weight average (EMA) of the exported
generator, so the four differ only by method.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar

import torch
import torch.nn.functional as F

import gen_core
from gen_core import metrics
from gen_core.data.mnist import load_mnist
from gen_core.models.gan import VARIANTS, GANConfig, GANDiscriminator, GANGenerator
from gen_core.train.adversarial import EMA, AdversarialTask, gradient_penalty
from gen_core.train.augment import random_translate
from gen_core.train.config import MnistConfig, flag
from gen_core.train.loop import Batch, Runtime, Stream, mnist_stream, unwrap

Scores = torch.Tensor  # (B,) discriminator outputs


@dataclass(frozen=True)
class Loss:
    """A GAN objective as the two losses the players minimize."""

    discriminator: Callable[[Scores, Scores], torch.Tensor]  # (scores on real, scores on fake)
    generator: Callable[[Scores], torch.Tensor]               # (scores on fake)


# -log D(x) - log(1 - D(G(z))) for D; the non-saturating -log D(G(z)) for G (Goodfellow 2014, sec. 3).
NON_SATURATING = Loss(lambda real, fake: F.softplus(-real).mean() + F.softplus(fake).mean(),
                      lambda fake: F.softplus(-fake).mean())
# The critic maximizes E D(x) - E D(G(z)) (Arjovsky 2017); the gradient penalty is added in the step.
WASSERSTEIN = Loss(lambda real, fake: fake.mean() - real.mean(), lambda fake: -fake.mean())
# Hinge loss (Lim & Ye 2017; Miyato 2018, eq. 17): E max(0, 1 - D(x)) + E max(0, 1 + D(G(z))); G: -E D(G(z)).
HINGE = Loss(lambda real, fake: F.relu(1 - real).mean() + F.relu(1 + fake).mean(), lambda fake: -fake.mean())


@dataclass(frozen=True)
class Variant:
    architecture: str          # mlp | conv (gen_core.models.gan)
    norm: str                  # the discriminator's regularizer: none | spectral
    layout: str                # the conv discriminator's stack: strided (DCGAN's) | cnn (SNGAN's standard CNN)
    loss: Loss
    critic_steps: int          # discriminator updates per generator update, each on its own real batch
    gradient_penalty: float    # lambda of WGAN-GP's penalty (0: none)
    lr: float
    betas: tuple[float, float]


RECIPES: dict[str, Variant] = {  # one per gen_core.models.gan.VARIANTS, in that order
    "gan": Variant("mlp", "none", "strided", NON_SATURATING, 1, 0.0, 2e-4, (0.5, 0.999)),
    "dcgan": Variant("conv", "none", "strided", NON_SATURATING, 1, 0.0, 2e-4, (0.5, 0.999)),    # DCGAN's Adam settings
    "wgan-gp": Variant("conv", "none", "strided", WASSERSTEIN, 5, 10.0, 1e-4, (0.0, 0.9)),       # Gulrajani et al., Alg. 1
    "sngan": Variant("conv", "spectral", "cnn", HINGE, 1, 0.0, 2e-4, (0.5, 0.999)),              # Miyato et al.: standard CNN, n_dis 1
}


@dataclass(frozen=True)
class Config(MnistConfig):
    """The flags of `python -m gen_core.train gan`."""

    family: ClassVar[str] = "gan"
    steps: int = 30000
    batch_size: int = 64
    variant: str = flag(None, choices=VARIANTS, required=True)
    z_dim: int = flag(64)
    width: int = flag(32)
    ema: float = flag(0.999, "decay of the exported generator's weight average")
    diff_augment: int = flag(0, "DiffAugment (Zhao et al. 2020): every image the discriminator sees, real or generated, "
            "is first moved by a random whole-pixel offset up to this far along each axis; 0: off (the "
            "standard-split recipe; 3 paid on the 4,500-digit subset, not on the 50,000 digits)", metavar="PIXELS")
    measure_samples: int = flag(1000, "samples scored by the MNIST classifier at each training-log row (0: none)")  # generator steps; the shipped recipe of all four


class GANTask(AdversarialTask):
    def __init__(self, args: Config, runtime: Runtime):
        self.args, self.runtime = args, runtime
        self.variant = v = RECIPES[args.variant]
        config = GANConfig(variant=args.variant, architecture=v.architecture, z_dim=args.z_dim, width=args.width)
        self.generator = runtime.wrap(GANGenerator(config))
        self.discriminator = runtime.wrap(GANDiscriminator(config, v.norm, v.layout))
        self.ema = EMA(unwrap(self.generator), args.ema)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=v.lr, betas=v.betas)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=v.lr, betas=v.betas)
        self.probe: _Probe | None = None

    def noise(self, b: int, rng: torch.Generator) -> torch.Tensor:
        return unwrap(self.generator).noise(b, generator=rng).to(self.runtime.device)

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        images, _ = batch  # critic_steps real batches, one per discriminator update
        v = self.variant

        def seen(x: torch.Tensor) -> torch.Tensor:  # what the discriminator sees of real and generated digits
            return random_translate(x, self.args.diff_augment, rng)

        self.generator.train()
        for real in images.chunk(v.critic_steps):
            b = len(real)
            with torch.no_grad():
                fake = self.generator(self.noise(b, rng))
            real, fake = seen(real), seen(fake)
            if v.gradient_penalty:
                scores, penalty = gradient_penalty(self.discriminator, real, fake, rng)
            else:  # one forward over real and fake together (DDP wants one forward per backward)
                scores, penalty = self.discriminator(torch.cat([real, fake])), torch.zeros(())
            d_loss = v.loss.discriminator(scores[:b], scores[b:]) + v.gradient_penalty * penalty
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self.opt_d.step()

        g_loss = v.loss.generator(self.discriminator(seen(self.generator(self.noise(self.args.batch_size, rng)))))
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        self.ema.update(unwrap(self.generator))
        losses = {"d": d_loss.item(), "g": g_loss.item()}
        if v.gradient_penalty:
            losses["penalty"] = penalty.item()
        return losses

    def measure(self) -> dict[str, float]:
        """The exported (EMA) generator as the MNIST classifier sees it, for the training log."""
        if not self.args.measure_samples:
            return {}
        if self.probe is None:
            self.probe = _Probe(self.args)
        return self.probe(self.ema.model)


class _Probe:
    """Fixed noise and 1,000 training digits (never the held-out split) as the reference."""

    def __init__(self, args: Config):
        self.classifier = gen_core.load("mnist-classifier", device="cpu")
        train = load_mnist(args.split, source=args.data)
        pick = torch.randperm(len(train), generator=torch.Generator().manual_seed(1))[:args.measure_samples]
        self.reference, _ = self.classifier.features_and_probs(train.images[pick])
        self.n = args.measure_samples - args.measure_samples % 10

    def __call__(self, model: GANGenerator) -> dict[str, float]:
        samples = model.sample(self.n, generator=torch.Generator().manual_seed(0))
        feats, probs = self.classifier.features_and_probs(samples)
        inception, _ = metrics.inception_score(probs, splits=10)
        return {"inception_score": inception, "frechet_distance_train": metrics.frechet_distance(feats, self.reference),
                "digits_covered": metrics.classes_covered(probs), "kl_from_uniform": metrics.label_histogram_kl(probs)}


def build(args: Config, runtime: Runtime) -> GANTask:
    if args.diff_augment < 0:
        raise SystemExit(f"--diff-augment must be 0 (off) or a number of pixels, got {args.diff_augment}")
    return GANTask(args, runtime)


def stream(args: Config, runtime: Runtime, start_step: int) -> Stream:
    """critic_steps batches of the MNIST training split per generator step."""
    return mnist_stream(args, runtime, start_step, RECIPES[args.variant].critic_steps)
