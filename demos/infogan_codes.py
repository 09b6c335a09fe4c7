"""InfoGAN latent codes: steer a GAN trained without labels through the codes it learned to use."""
from __future__ import annotations

import functools

import gradio as gr
import torch

from demos import cards, hosting, inputs, outputs
from demos.lab import Lab
from gen_core.hub import LoadError
from gen_core.imaging import digit_grid
from gen_core.models.infogan import InfoGANGenerator

MODEL = "infogan-mnist"
CODE_RANGE = (-2.0, 2.0)          # the paper's extrapolation range; training drew codes from [-1, 1]
STEPS_RANGE = (2, 16)
DEFAULTS = {"choice": "3", "c1": 0.0, "c2": 0.0, "seed": 0}
GRID_DEFAULTS = {"code": "c1", "steps": 8}
TITLE, TAB_ID = "InfoGAN codes", "infogan"
SUMMARY = 'a digit (a code found without labels) and two continuous codes swept over [−2, 2]'   # what a visitor can do here: the README's tab table (python -m tools.readme)
MAIN_CONTROL = (("button", "New seed"),)   # what the browser test does first: (role, name[, option]) in order
MODELS = (MODEL,)
EXAMPLES = {"infogan_sample": ["3", 0.5, -0.5, 0], "infogan_new_seed": ["3", 0.5, -0.5],  # one input per endpoint
            "infogan_traversal": ["c1", 8, 0.0, 0.0, 0]}
MEASURES = {"slant": "slant", "ink": "thickness (ink)"}
CLEAR_EFFECT = 0.5                # |Spearman rho| below this: the label says the code has no clear effect

OBJECTIVE = r"""
**Information-maximizing GAN** (Chen et al. 2016): a GAN whose generator also gets a code $c$, and a head $Q$ on the discriminator that must read $c$ back from the image,

$$\min_{G,Q}\max_D \; V_\text{GAN}(D, G) - \lambda\, L_I(G, Q), \qquad L_I = \mathbb{E}_{c,\,x \sim G(z, c)}\big[\log Q(c \mid x)\big] + H(c) \;\le\; I\big(c;\, G(z, c)\big).$$

No labels are used. Here the categorical part of $Q$ is a clusterer of the *real* digits, fitted first and then frozen: confident, equally used clusters that survive small rotations, shifts and adversarial nudges of the deskewed digit (IMSAT, Hu et al. 2017). The generator learns to make each code a digit of one cluster. Which code became which digit is measured afterwards with the project's classifier.
"""


def code_choices(model: InfoGANGenerator, raw: bool) -> list[tuple[str, str]]:
    """Radio choices (label, value). The value is always the digit, so the API takes digits; raw mode
    lists the categorical codes in their own order, each labelled with the digit it was matched to."""
    if raw:
        return [(f"code {k} → {d}", str(d)) for k, d in enumerate(model.config.digit_of_code)]
    return [(str(d), str(d)) for d in range(10)]


def parse_choice(model: InfoGANGenerator, value: object) -> int:
    """'7' -> the categorical code matched to digit 7; anything else -> gr.Error."""
    return model.code_of_digit(inputs.require_digit(value))


def code_effects(model) -> list[str]:
    """What each continuous code was measured to control, e.g. 'slant, ρ = 0.87', from the card."""
    values = {m.key: m.value for m in cards.read_metrics(model)}
    effects = []
    for j in range(1, model.config.n_continuous + 1):
        rhos = {k: values.get(f"c{j}_spearman_{k}", float("nan")) for k in MEASURES}
        key = max(rhos, key=lambda k: abs(rhos[k]) if rhos[k] == rhos[k] else -1)
        rho = rhos[key]
        effects.append(f"{MEASURES[key]}, ρ = {rho:+.2f}" if abs(rho) >= CLEAR_EFFECT else "no clear effect measured")
    return effects


def _continuous(values: list[object]) -> list[float]:
    return [inputs.require_float(v, f"Code c{j + 1}", *CODE_RANGE) for j, v in enumerate(values)]


def sample(model: InfoGANGenerator, choice: object, c1: object, c2: object, seed: object) -> tuple[str, str]:
    """One digit for the categorical choice and continuous codes at this seed: (PNG, recipe)."""
    code = parse_choice(model, choice)
    cont = _continuous([c1, c2])
    seed_value = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED)
    image = model.sample(1, categorical=torch.tensor([code]), continuous=torch.tensor([cont]),
                         generator=torch.Generator().manual_seed(seed_value))
    path = outputs.save_image(digit_grid(image, columns=1))
    snippet = (f"x = m.sample(1, categorical=torch.tensor([{code}]),  # the code matched to digit {choice}\n"
               f"             continuous=torch.tensor([{cont!r}]),\n"
               f"             generator=torch.Generator().manual_seed({seed_value}))\n"
               f"open(\"digit.png\", \"wb\").write(png_bytes(digit_grid(x, columns=1)))")
    return path, recipe(snippet, model.source.revision)


def sample_with_new_seed(model: InfoGANGenerator, choice: object, c1: object, c2: object) -> tuple[int, str, str]:
    seed = inputs.new_seed()
    return (seed, *sample(model, choice, c1, c2, seed))


