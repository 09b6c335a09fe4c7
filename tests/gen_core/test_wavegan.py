"""WaveGAN: the sampling contract, phase shuffle, the gradient penalty, morphs, 16-bit audio, trainer and evaluator."""
import wave

import numpy as np
import pytest
import torch

import gen_core
from gen_core import audio
from gen_core import evaluate, metrics
from gen_core.audio import center_clips, to_int16
from gen_core.card import read_training_log
from gen_core.models.wavegan import WaveGANConfig, WaveGANCritic, WaveGANGenerator, phase_shuffle
from gen_core.train.cli import main as train
from gen_core.train.adversarial import gradient_penalty
from fake_audio import fake_spoken_digits

SAMPLES = audio.CLIP_SAMPLES


@pytest.fixture
def tiny() -> WaveGANGenerator:
    torch.manual_seed(0)
    return WaveGANGenerator(WaveGANConfig(z_dim=8, width=2, data="t")).eval()


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_sample_contract(tiny):
    x = tiny.sample(3, digits=torch.tensor([0, 7, 9]), generator=_gen())
    assert x.shape == (3, SAMPLES) and x.dtype == torch.float32
    assert -1 <= x.min() and x.max() <= 1 and x.std() > 0
    assert tiny.sample(2, generator=_gen()).shape == (2, SAMPLES)  # random digits
    assert tiny.config.sample_rate == 16_000


def test_same_seed_same_clip_and_codes_are_what_sample_draws(tiny):
    a = tiny.sample(2, digits=None, generator=_gen(5))
    assert torch.equal(a, tiny.sample(2, digits=None, generator=_gen(5)))
    assert not torch.equal(a, tiny.sample(2, digits=None, generator=_gen(6)))
    z, digits = tiny.codes(2, generator=_gen(5))
    with torch.no_grad():
        assert torch.equal(tiny(z, digits), a)
    z_fixed, _ = tiny.codes(2, digits=torch.tensor([1, 2]), generator=_gen(5))
    assert torch.equal(z_fixed, z)  # the noise is the first draw whatever the digits


def test_the_digit_changes_the_clip(tiny):
    seven = tiny.sample(1, digits=torch.tensor([7]), generator=_gen(1))
    eight = tiny.sample(1, digits=torch.tensor([8]), generator=_gen(1))
    assert not torch.equal(seven, eight)


@pytest.mark.parametrize("digits, match", [(torch.tensor([12]), "0..9"), (torch.tensor([-1]), "0..9"),
                                           (torch.tensor([1, 2]), "shape")])
def test_bad_digits_are_refused(tiny, digits, match):
    with pytest.raises(ValueError, match=match):
        tiny.sample(1, digits=digits)



def test_morph_starts_and_ends_at_the_endpoint_clips(tiny):
    (za, da), (zb, db) = tiny.codes(1, digits=torch.tensor([3]), generator=_gen(1)), \
        tiny.codes(1, digits=torch.tensor([8]), generator=_gen(2))
    clips = tiny.morph((za[0], 3), (zb[0], 8), 5)
    assert clips.shape == (5, SAMPLES)
    assert torch.allclose(clips[0], tiny.sample(1, digits=da, generator=_gen(1))[0], atol=1e-6)
    assert torch.allclose(clips[-1], tiny.sample(1, digits=db, generator=_gen(2))[0], atol=1e-6)


def test_phase_shuffle_shifts_each_example_by_at_most_n_with_reflection():
    x = torch.arange(40.0).view(1, 1, 40).repeat(64, 3, 1)
    moved = phase_shuffle(x, 2, _gen())
    shifts = moved[:, 0, 10] - x[:, 0, 10]          # away from the edges the content slides by -k
    assert set(shifts.tolist()) == {-2.0, -1.0, 0.0, 1.0, 2.0}
    assert torch.equal(moved[:, 0], moved[:, 2])    # all channels of one example move together
    for b in range(64):
        k = -int(shifts[b])
        inside = x[b, 0, max(0, -k):40 - max(0, k)]
        assert torch.equal(moved[b, 0, max(0, k):40 + min(0, k)], inside)
        if k > 0:  # the edge that was uncovered is the reflection, not zeros
            assert torch.equal(moved[b, 0, :k], x[b, 0, 1:k + 1].flip(0))
    assert torch.equal(phase_shuffle(x, 0), x)


