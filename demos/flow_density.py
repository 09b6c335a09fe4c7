"""Normalizing flows on 2-D densities: exact log-densities, layer by layer, against the truth."""
from __future__ import annotations

import functools
import math

import gradio as gr
import numpy as np
import torch

from demos import cards, flow_live, flow_plots, hosting, inputs, outputs
from demos.lab import Lab
from gen_core.data import toy2d
from gen_core.hub import FLOW_DENSITIES
from gen_core.models.flows import Flow

RESOLUTION = 200
MAX_POINTS = 5000
MAX_COORDINATE = 1e3
LAYER_POINTS = 1500
DEFAULTS = {"density": "moons", "n_points": 1000, "seed": 0}
TITLE, TAB_ID = "Flows", "flows"
SUMMARY = 'learned vs true density, per-layer pushes, log q at a point, and a flow trained live'   # what a visitor can do here: the README's tab table (python -m tools.readme)
MAIN_CONTROL = (("select", "Density", "circles"),)   # what the browser test does first: (role, name[, option]) in order
EXAMPLES = {"flow_select_density": ["moons", 1000, 0], "flow_density": ["moons", 1000, 0],  # one input each
            "flow_layer": ["moons", 5, 0], "flow_read_point": ["moons", 0.5, -0.5], **flow_live.EXAMPLES}

FORMULA = r"""
**Change of variables** (Dinh et al. 2017): an invertible $f$ maps data $x$ to $z = f(x) \sim \mathcal{N}(0, I)$ through layers $h_k = f_k(h_{k-1})$, so the density is exact:

$$\log p(x) = \log \mathcal{N}\big(f(x); 0, I\big) + \sum_{k=1}^{K} \log \left| \det \frac{\partial h_k}{\partial h_{k-1}} \right|$$

Each coupling layer moves one coordinate by a monotone function of the other (an affine map in RealNVP, a rational-quadratic spline in neural spline flows), so its Jacobian is triangular and the determinant is one derivative. Training maximizes $\log p(x)$; the best achievable test NLL is the entropy $H(p)$, and NLL − H(p) estimates $\mathrm{KL}(p \,\|\, q)$.
"""


def model_name(density: str) -> str:
    return f"flow-{density}"


MODELS = tuple(model_name(density) for density in FLOW_DENSITIES)


def _pick(flows: dict[str, Flow], density: object) -> tuple[str, Flow]:
    """(density, its flow) for a density the tab offers (`flows`: density -> loaded flow), or gr.Error."""
    name = inputs.require_choice(density, "Density", FLOW_DENSITIES)
    if name not in flows:
        raise gr.Error(f"The weights of {model_name(name)} could not be loaded, so this density is not offered.")
    return name, flows[name]


@functools.lru_cache(maxsize=16)
def learned_grid(model: Flow, resolution: int = RESOLUTION) -> np.ndarray:
    """q(x) of a flow on the display grid, (R, R) with row 0 at the bottom."""
    _, points = toy2d.grid(resolution)
    with torch.no_grad():
        return model.log_prob(points).exp().reshape(resolution, resolution).cpu().numpy()


def _seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def measured_numbers(model: Flow) -> str:
    values = {m.key: m.value for m in cards.read_metrics(model)}
    if not {"nll", "entropy", "kl"} <= set(values):
        return "_This model card has no measured NLL yet: run `python -m gen_core.evaluate`._"
    return (f"**Measured on 100,000 fresh samples** · test NLL **{values['nll']:.3f}** nats · "
            f"entropy H(p) **{values['entropy']:.3f}** · NLL − H(p) ≈ KL(p‖q) = "
            f"**{values['kl']:.4f} ± {values.get('kl_se', float('nan')):.4f}** nats")


def recipe_markdown(density: str, n: int, seed: int, revision: str) -> str:
    return (f"**Recipe** · model `{model_name(density)}` · weights `{revision}` · points `{n}` · seed `{seed}`\n\n"
            f"```python\nimport torch, gen_core\nfrom gen_core.data import toy2d\n"
            f"m = gen_core.load(\"{model_name(density)}\")\n"
            f"samples = m.sample({n}, generator=torch.Generator().manual_seed({seed}))\n"
            f"data = toy2d.sample(\"{density}\", {n}, torch.Generator().manual_seed({seed}))\n"
            f"_, grid = toy2d.grid({RESOLUTION})\n"
            f"q = m.log_prob(grid).exp().reshape({RESOLUTION}, {RESOLUTION})  # heat map, row 0 at y = -{toy2d.EXTENT}\n"
            f"z = torch.randn({LAYER_POINTS}, 2, generator=torch.Generator().manual_seed({seed}))\n"
            f"steps = m.transform_steps(z)  # the layer view: steps[k] (plus a grid of lines over [-3, 3]²)\n```")


