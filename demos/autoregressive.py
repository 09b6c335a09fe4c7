"""Autoregressive: a gated PixelCNN draws digits pixel by pixel, completes them, reads them by Bayes'
rule and scores them exactly; MADE scores them beside it."""
from __future__ import annotations

import functools
import time

import gradio as gr
import numpy as np
import torch

from demos import autoregressive_plots as plots
from demos import cards, digit_sources, hosting, inputs, outputs, repair_plots
from demos.lab import Lab
from gen_core.evaluate import TEST_BINARIZATION_SEED
from gen_core.imaging import digit_grid
from gen_core.models.autoregressive import SIDE
from gen_core.models.pixelcnn import mixture_conditionals
from gen_core.models.receptive_field import MaskedConvStack, receptive_field
from gen_core.repair.measure import exact_log_conditional

PIXELCNN, MADE = "pixelcnn-mnist", "made-mnist"
TITLE, TAB_ID = "Autoregressive", "autoregressive"
SUMMARY = "digits drawn pixel by pixel (streamed row by row), completions of a test digit's or your drawing's top rows with the exact −log p of the rest, the per-pixel probability and surprise maps, p(y | x) by Bayes' rule, and receptive fields from gradients (plain masked convolutions vs the gated stacks)"   # what a visitor can do here: the README's tab table (python -m tools.readme)
MAIN_CONTROL = (("button", "Draw"),)   # what the browser test does first: (role, name[, option]) in order
MODELS = (PIXELCNN, MADE)
ANY = "any digit"
MAX_DIGITS = 16
TEMPERATURE = (0.1, 2.0)
ROWS_PER_FRAME = 2           # a streamed frame every two rows drawn
COMPLETIONS = 8
SURPRISE_SCALE = 6.0         # nats: the top of the surprise map's colour scale
_DIGIT = ["test digit", "7", 0, None, None]
EXAMPLES = {"ar_draw": [ANY, 16, 1.0, 0],
            "ar_complete": [*_DIGIT, 14, 1.0, 0],
            "ar_inspect": _DIGIT,
            "ar_receptive_field": [14, 14]}

METHOD = r"""
**The chain rule, nothing more.** $p(x) = \prod_{i=1}^{784} p(x_i \mid x_{<i})$ in raster order, each factor a Bernoulli whose logit a network computes from the pixels before it, so $\log p(x)$ is exact: one pass scores a digit, drawing one takes 784 steps.
*MADE* (Germain et al. 2015) masks an MLP's weights so output $i$ reads only inputs $< i$; the *gated PixelCNN* (van den Oord et al. 2016) stacks masked convolutions, a vertical stack for the rows above and a horizontal one for the row so far, with units $\tanh(W_f * x + V_f y) \odot \sigma(W_g * x + V_g y)$ and a digit $y$ (or "no digit") as a bias; with $p(y)$ uniform, $p(x) = \sum_y p(y)\,p(x \mid y)$ and $p(y \mid x) \propto p(x \mid y)$.
"""


def _digit_label(value: object) -> int | None:
    return inputs.require_digit(value, "Digit", anything=ANY)


def draw(model, digit: object, n: object, temperature: object, seed: object, progress=gr.Progress()):
    """Yield (grid PNG, status) as the digits are drawn, row by row; the last status has the recipe."""
    label = _digit_label(digit)
    count = inputs.require_int(n, "Number of digits", 1, MAX_DIGITS)
    heat = inputs.require_float(temperature, "Temperature", *TEMPERATURE)
    seed = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED - 1)
    labels = None if label is None else torch.full((count,), label)
    columns = min(count, 8)
    start = time.perf_counter()
    steps = model.sample_steps(count, labels, generator=torch.Generator().manual_seed(seed), temperature=heat,
                               every=ROWS_PER_FRAME * SIDE)
    for frame, x in enumerate(steps, start=1):
        rows = min(SIDE, frame * ROWS_PER_FRAME)
        progress(rows / SIDE, desc=f"row {rows} of {SIDE}")
        png = outputs.save_image(plots.drawing_grid(x, rows, columns))
        if rows < SIDE:
            yield png, f"Drawing row {rows} of {SIDE}… {time.perf_counter() - start:.1f} s"
    final = outputs.save_image(digit_grid(x, columns=columns))
    yield final, (f"{count} digits in {time.perf_counter() - start:.2f} s.\n\n"
                  + draw_recipe(label, count, heat, seed, model.source.revision))


def draw_recipe(label: int | None, n: int, temperature: float, seed: int, revision: str) -> str:
    labels = "None" if label is None else f"torch.full(({n},), {label})"
    return (f"**Recipe** · model `{PIXELCNN}` · weights `{revision}`\n\n```python\nimport torch, gen_core\n"
            f"from gen_core.imaging import digit_grid, png_bytes\nm = gen_core.load(\"{PIXELCNN}\")\n"
            f"x = m.sample({n}, labels={labels}, generator=torch.Generator().manual_seed({seed}), temperature={temperature})\n"
            f"open(\"digits.png\", \"wb\").write(png_bytes(digit_grid(x, columns={min(n, 8)})))\n```")


