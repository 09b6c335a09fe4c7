"""The spoken-digit classifier: log-mel front end, contract, save/load, trainer and evaluator on a tiny set."""

import pytest
import torch

import gen_core
from gen_core.audio import CLIP_SAMPLES
from gen_core import evaluate
from gen_core.audio import N_MELS, log_mel, mel_filterbank
from gen_core.data import spoken_digits
from gen_core.train.cli import main as train
from gen_core.train.speech_classifier import augment, fit_guide
import needs


def test_mel_filters_cover_the_band_and_a_tone_lands_in_its_band():
    bank = mel_filterbank(16_000)
    assert bank.shape == (N_MELS, 257) and bank.max() <= 1 + 1e-6
    assert (bank.sum(0)[3:-3] > 0).all()  # every frequency above 20 Hz is in some filter
    t = torch.arange(16_384) / 16_000
    low, high = (log_mel(torch.sin(2 * torch.pi * f * t)[None], 16_000)[0, 0].mean(1) for f in (300.0, 4000.0))
    assert int(low.argmax()) < int(high.argmax())



def test_augment_shifts_and_scales_each_clip():
    audio = torch.zeros(4, 1000)
    audio[:, 500] = 0.5
    moved = augment(audio, torch.Generator().manual_seed(0))
    assert moved.shape == audio.shape and len(set(moved.argmax(1).tolist())) > 1
    assert ((moved.max(1).values >= 0.25) & (moved.max(1).values <= 0.75)).all()


@needs.program("espeak-ng", "apt-get install espeak-ng")
def test_train_and_evaluate_on_a_tiny_set(tmp_path, capsys):
    spoken_digits.synthesize(tmp_path / "data", n_speakers=4, takes=2, seed=1)
    train(["speech-classifier", "--out", str(tmp_path / "out"), "--checkpoint-dir", str(tmp_path / "c"),
           "--data-dir", str(tmp_path / "data"), "--steps", "3", "--batch-size", "8", "--width", "4"])
    report = evaluate.main([str(tmp_path / "out"), "--data-dir", str(tmp_path / "data")])
    test = spoken_digits.load_spoken_digits(tmp_path / "data", "test")
    _, probs = gen_core.load(str(tmp_path / "out")).features_and_probs(test.audio)
    assert report["metrics"]["accuracy"] == pytest.approx((probs.argmax(1) == test.labels).float().mean().item())
    assert "espeak-ng spoken digits" in gen_core.load(str(tmp_path / "out")).config.data


def test_trainer_says_where_the_data_is_missing(tmp_path):
    with pytest.raises(SystemExit, match="python -m gen_core.data.spoken_digits"):
        train(["speech-classifier", "--out", str(tmp_path / "out"), "--data-dir", str(tmp_path / "nothing"),
               "--steps", "1"])


def test_augment_adds_noise_only_when_asked_and_passes_gradients():
    audio = torch.zeros(3, 1000, requires_grad=True)
    assert torch.equal(augment(audio, torch.Generator().manual_seed(0)), torch.zeros(3, 1000))
    noisy = augment(audio, torch.Generator().manual_seed(0), noise=0.1)
    assert 0 < noisy.std() < 0.1
    noisy.sum().backward()
    assert audio.grad is not None and audio.grad.abs().sum() > 0


def test_fit_guide_learns_the_words_frozen_and_leaves_the_callers_draws_alone():
    t = torch.arange(CLIP_SAMPLES) / 16_000
    labels = torch.arange(200) % 10
    audio = 0.5 * torch.sin(2 * torch.pi * (200.0 + 350.0 * labels[:, None]) * t)  # one tone per "word"
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    guide = fit_guide(audio, labels, steps=40, seed=1, device=torch.device("cpu"))
    assert torch.equal(torch.rand(3), expected)
    assert not guide.training and not any(p.requires_grad for p in guide.parameters())
    assert (guide(audio[:50]).argmax(1) == labels[:50]).float().mean() >= 0.9
