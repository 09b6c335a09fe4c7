"""The model contract, once for every family in gen_core.models.FAMILIES, on tiny random models: the
output's shape, dtype and range, determinism under a seeded generator (another seed differs), and a
save_pretrained -> gen_core.load round trip that gives the same output. Family-specific behaviour
(labels, codes, digits, layers) is tested in each family's own file."""
import json

import pytest
import torch

import gen_core
from gen_core.audio import CLIP_SAMPLES
from gen_core.latent import truncated_normal
from gen_core.models import FAMILIES
from gen_core.models.cgan import CGANDiscriminator
from tiny import TINY_CONFIGS

INPUTS = {"classifier": torch.rand(5, 1, 28, 28), "speech-classifier": torch.rand(5, CLIP_SAMPLES) * 2 - 1}
# (shape of 5 outputs, lowest, highest) per family; classifiers give probabilities.
OUTPUTS = {"cgan": ((5, 1, 28, 28), 0, 1), "gan": ((5, 1, 28, 28), 0, 1), "infogan": ((5, 1, 28, 28), 0, 1),
           "vae": ((5, 1, 28, 28), 0, 1), "pixelcnn": ((5, 1, 28, 28), 0, 1), "made": ((5, 1, 28, 28), 0, 1),
           "flow": ((5, 2), -float("inf"), float("inf")),
           "energy": ((5, 2), -float("inf"), float("inf")), "digit-energy": ((5, 1, 28, 28), 0, 1),
           "wavegan": ((5, CLIP_SAMPLES), -1, 1), "classifier": ((5, 10), 0, 1), "speech-classifier": ((5, 10), 0, 1)}


def _output(model, seed: int) -> torch.Tensor:
    """Five outputs: samples drawn with a generator seeded `seed`, or a classifier's probabilities."""
    if model.family in INPUTS:
        return model.features_and_probs(INPUTS[model.family])[1]
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        if model.family == "cgan":
            return model.sample(5, labels=torch.tensor([0, 1, 2, 9, 9]), generator=generator)
        return model.sample(5, generator=generator)


def test_every_family_has_a_tiny_config_and_a_contract():
    assert set(TINY_CONFIGS) == set(FAMILIES) == set(OUTPUTS)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_output_shape_range_determinism_and_round_trip(family, tmp_path):
    torch.manual_seed(0)
    model = FAMILIES[family](TINY_CONFIGS[family]).eval()
    out = _output(model, 3)
    shape, low, high = OUTPUTS[family]
    assert out.shape == shape and out.dtype == torch.float32 and torch.isfinite(out).all()
    assert low <= out.min() and out.max() <= high and out.std() > 0
    if family in INPUTS:
        assert torch.allclose(out.sum(1), torch.ones(5), atol=1e-5)
    else:
        assert torch.equal(out, _output(model, 3)) and not torch.equal(out, _output(model, 4))
    model.save_pretrained(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"config.json", "model.safetensors", "README.md"}
    loaded = gen_core.load(str(tmp_path), device="cpu")
    assert type(loaded) is type(model) and loaded.config == model.config and not loaded.training
    assert loaded.state_dict().keys() == model.state_dict().keys()
    assert torch.equal(_output(loaded, 3), out)


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
