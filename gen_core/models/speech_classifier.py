"""The project's spoken-digit classifier: the evaluator for generated audio (WaveGAN).

A small CNN on log-mel spectrograms (40 mels, 32 ms windows, 16 ms hops): four conv blocks and a
global average pool give 64-d features, a linear layer the 10 word logits. Trained only on the
training voices of the spoken-digit set (gen_core.data.spoken_digits); its accuracy on held-out
voices is on its card. It plays the role the Inception network plays for images.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from gen_core.audio import log_mel
from gen_core.base import HubModel
from gen_core.family import DIGIT_PROBABILITIES, Family, Name, Output
from gen_core.audio import CLIP_SAMPLES, SAMPLE_RATE


@dataclass
class SpeechClassifierConfig:
    n_classes: int = 10
    width: int = 16                # channels of the first block; each next block doubles, up to 4x
    sample_rate: int = SAMPLE_RATE
    data: str = ""


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class SpeechDigitClassifier(HubModel, tags=["audio-classification", "spoken-digits", "evaluator"]):
    family = "speech-classifier"
    config_class = SpeechClassifierConfig
    task = "audio-classification"

    def __init__(self, config: SpeechClassifierConfig):
        super().__init__()
        self.config = config
        c = config.width
        self.body = nn.Sequential(
            _block(1, c), nn.MaxPool2d(2), _block(c, 2 * c), nn.MaxPool2d(2),
            _block(2 * c, 4 * c), nn.MaxPool2d(2), _block(4 * c, 4 * c),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(4 * c, config.n_classes))

    def card_dataset(self) -> tuple[str, str, str]:
        return ("spoken-digits-espeak", "Spoken digits synthesized with espeak-ng, held-out voice variants",
                "on held-out voices of synthesized speech (not SC09)")

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        """(n, samples) in [-1, 1] -> (n, n_classes) logits."""
        return self.head(self.body(log_mel(waveforms.to(self.device), self.config.sample_rate)))

    @torch.no_grad()
    def features_and_probs(self, waveforms: torch.Tensor, batch_size: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
        """Pooled features (N, 4 * width) and softmax probabilities (N, n_classes)."""
        feats, probs = [], []
        for chunk in waveforms.split(batch_size):
            h = self.body(log_mel(chunk.to(self.device), self.config.sample_rate))
            feats.append(h.cpu())
            probs.append(self.head(h).softmax(1).cpu())
        return torch.cat(feats), torch.cat(probs)


RECORD = Family(
    SpeechDigitClassifier, trainer="gen_core.train.speech_classifier",
    evaluator="gen_core.evaluate.audio:evaluate_speech_classifier",
    tiny_training=("--width", "4"),
    tiny=SpeechClassifierConfig(width=4, data="tiny"), output=DIGIT_PROBABILITIES, helper=True,
    reads=Output((CLIP_SAMPLES,), -1.0, 1.0),
    names={"speech-digit-classifier": Name("v1")})