def complete(model, source: object, digit: object, index: object, sketch: object, upload: object, rows: object,
             temperature: object, seed: object) -> tuple[str, str, str]:
    """(truth | shown | 8 completions PNG, readout, recipe)."""
    x, name, _ = digit_sources.read_binarized(source, digit, index, sketch, upload)
    kept = inputs.require_int(rows, "Rows kept", 1, SIDE - 1)
    heat = inputs.require_float(temperature, "Temperature", *TEMPERATURE)
    seed = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED - 1)
    observed = torch.zeros_like(x)
    observed[..., :kept, :] = 1
    completions = model.sample(COMPLETIONS, generator=torch.Generator().manual_seed(seed), temperature=heat,
                               given=x, mask=observed)
    picture = outputs.save_image(repair_plots.repair_row(x, x * observed, observed, completions))
    nll = float(-exact_log_conditional(model, x, observed)[0])
    hidden = SIDE * (SIDE - kept)
    readout = (f"**−log p(the true bottom {SIDE - kept} rows | the top {kept}) = {nll:.2f} nats**, exactly "
               f"({nll / hidden:.3f} nats per hidden pixel), under the mixture over digits.")
    return picture, readout, complete_recipe(name, kept, heat, seed, model.source.revision)


def complete_recipe(name: str, kept: int, temperature: float, seed: int, revision: str) -> str:
    return (f"**Recipe** · model `{PIXELCNN}` · weights `{revision}` · {name}\n\n```python\nimport torch, gen_core\n"
            f"m = gen_core.load(\"{PIXELCNN}\")\n"
            f"x = torch.bernoulli(digit, generator=torch.Generator().manual_seed({TEST_BINARIZATION_SEED}))   # digit: (1, 1, 28, 28) in [0, 1]\n"
            f"shown = torch.zeros_like(x); shown[..., :{kept}, :] = 1\n"
            f"fixed = m.sample({COMPLETIONS}, generator=torch.Generator().manual_seed({seed}), temperature={temperature}, "
            f"given=x, mask=shown)\n```")


def inspect(pixelcnn, made, source: object, digit: object, index: object, sketch: object, upload: object
            ) -> tuple[str, str, str, dict, str]:
    """(the binarized digit, p(x_i = 1 | x_<i), surprise, p(y | x), readout): one batched PixelCNN pass
    over the ten digits and one MADE pass."""
    x, name, label = digit_sources.read_binarized(source, digit, index, sketch, upload)
    with torch.no_grad():
        pixel_log_probs, ones = pixelcnn.per_digit_pixel_log_probs(x)           # (1, 10, 784) each
        conditionals = mixture_conditionals(pixel_log_probs, ones)[0, 0].numpy()
        per_digit = pixel_log_probs.sum(2)[0]
        nll = float(-(torch.logsumexp(per_digit, 0) - np.log(10)))
        posterior = torch.softmax(per_digit, 0)
        made_nll = float(-made.log_prob(x)[0])
    pixels = x[0, 0].numpy()
    surprise = -np.log(np.where(pixels > 0, conditionals, 1 - conditionals).clip(1e-12))
    reading = int(posterior.argmax())
    readout = (f"**{name}**: −log p(x) = **{nll:.1f} nats** under the PixelCNN (the mixture over digits), "
               f"**{made_nll:.1f} nats** under MADE; both exact. The PixelCNN reads it as **{reading}** "
               f"(p = {float(posterior[reading]):.1%})" + (f"; it is a {label}." if label is not None else ".")
               + f" The most surprising pixel costs {surprise.max():.1f} nats.")
    return (outputs.save_image(digit_grid(x, columns=1)),
            outputs.save_image(plots.heat_map(conditionals, 1.0, "viridis")),
            outputs.save_image(plots.heat_map(surprise, SURPRISE_SCALE)),
            {str(d): float(posterior[d]) for d in range(10)}, readout)


def receptive_fields(model, row: object, column: object) -> tuple[str, str]:
    """(the pixels read by output (row, column): plain masked convolutions | the gated stacks, readout)."""
    r = inputs.require_int(row, "Row", 0, SIDE - 1)
    c = inputs.require_int(column, "Column", 0, SIDE - 1)
    layers, kernel = model.config.layers, model.config.kernel
    torch.manual_seed(0)
    plain = receptive_field(MaskedConvStack(layers, kernel), r, c)
    gated = receptive_field(lambda x: model.logits(x, None), r, c)
    earlier = r * SIDE + c
    missed = int((gated & ~plain).sum())
    readout = (f"Pixel ({r}, {c}) may read the {earlier} pixels before it. {layers} plain masked {kernel}x{kernel} "
               f"convolutions read **{int(plain.sum())}** of them; the gated PixelCNN's stacks (same depth and kernel) "
               f"read **{int(gated.sum())}**. The **{missed}** pixels only the gated stacks read are the plain stack's "
               "blind spot, up and to the right. Computed from each network's gradients, not drawn.")
    return outputs.save_image(plots.fields_picture([plain.numpy(), gated.numpy()], r, c)), readout


