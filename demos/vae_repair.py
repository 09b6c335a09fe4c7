"""VAE repair: hide or corrupt part of a digit and let the VAE's prior fill it in, by three samplers
whose difference the tab measures on the very input shown."""
from __future__ import annotations

import functools
import time

import gradio as gr
import numpy as np
import torch
from PIL import Image

from demos import cards, digit_sources, hosting, inputs, outputs, repair_plots
from demos.lab import Lab
from gen_core.evaluate import TEST_BINARIZATION_SEED
from gen_core.imaging import digit_grid
from gen_core.repair import KINDS, METHOD_NAMES, METHODS, Corruption, Evidence, chain, conditional_log_prob
from gen_core.repair.measure import hidden_error

MODEL, CLASSIFIER = "vae-mnist", "mnist-classifier"
TITLE, TAB_ID = "VAE repair", "vae-repair"
SUMMARY = "hide part of a test digit or your drawing (halves, a square, random pixels, a sub-grid, a painted mask) or flip its pixels; 8 completions by one-shot, pseudo-Gibbs or Metropolis-within-Gibbs; one chain's iterations; −log p(hidden | shown); the samplers compared on your input"   # what a visitor can do here: the README's tab table (python -m tools.readme)
MAIN_CONTROL = (("radio", "pseudo-Gibbs"), ("button", "Repair"))   # what the browser test does first: (role, name[, option]) in order
MODELS = (MODEL, CLASSIFIER)
PAINTED = "painted mask"
CHOICES = (*KINDS, PAINTED)
GRIDS = {"14x14": 2, "7x7": 4}
COMPLETIONS = 8
STEPS_RANGE = (1, 200)
STRIP_FRAMES = 12
LIKELIHOOD_K = 400           # importance samples for -log p(hidden | shown)
MIN_MASK_INK = 0.25          # a 28x28 cell counts as painted when this much of it is covered
STROKE_CONTRAST = 100        # a change of this much (of 255) in some channel counts as fully painted
_DIGIT = ["test digit", "7", 0, None, None]
EXAMPLES = {"vae_repair": [*_DIGIT, "hide bottom", 14, 0.5, "14x14", 0.1, None, "mwg", 50, 0],
            "vae_repair_compare": [*_DIGIT, "hide bottom", 14, 0.5, "14x14", 0.1, None, 50, 0]}

METHOD = r"""
**Repair as conditional sampling.** What is seen, $y$, is the digit $x$ through a channel: hidden pixels say nothing, seen ones are exact (or flipped with probability $p$). A completion is a draw from $p(x \mid y) \propto p(y \mid x)\,\int p(x \mid z)\,p(z)\,dz$.
*One-shot* encodes and decodes once; *pseudo-Gibbs* (Rezende et al. 2014) alternates $z \sim q(z \mid x)$ and $x \sim p(x \mid z, y)$, trusting the encoder as the posterior; *Metropolis-within-Gibbs* (Mattei & Frellsen 2018) accepts each proposed $z'$ with probability $\min\!\big(1, \tfrac{p(x \mid z')\,p(z')\,q(z \mid x)}{p(x \mid z)\,p(z)\,q(z' \mid x)}\big)$, so its chain targets the true $p(x \mid y)$; its first half is pseudo-Gibbs, a warm start.

> "Efficient approximate marginal inference of the variable x. This allows us to perform all kinds of inference tasks where a prior over x is required. Common applications in computer vision include image denoising, inpainting and super-resolution." (Kingma & Welling 2013, section 2.1)
"""


def _picture(value: object) -> np.ndarray | None:
    """An RGB(A) picture as float (H, W, C), or None for anything else."""
    canvas = np.asarray(value, dtype=np.float32) if value is not None else None
    if canvas is None or canvas.ndim != 3 or canvas.shape[2] not in (3, 4) or min(canvas.shape[:2]) < 1:
        return None
    return canvas


def _ink(canvas: np.ndarray) -> np.ndarray:
    """How painted each pixel of a picture is, in [0, 1]: its opacity if some of it is clear (strokes on a
    clear layer), else its darkness (an opaque picture)."""
    if canvas.shape[2] == 4 and canvas[..., 3].min() < 255:
        return canvas[..., 3] / 255
    return 1 - canvas[..., :3].mean(2) / 255


