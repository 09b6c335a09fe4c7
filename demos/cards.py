"""What a tab says about its models: the measured figures from their cards beside the papers', the
data they saw, or why a model is off."""
from __future__ import annotations

import gradio as gr

import gen_core
from gen_core.card import Metric, format_figure, paper_cell, read_card

# Inline $...$ as well as display $$...$$ math in the tabs' Markdown.
LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]


def read_metrics(model: gen_core.HubModel) -> list[Metric]:
    """The metrics measured on the model card, or [] if the card is missing or unreadable."""
    try:
        return read_card(model.source.directory).metrics
    except (OSError, ValueError):
        return []


def metrics_table(model: gen_core.HubModel) -> str:
    """The model card's measured metrics as a Markdown table, the papers' figures on the same protocol
    beside ours, and the data the model saw (or a note that there are no metrics)."""
    try:
        info = read_card(model.source.directory)
    except (OSError, ValueError) as e:
        return f"_No readable model card ({type(e).__name__})._"
    if not info.metrics:
        return "_This model card has no measured metrics yet: run `python -m gen_core.evaluate`._"
    rows = "\n".join(f"| {m.label} | {format_figure(m.value, key=m.key)} | {paper_cell(info.paper, m.key)} |"
                     for m in info.metrics)
    return f"| metric | ours | paper, same protocol |\n|---|---|---|\n{rows}\n\n{training_markdown(model, info.training)}"


def training_markdown(model: gen_core.HubModel, training: dict) -> str:
    """How the weights were trained, from the card: data, steps, wall-clock time, the command and the
    schedule of a run made in stages (so no fact about training is typed into a tab)."""
    seconds, steps = training.get("train_seconds"), training.get("steps")
    text = f"Trained on {model.config.data or 'unknown data'}" + (f", {steps:,} steps" if steps else "") + (
        f", in {seconds / 60:.1f} minutes of wall-clock time" if seconds else "") + "."
    if training.get("command"):
        text += f" Command: `{training['command']}`."
    if training.get("schedule"):
        text += f" Schedule: {training['schedule']}"
    return text


def unavailable(name: str, error: Exception) -> None:
    """In place of a tab's controls: what failed and how to fix it."""
    gr.Markdown(f"### ⚠️ `{name}` could not be loaded, so this tab is off.\n\n"
                f"The other tabs still work.\n\n```\n{error}\n```")
