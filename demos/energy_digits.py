"""The Energy-based tab's Digits section: Langevin chains on a digit energy, from noise (or the training
chains' replay states) to digits, streamed frame by frame; repairs that keep the visible pixels fixed;
and the energy of every step beside the test digits' own."""
from __future__ import annotations

import functools
import time

import gradio as gr
import pandas as pd
import torch

from demos import cards, digit_sources, inputs, outputs, repair_plots
from demos.lab import Lab
from gen_core.imaging import digit_grid
from gen_core.models.digit_energy import SIDE, DigitEnergy

MODEL = "ebm-mnist"
MODELS = (MODEL,)
CHAINS = 16
REPAIRS = 8
MAX_STEPS = 500
FRAMES = 12                    # streamed frames per run, besides the start
STARTS = {"noise": False, "replay buffer": True}
CORRUPTIONS = ("hide bottom rows", "hide a square", "add noise")
SIZE = (1, SIDE - 1)           # rows hidden, or the square's side
NOISE_STD = (0.05, 1.0)
EXAMPLES = {"ebm_digits": ["noise", 60, 0],
            "ebm_repair": ["test digit", "3", 0, None, None, "hide bottom rows", 12, 0.3, 60, 0]}


@functools.lru_cache(maxsize=4)
def data_energy(model: DigitEnergy) -> float | None:
    """The mean energy of the 500 test digits shipped with the tabs, where the chains should arrive
    (None if they cannot be read)."""
    digits = digit_sources.read_test_digits()
    if isinstance(digits, str):
        return None
    with torch.no_grad():
        return float(model.energy(digits[0]).mean())


def _energy_frame(model: DigitEnergy, trace: list[tuple[int, float, float, float]]) -> pd.DataFrame:
    """The energy plot's data: the chains' mean, lowest and highest energy per step, and the test digits'
    mean as a level line."""
    rows = [(step, value, series) for step, mean, low, high in trace
            for value, series in ((mean, "chains: mean"), (low, "chains: lowest"), (high, "chains: highest"))]
    level = data_energy(model)
    if trace and level is not None:
        rows += [(trace[0][0], level, "test digits: mean"), (trace[-1][0], level, "test digits: mean")]
    return pd.DataFrame(rows, columns=["step", "energy", "series"])


def _versus_data(model: DigitEnergy) -> str:
    level = data_energy(model)
    return "" if level is None else f" (the test digits: {level:.2f})"


def _run(model: DigitEnergy, states, steps: int, picture, progress) -> tuple:
    """Stream (picture PNG, energy plot, status) every steps // FRAMES steps; return the last state, its
    trace and the seconds taken (the caller yields the final frame)."""
    every, start, trace = max(1, steps // FRAMES), time.perf_counter(), []
    for step, x in enumerate(states):
        with torch.no_grad():
            e = model.energy(x)
        trace.append((step, float(e.mean()), float(e.min()), float(e.max())))
        if step % every or step == steps:
            continue
        progress(step / steps, desc=f"step {step} of {steps}")
        yield outputs.save_image(picture(x)), _energy_frame(model, trace), f"Step {step} of {steps}… {time.perf_counter() - start:.2f} s"
    return x, trace, time.perf_counter() - start


def chains(model: DigitEnergy, start: object, steps: object, seed: object, progress=gr.Progress()):
    """Yield (4 x 4 grid PNG, energy plot, status) as CHAINS chains run the shipped step size and noise."""
    origin = inputs.require_choice(start, "Start from", tuple(STARTS))
    count = inputs.require_int(steps, "Steps", 1, MAX_STEPS)
    seed = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED - 1)
    if STARTS[origin] and not len(model.replay):
        raise gr.Error("These weights store no replay-buffer states; start from noise.")
    states = model.sampler_steps(CHAINS, torch.Generator().manual_seed(seed), steps=count, from_replay=STARTS[origin])
    x, trace, seconds = yield from _run(model, states, count, lambda x: digit_grid(x, columns=4), progress)
    c = model.config
    yield (outputs.save_image(digit_grid(x, columns=4)), _energy_frame(model, trace),
           f"{CHAINS} chains × {count} steps from {origin} in {seconds:.2f} s: mean energy {trace[0][1]:.2f} → "
           f"**{trace[-1][1]:.2f}**{_versus_data(model)}.\n\n"
           f"**Recipe** · model `{MODEL}` · weights `{model.source.revision}` · step size {c.step_size:g}, move cap {c.max_move:g}, noise {c.noise:g}\n\n"
           f"```python\nimport torch, gen_core\nm = gen_core.load(\"{MODEL}\")\n"
           f"states = list(m.sampler_steps({CHAINS}, torch.Generator().manual_seed({seed}), steps={count}, "
           f"from_replay={STARTS[origin]}))\nx = states[-1]   # states[k]: after k steps\n```")