def painted_mask(sketch: object) -> torch.Tensor:
    """observed (1, 1, 28, 28) from a painting: the painted part of the canvas, mapped onto the 28x28 grid, is
    hidden. Over a background (the digit the tab puts behind the canvas) the painted pixels are those the
    strokes changed; without one, a bare picture (an API caller's) counts its strokes, or its dark pixels
    if it is opaque."""
    composite = _picture(sketch.get("composite")) if isinstance(sketch, dict) else None
    if composite is None:
        if isinstance(sketch, dict) and sketch.get("composite") is not None:
            raise gr.Error("The mask must be an RGB or RGBA picture.")
        raise gr.Error("Paint the part of the digit to hide on the mask canvas first.")
    background = _picture(sketch.get("background"))
    if background is not None and background.shape[:2] == composite.shape[:2]:
        ink = np.clip(np.abs(composite[..., :3] - background[..., :3]).max(2) / STROKE_CONTRAST, 0, 1)
    else:
        ink = _ink(composite)
    cells = np.asarray(Image.fromarray((ink * 255).astype(np.uint8)).resize((28, 28), Image.BOX), np.float32) / 255
    hidden = torch.from_numpy(cells >= MIN_MASK_INK)
    if not hidden.any():
        raise gr.Error("The painted mask hides nothing: paint over the part of the digit to hide.")
    if hidden.all():
        raise gr.Error("The painted mask hides every pixel: leave some of the digit in view (that would be sampling, not repair).")
    return (~hidden).float()[None, None]


def mask_canvas(source: object, digit: object, index: object) -> dict | None:
    """The mask canvas with the chosen test digit as its background, so the painter sees what is hidden
    (for a drawing or an upload the canvas stays as it is)."""
    if source != "test digit":
        return gr.skip()
    x, _ = digit_sources.read_binarized(source, digit, index, None, None)[:2]
    cells = (255 - x[0, 0].numpy() * 120).astype(np.uint8).repeat(10, 0).repeat(10, 1)  # grey on white, 280 x 280: dark strokes show
    background = np.dstack([cells, cells, cells, np.full_like(cells, 255)])
    return {"background": background, "layers": [], "composite": background}


def _evidence(x: torch.Tensor, kind: object, rows: object, fraction: object, grid: object, flip: object,
              mask: object, seed: int) -> tuple[Evidence, str]:
    """What is seen of x under the chosen corruption, and the corruption's recipe line."""
    kind = inputs.require_choice(kind, "Corruption", CHOICES)
    amounts = {"rows": inputs.require_int(rows, "Rows, columns or square side hidden", 1, 27),
               "fraction": inputs.require_float(fraction, "Fraction hidden", *KINDS["hide random"][1]),
               "grid": GRIDS[inputs.require_choice(grid, "Sub-grid", tuple(GRIDS))],
               "flip": inputs.require_float(flip, "Flip probability", *KINDS["flip"][1])}
    if kind == PAINTED:
        return Evidence.of(x, painted_mask(mask)), "seen = Evidence.of(x, observed)   # observed: your painted mask, 1 = seen"
    amount = {"hide random": amounts["fraction"], "sub-grid": amounts["grid"], "flip": amounts["flip"]}.get(kind, amounts["rows"])
    if kind == "hide centre" and amount < KINDS[kind][1][0]:
        raise gr.Error(f"The hidden centre square needs a side from {KINDS[kind][1][0]} to {KINDS[kind][1][1]}; got {amount}.")
    corruption = Corruption(kind, amount)
    return (corruption.observe(x, torch.Generator().manual_seed(seed)),
            f"seen = Corruption({kind!r}, {amount!r}).observe(x, torch.Generator().manual_seed({seed}))")


def _inputs(values: tuple) -> tuple[torch.Tensor, str, Evidence, str, int, int]:
    """(x, its name, evidence, the corruption's recipe line, iterations, seed) from the shared inputs:
    digit source, digit, index, sketch, upload, corruption kind, rows, fraction, grid, flip, mask, iterations, seed."""
    x, name, _ = digit_sources.read_binarized(*values[:5])
    steps = inputs.require_int(values[11], "Iterations", *STEPS_RANGE)
    seed = inputs.require_int(values[12], "Seed", 0, inputs.MAX_SEED - 1)
    evidence, line = _evidence(x, *values[5:11], seed)
    return x, name, evidence, line, steps, seed


def _batch(evidence: Evidence) -> Evidence:
    return Evidence(evidence.y.expand(COMPLETIONS, -1, -1, -1), evidence.observed.expand(COMPLETIONS, -1, -1, -1), evidence.flip)


def _run(model, evidence: Evidence, method: str, steps: int, seed: int):
    """(completions, the states of every chain (steps + 1, n, ...), Metropolis acceptance rate or None)."""
    trail, tests = [], []
    for step in chain(model, _batch(evidence), method=method, steps=steps, generator=torch.Generator().manual_seed(seed + 1)):
        trail.append(step.x)
        if step.accepted is not None:
            tests.append(step.accepted.float().mean())
    return trail[-1], torch.stack(trail), (float(torch.stack(tests).mean()) if tests else None)


def _truth_label(classifier, x: torch.Tensor, source: object, digit: object) -> int:
    return int(digit) if source == "test digit" else int(classifier(x).argmax(1))


