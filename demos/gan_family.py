"""GAN family: the original GAN, DCGAN, WGAN-GP and SNGAN side by side on the same seed."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import gradio as gr

from demos import cards, hosting, inputs, outputs
from demos.lab import Lab
from demos.gan_plots import curves_figure
from gen_core import HubModel
from gen_core.card import CardInfo, format_figure, read_card, read_training_log
from gen_core.hub import GAN_FAMILY
from gen_core.sample import FamilyRecipe, family_label, render_family

N_RANGE = (1, 16)
DEFAULTS = {"n": 10, "seed": 0}
TITLE, TAB_ID = "GAN family", "gan-family"
SUMMARY = 'one $z$ through four generators trained by one loop; their objectives, figures and training curves'   # what a visitor can do here: the README's tab table (python -m tools.readme)
MAIN_CONTROL = (("button", "New seed"),)   # what the browser test does first: (role, name[, option]) in order
MODELS = GAN_FAMILY
EXAMPLES = {"gan_family_generate": [10, 0], "gan_family_new_seed": [10]}  # one input per endpoint
TABLE = (  # (card key, column heading, format)
    ("frechet_distance", "FD ↓", "{:.1f}"), ("inception_score", "IS ↑", "{:.2f}"),
    ("digits_covered", "digits ≥ 5%", "{:.0f} / 10"), ("kl_from_uniform", "KL(p̂(y) ‖ U) ↓", "{:.3f}"),
    ("parzen_log_likelihood", "Parzen LL ↑", "{:.0f}"))

OBJECTIVES = {
    "gan-mnist": r"**GAN** (Goodfellow et al. 2014), MLP networks. $\max_D \mathbb{E}_x \log D(x) + \mathbb{E}_z \log(1 - D(G(z)))$; "
                 r"the generator minimizes the non-saturating $-\mathbb{E}_z \log D(G(z))$.",
    "dcgan-mnist": r"**DCGAN** (Radford et al. 2016): the same loss; a strided-convolution $D$ and a transposed-convolution $G$ "
                   r"with batch norm (none in $D$: normalizing the real and the fake batch apart hid a fake batch that was off as a whole).",
    "wgan-gp-mnist": r"**WGAN-GP** (Gulrajani et al. 2017): a critic maximizes $\mathbb{E}_x D(x) - \mathbb{E}_z D(G(z)) - "
                     r"\lambda\, \mathbb{E}_{\hat x} (\lVert \nabla_{\hat x} D(\hat x) \rVert_2 - 1)^2$ on points $\hat x$ between real "
                     r"and fake, $\lambda = 10$, 5 critic steps per generator step; $G$ maximizes $\mathbb{E}_z D(G(z))$.",
    "sngan-mnist": r"**SNGAN** (Miyato et al. 2018): hinge loss, $D$ minimizes $\mathbb{E}_x \max(0, 1 - D(x)) + "
                   r"\mathbb{E}_z \max(0, 1 + D(G(z)))$ and $G$ maximizes $\mathbb{E}_z D(G(z))$; every layer of $D$ is "
                   r"divided by its largest singular value (one power iteration per step), so $D$ is 1-Lipschitz; "
                   r"$D$ is the paper's deeper “standard CNN” (a stride-1 convolution before each strided one).",
}
SHARED = ("All four were trained by `python -m gen_core.train gan --variant …` with one loop: the same data, "
          "batch size, generator-step budget and seed (each recipe is below the curves), and an exponential moving "
          "average of the generator's weights as the exported model. Only the networks (MLP for GAN; SNGAN's deeper "
          "discriminator), the discriminator's regularizer, the loss and the critic steps differ.")


def generate(family: dict[str, HubModel], n: object, seed: object) -> tuple[str, str]:
    """n samples of every model in `family` (name -> model, those that loaded) from one seed, a row each: (PNG, recipe)."""
    count = inputs.require_int(n, "Samples per model", *N_RANGE)
    seed_value = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED)
    names, models = list(family), list(family.values())
    revisions = tuple(m.source.revision if m.source.origin == "hub" else None for m in models)
    recipe = FamilyRecipe(tuple(names), revisions, count, seed_value)
    path = outputs.save_image(render_family(models, [family_label(name) for name in names], count, seed_value))
    weights = " · ".join(f"`{name}` `{m.source.revision}`" for name, m in zip(names, models))
    return path, f"**Recipe** · seed `{seed_value}` · n `{count}` · {weights}\n\n```bash\n{recipe.command()}\n```"


def generate_with_new_seed(family: dict[str, HubModel], n: object) -> tuple[int, str, str]:
    seed = inputs.new_seed()
    return (seed, *generate(family, n, seed))


def same_z_note(family: dict[str, HubModel]) -> str:
    sizes = {model.config.z_dim for model in family.values()}
    if len(sizes) == 1:
        return f"Every generator takes $z \\in \\mathbb{{R}}^{{{sizes.pop()}}}$, so each column is the same $z$ through each model."
    return "The latent sizes differ, so only models with the same size share a column's $z$."


@dataclass(frozen=True)
class Record:
    """What the tab shows of one model besides its samples, read once from its card and training log."""
    card: CardInfo
    log: list[dict[str, float]]
    data: str

    @property
    def metrics(self) -> dict[str, float]:
        return {m.key: m.value for m in self.card.metrics}

    @property
    def training(self) -> dict[str, Any]:
        return self.card.training


def read_records(family: dict[str, HubModel]) -> dict[str, Record]:
    """Each model's card metrics, training facts and training log; empty where the card or log is missing."""
    records = {}
    for name, model in family.items():
        directory = model.source.directory
        try:
            card = read_card(directory)
        except (OSError, ValueError):
            card = CardInfo([], {})
        records[name] = Record(card, read_training_log(directory), model.config.data)
    return records