def show_density(flows: dict[str, Flow], density: object, n_points: object, seed: object) -> tuple[str, str, str]:
    """Learned vs true density with samples of each: (PNG path, measured numbers, recipe)."""
    name, model = _pick(flows, density)
    n = inputs.require_int(n_points, "Number of points", 0, MAX_POINTS)
    seed_value = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED)
    learned_points = model.sample(n, generator=_seeded(seed_value)).cpu().numpy()
    true_points = toy2d.sample(name, n, _seeded(seed_value)).numpy()
    png = flow_plots.density_png(learned_grid(model), flow_live.true_grid(name, RESOLUTION), learned_points,
                                 true_points, (f"flow q(x) and {n} samples", f"true p(x) and {n} samples"))
    return (outputs.save_png(png), measured_numbers(model),
            recipe_markdown(name, n, seed_value, model.source.revision))


def read_point(flows: dict[str, Flow], density: object, x: object, y: object) -> str:
    """log q and log p at one point."""
    name, model = _pick(flows, density)
    px = inputs.require_float(x, "x", -MAX_COORDINATE, MAX_COORDINATE)
    py = inputs.require_float(y, "y", -MAX_COORDINATE, MAX_COORDINATE)
    point = torch.tensor([[px, py]])
    with torch.no_grad():
        log_q = float(model.log_prob(point)[0])
    log_p = float(toy2d.true_log_prob(name, point)[0])
    true_text = (f"log p = **{log_p:.3f}** (p = {math.exp(log_p):.4g})" if math.isfinite(log_p)
                 else "p = **0** (outside the support)")
    return (f"At ({px:.3f}, {py:.3f}): flow log q = **{log_q:.3f}** (q = {math.exp(log_q):.4g}) · true {true_text} · "
            f"`m.log_prob(torch.tensor([[{px!r}, {py!r}]]))`, `toy2d.true_log_prob(\"{name}\", ...)`")


def click_point(flows: dict[str, Flow], density: object, event: gr.SelectData) -> tuple[float, float, str]:
    """A click on the density figure: the point under the cursor and its log-densities."""
    index = event.index if isinstance(event.index, (list, tuple)) and len(event.index) == 2 else None
    point = flow_plots.pixel_to_point(*index) if index else None
    if point is None:
        raise gr.Error("Click inside one of the two heat maps to read the density there.")
    x, y = round(point[0], 3), round(point[1], 3)
    return x, y, read_point(flows, density, x, y)


@functools.lru_cache(maxsize=32)
def _layer_paths(model: Flow, seed: int) -> tuple[list[np.ndarray], int, np.ndarray]:
    """Every layer's output for LAYER_POINTS base samples followed by a grid of lines in base space."""
    z = torch.randn(LAYER_POINTS, 2, generator=_seeded(seed))
    ticks, along = torch.linspace(-3, 3, 13), torch.linspace(-3.5, 3.5, 80)
    lines = [torch.stack([torch.full_like(along, t), along], 1) for t in ticks] + \
            [torch.stack([along, torch.full_like(along, t)], 1) for t in ticks]
    steps = model.transform_steps(torch.cat([z, *lines]))
    colors = torch.atan2(z[:, 1], z[:, 0]).numpy()
    return [s.cpu().numpy() for s in steps], len(z), colors


def layer_names(model: Flow) -> list[str]:
    names = ["base samples z ~ N(0, I)"]
    for i, layer in enumerate(reversed(model.layers)):
        kind = type(layer).__name__
        if kind == "ActNorm":
            names.append("ActNorm⁻¹: back to data units")
        else:
            moved = "y" if layer.parity == 0 else "x"
            names.append(f"{kind}⁻¹ #{len(model.layers) - 1 - i}: moves {moved} given the other")
    return names


def show_layer(flows: dict[str, Flow], density: object, layer: object, seed: object) -> str:
    """Base samples and a grid after `layer` inverse layers (0 = the Gaussian, last = the data)."""
    _, model = _pick(flows, density)
    names = layer_names(model)
    k = inputs.require_int(layer, "Layer", 0, len(names) - 1)
    seed_value = inputs.require_int(seed, "Seed", 0, inputs.MAX_SEED)
    steps, n, colors = _layer_paths(model, seed_value)
    points = steps[k]
    lines = np.split(points[n:], 26)
    title = f"step {k} of {len(names) - 1}: {names[k]}"
    return outputs.save_png(flow_plots.layer_png(points[:n], colors, lines, title))