def repair(model, classifier, *values) -> tuple[str, str, str, str]:
    """(truth | seen | 8 completions PNG, one chain's iterations PNG, readout, recipe)."""
    x, name, evidence, line, steps, seed = _inputs(values[:11] + values[12:])
    method = inputs.require_choice(values[11], "Sampler", METHODS)
    completions, trail, acceptance = _run(model, evidence, method, steps, seed)
    row = outputs.save_image(repair_plots.repair_row(x, evidence.y, evidence.observed, completions))
    frames = trail[torch.linspace(0, len(trail) - 1, min(STRIP_FRAMES, len(trail))).round().long(), 0]
    strip = outputs.save_image(digit_grid(frames, columns=len(frames)))
    with torch.no_grad():
        probs = classifier(completions).softmax(1)
        truth = _truth_label(classifier, x, values[0], values[1])
        estimate = conditional_log_prob(model, x, evidence, k=LIKELIHOOD_K, completions=completions[None],
                                        generator=torch.Generator().manual_seed(seed + 2))
    readings = " · ".join(f"{int(p.argmax())} ({float(p.max()):.0%})" for p in probs)
    agree = int((probs.argmax(1) == truth).sum())
    what = "x | y" if evidence.hides_nothing else "hidden | shown"
    readout = (f"**Classifier's reading of each completion**: {readings}  \n"
               f"**{agree} of {COMPLETIONS}** read as {truth} (the {'true digit' if values[0] == 'test digit' else 'reading of your uncorrupted digit'}). "
               f"Error on the {'pixels' if evidence.hides_nothing else 'hidden pixels'}: "
               f"{hidden_error(completions, x, evidence.scored):.1%}"
               + (f"; Metropolis acceptance after the warm start: {acceptance:.0%}" if acceptance is not None else "") + ".  \n"
               f"**−log p({what}) of the truth ≈ {float(-estimate.log_prob[0]):.1f} ± {float(estimate.se[0]):.1f} nats** "
               f"(importance sampling, k = {LIKELIHOOD_K}; the proposal is q(z | x) at the truth and the completions).")
    return row, strip, readout, recipe(name, line, method, steps, seed, model.source.revision)


def compare(model, classifier, *values) -> list[list]:
    """One row per sampler on this very input: completions read as the truth, hidden-pixel error,
    acceptance, time."""
    x, _, evidence, _, steps, seed = _inputs(values)
    truth = _truth_label(classifier, x, values[0], values[1])
    rows = []
    for method in METHODS:
        start = time.perf_counter()
        completions, _, acceptance = _run(model, evidence, method, steps, seed)
        ms = 1000 * (time.perf_counter() - start)
        with torch.no_grad():
            agree = int((classifier(completions).argmax(1) == truth).sum())
        error = hidden_error(completions, x, evidence.scored)
        rows.append([METHOD_NAMES[method], 0 if method == "one-shot" else steps, f"{agree} / {COMPLETIONS}",
                     f"{error:.1%}", "" if acceptance is None else f"{acceptance:.0%}", f"{ms:.0f}"])
    return rows


def recipe(name: str, line: str, method: str, steps: int, seed: int, revision: str) -> str:
    return (f"**Recipe** · model `{MODEL}` · weights `{revision}` · {name} · sampler `{method}` · iterations `{steps}` · seed `{seed}`\n\n"
            f"```python\nimport torch, gen_core\nfrom gen_core.repair import Corruption, Evidence, complete\n"
            f"m = gen_core.load(\"{MODEL}\")\n"
            f"x = torch.bernoulli(digit, generator=torch.Generator().manual_seed({TEST_BINARIZATION_SEED}))   # digit: (1, 1, 28, 28) in [0, 1]\n"
            f"{line}\n"
            f"fixed = complete(m, seen.y.expand({COMPLETIONS}, -1, -1, -1), seen.observed.expand({COMPLETIONS}, -1, -1, -1), "
            f"flip=seen.flip, method=\"{method}\", steps={steps}, generator=torch.Generator().manual_seed({seed + 1}))\n```")


