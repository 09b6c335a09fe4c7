"""The model contract, once for every family in gen_core.models.FAMILIES, on tiny random models: the
output's shape, dtype and range, determinism under a seeded generator (another seed differs), and a
save_pretrained -> gen_core.load round trip that gives the same output. Family-specific behaviour
(labels, codes, digits, layers) is tested in each family's own file."""
import json

import pytest
import torch

import gen_core
from gen_core.latent import truncated_normal
from gen_core.models import RECORDS
from gen_core.models.cgan import CGANDiscriminator


def _output(model, seed: int) -> torch.Tensor:
    """Five outputs: samples drawn with a generator seeded `seed` (told digits where the family can be), or a
    classifier's probabilities of inputs drawn from what it reads."""
    record, generator = RECORDS[model.family], torch.Generator().manual_seed(seed)
    if not record.samples:
        x = torch.rand(5, *record.reads.shape, generator=generator) * (record.reads.high - record.reads.low) + record.reads.low
        return model.features_and_probs(x)[1]
    conditions = {"labels": torch.tensor([0, 1, 2, 9, 9])} if "labels" in model.conditions else {}
    with torch.no_grad():
        return model.sample(5, generator=generator, **conditions)


@pytest.mark.parametrize("family", sorted(RECORDS))
def test_output_shape_range_determinism_and_round_trip(family, tmp_path):
    torch.manual_seed(0)
    record = RECORDS[family]
    model = record.model(record.tiny).eval()
    out = _output(model, 3)
    record.output.check(out, 5)
    assert out.std() > 0
    if not record.samples:
        assert torch.allclose(out.sum(1), torch.ones(5), atol=1e-5)
    else:
        assert torch.equal(out, _output(model, 3)) and not torch.equal(out, _output(model, 4))
    model.save_pretrained(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"config.json", "model.safetensors", "README.md"}
    loaded = gen_core.load(str(tmp_path), device="cpu")
    assert type(loaded) is type(model) and loaded.config == model.config and not loaded.training
    assert loaded.state_dict().keys() == model.state_dict().keys()
    assert torch.equal(_output(loaded, 3), out)


@pytest.mark.parametrize("family", sorted(RECORDS))
def test_a_condition_the_family_does_not_take_is_one_clear_error(family):
    model = RECORDS[family].model(RECORDS[family].tiny).eval()
    with pytest.raises(TypeError, match=r"samples take .*; got colour="):
        model.sample(2, colour="red")


@pytest.mark.parametrize("family", sorted(f for f, r in RECORDS.items() if "labels" in r.conditions))
def test_labels_tell_every_family_that_takes_them_a_digit(family):
    """labels= is the digit wherever a family can be told one (the WaveGAN's digits=, the InfoGAN's
    matched categorical code): another digit, another sample from the same seed."""
    torch.manual_seed(0)
    model = RECORDS[family].model(RECORDS[family].tiny).eval()
    draw = lambda digit: model.sample(2, labels=torch.full((2,), digit), generator=torch.Generator().manual_seed(1))  # noqa: E731
    assert torch.equal(draw(3), draw(3)) and not torch.equal(draw(3), draw(8))


def test_labels_are_the_wavegans_digits_and_the_infogans_matched_codes():
    torch.manual_seed(0)
    wavegan = RECORDS["wavegan"].model(RECORDS["wavegan"].tiny).eval()
    seeded = lambda: torch.Generator().manual_seed(2)  # noqa: E731
    assert torch.equal(wavegan.sample(2, labels=torch.tensor([4, 5]), generator=seeded()),
                       wavegan.sample(2, digits=torch.tensor([4, 5]), generator=seeded()))
    infogan = RECORDS["infogan"].model(RECORDS["infogan"].tiny).eval()
    codes = torch.tensor([infogan.code_of_digit(4), infogan.code_of_digit(5)])
    assert torch.equal(infogan.sample(2, labels=torch.tensor([4, 5]), generator=seeded()),
                       infogan.sample(2, categorical=codes, generator=seeded()))
    with pytest.raises(ValueError, match="not both"):
        infogan.sample(2, labels=torch.tensor([4, 5]), categorical=codes)


def test_cgan_label_changes_output(tiny_cgan):
    a = tiny_cgan.sample(2, labels=torch.tensor([1, 1]), generator=torch.Generator().manual_seed(0))
    b = tiny_cgan.sample(2, labels=torch.tensor([7, 7]), generator=torch.Generator().manual_seed(0))
    assert not torch.equal(a, b)


@pytest.mark.parametrize("labels", [torch.tensor([10]), torch.tensor([-1]), torch.tensor([1, 2])])
def test_cgan_rejects_bad_labels(tiny_cgan, labels):
    with pytest.raises(ValueError):
        tiny_cgan.sample(1, labels=labels)


def test_truncation_bounds_noise_and_keeps_the_draw():
    loose = truncated_normal((2000, 8), generator=torch.Generator().manual_seed(0))
    tight = truncated_normal((2000, 8), truncation=0.5, generator=torch.Generator().manual_seed(0))
    assert tight.abs().max() <= 0.5 + 1e-6
    assert 0.9 < loose.std() < 1.1
    assert (torch.sign(loose) == torch.sign(tight)).all()  # same uniforms, squeezed toward 0
    with pytest.raises(ValueError):
        truncated_normal((2,), truncation=float("nan"))


def test_discriminator_scores_each_image(tiny_cgan):
    d = CGANDiscriminator(tiny_cgan.config)
    out = d(torch.rand(6, 1, 28, 28), torch.arange(6))
    assert out.shape == (6,)


def test_config_with_unknown_key_is_refused(tmp_path, tiny_cgan):
    tiny_cgan.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "depth": 9}))
    with pytest.raises(gen_core.LoadError, match="depth"):
        gen_core.load(str(tmp_path))