def select_density(flows: dict[str, Flow], density: object, n_points: object, seed: object) -> tuple:
    """A new density: its figure, numbers and recipe, the layer slider reset to its last layer, that
    layer's figure, and its card's metrics."""
    path, measured, rec = show_density(flows, density, n_points, seed)
    model = flows[density]   # show_density has checked it
    last = len(layer_names(model)) - 1
    return (path, measured, rec, inputs.Slider(maximum=last, value=last), show_layer(flows, density, last, seed),
            cards.metrics_table(model))


def build(lab: Lab) -> None:
    """The tab, inside the caller's gr.Blocks."""
    with gr.Tab(TITLE, id=TAB_ID):
        gr.Markdown("## Normalizing flows: exact densities on 2-D data\nA stack of invertible layers turns a "
                    "Gaussian into the data; because every layer is invertible with a cheap Jacobian, the flow "
                    "gives the exact log-density of any point, which we compare with the true density.")
        failed = lab.models.failed(MODELS)
        flows = {density: lab.models[model_name(density)] for density in FLOW_DENSITIES
                 if model_name(density) not in failed}
        if failed:
            gr.Markdown("⚠️ Not loaded, so not offered below: " + ", ".join(
                f"`{name}` ({str(e).splitlines()[0][:120]})" for name, e in failed.items()))
        if flows:
            _shipped_models(flows, lab)
            # Fill the heat-map caches once the app is built, so the first visit to a density is fast too.
            lab.background.append(functools.partial(warm_caches, flows))
        else:
            gr.Markdown("No trained flow could be loaded; live training below still works.")
        flow_live.build(lab)
        gr.Markdown(FORMULA, latex_delimiters=cards.LATEX)


def warm_caches(flows: dict[str, Flow]) -> None:
    for density, model in flows.items():
        learned_grid(model)
        flow_live.true_grid(density, RESOLUTION)


def _shipped_models(flows: dict[str, Flow], lab: Lab) -> None:
    start = DEFAULTS["density"] if DEFAULTS["density"] in flows else next(iter(flows))
    n_layers = len(layer_names(flows[start])) - 1
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            density = gr.Dropdown(list(flows), value=start, label="Density")
            n_points = inputs.Slider(0, MAX_POINTS, value=DEFAULTS["n_points"], step=100, label="Samples shown")
            seed = inputs.Number(DEFAULTS["seed"], precision=0, minimum=0, maximum=inputs.MAX_SEED, label="Seed")
            with gr.Group():
                with gr.Row():
                    x = inputs.Number(0.0, label="x", min_width=80)
                    y = inputs.Number(0.0, label="y", min_width=80)
                read = gr.Button("Read log p(x, y)")
        with gr.Column(scale=3):
            image = gr.Image(None, type="filepath", format="png", label="Learned vs true density "
                             "(click a heat map to read the density there)", buttons=["download"], interactive=False)
            numbers = gr.Markdown()
            point = gr.Markdown("Click a heat map, or type x and y, to read log q and log p there.")
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            layer = inputs.Slider(0, n_layers, value=n_layers, step=1, label="Layer",
                              info="0 = Gaussian base; each step applies one inverse layer")
        with gr.Column(scale=3):
            layer_image = gr.Image(None, type="filepath", format="png",
                                   label="Base samples and grid pushed through the layers", height=460,
                                   buttons=["download"], interactive=False)
    recipe = gr.Markdown()
    with gr.Accordion("Measured metrics of these weights (from the model card)", open=False):
        card_box = gr.Markdown(cards.metrics_table(flows[start]))

    lab.on_first_view(lambda: (*show_density(flows, start, DEFAULTS["n_points"], DEFAULTS["seed"]),
                               show_layer(flows, start, n_layers, DEFAULTS["seed"])), [image, numbers, recipe, layer_image])
    light, heavy = lab.lanes.light, lab.lanes.heavy
    density.change(heavy.admit(functools.partial(select_density, flows)), [density, n_points, seed],
                   [image, numbers, recipe, layer, layer_image, card_box], api_name="flow_select_density")
    gr.on([n_points.release, seed.submit], heavy.admit(functools.partial(show_density, flows)), [density, n_points, seed],
          [image, numbers, recipe], api_name="flow_density")
    gr.on([layer.release, seed.submit], light.admit(functools.partial(show_layer, flows)), [density, layer, seed], layer_image,
          api_name="flow_layer")
    read.click(light.admit(functools.partial(read_point, flows)), [density, x, y], point, api_name="flow_read_point")
    image.select(light.admit(functools.partial(click_point, flows)), [density], [x, y, point], api_visibility="private")


if __name__ == "__main__":
    hosting.run_alone(TITLE, build, MODELS)