def _measured_table(model) -> str:
    """The card's repair section as one table: corruption by sampler, accuracy and hidden-pixel error."""
    values = {m.key: m for m in cards.read_metrics(model)}
    rows = []
    for key in [k.split("_")[1] for k in values if k.startswith("repair_") and k.endswith("_nll")]:
        cells = [f"{100 * values[f'repair_{key}_{m}_accuracy'].value:.1f}% · {100 * values[f'repair_{key}_{m}_hidden_error'].value:.1f}%"
                 if f"repair_{key}_{m}_accuracy" in values else "" for m in METHODS]
        label = values[f"repair_{key}_nll"].label.split(":")[0].removeprefix("Repair, ")
        blank = values.get(f"repair_{key}_blank_error")
        rows.append(f"| {label} | {'' if blank is None else f'{100 * blank.value:.1f}%'} | {' | '.join(cells)} | "
                    f"{values[f'repair_{key}_nll'].value:.1f} |")
    if not rows:
        return "_The model card has no repair section yet: run `python -m gen_core.evaluate vae-mnist --only repair`._"
    clean = values.get("repair_clean_accuracy")
    where = clean.label[clean.label.find("(") + 1:-1] if clean else ""
    return (f"Measured on {where} (the classifier reads {100 * clean.value:.1f}% of them right uncorrupted). "
            "Each sampler's cell: classifier accuracy of the completions · error on the hidden pixels (on every pixel for "
            "flips), beside the error of leaving the hidden pixels blank (of keeping the flipped ones).\n\n"
            f"| corruption | left blank | {' | '.join(METHOD_NAMES[m] for m in METHODS)} | −log p(truth given what was seen), nats |\n"
            f"|---|---|{'---|' * len(METHODS)}---|\n" + "\n".join(rows))


def build(lab: Lab) -> None:
    with gr.Tab(TITLE, id=TAB_ID):
        gr.Markdown("## VAE: repair a digit\nHide part of a digit, or flip its pixels, and let the VAE fill it in. "
                    "Eight completions, one chain's iterations, and the three samplers compared on this input.")
        failed = lab.models.failed(MODELS)
        for name, error in failed.items():
            cards.unavailable(name, error)
        if failed:
            return
        model, classifier = lab.models[MODEL], lab.models[CLASSIFIER]
        digits = digit_sources.read_test_digits()
        with gr.Row():
            with gr.Column(min_width=240):
                source, digit, index, sketch, upload = digit_sources.controls()
            with gr.Column(min_width=240):
                kind = gr.Dropdown(list(CHOICES), value="hide bottom", label="Corruption")
                rows = inputs.Slider(1, 27, value=14, step=1, label="Rows, columns or square side hidden")
                fraction = inputs.Slider(*KINDS["hide random"][1], value=0.5, step=0.05, label="Fraction hidden")
                grid = gr.Radio(list(GRIDS), value="14x14", label="Sub-grid")
                flip = inputs.Slider(*KINDS["flip"][1], value=0.1, step=0.01, label="Flip probability")
                mask = inputs.Sketchpad(mask_canvas(*EXAMPLES["vae_repair"][:3]) if not isinstance(digits, str) else None,
                                        label="Painted mask: paint what to hide", height=200, canvas_size=(280, 280), type="numpy")
            with gr.Column(min_width=200):
                method = gr.Radio([(METHOD_NAMES[m].removesuffix(" (baseline)"), m) for m in METHODS], value="mwg", label="Sampler")
                steps = inputs.Slider(*STEPS_RANGE, value=50, step=1, label="Iterations")
                seed = inputs.Number(0, precision=0, minimum=0, maximum=inputs.MAX_SEED - 1, label="Seed")
                run = gr.Button("Repair", variant="primary")
        shared = [source, digit, index, sketch, upload, kind, rows, fraction, grid, flip, mask]
        row = gr.Image(None, type="filepath", format="png", interactive=False, elem_classes="pixelated", buttons=["download"],
                       label="Truth | seen (hidden pixels in blue) | 8 completions")
        strip = gr.Image(None, type="filepath", format="png", interactive=False, elem_classes="pixelated", buttons=["download"],
                         label="One chain's iterations, left to right")
        readout = gr.Markdown()
        table = gr.Dataframe(None,
                             headers=["sampler", "iterations", "read as the truth", "pixel error", "acceptance", "ms"],
                             label="The samplers on this input", interactive=False)
        recipe_box = gr.Markdown()
        if not isinstance(digits, str):   # the test digits shipped: the example repaired, on page load
            lab.on_first_view(lambda: (*repair(model, classifier, *EXAMPLES["vae_repair"]),
                                       compare(model, classifier, *EXAMPLES["vae_repair_compare"])),
                              [row, strip, readout, recipe_box, table])
        gr.Markdown(METHOD, latex_delimiters=cards.LATEX)
        with gr.Accordion("Measured on the test digits (from the model card)", open=False):
            gr.Markdown(_measured_table(model))
        event = run.click(lab.lanes.light.admit(functools.partial(repair, model, classifier)),
                          [*shared, method, steps, seed], [row, strip, readout, recipe_box], api_name="vae_repair")
        event.then(lab.lanes.light.admit(functools.partial(compare, model, classifier)), [*shared, steps, seed], table,
                   api_name="vae_repair_compare")
        gr.on([source.change, digit.change, index.change], lab.lanes.light.admit(mask_canvas), [source, digit, index], mask,
              api_visibility="private")


if __name__ == "__main__":
    hosting.run_alone(TITLE, build, MODELS)