def shared_data(records: dict[str, Record]) -> str:
    """What the models were trained on, from their configs: one line if they share it."""
    data = sorted({r.data or "unknown data" for r in records.values()})
    return f"Trained on: {data[0]}." if len(data) == 1 else "Trained on different data: " + "; ".join(data) + "."


def metrics_markdown(records: dict[str, Record]) -> str:
    """One row per model from its model card; the real-data floor and ceiling under the table."""
    lines = ["| model | " + " | ".join(h for _, h, _ in TABLE) + " | trained (wall clock) |", "|---" * (len(TABLE) + 2) + "|"]
    for name, record in records.items():
        values, log = record.metrics, record.log
        cells = [fmt.format(values[key]) if key in values else "not measured" for key, _, fmt in TABLE]
        trained = f"{log[-1]['step']:,} steps, {log[-1]['seconds'] / 60:.0f} min" if log else "no log"
        lines.append(f"| {family_label(name)} | " + " | ".join(cells) + f" | {trained} |")
    floor, ceiling = _first(records, "frechet_distance_real_floor"), _first(records, "inception_score_real")
    notes = []
    if _label(records, "frechet_distance"):
        notes.append(f"FD: {_label(records, 'frechet_distance')}" + (
            f"; the floor ({_label(records, 'frechet_distance_real_floor')}): {floor:.1f}." if floor else "."))
    if _label(records, "inception_score"):
        notes.append(f"IS: {_label(records, 'inception_score')}" + (
            f"; {_label(records, 'inception_score_real')}: {ceiling:.2f}." if ceiling else "."))
    if _label(records, "parzen_log_likelihood"):
        paper = next((f for r in records.values() for f in r.card.paper if f.key == "parzen_log_likelihood"), None)
        notes.append(f"Parzen LL: {_label(records, 'parzen_log_likelihood')}" + (
            f"; the paper's figure on the same protocol: {format_figure(paper.value, paper.se)} ({paper.source})."
            if paper else "."))
    notes.append("Mode coverage: digits that the classifier sees in at least 5% of the samples; KL of that "
                 "histogram from uniform, 0 when balanced. Measured by `python -m gen_core.evaluate NAME`.")
    return "\n".join(lines) + "\n\n" + "\n".join(f"- {note}" for note in notes)