def test_gradient_penalty_is_exact_for_a_linear_critic_and_uses_interpolates():
    w = torch.randn(10)
    seen = []

    def critic(x):
        seen.append(x.detach())
        return x @ w

    real, fake = torch.zeros(4, 10), torch.ones(4, 10)
    scores, penalty = gradient_penalty(critic, real, fake, _gen())
    assert scores.shape == (8,) and torch.allclose(scores[4:], fake @ w)
    assert torch.allclose(penalty, (w.norm() - 1) ** 2)     # ||grad|| = ||w|| everywhere
    between = seen[0][8:]
    assert ((between >= 0) & (between <= 1)).all() and (between[:, 0:1] == between).all()
    assert len(set(between[:, 0].tolist())) == 4             # its own epsilon per example


def test_critic_scores_and_classifies_and_the_penalty_reaches_it():
    torch.manual_seed(0)
    critic = WaveGANCritic(WaveGANConfig(width=2), classify=True)
    real, fake = torch.rand(2, SAMPLES) * 2 - 1, torch.rand(2, SAMPLES) * 2 - 1
    digits = torch.tensor([1, 2])
    scores, logits = critic(real, digits, _gen())
    assert scores.shape == (2,) and logits.shape == (2, 10)
    assert WaveGANCritic(WaveGANConfig(width=2))(real, digits)[1] is None
    _, penalty = gradient_penalty(lambda x: critic(x, digits.repeat(3), _gen())[0], real, fake, _gen())
    penalty.backward()
    assert all(p.grad is not None for p in critic.convs.parameters())


def test_to_int16_scales_clips_and_silences_nan():
    out = to_int16(np.array([0.0, 0.5, 1.0, -1.0, 3.0, -7.0, np.nan], np.float32))
    assert out.dtype == np.int16
    assert out.tolist() == [0, 16384, 32767, -32767, 32767, -32767, 0]
    assert np.array_equal(to_int16(torch.tensor([0.25])), to_int16(np.array([0.25])))


def test_trainer_smoke_run_resume_and_evaluate(tmp_path):
    fake_spoken_digits(tmp_path / "data")
    args = ["wavegan", "--out", str(tmp_path / "out"), "--checkpoint-dir", str(tmp_path / "c"), "--data-dir",
            str(tmp_path / "data"), "--batch-size", "4", "--z-dim", "8", "--width", "2", "--n-critic", "2"]
    train([*args, "--steps", "2"])
    train([*args, "--steps", "3", "--resume"])
    train([*args, "--steps", "1", "--ac", "0", "--out", str(tmp_path / "plain"), "--checkpoint-dir", str(tmp_path / "p")])
    model = gen_core.load(str(tmp_path / "out"))
    assert model.family == "wavegan" and "espeak-ng spoken digits" in model.config.data
    report = evaluate.main([str(tmp_path / "out"), "--data-dir", str(tmp_path / "data"), "--n-per-class", "10"])
    m = report["metrics"]
    # The report's figures are what the shipped speech classifier says of the evaluator's seeded clips.
    digits = torch.arange(100) % 10
    clips = model.sample(100, digits=digits, generator=torch.Generator().manual_seed(0))
    _, probs = gen_core.load("speech-digit-classifier").features_and_probs(clips)
    assert m["inception_score"] == pytest.approx(metrics.inception_score(probs, splits=10)[0])
    assert m["conditional_accuracy"] == pytest.approx(metrics.conditional_accuracy(probs, digits))
    assert m["inception_score_ratio"] == pytest.approx(m["inception_score"] / m["inception_score_real"])
    assert 100 * m["linear_probe_accuracy"] == pytest.approx(round(100 * m["linear_probe_accuracy"])), "a share of 100 clips"
    assert m["within_digit_spread"] > 0
    with wave.open(str(tmp_path / "data" / "one" / "voice0_nohash_0.wav")) as w:
        assert (w.getframerate(), w.getsampwidth()) == (16_000, 2)


