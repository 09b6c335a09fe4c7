"""Energy-based models on the plane: p_θ(x) = exp(−E_θ(x)) / Z with Z by quadrature, Langevin chains
watched step by step, and how far a chain's samples are from the model it samples."""
from __future__ import annotations

import functools
import time

import gradio as gr
import numpy as np
import torch

from demos import cards, energy_digits, flow_live, flow_plots, hosting, inputs, outputs
from demos.lab import Lab
from gen_core.evaluate.planar import sampler_gap_metrics
from gen_core.data import toy2d
from gen_core.hub import ENERGY_2D, energy_name
from gen_core.models.energy import QUADRATURE_EXTENT, Energy2D, draw_cells, pool_cells

TITLE, TAB_ID = "Energy-based", "energy"
SUMMARY = 'the exact density exp(−E)/Z (Z by quadrature) beside the truth; 1,000 Langevin chains streamed from noise with your step size, steps and noise; the gap between those chains and the model they sample; denoising score matching (its noise levels tied by the heat equation) against contrastive divergence; on digits, 16 chains streamed from noise or the replay buffer with the energy of every step, and repairs that keep the visible pixels fixed'   # what a visitor can do here: the README's tab table (python -m tools.readme)
MAIN_CONTROL = (("button", "Run 1,000 chains from noise"),)   # what the browser test does first: (role, name[, option]) in order
PLANE_MODELS = tuple(energy_name(density, method) for density, method in ENERGY_2D)
MODELS = (*PLANE_MODELS, *energy_digits.MODELS, "mnist-classifier")
METHOD_NAMES = {"dsm": "denoising score matching", "cd": "contrastive divergence"}
DENSITIES = tuple(dict.fromkeys(density for density, _ in ENERGY_2D))
CHAINS = 1000
RESOLUTION = 200
STEP_SIZE = (1e-5, 0.1)
MAX_STEPS = 500
NOISE_SCALE = (0.0, 2.0)
FRAMES = 10                   # streamed frames per run, besides the start
GAP_BINS = 16                 # the tab's sampler gap: 16 x 16 bins of 32 x 32 quadrature cells (1,000 points)
DEFAULTS = {"density": "moons", "method": "dsm"}
EXAMPLES = {"ebm_landscape": ["moons", "dsm"], "ebm_chains": ["moons", "dsm", 0.01, 100, 1.0, 0], **energy_digits.EXAMPLES}

OBJECTIVES = r"""
**Contrastive divergence** (Hinton 2002; persistent chains with a replay buffer, Du & Mordatch 2019): $\nabla_\theta \log p_\theta(x) = -\nabla_\theta E_\theta(x) + \mathbb{E}_{x' \sim p_\theta}[\nabla_\theta E_\theta(x')]$, so training pushes the energy of data down and that of the model's own samples up, the samples $x'$ coming from Langevin chains $x_{t+1} = x_t - \tfrac{\varepsilon}{2} \nabla_x E_\theta(x_t) + \sqrt{\varepsilon}\, \xi_t$.

**Denoising score matching** (Vincent 2011; over noise levels, Song & Ermon 2019): $-\nabla_x E_\theta(\tilde x, \sigma)$ is fitted to the score of data blurred by $\mathcal{N}(0, \sigma^2 I)$, $\min_\theta \mathbb{E}\,\sigma^2 \big\| -\nabla_{\tilde x} E_\theta(\tilde x, \sigma) + (\tilde x - x)/\sigma^2 \big\|^2$; no sampling in training, annealed Langevin from the largest $\sigma$ to the smallest at sampling time. The score cannot see how much mass each of two separated modes holds, so the shipped energies are then fine-tuned with the heat equation's residual $\partial_t E - \tfrac12 \Delta_x E + \tfrac12 \|\nabla_x E\|^2$ ($t = \sigma^2$), which must not depend on $x$ when all levels are one density blurred: it carries the weights that large $\sigma$ sees down to the smallest.

In 2-D, $Z = \int e^{-E_\theta}$ is a double integral, so $\log p_\theta$ is exact up to a quadrature grid; a short chain is not the model (Nijkamp et al. 2019), and the sampler-gap panel measures by how much.
"""


