"""Live training: a fresh small flow learns a density in front of you, with the trainer's own code.

The run is `python -m gen_core.train flow ...` step for step (same parser, build, data stream and
loop), so the command shown under it reproduces its weights. Bounded: at most MAX_STEPS steps and
MAX_SECONDS of wall time, a small model (LIVE_MODEL), and one run in the whole app at a time on
one torch thread (the training lane, demos/lanes.py), so on a 2-core Space the other core keeps
serving every tab; a second caller is told at once that a run is going, instead of waiting up to
two minutes behind it.
"""
from __future__ import annotations

import functools
import shlex
import time

import gradio as gr
import numpy as np
import torch

from demos import flow_plots, inputs, outputs
from demos.lab import Lab
from gen_core.data import toy2d
from gen_core.models.flows import Flow
from gen_core.train import flow as flow_trainer
from gen_core.train import loop
from gen_core.train.cli import parse

MIN_STEPS, MAX_STEPS = 50, 3000
MAX_SECONDS = 120
LIVE_RESOLUTION = 100
UPDATES = 30                      # figure refreshes per run, at most
MIN_FRAME_S = 0.5                 # and at least this long apart: a frame costs more than many steps
LIVE_MODEL = ["--couplings", "4", "--hidden", "32", "--bins", "12", "--batch-size", "256"]
DEFAULTS = {"density": "8gaussians", "steps": 600, "seed": 0}
EXAMPLES = {"flow_train_live": ["8gaussians", 100, 0]}  # a short run: the API example of one endpoint


@functools.lru_cache(maxsize=32)
def true_grid(density: str, resolution: int) -> np.ndarray:
    return toy2d.density_grid(density, resolution).numpy()


@functools.lru_cache(maxsize=16)
def entropy(density: str) -> float:
    """H(p) from 20,000 draws (standard error about 0.005 nats): the floor of the loss curve."""
    return toy2d.entropy(density, n=20_000)[0]


@functools.lru_cache(maxsize=1)
def live_model_size() -> tuple[int, int]:
    """(couplings, parameters) of the flow a live run trains, from the trainer's own config of it (the
    optimizer is not built here: its first use imports torch's compiler stack, 1.5 s)."""
    config = flow_trainer.flow_config(parse(command(DEFAULTS["density"], MIN_STEPS, 0)))
    with torch.random.fork_rng():   # building draws initial weights; the app's global stream stays as it was
        flow = Flow(config)
    return config.n_couplings, sum(p.numel() for p in flow.parameters())


def warm_optimizer() -> None:
    """Import what a live run's first optimizer imports (torch's compiler stack, 1.5 s), after start-up, so
    the first run does not wait for it."""
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


def command(density: str, steps: int, seed: int) -> list[str]:
    return ["flow", "--density", density, "--steps", str(steps), "--seed", str(seed), *LIVE_MODEL,
            "--out", f"runs/flow-{density}-live"]


@torch.no_grad()
def _learned(task: flow_trainer.FlowTask) -> np.ndarray:
    _, points = toy2d.grid(LIVE_RESOLUTION)
    flow = loop.unwrap(task.flow)
    return flow.log_prob(points).exp().reshape(LIVE_RESOLUTION, LIVE_RESOLUTION).cpu().numpy()


def train_live(density: object, steps: object, seed: object, progress=gr.Progress()):
    """Yield (figure PNG, status Markdown) while a fresh flow trains; the last status has the recipe."""
    name = inputs.require_choice(density, "Density", toy2d.NAMES)
    total = inputs.require_int(steps, "Training steps", MIN_STEPS, MAX_STEPS)
    seed_value = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED)
    yield from _run(name, total, seed_value, progress)


def _run(name: str, total: int, seed: int, progress):
    argv = command(name, total, seed)
    args = parse(argv)
    runtime = loop.Runtime(torch.device("cpu"), 0, 1)
    task = loop.seeded_build(flow_trainer, args, runtime)
    stream = flow_trainer.stream(args, runtime, 0)
    floor, truth = entropy(name), true_grid(name, LIVE_RESOLUTION)
    history: tuple[list[int], list[float]] = ([], [])
    every = max(1, total // UPDATES)
    start = time.perf_counter()

    def frame(step: int, note: str) -> tuple[str, str]:
        png = flow_plots.training_png(_learned(task), truth, *history, floor, f"flow q(x) after {step} steps")
        return outputs.save_png(png), note

    yield frame(0, f"Training a fresh flow on **{name}**…")
    shown = time.perf_counter()
    step = 0
    for step, losses in loop.training_steps(task, stream, loop.noise_generator(seed, 0, 0), 0, total):
        history[0].append(step)
        history[1].append(losses["nll"])
        progress(step / total, desc=f"step {step}/{total} · batch NLL {losses['nll']:.3f}")
        elapsed = time.perf_counter() - start
        if elapsed > MAX_SECONDS:
            break
        if step % every == 0 and step < total and time.perf_counter() - shown >= MIN_FRAME_S:
            shown = time.perf_counter()
            yield frame(step, f"step {step}/{total} · batch NLL {losses['nll']:.3f} · H(p) {floor:.3f} · {elapsed:.0f} s")
    yield frame(step, _summary(task, name, step, total, seed, time.perf_counter() - start, floor))


def _summary(task, name: str, step: int, total: int, seed: int, seconds: float, floor: float) -> str:
    x = toy2d.sample(name, 20_000, torch.Generator().manual_seed(10 ** 9 + seed))
    with torch.no_grad():
        nll = float(-loop.unwrap(task.flow).log_prob(x).mean())
    stopped = "" if step == total else (f" Stopped at the {MAX_SECONDS} s limit after {step} of {total} steps, "
                                        "so the command below (which runs them all) goes further.")
    cmd = "python -m gen_core.train " + " ".join(shlex.quote(a) for a in command(name, total, seed))
    return (f"**Done:** {step} steps in {seconds:.1f} s. NLL on 20,000 fresh samples **{nll:.3f}** nats vs "
            f"entropy H(p) ≈ {floor:.3f}, so KL(p‖q) ≈ **{nll - floor:.3f}** nats.{stopped}\n\n"
            f"**Recipe** (same weights on one CPU thread):\n```bash\n{cmd} --threads 1\n```")


def build(lab: Lab) -> None:
    """The live-training section, inside the caller's tab."""
    couplings, parameters = live_model_size()
    lab.background.append(warm_optimizer)
    gr.Markdown(f"### Train one live\nA fresh spline flow (ActNorm + {couplings} couplings, {parameters:,} parameters) learns the density "
                f"by maximum likelihood on fresh samples; up to {MAX_STEPS} steps or {MAX_SECONDS} s, one run at a time.")
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            density = gr.Dropdown(list(toy2d.NAMES), value=DEFAULTS["density"], label="Density to learn")
            steps = inputs.Slider(MIN_STEPS, MAX_STEPS, value=DEFAULTS["steps"], step=50, label="Training steps")
            seed = inputs.Number(DEFAULTS["seed"], precision=0, minimum=0, maximum=inputs.MAX_SEED, label="Seed")
            with gr.Row():
                start = gr.Button("Train", variant="primary")
                stop = gr.Button("Stop")
        with gr.Column(scale=3):
            image = gr.Image(type="filepath", format="png", label="Live training", interactive=False,
                             buttons=["download"])
            status = gr.Markdown()
    # The progress bar sits on the status line, so the heat map stays visible while it changes.
    event = start.click(lab.lanes.training.admit(train_live), [density, steps, seed], [image, status],
                        api_name="flow_train_live", show_progress_on=[status])
    stop.click(None, cancels=[event], api_visibility="private")
