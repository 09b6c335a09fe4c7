"""What a tab says about its model comes from the model's card and config, not from text typed into demos/."""
from demos import cards
from gen_core.card import Metric, write_card
from tiny import tiny_model


def test_the_metrics_table_says_how_the_weights_were_trained_from_the_card(tmp_path):
    model = tiny_model("cgan", tmp_path / "m")
    write_card(tmp_path / "m", model, metrics=[Metric("conditional_accuracy", "Asked digit drawn", 0.5)],
               training={"steps": 12345, "train_seconds": 600.0, "command": "python -m gen_core.train cgan --steps 12345",
                         "schedule": "one stage, then a second one."})
    table = cards.metrics_table(model)
    assert "| Asked digit drawn | 50.00% |" in table
    assert ("Trained on tiny, 12,345 steps, in 10.0 minutes of wall-clock time. "
            "Command: `python -m gen_core.train cgan --steps 12345`. Schedule: one stage, then a second one.") in table


def test_a_card_without_training_facts_says_only_the_data(tmp_path):
    model = tiny_model("vae", tmp_path / "m")
    write_card(tmp_path / "m", model, metrics=[Metric("negative_elbo", "-ELBO", 99.0)], training={})
    assert cards.metrics_table(model).endswith("\n\nTrained on tiny.")
