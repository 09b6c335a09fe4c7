"""Model contracts: shapes, ranges, determinism, save -> load round trip."""
import pytest
import torch

import gen_core
from gen_core.latent import truncated_normal
from gen_core.models.cgan import CGANDiscriminator


def test_cgan_sample_contract(tiny_cgan):
    labels = torch.tensor([0, 1, 2, 9, 9])
    x = tiny_cgan.sample(5, labels=labels, generator=torch.Generator().manual_seed(0))
    assert x.shape == (5, 1, 28, 28) and x.dtype == torch.float32
    assert 0 <= x.min() and x.max() <= 1


def test_cgan_same_seed_same_tensor_other_seed_differs(tiny_cgan):
    labels = torch.tensor([3, 3, 3])
    draw = lambda seed: tiny_cgan.sample(3, labels=labels, generator=torch.Generator().manual_seed(seed))  # noqa: E731
    assert torch.equal(draw(7), draw(7))
    assert not torch.equal(draw(7), draw(8))


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


def test_classifier_contract(tiny_classifier):
    x = torch.rand(7, 1, 28, 28)
    feats, probs = tiny_classifier.features_and_probs(x, batch_size=3)
    assert feats.shape == (7, 16) and probs.shape == (7, 10)
    assert torch.allclose(probs.sum(1), torch.ones(7), atol=1e-5)


@pytest.mark.parametrize("fixture", ["tiny_cgan", "tiny_classifier"])
def test_save_load_round_trip(fixture, request, tmp_path):
    model = request.getfixturevalue(fixture)
    model.save_pretrained(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"config.json", "model.safetensors", "README.md"}
    loaded = gen_core.load(str(tmp_path), device="cpu")
    assert type(loaded) is type(model) and loaded.config == model.config
    for (k1, v1), (k2, v2) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert k1 == k2 and torch.equal(v1, v2)


def test_config_with_unknown_key_is_refused(tmp_path, tiny_cgan):
    import json

    tiny_cgan.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "depth": 9}))
    with pytest.raises(gen_core.LoadError, match="depth"):
        gen_core.load(str(tmp_path))