def corrupt(x: torch.Tensor, corruption: str, size: int, noise_std: float, generator: torch.Generator
            ) -> tuple[torch.Tensor, torch.Tensor, str]:
    """(the chains' start (REPAIRS, 1, 28, 28), the mask of fixed pixels (1 = kept), the corruption in
    code). Hidden pixels start as uniform noise; added noise leaves no pixel fixed."""
    seen = x.expand(REPAIRS, -1, -1, -1)
    if corruption == "add noise":
        noisy = (seen + noise_std * torch.randn(seen.shape, generator=generator)).clamp(0, 1)
        return noisy, torch.zeros_like(seen), f"x0 = (x + {noise_std:g} * torch.randn(x.shape, generator=g)).clamp(0, 1); kept = None"
    kept = torch.ones_like(x)
    if corruption == "hide bottom rows":
        kept[..., SIDE - size:, :] = 0
        line = f"kept = torch.ones_like(x); kept[..., {SIDE - size}:, :] = 0"
    else:
        top = (SIDE - size) // 2
        kept[..., top:top + size, top:top + size] = 0
        line = f"kept = torch.ones_like(x); kept[..., {top}:{top + size}, {top}:{top + size}] = 0"
    start = torch.where(kept > 0, seen, torch.rand(seen.shape, generator=generator))
    return start, kept, f"{line}\nx0 = torch.where(kept > 0, x, torch.rand(x.shape, generator=g))"


def repair(model: DigitEnergy, classifier, source: object, digit: object, index: object, sketch: object,
           upload: object, corruption: object, size: object, noise_std: object, steps: object, seed: object,
           progress=gr.Progress()):
    """Yield (truth | seen | REPAIRS chains PNG, energy plot, status) as the chains fill in the hidden
    pixels (or clean the noise) with the kept pixels fixed."""
    x, name, label = digit_sources.read_named(source, digit, index, sketch, upload)
    how = inputs.require_choice(corruption, "Corruption", CORRUPTIONS)
    side = inputs.require_int(size, "Rows or square side hidden", *SIZE)
    std = inputs.require_float(noise_std, "Noise std", *NOISE_STD)
    count = inputs.require_int(steps, "Steps", 1, MAX_STEPS)
    seed = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED - 1)
    g = torch.Generator().manual_seed(seed)
    start, kept, line = corrupt(x, how, side, std, g)
    seen = start[:1] if how == "add noise" else x * kept
    shown = torch.ones_like(x) if how == "add noise" else kept

    def picture(states: torch.Tensor):
        return repair_plots.repair_row(x, seen, shown, states)

    c = model.config
    states = model.langevin(start, count, c.step_size, c.noise, mask=None if how == "add noise" else kept, generator=g)
    final, trace, seconds = yield from _run(model, states, count, picture, progress)
    with torch.no_grad():
        readings = classifier(final).softmax(1)
    truth = label if label is not None else int(classifier(x).argmax(1))
    agree = int((readings.argmax(1) == truth).sum())
    yield (outputs.save_image(picture(final)), _energy_frame(model, trace),
           f"**{agree} of {REPAIRS}** repairs read as {truth} by the classifier "
           f"({' · '.join(f'{int(p.argmax())} ({float(p.max()):.0%})' for p in readings)}); {count} steps in {seconds:.2f} s, "
           f"mean energy {trace[0][1]:.2f} → {trace[-1][1]:.2f}{_versus_data(model)}.\n\n"
           f"**Recipe** · model `{MODEL}` · weights `{model.source.revision}` · {name} · {how}\n\n```python\n"
           f"import torch, gen_core\nm = gen_core.load(\"{MODEL}\")\ng = torch.Generator().manual_seed({seed})\n"
           f"x = digit.expand({REPAIRS}, -1, -1, -1)   # digit: (1, 1, 28, 28) in [0, 1]\n{line}\n"
           f"states = list(m.langevin(x0, {count}, {c.step_size:g}, {c.noise:g}, mask=kept, generator=g))\n```")


