"""The linear cross-check of WaveGAN's digits: it learns words it can tell apart, and only those."""
import numpy as np
import torch

from gen_core import audio
from gen_core import crosscheck
from gen_core.data import spoken_digits

SAMPLES = audio.CLIP_SAMPLES


def _tone_digits(root, per_word=6):
    """Each "word" a tone of its own pitch at a random onset; every 3rd take in the test split."""
    rng = np.random.default_rng(0)
    t = np.arange(SAMPLES) / 16_000
    tests = []
    for d, word in enumerate(spoken_digits.WORDS):
        for k in range(per_word):
            clip = np.zeros(SAMPLES, np.float32)
            start = rng.integers(0, SAMPLES - 6000)
            clip[start:start + 6000] = 0.5 * np.sin(2 * np.pi * (300 + 400 * d) * t[:6000])
            name = f"{word}/voice{k}_nohash_0.wav"
            spoken_digits.write_wav(root / name, clip + rng.normal(0, 0.01, SAMPLES).astype(np.float32))
            if k % 3 == 0:
                tests.append(name)
    (root / spoken_digits.TEST_LIST).write_text("".join(f"{t}\n" for t in tests))


def test_probe_learns_words_it_can_tell_apart(tmp_path):
    _tone_digits(tmp_path / "data")
    train = spoken_digits.load_spoken_digits(tmp_path / "data", "train")
    test = spoken_digits.load_spoken_digits(tmp_path / "data", "test")
    probe = crosscheck.LinearProbe(train.audio, train.labels)
    assert probe.accuracy(test.audio, test.labels) == 1.0
    assert probe.accuracy(test.audio, (test.labels + 1) % 10) == 0.0
    silence = torch.zeros(20, SAMPLES) + torch.randn(20, SAMPLES) * 0.01
    assert probe.accuracy(silence, torch.arange(20) % 10) <= 0.3  # noise is not heard as every word
