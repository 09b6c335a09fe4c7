"""The linear cross-check of WaveGAN's digits: it learns words it can tell apart, and scores a model."""
import numpy as np
import pytest
import torch

from gen_core import crosscheck
from gen_core.data import spoken_digits
from gen_core.models.wavegan import WaveGANConfig, WaveGANGenerator

SAMPLES = spoken_digits.CLIP_SAMPLES


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


def test_probe_learns_words_it_can_tell_apart_and_scores_a_model(tmp_path):
    _tone_digits(tmp_path / "data")
    train = spoken_digits.load_spoken_digits(tmp_path / "data", "train")
    test = spoken_digits.load_spoken_digits(tmp_path / "data", "test")
    probe = crosscheck.LinearProbe(train.audio, train.labels)
    assert probe.accuracy(test.audio, test.labels) == 1.0
    assert probe.accuracy(test.audio, (test.labels + 1) % 10) == 0.0
    torch.manual_seed(0)
    WaveGANGenerator(WaveGANConfig(z_dim=8, width=2, data="t")).save_pretrained(tmp_path / "g")
    report = crosscheck.main([str(tmp_path / "g"), "--data-dir", str(tmp_path / "data"), "--n-per-class", "2"])
    assert report["real_held_out"] == 1.0 and 0 <= report["generated"] <= 1


def test_missing_data_is_a_sentence(tmp_path):
    with pytest.raises(SystemExit, match="python -m gen_core.data.spoken_digits"):
        crosscheck.main(["wavegan-digits", "--data-dir", str(tmp_path / "none")])