def _pick(models: dict[tuple[str, str], Energy2D], density: object, method: object) -> tuple[str, str, Energy2D]:
    name = inputs.require_choice(density, "Density", DENSITIES)
    how = inputs.require_choice(method, "Method", tuple(METHOD_NAMES))
    if (name, how) not in models:
        offered = [m for d, m in models if d == name]
        raise gr.Error(f"No {METHOD_NAMES[how]} model of {name} is loaded; offered for {name}: "
                       f"{', '.join(offered) or 'none'}.")
    return name, how, models[name, how]


@functools.lru_cache(maxsize=32)
def model_grid(model: Energy2D, resolution: int = RESOLUTION) -> np.ndarray:
    """p_θ on the display grid, (R, R) with row 0 at the bottom."""
    _, points = toy2d.grid(resolution)
    with torch.no_grad():
        return model.log_prob(points).exp().reshape(resolution, resolution).float().numpy()


@functools.lru_cache(maxsize=32)
def chains_background(model: Energy2D, density: str) -> np.ndarray:
    """The frames' background: p_θ beside the true density, as RGB."""
    return flow_plots.density_background(model_grid(model), flow_live.true_grid(density, RESOLUTION),
                                         (f"p_θ(x) and {CHAINS:,} Langevin chains", "true p(x)"))


@functools.lru_cache(maxsize=32)
def cell_probs(model: Energy2D) -> torch.Tensor:
    """P_θ of the quadrature cells (for exact draws)."""
    return model.cell_log_probs().exp().float()


@functools.lru_cache(maxsize=32)
def log_normalizer(model: Energy2D) -> float:
    return float(model.log_normalizer())


@functools.lru_cache(maxsize=32)
def gap_bins(model: Energy2D) -> torch.Tensor:
    """p_θ's mass on the gap's GAP_BINS^2 bins over the quadrature box."""
    return pool_cells(cell_probs(model), GAP_BINS)


def fit_table(models: dict[tuple[str, str], Energy2D], density: str) -> str:
    """Every loaded model of the density, from its card: NLL, KL, the flow's KL on the same draws, the
    shipped sampler's gap."""
    rows, flow_kl = [], None
    for method in METHOD_NAMES:
        if (density, method) not in models:
            continue
        values = {m.key: m.value for m in cards.read_metrics(models[density, method])}
        label = f"`{energy_name(density, method)}` ({METHOD_NAMES[method]})"
        if "kl" not in values:
            rows.append(f"| {label} | _not measured yet_ | | |")
            continue
        flow_kl = values.get("flow_kl", flow_kl)
        gap = (f"{values['sampler_gap_kl']:.3f} (floor {values['sampler_gap_kl_floor']:.3f})"
               if "sampler_gap_kl" in values else "—")
        rows.append(f"| {label} | {values['nll']:.3f} | "
                    f"**{values['kl']:.4f} ± {values['kl_se']:.4f}** | {gap} |")
    if flow_kl is not None:
        rows.append(f"| `flow-{density}` (the flow tab's, same draws) | | {flow_kl:.4f} | exact sampling: 0 |")
    return ("| model | NLL, nats | KL(p ‖ model) = NLL − H(p) | sampler gap, nats (100,000 chains, 64² bins) |\n"
            "|---|---|---|---|\n" + "\n".join(rows) + "\n\nMeasured on 100,000 fresh draws of the true density "
            "(`python -m gen_core.evaluate ebm-…`).")


