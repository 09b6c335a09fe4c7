"""Model cards: metrics, the headline and the papers' figures survive a write and a read."""
import pytest

from gen_core.card import Metric, PaperFigure, read_card, write_card
from gen_core.papers import CGAN_PARZEN


def test_paper_figures_and_headline_round_trip(tiny_cgan, tmp_path):
    metrics = [Metric("conditional_accuracy", "Conditional accuracy", 0.987),
               Metric("parzen_log_likelihood", "Parzen", 121.5)]
    write_card(tmp_path, tiny_cgan, metrics=metrics, paper=[CGAN_PARZEN], headline="conditional_accuracy",
               training={"steps": 7})
    info = read_card(tmp_path)
    assert info.metrics == metrics and info.headline == "conditional_accuracy" and info.training["steps"] == 7
    assert info.paper == [PaperFigure("parzen_log_likelihood", 132.0, CGAN_PARZEN.source, 1.8)]
    text = (tmp_path / "README.md").read_text()
    assert "| Parzen | 121.5 | 132 ± 1.8 (Mirza & Osindero 2014" in text   # the person reading the card sees both


def test_new_training_facts_keep_the_figures_and_new_figures_replace_them(tiny_cgan, tmp_path):
    write_card(tmp_path, tiny_cgan, metrics=[Metric("parzen_log_likelihood", "Parzen", 121.5)],
               paper=[CGAN_PARZEN], headline="parzen_log_likelihood")
    write_card(tmp_path, tiny_cgan, training={"steps": 9})
    kept = read_card(tmp_path)
    assert kept.headline == "parzen_log_likelihood" and len(kept.paper) == 1 and kept.training == {"steps": 9}
    write_card(tmp_path, tiny_cgan, metrics=[Metric("conditional_accuracy", "Conditional accuracy", 0.5)])
    replaced = read_card(tmp_path)
    assert replaced.paper == [] and replaced.headline is None and replaced.training == {"steps": 9}


def test_a_tiny_figure_keeps_its_digits_through_a_rewrite(tiny_cgan, tmp_path):
    """Figures are stored to 6 significant digits, not 6 decimals: a mass of 9.4e-13 outside a box
    must not read back, and be rewritten, as 0."""
    write_card(tmp_path, tiny_cgan, metrics=[Metric("outside_mass", "Mass outside", 9.379123e-13)])
    write_card(tmp_path, tiny_cgan, training={"steps": 9})
    assert read_card(tmp_path).metrics == [Metric("outside_mass", "Mass outside", 9.37912e-13)]
    assert "| Mass outside | 9.379e-13 |" in (tmp_path / "README.md").read_text()


def test_a_card_without_figures_reads_as_empty(tiny_cgan, tmp_path):
    write_card(tmp_path, tiny_cgan, metrics=[])
    info = read_card(tmp_path)
    assert (info.metrics, info.paper, info.headline) == ([], [], None)


@pytest.mark.parametrize("bad", [{"headline": "missing"},
                                 {"paper": [PaperFigure("missing", 1.0, "somewhere")]}])
def test_a_headline_or_paper_figure_needs_a_figure_of_ours(tiny_cgan, tmp_path, bad):
    with pytest.raises(ValueError, match="missing"):
        write_card(tmp_path, tiny_cgan, metrics=[Metric("accuracy", "Accuracy", 0.9)], **bad)


def test_no_shipped_card_names_a_folder_of_the_machine_it_was_trained_on():
    """A card's command must run in a fresh clone: repo-relative folders only."""
    import re

    import gen_core

    for name in gen_core.available():
        text = (gen_core.load(name, device="cpu").source.directory / "README.md").read_text()
        assert not re.search(r"(?<![\w.-])/(root|home|tmp|work|Users|mnt)/", text), f"{name}'s card names an absolute path"


def test_the_recorded_command_is_one_a_fresh_clone_runs(tmp_path):
    from gen_core.hub import REPO_ROOT
    from gen_core.train.command import portable

    argv = ["energy", "--init-from", "/root/runs/plain/ebm-moons-dsm", "--out", str(tmp_path / "fp"), "--checkpoint-dir=/x/ck",
            "--data-dir", str(REPO_ROOT / "data" / "spoken"), "--steps", "5"]
    assert portable(argv, "ebm-moons-dsm", REPO_ROOT) == (
        "python -m gen_core.train energy --init-from runs/ebm-moons-dsm --out weights/ebm-moons-dsm "
        "--checkpoint-dir checkpoints/ck --data-dir data/spoken --steps 5")