def test_center_clips_moves_each_word_mid_clip_and_keeps_it_whole():
    audio = torch.zeros(3, SAMPLES)
    audio[0, 100:300] = 0.5
    audio[1, 16_000:16_200] = -0.5
    audio[2, 8000:8100] = 0.2
    centred = center_clips(audio)
    energy = centred ** 2
    centroids = (energy * torch.arange(SAMPLES)).sum(1) / energy.sum(1)
    assert ((centroids - SAMPLES // 2).abs() <= 1).all()
    assert torch.equal(centred.sort(1).values, audio.sort(1).values)   # circular: nothing lost


def test_trainer_fits_the_guide_once_keeps_it_in_the_checkpoint_and_logs_its_loss(tmp_path, monkeypatch):
    from gen_core.train import wavegan as trainer

    fits = []

    def counted(*args, **kwargs):
        fits.append(args[3])  # the seed
        return real_fit(*args, **kwargs)

    real_fit = trainer.fit_guide
    monkeypatch.setattr(trainer, "fit_guide", counted)
    fake_spoken_digits(tmp_path / "data")
    args = ["wavegan", "--out", str(tmp_path / "out"), "--checkpoint-dir", str(tmp_path / "c"), "--data-dir",
            str(tmp_path / "data"), "--batch-size", "4", "--z-dim", "8", "--width", "2", "--log-every", "1",
            "--guide", "1", "--guide-steps", "2", "--seed", "3"]
    train([*args, "--steps", "2"])
    train([*args, "--steps", "3", "--resume"])
    assert fits == [4]  # fitted before the first step, from --seed + 1; the resumed run reads it back
    state = torch.load(tmp_path / "c" / "last.pt", weights_only=True)["task"]
    assert "guide" in state and "ema" in state
    log = read_training_log(tmp_path / "out")
    assert [row["step"] for row in log] == [1, 2, 3] and all(row["ce_guide"] > 0 for row in log)


def test_fine_tune_starts_from_exported_weights_and_warms_up_the_critic_first(tmp_path, monkeypatch):
    from gen_core.train import wavegan as trainer

    fake_spoken_digits(tmp_path / "data")
    base = ["wavegan", "--data-dir", str(tmp_path / "data"), "--batch-size", "4", "--z-dim", "8", "--width", "2"]
    torch.manual_seed(0)  # the source weights do not depend on the tests run before this one
    source = WaveGANGenerator(WaveGANConfig(z_dim=8, width=2))
    source.save_pretrained(tmp_path / "source")
    critic_steps, loaded = [], {}
    real_critic_step, real_warm_start = trainer.WaveGANTask._critic_step, trainer.WaveGANTask.warm_start

    def counted(task, *args):
        critic_steps.append(task.opt_g.state_dict()["state"] == {})  # the generator not yet updated
        return real_critic_step(task, *args)

    def warm_start(task, directory):
        real_warm_start(task, directory)
        loaded.update({name: {k: v.clone() for k, v in model.state_dict().items()}
                       for name, model in (("live", task.generator), ("ema", task.ema.model))})

    monkeypatch.setattr(trainer.WaveGANTask, "_critic_step", counted)
    monkeypatch.setattr(trainer.WaveGANTask, "warm_start", warm_start)
    # --ema 0.5: the export moves by half of each update (at the default 0.999, two steps' change can
    # round away in float32, and whether it did depended on the source's random weights)
    train([*base, "--out", str(tmp_path / "tuned"), "--checkpoint-dir", str(tmp_path / "c"), "--steps", "2",
           "--init-from", str(tmp_path / "source"), "--critic-warmup", "3", "--ema", "0.5"])
    assert critic_steps == [True, True, True, True, False]  # 3 warm-up steps, then one per generator step
    for state in loaded.values():
        assert all(torch.equal(state[k], v) for k, v in source.state_dict().items())
    tuned = gen_core.load(str(tmp_path / "tuned"))
    assert not torch.equal(tuned.state_dict()["embed.weight"], source.state_dict()["embed.weight"])

    with pytest.raises(SystemExit, match="no model.safetensors"):
        train([*base, "--out", str(tmp_path / "x"), "--steps", "1", "--init-from", str(tmp_path / "nowhere")])
    with pytest.raises(SystemExit, match="size mismatch"):
        train([*base, "--out", str(tmp_path / "x"), "--steps", "1", "--width", "4", "--init-from", str(tmp_path / "source")])
