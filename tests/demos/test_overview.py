"""The overview tab: one row per registered model, every figure read from the model cards, a card
without a paper figure, a model whose weights fail, and the shipped models' own rows."""
import pytest

import gen_core
from demos import overview
from demos.lab import Models
from gen_core.card import Metric, format_figure, read_card, write_card
from gen_core.papers import CGAN_PARZEN

TABS = [("cGAN digits", "cgan", ("cgan-mnist",))]


@pytest.fixture
def lab(empty_weights, tiny_cgan, tiny_classifier):
    """A weights folder holding a tiny cGAN (card with a paper figure), a tiny classifier (card
    without one) and a broken VAE; every other registered name has no weights at all."""
    tiny_cgan.save_pretrained(empty_weights / "cgan-mnist")
    write_card(empty_weights / "cgan-mnist", tiny_cgan,
               metrics=[Metric("conditional_accuracy", "Conditional accuracy", 0.4321),
                        Metric("parzen_log_likelihood", "Parzen log-likelihood", 98.76)],
               paper=[CGAN_PARZEN], headline="conditional_accuracy")
    tiny_classifier.save_pretrained(empty_weights / "mnist-classifier")
    write_card(empty_weights / "mnist-classifier", tiny_classifier,
               metrics=[Metric("accuracy", "Accuracy on 10,000 test images", 0.9876)], headline="accuracy")
    tiny_classifier.save_pretrained(empty_weights / "vae-mnist")
    (empty_weights / "vae-mnist" / "model.safetensors").write_bytes(b"\0" * 64)
    yield {row.name: row for row in overview.rows(Models.load(gen_core.available()), TABS)}


def _line(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))


def test_every_registered_model_has_a_row_in_the_order_of_the_tabs(lab):
    assert sorted(lab) == gen_core.available()
    assert list(lab)[0] == "cgan-mnist" and list(lab)[-1] == "wgan-gp-mnist"   # the tab's model, then A to Z


def test_a_row_shows_the_headline_and_the_paper_beside_ours(lab):
    line = _line(overview.table(list(lab.values())), "cgan-mnist")
    assert "| cGAN digits |" in line and "Conditional accuracy: **43.21%**" in line
    assert "Parzen log-likelihood: ours **98.76** · paper **132 ± 1.8** (Mirza & Osindero 2014, Table 1)" in line
    assert "| test |" in line   # the data named in the model's config


def test_a_card_without_a_paper_figure(lab):
    line = _line(overview.table(list(lab.values())), "mnist-classifier")
    assert "used by the measures" in line and "Accuracy on 10,000 test images: **98.76%**" in line and "| — |" in line


def test_a_model_whose_weights_fail_explains_itself_and_the_rest_still_show(lab):
    table = overview.table(list(lab.values()))
    assert "⚠️ could not be loaded: Could not load 'vae-mnist'" in _line(table, "vae-mnist")
    assert "⚠️" in _line(table, "wavegan-digits")   # no weights anywhere: the same plain row
    assert "⚠️" not in _line(table, "cgan-mnist")


def test_the_shipped_rows_are_what_the_cards_say(shipped):
    table = overview.table(overview.rows(shipped, []))
    for name in gen_core.available():
        card = read_card(gen_core.load(name).source.directory)
        line = _line(table, name)
        assert "⚠️" not in line
        if card.headline:
            assert overview.headline_cell(card) in line
        for figure in card.paper:
            assert f"paper **{format_figure(figure.value, figure.se, figure.key)}**" in line