def build(lab: Lab) -> None:
    with gr.Tab(TITLE, id=TAB_ID):
        gr.Markdown("## Autoregressive: one pixel at a time\nA gated PixelCNN draws digits row by row, finishes a "
                    "digit from its top rows, reads it by Bayes' rule, and gives the exact likelihood every other "
                    "family only bounds; MADE scores beside it.")
        failed = lab.models.failed(MODELS)
        for name, error in failed.items():
            cards.unavailable(name, error)
        if failed:
            return
        pixelcnn, made = lab.models[PIXELCNN], lab.models[MADE]
        gr.Markdown("### Draw")
        with gr.Row():
            with gr.Column(min_width=240):
                digit_choice = gr.Dropdown([ANY, *map(str, range(10))], value=ANY, label="Digit")
                count = inputs.Slider(1, MAX_DIGITS, value=16, step=1, label="Digits")
                temperature = inputs.Slider(*TEMPERATURE, value=1.0, step=0.05, label="Temperature")
                seed = inputs.Number(0, precision=0, minimum=0, maximum=inputs.MAX_SEED - 1, label="Seed")
                run_draw = gr.Button("Draw", variant="primary")
            with gr.Column(scale=2):
                drawn = gr.Image(type="filepath", format="png", interactive=False, elem_classes="pixelated",
                                 buttons=["download"], label="Digits, drawn row by row (blue: not drawn yet)")
                draw_status = gr.Markdown()
        run_draw.click(lab.lanes.light.admit(functools.partial(draw, pixelcnn)), [digit_choice, count, temperature, seed],
                       [drawn, draw_status], api_name="ar_draw", show_progress_on=[draw_status])

        gr.Markdown("### Complete and look inside")
        with gr.Row():
            with gr.Column(min_width=240):
                source, digit, index, sketch, upload = digit_sources.controls()
            with gr.Column(scale=2):
                with gr.Row():
                    kept = inputs.Slider(1, SIDE - 1, value=14, step=1, label="Rows kept from the top")
                    complete_temperature = inputs.Slider(*TEMPERATURE, value=1.0, step=0.05, label="Temperature")
                    complete_seed = inputs.Number(0, precision=0, minimum=0, maximum=inputs.MAX_SEED - 1, label="Seed")
                run_complete = gr.Button("Complete", variant="primary")
                completed = gr.Image(type="filepath", format="png", interactive=False, elem_classes="pixelated", buttons=["download"],
                                     label="Truth | shown (hidden rows in blue) | 8 completions")
                complete_readout = gr.Markdown()
                complete_recipe_box = gr.Markdown()
        shared = [source, digit, index, sketch, upload]
        run_complete.click(lab.lanes.light.admit(functools.partial(complete, pixelcnn)),
                           [*shared, kept, complete_temperature, complete_seed],
                           [completed, complete_readout, complete_recipe_box], api_name="ar_complete")
        run_inspect = gr.Button("Look inside")
        with gr.Row():
            binarized = gr.Image(type="filepath", format="png", interactive=False, elem_classes="pixelated", label="The digit, binarized")
            probability = gr.Image(type="filepath", format="png", interactive=False, elem_classes="pixelated",
                                   label="p(x_i = 1 | x_<i): what the model expected (yellow: ink)")
            surprise = gr.Image(type="filepath", format="png", interactive=False, elem_classes="pixelated",
                                label=f"Surprise −log p(x_i | x_<i), 0 to {SURPRISE_SCALE:g} nats (bright: unexpected)")
            reading = gr.Label(num_top_classes=10, label="p(y | x), Bayes' rule")
        inside_readout = gr.Markdown()
        run_inspect.click(lab.lanes.light.admit(functools.partial(inspect, pixelcnn, made)), shared,
                          [binarized, probability, surprise, reading, inside_readout], api_name="ar_inspect")

        gr.Markdown("### Receptive field of one output pixel")
        with gr.Row():
            with gr.Column(min_width=240):
                row = inputs.Slider(0, SIDE - 1, value=14, step=1, label="Row")
                column = inputs.Slider(0, SIDE - 1, value=14, step=1, label="Column")
            with gr.Column(scale=2):
                first_field, first_readout = receptive_fields(pixelcnn, *EXAMPLES["ar_receptive_field"])
                field = gr.Image(first_field, type="filepath", format="png", interactive=False, elem_classes="pixelated",
                                 label="Pixels read (blue) by the red pixel: plain masked convolutions | gated PixelCNN")
                field_readout = gr.Markdown(first_readout)
        gr.on([row.release, column.release], lab.lanes.light.admit(functools.partial(receptive_fields, pixelcnn)),
              [row, column], [field, field_readout], api_name="ar_receptive_field")
        gr.Markdown(METHOD, latex_delimiters=cards.LATEX)
        for name, model in ((PIXELCNN, pixelcnn), (MADE, made)):
            with gr.Accordion(f"Measured: {name} (from the model card)", open=False):
                gr.Markdown(cards.metrics_table(model))


if __name__ == "__main__":
    hosting.run_alone(TITLE, build, MODELS)
