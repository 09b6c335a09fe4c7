"""Train the digit-conditioned WaveGAN on the WGAN-GP objective, with phase shuffle in the critic.

    L_D = E[D(G(z|y)|y)] - E[D(x|y)] + lambda E[(||grad D(x_hat|y)|| - 1)^2] + ac CE(C(x), y)
    L_G = -E[D(G(z|y)|y)] + ac CE(C(G(z|y)), y) + guide CE(F(aug(G(z|y))), y)

C is an auxiliary digit classifier on the critic's features (AC-GAN, as in the conditional model of
the WGAN-GP paper). G fools C easily (its cross-entropy on fakes falls to 0.02 while the evaluator
hears 46% of the digits), so --guide adds F: a second spoken-digit classifier, trained on the real
clips before it is first needed and then frozen (gen_core.train.speech_classifier.fit_guide), that
hears each fake after a random shift, gain and noise. It is never the evaluator.

The paper takes 5 critic steps per generator step at lr 1e-4; on a CPU budget we take one critic
step per generator step with a faster critic (lr 4e-4 against 2e-4, the two time-scale rule of
Heusel et al. 2017); --n-critic 5 --lr 1e-4 --lr-d 1e-4 --ac 0 is the paper's unconditional
schedule. Training clips are centred on their energy (--center). On this CPU the projection term
alone (--ac 0) and uncentred clips left the digits unrecognisable after 1,500 steps.

--init-from fine-tunes exported weights: the generator is loaded, and a fresh critic is first fitted
to it for --critic-warmup steps (the guide is fitted again when asked for).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from typing import ClassVar

import torch
import torch.nn.functional as F
from tqdm import trange

from gen_core.audio import center_clips
from gen_core.data.spoken_digits import load_spoken_digits
from gen_core.models.speech_classifier import SpeechClassifierConfig, SpeechDigitClassifier
from gen_core.models.wavegan import WaveGANConfig, WaveGANCritic, WaveGANGenerator
from gen_core.train.adversarial import EMA, AdversarialTask, gradient_penalty
from gen_core.train.config import TrainConfig, flag
from gen_core.train.loop import Batch, Runtime, Stream, batches, unwrap
from gen_core.train.speech_classifier import GUIDE_NOISE, augment, fit_guide


@dataclass(frozen=True)
class Config(TrainConfig):
    """The flags of `python -m gen_core.train wavegan`."""

    family: ClassVar[str] = "wavegan"
    steps: int = 8000
    batch_size: int = 32
    data_dir: str = flag("data/spoken_digits", "spoken-digit set (python -m gen_core.data.spoken_digits), or SC09 in the same layout")
    z_dim: int = flag(100)
    width: int = flag(8, "the paper's d (64 in the paper)")
    phase_shuffle: int = flag(2, "the critic's largest shift, samples (paper: 2)")
    lr: float = flag(2e-4, "generator learning rate")
    lr_d: float = flag(4e-4, "critic learning rate")
    n_critic: int = flag(1, "critic steps per generator step (paper: 5)")
    gp: float = flag(10.0, "gradient penalty weight lambda")
    ac: float = flag(1.0, "weight of the auxiliary digit classifier on the critic (AC-GAN, as in the WGAN-GP "
            "paper's conditional model): cross-entropy on real clips for D, on fakes for G; 0: off")
    guide: float = flag(0.0, "weight of a frozen guide classifier's cross-entropy on the generator's clips (shifted, "
            "scaled and noised first); the guide is trained on the real clips before the first step "
            "it is needed, from --seed + 1, and is never the evaluator; 0: off")
    guide_steps: int = flag(1500, "training steps of the guide classifier")
    center: int = flag(1, "1: shift each training clip (circularly) so its energy centroid is mid-clip; 0: as recorded")
    ema: float = flag(0.999, "decay of the exported generator's weight average")
    critic_warmup: int = flag(300, "with --init-from: critic steps against the loaded generator before training starts")


class WaveGANTask(AdversarialTask):
    frozen = ("guide",)

    def __init__(self, args: Config, runtime: Runtime):
        config = WaveGANConfig(z_dim=args.z_dim, width=args.width)
        self.args = args
        self.generator = runtime.wrap(WaveGANGenerator(config))
        self.discriminator = runtime.wrap(WaveGANCritic(config, shuffle=args.phase_shuffle, classify=args.ac > 0))
        self.ema = EMA(unwrap(self.generator), args.ema)
        betas = (0.5, 0.9)  # the paper's Adam
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=args.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=args.lr_d, betas=betas)
        self.runtime = runtime
        self.guide: torch.nn.Module | None = None  # fitted when first needed (so a resumed run can add it)

    def new_frozen(self, name: str) -> torch.nn.Module:
        return SpeechDigitClassifier(SpeechClassifierConfig()).to(self.runtime.device)

    def _fit_guide(self) -> torch.nn.Module:
        data = load_spoken_digits(self.args.data_dir, "train")
        return fit_guide(data.audio, data.labels, self.args.guide_steps, self.args.seed + 1, self.runtime.device)

    def warm_start(self, directory: Path) -> None:
        """Fine-tune from exported weights: load the generator, then fit the fresh critic to it for
        --critic-warmup steps before the generator sees a gradient from it."""
        super().warm_start(directory)
        audio, labels = training_clips(self.args)
        real_batches = batches(audio, labels, self.args.batch_size, self.runtime, self.args.seed + 2, 0)
        rng = torch.Generator().manual_seed(self.args.seed + 2)
        for _ in trange(self.args.critic_warmup, desc="critic warm-up", disable=not self.runtime.is_main):
            real, digits = next(real_batches)
            self._critic_step(real, digits, rng)

    def _critic_step(self, real: torch.Tensor, digits: torch.Tensor, rng: torch.Generator
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """One critic update on real clips and fakes of the same digits; returns (Wasserstein estimate,
        gradient penalty, the auxiliary classifier's cross-entropy on the real clips or None)."""
        g = unwrap(self.generator)
        b = len(real)
        with torch.no_grad():  # fakes of the same digits as the real clips beside them
            fake = self.generator(g.noise(b, generator=rng).to(real.device), digits)
        logits = {}

        def score(x: torch.Tensor) -> torch.Tensor:
            scores, logits["all"] = self.discriminator(x, digits.repeat(3), generator=rng)
            return scores

        scores, penalty = gradient_penalty(score, real, fake, rng)
        wasserstein = scores[:b].mean() - scores[b:].mean()
        d_loss = -wasserstein + self.args.gp * penalty
        real_ce = F.cross_entropy(logits["all"][:b], digits) if self.args.ac else None
        if real_ce is not None:
            d_loss = d_loss + self.args.ac * real_ce
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        return wasserstein, penalty, real_ce

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        """n_critic critic steps, each on its own share of the batch (the stream draws batch_size x
        n_critic clips), then one generator step."""
        audio, labels = batch
        g = unwrap(self.generator)
        if self.args.guide and self.guide is None:
            self.fit_frozen("guide", self._fit_guide)
        self.generator.train()
        for real, digits in zip(audio.chunk(self.args.n_critic), labels.chunk(self.args.n_critic)):
            wasserstein, penalty, real_ce = self._critic_step(real, digits, rng)
        b = len(real)
        digits = torch.randint(0, g.config.n_classes, (b,), generator=rng).to(audio.device)
        fake = self.generator(g.noise(b, generator=rng).to(audio.device), digits)
        scores, fake_logits = self.discriminator(fake, digits, generator=rng)
        g_loss = -scores.mean()
        if self.args.ac:
            fake_ce = F.cross_entropy(fake_logits, digits)
            g_loss = g_loss + self.args.ac * fake_ce
        if self.args.guide:
            guide_ce = F.cross_entropy(self.guide(augment(fake, rng, GUIDE_NOISE)), digits)
            g_loss = g_loss + self.args.guide * guide_ce
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        self.ema.update(g)
        losses = {"w": wasserstein.item(), "gp": penalty.item(), "g": g_loss.item()}
        if self.args.ac:
            losses.update(ce_real=real_ce.item(), ce_fake=fake_ce.item())
        if self.args.guide:
            losses["ce_guide"] = guide_ce.item()
        return losses


def build(args: Config, runtime: Runtime) -> WaveGANTask:
    return WaveGANTask(args, runtime)


def training_clips(args: Config) -> tuple[torch.Tensor, torch.Tensor]:
    """The training voices' clips (centred with --center 1) and their digits."""
    data = load_spoken_digits(args.data_dir, "train")
    return (center_clips(data.audio) if args.center else data.audio), data.labels


def stream(args: Config, runtime: Runtime, start_step: int) -> Stream:
    audio, labels = training_clips(args)
    return Stream(batches(audio, labels, args.batch_size * args.n_critic, runtime, args.seed, start_step),
                  f"espeak-ng spoken digits, training voices ({len(labels)} clips" + (", centred)" if args.center else ")"))