def landscape(models: dict[tuple[str, str], Energy2D], density: object, method: object) -> tuple[str, str, str, str]:
    """(p_θ beside the true density PNG, the NLL / KL table, the card's figures, recipe)."""
    name, how, model = _pick(models, density, method)
    empty = np.zeros((0, 2))
    png = flow_plots.density_png(model_grid(model), flow_live.true_grid(name, RESOLUTION), empty, empty,
                                 ("p_θ(x) = exp(−E_θ(x)) / Z", "true p(x)"))
    log_z = log_normalizer(model)
    recipe = (f"**Recipe** · model `{energy_name(name, how)}` · weights `{model.source.revision}`\n\n```python\n"
              f"import gen_core\nfrom gen_core.data import toy2d\nm = gen_core.load(\"{energy_name(name, how)}\")\n"
              f"_, grid = toy2d.grid({RESOLUTION})\n"
              f"p = m.log_prob(grid).exp().reshape({RESOLUTION}, {RESOLUTION})  # log Z = {log_z:.4f}, by quadrature\n```")
    return outputs.save_png(png), fit_table(models, name), cards.metrics_table(model), recipe


def select(models: dict[tuple[str, str], Energy2D], density: object, method: object) -> tuple:
    """A density or method picked: the method kept if it is shipped for the density (else the one that is),
    the radio offering only the shipped methods, and the landscape's outputs."""
    name = inputs.require_choice(density, "Density", DENSITIES)
    offered = [m for m in METHOD_NAMES if (name, m) in models]
    if not offered:
        raise gr.Error(f"No model of {name} is loaded.")
    how = method if method in offered else offered[0]
    return (gr.Radio(choices=[(METHOD_NAMES[m], m) for m in offered], value=how), *landscape(models, name, how))


