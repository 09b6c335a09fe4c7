"""Overview, the lab's front door: every shipped model in one table, read from the model cards.

A row is a registered model: its family, the tab that drives it, the figure its card names as the
headline, the paper's figure on the same protocol where the card has one (with ours on that
protocol beside it), and the data it saw. Nothing here knows a family: a new model joins the
table by its card alone.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import gradio as gr

import gen_core
from demos import hosting
from demos.lab import Lab, Models
from gen_core.card import CardInfo, format_figure, read_card
from gen_core.hub import REGISTRY, LoadError

TITLE, TAB_ID = "Overview", "overview"
MODELS: tuple[str, ...] = ()    # it drives none; it lists them all
EXAMPLES: dict[str, list] = {}  # no endpoint: the tab buttons only switch tabs in the browser

MEASURES = """### What the figures mean, and where they mislead
- **Likelihood, in nats per digit** (lower −log p is better). A flow's is exact. A VAE's is a bound: the IWAE bound
  with k importance samples rises toward log p(x) as k grows, so a VAE's −log p(x) can only be overstated.
- **Parzen-window log-likelihood** (higher is better): a Gaussian window on 10,000 samples scores the test digits. It is
  shown only because the GAN papers report it. Theis et al. (2016) show it ranks models badly: a window on k-means
  centroids beats one on real data, and it says little about sample quality.
- **Inception score (IS) and Fréchet distance (FD)** use *our* classifier (`mnist-classifier`), not Inception, so they
  compare our models with each other, never with a paper's figure. IS is at most 10 (the number of digits); FD comes
  with the floor two real sets reach against each other, which no model can beat.
- **Accuracies judged by the classifier** (conditional accuracy, InfoGAN's code accuracy) are capped by its own
  accuracy on real digits.
- **Synthesized speech**: the audio models learn spoken digits synthesized by espeak-ng, a stand-in for SC09, so their
  figures are not comparable with the WaveGAN paper's.
"""


@dataclass(frozen=True)
class Row:
    name: str
    family: str
    tab: tuple[str, str] | None     # (title, id) of the tab that drives it
    card: CardInfo | None
    data: str
    error: str | None = None


def rows(models: Models, tabs: list[tuple[str, str, tuple[str, ...]]]) -> list[Row]:
    """One row per registered model, in the order of the tabs that drive them. `tabs` is (title, id,
    models) for each tab; a model no tab drives (the classifiers the measures use) comes last, with no tab."""
    drives: dict[str, tuple[str, str]] = {}
    for title, tab_id, models_of_tab in tabs:     # a model two tabs use is listed once, under the first
        for name in models_of_tab:
            drives.setdefault(name, (title, tab_id))
    in_tab_order = [name for name in drives if name in REGISTRY]
    out = []
    for name in in_tab_order + [name for name in gen_core.available() if name not in drives]:
        family = REGISTRY[name].family
        try:
            model = models[name]
        except LoadError as error:
            out.append(Row(name, family, drives.get(name), None, "", str(error).splitlines()[0]))
            continue
        try:
            card = read_card(model.source.directory)
        except (OSError, ValueError):
            card = None
        out.append(Row(name, family, drives.get(name), card, model.config.data or "unknown"))
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _name(label: str) -> str:
    """A card label without the protocol's details in parentheses, as a table cell."""
    return _cell(label.split(" (")[0])


def headline_cell(card: CardInfo | None) -> str:
    """The headline figure, named by its card label up to the protocol's details in parentheses."""
    metric = card.metric(card.headline) if card and card.headline else None
    if metric is None:
        return "not evaluated"
    return f"{_name(metric.label)}: **{format_figure(metric.value, key=metric.key)}**"


def paper_cell(card: CardInfo | None) -> str:
    if card is None or not card.paper:
        return "—"
    parts = []
    for figure in card.paper:
        ours = card.metric(figure.key)
        parts.append(f"{_cell(ours.label)}: ours **{format_figure(ours.value, key=ours.key)}** · "
                     f"paper **{format_figure(figure.value, figure.se, figure.key)}** ({_cell(figure.source.split(':')[0])})")
    return "<br>".join(parts)


def table(all_rows: list[Row]) -> str:
    lines = ["| model | family | tab | headline figure | paper's protocol: ours · paper | data it saw |",
             "|---|---|---|---|---|---|"]
    for row in all_rows:
        tab = row.tab[0] if row.tab else "used by the measures"
        if row.error:
            lines.append(f"| `{row.name}` | {row.family} | {tab} | ⚠️ could not be loaded: {_cell(row.error)} | | |")
        else:
            lines.append(f"| `{row.name}` | {row.family} | {tab} | {headline_cell(row.card)} | {paper_cell(row.card)} "
                         f"| {_cell(row.data)} |")
    return "\n".join(lines)


def select_tab(tab_id: str) -> gr.Tabs:
    return gr.Tabs(selected=tab_id)


def build(lab: Lab, tabs: list[tuple[str, str, tuple[str, ...]]] = ()) -> None:
    """The overview of every model; `tabs` (title, id, models) are the other tabs, given buttons that open them."""
    with gr.Tab(TITLE, id=TAB_ID) as tab:
        gr.Markdown("## Every model in the lab\nEach figure is read from the model's card, written by "
                    "`python -m gen_core.evaluate NAME`; the paper's figure sits beside ours only where the card "
                    "measured ours on the paper's protocol.")
        with gr.Row():
            for title, tab_id, _ in tabs:
                open_tab = gr.Button(f"Open {title}", size="sm")
                # A switch of tab in this browser only: no input and nothing computed, so no endpoint to expose.
                open_tab.click(lab.lanes.light.admit(functools.partial(select_tab, tab_id)), None, tab.parent,
                               api_visibility="private")
        gr.Markdown(table(rows(lab.models, list(tabs))))
        gr.Markdown(MEASURES)


if __name__ == "__main__":
    hosting.run_alone(TITLE, build, tuple(gen_core.available()))
