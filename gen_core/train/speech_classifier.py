"""Train the spoken-digit classifier (the audio evaluator) with random shifts and gains.

fit_guide trains a second one the same way from another seed, with noise added: the frozen guide that
tells WaveGAN's generator which digit it is saying (gen_core.train.wavegan --guide). It is never the
evaluator, so the evaluator's scores are not trained against."""
from __future__ import annotations

from dataclasses import dataclass

from typing import ClassVar

import torch

from gen_core.audio import SAMPLE_RATE
from gen_core.data.spoken_digits import load_spoken_digits
from gen_core.models.speech_classifier import SpeechClassifierConfig, SpeechDigitClassifier
from gen_core.train.classifier import ClassifierTask
from gen_core.train.config import TrainConfig, flag
from gen_core.train.loop import Runtime, Stream, batches


GUIDE_NOISE = 0.05  # largest standard deviation of the white noise added to the guide's inputs


@dataclass(frozen=True)
class Config(TrainConfig):
    """The flags of `python -m gen_core.train speech-classifier`."""

    family: ClassVar[str] = "speech-classifier"
    steps: int = 1500
    batch_size: int = 64
    data_dir: str = flag("data/spoken_digits", "spoken-digit set (python -m gen_core.data.spoken_digits), or SC09 in the same layout")
    width: int = flag(16)
    lr: float = flag(2e-3)


def augment(audio: torch.Tensor, rng: torch.Generator, noise: float = 0.0) -> torch.Tensor:
    """Each clip circularly shifted by up to ±0.25 s and scaled by a gain in [0.5, 1.5]; with `noise`,
    white noise of a standard deviation drawn in [0, noise] is added. Differentiable in `audio`."""
    b, n = audio.shape
    shifts = (torch.rand(b, generator=rng) * 0.5 - 0.25) * SAMPLE_RATE
    gains = torch.rand(b, 1, generator=rng) + 0.5
    index = (torch.arange(n).unsqueeze(0) - shifts.long().unsqueeze(1)) % n
    out = torch.gather(audio.cpu(), 1, index) * gains
    if noise:
        out = out + torch.randn(b, n, generator=rng) * torch.rand(b, 1, generator=rng) * noise
    return out.clamp(-1, 1).to(audio.device)


class SpeechClassifierTask(ClassifierTask):
    """The classifier's training step on randomly shifted and scaled clips, with white noise up to
    `noise` (0: none) added."""

    def __init__(self, model: SpeechDigitClassifier, lr: float, steps: int, runtime: Runtime, noise: float = 0.0):
        super().__init__(model, lr, steps, runtime)
        self.noise = noise

    def augment(self, audio: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
        return augment(audio, rng, self.noise)


def fit_guide(audio: torch.Tensor, labels: torch.Tensor, steps: int, seed: int, device: torch.device
              ) -> SpeechDigitClassifier:
    """A frozen spoken-digit classifier for WaveGAN's generator: the evaluator's recipe (width 16, batch
    64 or the whole set if smaller, OneCycle at lr 2e-3) from `seed`, with white noise up to GUIDE_NOISE
    added to its inputs."""
    runtime = Runtime(device, 0, 1)
    with torch.random.fork_rng(devices=[]):  # its initialization and dropout leave the caller's draws alone
        torch.manual_seed(seed)
        task = SpeechClassifierTask(SpeechDigitClassifier(SpeechClassifierConfig()), 2e-3, steps, runtime, noise=GUIDE_NOISE)
        rng = torch.Generator().manual_seed(seed)
        for _, batch in zip(range(steps), batches(audio, labels, min(64, len(audio)), runtime, seed, 0)):
            task.step(batch, rng)
    return task.export().eval().requires_grad_(False)


def build(args: Config, runtime: Runtime) -> SpeechClassifierTask:
    return SpeechClassifierTask(SpeechDigitClassifier(SpeechClassifierConfig(width=args.width)), args.lr, args.steps, runtime)


def stream(args: Config, runtime: Runtime, start_step: int) -> Stream:
    data = load_spoken_digits(args.data_dir, "train")
    return Stream(batches(data.audio, data.labels, args.batch_size, runtime, args.seed, start_step),
                  f"espeak-ng spoken digits, training voices ({len(data)} clips)")