def traversal(model: InfoGANGenerator, code_name: object, steps: object, c1: object, c2: object,
              seed: object) -> tuple[str, str]:
    """Rows = the categorical codes in digit order, columns = `steps` values of one continuous code over
    [-2, 2]; the other code stays at its slider value and the noise at the seed's. (PNG, recipe)."""
    names = [f"c{j + 1}" for j in range(model.config.n_continuous)]
    j = names.index(inputs.require_choice(code_name, "Traversed code", names))
    n = inputs.require_int(steps, "Steps", *STEPS_RANGE)
    cont = _continuous([c1, c2])
    seed_value = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED)
    values = torch.linspace(*CODE_RANGE, n)
    images = model.traverse(j, values, cont, generator=torch.Generator().manual_seed(seed_value))
    path = outputs.save_image(digit_grid(images, columns=n, row_labels=[str(d) for d in range(10)]))
    snippet = (f"x = m.traverse({j}, torch.linspace({CODE_RANGE[0]}, {CODE_RANGE[1]}, {n}), {cont!r},\n"
               f"               generator=torch.Generator().manual_seed({seed_value}))\n"
               f"grid = digit_grid(x, columns={n}, row_labels=[str(d) for d in range(10)])\n"
               f"open(\"traversal.png\", \"wb\").write(png_bytes(grid))")
    return path, recipe(snippet, model.source.revision)


def recipe(snippet: str, revision: str) -> str:
    return (f"**Recipe** · model `{MODEL}` · weights `{revision}`\n\n```python\nimport torch\nimport gen_core\n"
            f"from gen_core.imaging import digit_grid, png_bytes\nm = gen_core.load(\"{MODEL}\")\n{snippet}\n```")


def toggle_raw(model: InfoGANGenerator, raw: bool, choice: str):
    """Relabel the picker: digits in order, or the raw categorical codes (same selection)."""
    return gr.Radio(choices=code_choices(model, bool(raw)), value=choice)


def build(lab: Lab) -> None:
    with gr.Tab(TITLE, id=TAB_ID):
        gr.Markdown("## InfoGAN: codes it learned without labels\nThe generator was never told which digit is "
                    "which. It learned one 10-way code and two continuous codes; we measured what each controls.")
        try:
            model = lab.models[MODEL]
            model.code_of_digit(0)
        except (LoadError, ValueError) as error:
            cards.unavailable(MODEL, error)
            return
        effects = code_effects(model)
        first_image, first_recipe = sample(model, **DEFAULTS)
        first_grid, grid_recipe = traversal(model, GRID_DEFAULTS["code"], GRID_DEFAULTS["steps"], 0.0, 0.0, 0)
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                choice = gr.Radio(code_choices(model, False), value=DEFAULTS["choice"], label="Digit",
                                  info="each digit is the categorical code the evaluator matched to it")
                raw = gr.Checkbox(False, label="Raw codes", info="list the 10 categorical codes in their own order")
                sliders = [inputs.Slider(*CODE_RANGE, value=0.0, step=0.05, label=f"c{j + 1}: {effect}",
                                     info="trained on [−1, 1]; beyond it extrapolates")
                           for j, effect in enumerate(effects)]
                with gr.Row():
                    seed = inputs.Number(DEFAULTS["seed"], precision=0, minimum=0, maximum=inputs.MAX_SEED,
                                     label="Noise seed", min_width=120)
                    reroll = gr.Button("New seed", min_width=100)
            with gr.Column(scale=1, min_width=260):
                image = gr.Image(first_image, type="filepath", format="png", label="Sample", height=300,
                                 elem_classes="pixelated", interactive=False, buttons=["download"])
                image_recipe = gr.Markdown(first_recipe)
        gr.Markdown("### Traversal: every digit, one code swept over [−2, 2]")
        with gr.Row():
            code_name = gr.Radio([f"c{j + 1}" for j in range(len(effects))], value=GRID_DEFAULTS["code"],
                                 label="Sweep", min_width=160)
            steps = inputs.Slider(*STEPS_RANGE, value=GRID_DEFAULTS["steps"], step=1, label="Steps", min_width=200)
            draw = gr.Button("Draw traversal", variant="primary", min_width=160)
        grid = gr.Image(first_grid, type="filepath", format="png", label="Rows: digits · columns: code from −2 to 2",
                        elem_classes="pixelated", interactive=False, buttons=["download"], height=560)
        grid_box = gr.Markdown(grid_recipe)
        gr.Markdown(OBJECTIVE, latex_delimiters=cards.LATEX)
        with gr.Accordion("Measured metrics of these weights (from the model card)", open=False):
            gr.Markdown(cards.metrics_table(model))

        fields = [choice, *sliders, seed]
        gr.on([choice.change, seed.submit, *(s.release for s in sliders)], lab.lanes.light.admit(functools.partial(sample, model)), fields,
              [image, image_recipe], api_name="infogan_sample")
        reroll.click(lab.lanes.light.admit(functools.partial(sample_with_new_seed, model)), [choice, *sliders], [seed, image, image_recipe],
                     api_name="infogan_new_seed")
        raw.change(lab.lanes.light.admit(functools.partial(toggle_raw, model)), [raw, choice], choice, api_visibility="private")
        gr.on([draw.click, code_name.change, steps.release], lab.lanes.light.admit(functools.partial(traversal, model)), [code_name, steps, *sliders, seed],
              [grid, grid_box], api_name="infogan_traversal")


if __name__ == "__main__":
    hosting.run_alone(TITLE, build, MODELS)
