"""cGAN digit picker: ask the conditional GAN for a digit, or for every digit at once."""
from __future__ import annotations

import functools

import gradio as gr

from demos import cards, hosting, inputs, outputs
from demos.lab import Lab
from gen_core.hub import LoadError
from gen_core.models.cgan import CGANGenerator
from gen_core.sample import MAX_N, DigitRecipe, render_digits

MODEL = "cgan-mnist"
ALL = "all digits"
DIGIT_CHOICES = [ALL] + [str(d) for d in range(10)]
TRUNCATION_RANGE = (0.1, 4.0)
DEFAULTS = {"digit": "3", "n": 16, "seed": 0, "truncation": 4.0}
TITLE, TAB_ID = "cGAN digits", "cgan"
SUMMARY = 'a digit or all ten, a seed, truncation; the PNG and a command that reproduces it byte for byte'   # what a visitor can do here: the README's tab table (python -m tools.readme)
MAIN_CONTROL = (("button", "New seed"),)   # what the browser test does first: (role, name[, option]) in order
MODELS = (MODEL,)
EXAMPLES = {"cgan_generate": ["3", 16, 0, 4.0], "cgan_new_seed": [ALL, 8, 4.0]}  # one input per endpoint

OBJECTIVE = r"""
**Conditional minimax game** (Mirza & Osindero 2014): both networks see the label $y$.

$$\min_G \max_D \; \mathbb{E}_{x,y \sim p_\text{data}}[\log D(x \mid y)] + \mathbb{E}_{z \sim \mathcal{N}(0,I),\,y}[\log(1 - D(G(z \mid y) \mid y))]$$

The generator is trained with the non-saturating form $\max_G \log D(G(z \mid y) \mid y)$. Truncation $\psi$ keeps every $|z_i| \le \psi$: smaller $\psi$ trades variety for cleaner digits.
"""


PARZEN_NOTE = ("\n\nThe Parzen-window figure is shown because the paper reports it; Parzen estimates rank "
               "models poorly (Theis et al. 2016), so read the classifier's figures first.")


def recipe_markdown(recipe: DigitRecipe, revision: str) -> str:
    digit = ALL if recipe.digit is None else recipe.digit
    return (f"**Recipe** · model `{recipe.model}` · weights `{revision}` · digit `{digit}` · "
            f"n `{recipe.n}` · seed `{recipe.seed}` · truncation `{recipe.truncation}`\n\n"
            f"```bash\n{recipe.command()}\n```")


def generate(model: CGANGenerator, digit: object, n: object, seed: object, truncation: object) -> tuple[str, str]:
    """The grid as a PNG file and the recipe that reproduces it byte for byte."""
    chosen = inputs.require_digit(digit, anything=ALL)
    count = inputs.require_int(n, "Number of samples", 1, MAX_N)
    seed_value = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED)
    psi = inputs.require_float(truncation, "Truncation", *TRUNCATION_RANGE)
    hub_revision = model.source.revision if model.source.origin == "hub" else None
    recipe = DigitRecipe(MODEL, hub_revision, chosen, count, seed_value, psi)
    path = outputs.save_image(render_digits(model, recipe))
    return path, recipe_markdown(recipe, model.source.revision)


def generate_with_new_seed(model: CGANGenerator, digit: object, n: object, truncation: object) -> tuple[int, str, str]:
    seed = inputs.new_seed()
    return (seed, *generate(model, digit, n, seed, truncation))


def build(lab: Lab) -> None:
    """The tab, inside the caller's gr.Blocks."""
    with gr.Tab(TITLE, id=TAB_ID):
        gr.Markdown("## Conditional GAN: pick a digit\nA generator trained with its label as input "
                    "draws the digit you ask for; the seed fixes the noise $z$.", latex_delimiters=cards.LATEX)
        try:
            model = lab.models[MODEL]
        except LoadError as error:
            cards.unavailable(MODEL, error)
            return
        first_image, first_recipe = generate(model, **DEFAULTS)
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                digit = gr.Radio(DIGIT_CHOICES, value=DEFAULTS["digit"], label="Digit")
                n = inputs.Slider(1, MAX_N, value=DEFAULTS["n"], step=1, label="Samples",
                              info=f"per digit when '{ALL}' is picked")
                with gr.Row():
                    seed = inputs.Number(DEFAULTS["seed"], precision=0, minimum=0, maximum=inputs.MAX_SEED,
                                     label="Seed", min_width=120)
                    reroll = gr.Button("New seed", min_width=100)
                truncation = inputs.Slider(*TRUNCATION_RANGE, value=DEFAULTS["truncation"], step=0.1,
                                       label="Truncation ψ", info="keep |z| ≤ ψ; 4 keeps 99.99% of N(0, 1)")
                run = gr.Button("Generate", variant="primary")
            with gr.Column(scale=2):
                image = gr.Image(first_image, type="filepath", format="png", label="Samples (PNG)",
                                 buttons=["download"], elem_classes="pixelated", interactive=False, height=560)
                recipe = gr.Markdown(first_recipe)
        gr.Markdown(OBJECTIVE, latex_delimiters=cards.LATEX)
        with gr.Accordion("Measured metrics of these weights (from the model card)", open=False):
            gr.Markdown(cards.metrics_table(model) + PARZEN_NOTE)
        gr.on([run.click, digit.change, n.release, truncation.release, seed.submit], lab.lanes.light.admit(functools.partial(generate, model)),
              [digit, n, seed, truncation], [image, recipe], api_name="cgan_generate")
        reroll.click(lab.lanes.light.admit(functools.partial(generate_with_new_seed, model)), [digit, n, truncation], [seed, image, recipe],
                     api_name="cgan_new_seed")


if __name__ == "__main__":
    hosting.run_alone(TITLE, build, MODELS)