def chains(models: dict[tuple[str, str], Energy2D], density: object, method: object, step_size: object, steps: object,
           noise_scale: object, seed: object, progress=gr.Progress()):
    """Yield (frame PNG, status) as CHAINS Langevin chains run from uniform noise; the last status holds
    the sampler gap at these settings and the recipe."""
    name, how, model = _pick(models, density, method)
    epsilon = inputs.require_float(step_size, "Step size", *STEP_SIZE)
    count = inputs.require_int(steps, "Steps", 1, MAX_STEPS)
    scale = inputs.require_float(noise_scale, "Noise scale", *NOISE_SCALE)
    seed = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED - 1)
    every, start = max(1, count // FRAMES), time.perf_counter()
    background = chains_background(model, name)
    states = model.sampler_steps(CHAINS, torch.Generator().manual_seed(seed), steps=count, step_size=epsilon,
                                 noise_scale=scale)
    for step, x in enumerate(states):
        if step % every and step != count:
            continue
        progress(step / count, desc=f"step {step} of {count}")
        frame = outputs.save_image(flow_plots.with_points(background, x.cpu().numpy()))
        if step < count:
            yield frame, f"Step {step} of {count}… {time.perf_counter() - start:.2f} s"
    yield frame, (f"{CHAINS:,} chains × {count} steps in {time.perf_counter() - start:.2f} s (step {count} shown).\n\n"
                  f"{sampler_gap(model, x, seed)}\n\n{chains_recipe(name, how, epsilon, count, scale, seed)}")


def sampler_gap(model: Energy2D, x: torch.Tensor, seed: int) -> str:
    """The chains' histogram against p_θ, beside as many exact draws from p_θ (the measure's noise)."""
    gap, floor, outside = (m.value for m in sampler_gap_metrics(
        x.cpu(), draw_cells(cell_probs(model), len(x), torch.Generator().manual_seed(seed)), gap_bins(model), ""))
    verdict = ("within the measure's noise: at this size the chains cannot be told from p_θ" if gap <= 2 * floor else
               "the chains have not reached p_θ: more steps, or a step size that mixes better")
    return (f"**Sampler gap at these settings**: KL(histogram of the {len(x):,} chains ‖ p_θ) = **{gap:.3f}** nats on "
            f"{GAP_BINS} × {GAP_BINS} bins over [−{QUADRATURE_EXTENT:g}, {QUADRATURE_EXTENT:g}]²; {len(x):,} exact draws "
            f"from p_θ (by its quadrature cells) give **{floor:.3f}**, the histogram's own noise: {verdict}."
            + (f" {outside:.1%} of the chains left the box, where p_θ has no mass." if outside else ""))


def chains_recipe(density: str, method: str, step_size: float, steps: int, noise_scale: float, seed: int) -> str:
    return (f"**Recipe** · model `{energy_name(density, method)}`\n\n```python\nimport torch, gen_core\n"
            f"m = gen_core.load(\"{energy_name(density, method)}\")\n"
            f"states = list(m.sampler_steps({CHAINS}, torch.Generator().manual_seed({seed}), steps={steps}, "
            f"step_size={step_size!r}, noise_scale={noise_scale!r}))\nx = states[-1]   # states[k]: after k steps\n```")


def build(lab: Lab) -> None:
    """The tab, inside the caller's gr.Blocks."""
    with gr.Tab(TITLE, id=TAB_ID):
        gr.Markdown("## Energy-based models: an unnormalized density, and the chains that sample it\n"
                    "A network gives each point an energy; low energy is likely. On the plane the normalizer can "
                    "be computed, so the model's exact density stands beside the truth, and Langevin chains show "
                    "how (and how well) samples are drawn from it.")
        failed = lab.models.failed(PLANE_MODELS)
        if failed:
            gr.Markdown("⚠️ Not loaded, so not offered below: " + ", ".join(
                f"`{name}` ({str(e).splitlines()[0][:120]})" for name, e in failed.items()))
        models = {(d, m): lab.models[energy_name(d, m)] for d, m in ENERGY_2D if energy_name(d, m) not in failed}
        if models:
            _plane(models, lab)
            lab.background.append(functools.partial(warm_caches, models))
        gr.Markdown(OBJECTIVES, latex_delimiters=cards.LATEX)
        energy_digits.section(lab)


def warm_caches(models: dict[tuple[str, str], Energy2D]) -> None:
    """The pictures of every model (a 200^2 grid each); the quadrature's 512^2 cells wait for a first run."""
    for (density, _), model in models.items():
        chains_background(model, density)


def _plane(models: dict[tuple[str, str], Energy2D], lab: Lab) -> None:
    start = (DEFAULTS["density"], DEFAULTS["method"]) if (DEFAULTS["density"], DEFAULTS["method"]) in models else next(iter(models))
    gr.Markdown("### The plane")
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            density = gr.Dropdown(list(dict.fromkeys(d for d, _ in models)), value=start[0], label="Density")
            method = gr.Radio([(METHOD_NAMES[m], m) for m in METHOD_NAMES if (start[0], m) in models], value=start[1],
                              label="Trained by")
            step_size = inputs.Slider(*STEP_SIZE, value=0.01, step=1e-5, label="Step size ε (at the smallest noise level)")
            steps = inputs.Slider(1, MAX_STEPS, value=100, step=1, label="Langevin steps")
            noise_scale = inputs.Slider(*NOISE_SCALE, value=1.0, step=0.05, label="Noise scale (× √ε; 0: descent on E)")
            seed = inputs.Number(0, precision=0, minimum=0, maximum=inputs.MAX_SEED - 1, label="Seed")
            run = gr.Button(f"Run {CHAINS:,} chains from noise", variant="primary")
        with gr.Column(scale=3):
            image = gr.Image(None, type="filepath", format="png", interactive=False, buttons=["download"],
                             label="The model's density p_θ beside the truth")
            status = gr.Markdown()
    fit = gr.Markdown()
    recipe = gr.Markdown()
    with gr.Accordion("Measured: this model's card", open=False):
        card_box = gr.Markdown()
    lab.on_first_view(functools.partial(landscape, models, *start), [image, fit, card_box, recipe])
    gr.on([density.change, method.input], lab.lanes.light.admit(functools.partial(select, models)), [density, method],
          [method, image, fit, card_box, recipe], api_name="ebm_landscape")
    # Half a second of work (the digits drawn in the autoregressive tab take longer): the light lane's two
    # slots, so the heavy lane's one slot stays with the multi-second figures and streams.
    run.click(lab.lanes.light.admit(functools.partial(chains, models)), [density, method, step_size, steps, noise_scale, seed],
              [image, status], api_name="ebm_chains", show_progress_on=[status])


if __name__ == "__main__":
    hosting.run_alone(TITLE, build, MODELS)