def _label(records: dict[str, Record], key: str) -> str | None:
    """How the cards describe a figure (the protocol: how many samples, against which digits)."""
    return next((m.label for r in records.values() for m in r.card.metrics if m.key == key), None)


def _first(records: dict[str, Record], key: str) -> float | None:
    """The first card's value of a figure all cards share (the real-data floor or ceiling)."""
    return next((r.metrics[key] for r in records.values() if r.metrics.get(key)), None)


def curves_png(records: dict[str, Record]) -> str | None:
    logs = {family_label(name): r.log for name, r in records.items() if r.log}
    if not logs:
        return None
    return outputs.save_png(outputs.render_png(curves_figure(logs, _first(records, "inception_score_real"))))


def training_commands(records: dict[str, Record]) -> str:
    """The command that trained each model, from its card: the recipe of the curves and the weights."""
    lines = []
    for name, record in records.items():
        command, schedule = record.training.get("command"), record.training.get("schedule")
        lines.append(f"- `{name}`: " + (f"`{command}`" if command else "no training command on its card")
                     + (f" ({schedule})" if schedule else ""))
    return "Each curve is the model's `training_log.json`, written by its training run:\n\n" + "\n".join(lines)


def build(lab: Lab) -> None:
    with gr.Tab(TITLE, id=TAB_ID):
        gr.Markdown("## GAN family: four training methods, one seed\nThe original GAN, DCGAN, WGAN-GP and SNGAN, "
                    "trained on the same digits for the same number of generator steps. " + SHARED)
        family = {name: lab.models[name] for name in lab.models.ready(GAN_FAMILY)}  # one broken model hides only its row
        records = read_records(family)
        gr.Markdown(shared_data(records))
        for name, error in lab.models.failed(GAN_FAMILY).items():
            cards.unavailable(name, error)
        if not family:
            return
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                n = inputs.Slider(*N_RANGE, value=DEFAULTS["n"], step=1, label="Samples per model")
                with gr.Row():
                    seed = inputs.Number(DEFAULTS["seed"], precision=0, minimum=0, maximum=inputs.MAX_SEED,
                                         label="Seed", min_width=120)
                    reroll = gr.Button("New seed", min_width=100)
                run = gr.Button("Generate", variant="primary")
                gr.Markdown(same_z_note(family), latex_delimiters=cards.LATEX)
            with gr.Column(scale=3):
                image = gr.Image(None, type="filepath", format="png", label="One row per model (PNG)",
                                 buttons=["download"], elem_classes="pixelated", interactive=False, height=380)
                recipe = gr.Markdown()
        lab.on_first_view(functools.partial(generate, family, **DEFAULTS), [image, recipe])
        gr.Markdown("### Measured (from the model cards)\n" + metrics_markdown(records))
        gr.Markdown("### Objectives\n" + "\n\n".join(f"- {OBJECTIVES[name]}" for name in family),
                    latex_delimiters=cards.LATEX)
        if any(r.log for r in records.values()):
            gr.Markdown("### Training curves")
            curves = gr.Image(None, type="filepath", format="png", show_label=False, interactive=False, buttons=["download"])
            lab.on_first_view(functools.partial(curves_png, records), [curves])
            gr.Markdown(training_commands(records))
        gr.on([run.click, n.release, seed.submit], lab.lanes.light.admit(functools.partial(generate, family)), [n, seed], [image, recipe], api_name="gan_family_generate")
        reroll.click(lab.lanes.light.admit(functools.partial(generate_with_new_seed, family)), [n], [seed, image, recipe], api_name="gan_family_new_seed")


if __name__ == "__main__":
    hosting.run_alone(TITLE, build, MODELS)