METHOD = r"""
**The digit energy** $E_\theta(x)$ is a small convolutional network on $[0, 1]^{784}$, trained by contrastive divergence: the data's energy is pushed down and that of chains from a replay buffer up (Du & Mordatch 2019); the buffer's chains persist through training, 5% restarted from noise at each step. Chains from the **replay buffer** start where training left them; chains from **noise** have only the steps you give them, and draw fewer kinds of digit (the card has both).

**The chains** take $x \leftarrow \mathrm{clip}\big(x - \mathrm{clip}(\tfrac{\varepsilon}{2} \nabla_x E_\theta(x), \pm m) + \nu \xi,\ 0, 1\big)$: a large step with its move per pixel capped and small noise ($\varepsilon = EPS$, $m = CAP$, $\nu = NU$, as image-EBM recipes do), a sampler useful at a few hundred steps, not one whose law is $e^{-E_\theta} / Z$. Here $Z$ is a 784-dimensional integral, so the model is judged by its samples.
"""


def section(lab: Lab) -> None:
    """The Digits section, inside the tab."""
    gr.Markdown("### Digits")
    failed = lab.models.failed((MODEL, "mnist-classifier"))
    for name, error in failed.items():
        cards.unavailable(name, error)
    if failed:
        return
    model, classifier = lab.models[MODEL], lab.models["mnist-classifier"]
    lab.background.append(functools.partial(data_energy, model))
    with gr.Row():
        with gr.Column(scale=1, min_width=240):
            start = gr.Radio(list(STARTS), value="noise", label="Start the chains from")
            steps = inputs.Slider(1, MAX_STEPS, value=model.config.sampler_steps, step=1, label="Langevin steps")
            seed = inputs.Number(0, precision=0, minimum=0, maximum=inputs.MAX_SEED - 1, label="Seed")
            run = gr.Button(f"Run {CHAINS} chains", variant="primary")
        with gr.Column(scale=2):
            grid = gr.Image(type="filepath", format="png", interactive=False, elem_classes="pixelated", buttons=["download"],
                            label=f"{CHAINS} chains")
        with gr.Column(scale=2):
            plot = gr.LinePlot(x="step", y="energy", color="series", label="Energy of every step", height=340)
    status = gr.Markdown()
    gr.Markdown("#### Repair: the visible pixels stay fixed, the chains move the rest")
    with gr.Row():
        with gr.Column(min_width=240):
            source, digit, index, sketch, upload = digit_sources.controls()
        with gr.Column(min_width=240):
            corruption = gr.Dropdown(list(CORRUPTIONS), value="hide bottom rows", label="Corruption")
            size = inputs.Slider(*SIZE, value=12, step=1, label="Rows hidden, or the square's side")
            noise_std = inputs.Slider(*NOISE_STD, value=0.3, step=0.05, label="Noise std (add noise)")
            repair_steps = inputs.Slider(1, MAX_STEPS, value=model.config.sampler_steps, step=1, label="Langevin steps")
            repair_seed = inputs.Number(0, precision=0, minimum=0, maximum=inputs.MAX_SEED - 1, label="Seed")
            fix = gr.Button("Repair", variant="primary")
    with gr.Row():
        row = gr.Image(type="filepath", format="png", interactive=False, elem_classes="pixelated", buttons=["download"],
                       label=f"Truth | seen (hidden pixels in blue) | {REPAIRS} chains", scale=3)
        repair_plot = gr.LinePlot(x="step", y="energy", color="series", label="Energy of every step", height=300, scale=2)
    repair_status = gr.Markdown()
    c = model.config
    gr.Markdown(METHOD.replace("EPS", f"{c.step_size:g}").replace("CAP", f"{c.max_move:g}").replace("NU", f"{c.noise:g}"),
                latex_delimiters=cards.LATEX)
    with gr.Accordion(f"Measured: `{MODEL}`'s card", open=False):
        gr.Markdown(cards.metrics_table(model))
    # Under a second each (16 chains x 60 steps): the light lane, as the plane's chains.
    run.click(lab.lanes.light.admit(functools.partial(chains, model)), [start, steps, seed], [grid, plot, status],
              api_name="ebm_digits", show_progress_on=[status])
    fix.click(lab.lanes.light.admit(functools.partial(repair, model, classifier)),
              [source, digit, index, sketch, upload, corruption, size, noise_std, repair_steps, repair_seed],
              [row, repair_plot, repair_status], api_name="ebm_repair", show_progress_on=[repair_status])
