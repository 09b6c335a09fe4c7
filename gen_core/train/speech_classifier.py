"""Train the spoken-digit classifier (the audio evaluator) with random shifts and gains."""
from __future__ import annotations

import argparse

import torch

from gen_core.data.spoken_digits import SAMPLE_RATE, load_spoken_digits
from gen_core.models.speech_classifier import SpeechClassifierConfig, SpeechDigitClassifier
from gen_core.train.classifier import ClassifierTask
from gen_core.train.loop import Runtime, Stream, batches


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default="data/spoken_digits",
                        help="spoken-digit set (python -m gen_core.data.spoken_digits), or SC09 in the same layout")
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.set_defaults(steps=1500, batch_size=64)


def augment(audio: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each clip circularly shifted by up to ±0.25 s and scaled by a gain in [0.5, 1.5]."""
    b, n = audio.shape
    shifts = (torch.rand(b, generator=generator) * 0.5 - 0.25) * SAMPLE_RATE
    gains = torch.rand(b, 1, generator=generator) + 0.5
    index = (torch.arange(n).unsqueeze(0) - shifts.long().unsqueeze(1)) % n
    return (torch.gather(audio.cpu(), 1, index) * gains).clamp(-1, 1).to(audio.device)


class SpeechClassifierTask(ClassifierTask):
    def augment(self, audio: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        return augment(audio, generator)


def build(args: argparse.Namespace, runtime: Runtime) -> SpeechClassifierTask:
    return SpeechClassifierTask(SpeechDigitClassifier(SpeechClassifierConfig(width=args.width)), args, runtime)


def stream(args: argparse.Namespace, runtime: Runtime, start_step: int) -> Stream:
    data = load_spoken_digits(args.data_dir, "train")
    if len(data) == 0:
        raise SystemExit(f"no clips under {args.data_dir}: run python -m gen_core.data.spoken_digits --out {args.data_dir}")
    return Stream(batches(data.audio, data.labels, args.batch_size, runtime, args.seed, start_step),
                  f"espeak-ng spoken digits, training voices ({len(data)} clips)")
