"""VAE interpolation: walk the latent space between two endpoints, by straight line or great circle."""
from __future__ import annotations

import functools

import gradio as gr
import numpy as np
import torch

from demos import cards, digit_sources, hosting, inputs, outputs, vae_plots
from demos.digit_sources import PER_CLASS, read_test_digits
from demos.lab import Lab
from gen_core.imaging import digit_grid
from gen_core.models.vae import VAE

MODEL, MAP_MODEL = "vae-mnist", "vae-mnist-2d"
SOURCES = ("seed", *digit_sources.SOURCES)
STEPS_RANGE = (2, 32)
ELBO_SAMPLES = 32                 # one-sample ELBO estimates averaged per endpoint
DEFAULT_A = {"source": "test digit", "seed": 0, "digit": "1", "index": 0}
DEFAULT_B = {"source": "test digit", "seed": 1, "digit": "7", "index": 0}
_ENDPOINTS = ["test digit", 0, "1", 0, None, None, "seed", 1, "7", 0, None, None]  # A: a test digit, B: a seed
TITLE, TAB_ID = "VAE interpolation", "vae"
SUMMARY = 'endpoints from a seed, a test digit or your drawing; lerp or slerp; the ELBO terms; the 2-D latent map'   # what a visitor can do here: the README's tab table (python -m tools.readme)
MAIN_CONTROL = (("radio", "lerp"), ("button", "Interpolate"))   # what the browser test does first: (role, name[, option]) in order
MODELS = (MODEL, MAP_MODEL)
EXAMPLES = {"vae_interpolate": [*_ENDPOINTS, 12, "slerp"], "vae_details": [*_ENDPOINTS, 12, "slerp"],  # one each
            "vae_latent_map": _ENDPOINTS}

OBJECTIVE = r"""
**Evidence lower bound** (Kingma & Welling 2013): the encoder $q(z \mid x)$ and decoder $p(x \mid z)$ are trained together to maximize

$$\log p(x) \;\ge\; \mathbb{E}_{q(z \mid x)}\big[\log p(x \mid z)\big] - \mathrm{KL}\big(q(z \mid x)\,\|\,\mathcal{N}(0, I)\big) = \text{ELBO}(x),$$

reconstruction minus the price of the code. Under a Gaussian prior in $d$ dimensions, $\|z\|$ concentrates near $\sqrt{d}$; a straight line (lerp) between two typical codes dips toward the origin, where the decoder saw few codes, while slerp keeps the norm.
"""


def endpoint_image(source: object, seed: object, digit: object, index: object, sketch: object, upload: object,
                   label: str) -> torch.Tensor | None:
    """The endpoint's picture (1, 1, 28, 28), or None for a seed (a prior sample has no picture)."""
    kind = inputs.require_choice(source, f"Endpoint {label} source", SOURCES)
    if kind == "seed":
        inputs.require_int(seed, f"Endpoint {label} seed", 0, inputs.MAX_SEED)
        return None
    return digit_sources.read_digit(kind, digit, index, sketch, upload, f"Endpoint {label}")


def _code(model, image: torch.Tensor | None, seed: object) -> torch.Tensor:
    if image is None:
        return torch.randn(model.config.latent_dim, generator=torch.Generator().manual_seed(int(seed)))
    with torch.no_grad():
        return model.encode(image)[0][0]


def _terms(model, image: torch.Tensor) -> str:
    """-ELBO, KL and reconstruction in nats for the picture treated as pixel probabilities,
    binarized with a fixed seed (as the evaluator does), averaged over ELBO_SAMPLES draws."""
    x = torch.bernoulli(image, generator=torch.Generator().manual_seed(123))
    with torch.no_grad():
        reconstruction, kl = model.elbo_terms(x.expand(ELBO_SAMPLES, -1, -1, -1), torch.Generator().manual_seed(0))
    r, k = float(-reconstruction.mean()), float(kl.mean())
    return f"−ELBO **{r + k:.1f}** nats = reconstruction {r:.1f} + KL {k:.1f}"


def _endpoints(model: VAE, values: tuple) -> tuple[list[torch.Tensor | None], torch.Tensor, torch.Tensor]:
    """The two endpoints' pictures (None for a seed) and codes, from the 12 endpoint inputs."""
    ends = [endpoint_image(*values[:6], "A"), endpoint_image(*values[6:], "B")]
    return ends, _code(model, ends[0], values[1]), _code(model, ends[1], values[7])


def _path(model: VAE, values: tuple, steps: object, mode: object):
    """(steps, path mode, endpoint pictures, z0, z1, decoded frames)."""
    n = inputs.require_int(steps, "Steps", *STEPS_RANGE)
    path_mode = inputs.require_choice(mode, "Path", ("lerp", "slerp"))
    ends, z0, z1 = _endpoints(model, values)
    with torch.no_grad():
        frames = model.decode(VAE.interpolate(z0, z1, n, path_mode))
    return n, path_mode, ends, z0, z1, frames


def interpolate(model: VAE, *args) -> tuple[str, str, str]:
    """(strip PNG, ‖z‖ plot PNG, recipe) for the 12 endpoint inputs, steps and path."""
    n, path_mode, _, z0, z1, frames = _path(model, args[:12], *args[12:])
    strip = outputs.save_image(digit_grid(frames, columns=n))
    norms = {m: VAE.interpolate(z0, z1, n, m).norm(dim=1).numpy() for m in ("lerp", "slerp")}
    plot = outputs.save_png(vae_plots.norm_png(norms, model.config.latent_dim, path_mode))
    return strip, plot, recipe(path_mode, n, model.source.revision)


def details(model: VAE, *args) -> tuple[str, str, str]:
    """(GIF there and back, endpoints-and-reconstructions PNG, each endpoint's -ELBO / KL / reconstruction)."""
    _, _, ends, z0, z1, frames = _path(model, args[:12], *args[12:])
    with torch.no_grad():
        shown = torch.cat([e if e is not None else model.decode(z[None]) for e, z in ((ends[0], z0), (ends[1], z1))])
        recon = model.decode(torch.stack([z0, z1]))
    pairs = outputs.save_image(digit_grid(torch.cat([shown, recon]), columns=2))
    numbers = "  \n".join(
        f"**{label}** ({kind}): " + ("a prior sample, decoded; no picture to score" if e is None else _terms(model, e))
        for label, kind, e in (("A", args[0], ends[0]), ("B", args[6], ends[1])))
    return outputs.save_gif(frames), pairs, numbers


def recipe(mode: str, steps: int, revision: str) -> str:
    return (f"**Recipe** · model `{MODEL}` · weights `{revision}` · path `{mode}` · steps `{steps}`\n\n"
            f"```python\nimport gen_core\nm = gen_core.load(\"{MODEL}\")\n"
            f"z0, z1 = m.encode(x_a)[0][0], m.encode(x_b)[0][0]   # or torch.randn(d, generator=seeded) for a seed\n"
            f"frames = m.decode(m.interpolate(z0, z1, {steps}, mode=\"{mode}\"))\n```")


@functools.lru_cache(maxsize=2)
def _map_background(model: VAE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    axis = torch.linspace(-3, 3, 15)
    ys, xs = torch.meshgrid(axis.flip(0), axis, indexing="ij")
    with torch.no_grad():
        tiles = model.decode(torch.stack([xs.flatten(), ys.flatten()], 1))
        digits = read_test_digits()
        codes, labels = ((model.encode(digits[0])[0].numpy(), digits[1].numpy()) if not isinstance(digits, str)
                         else (np.zeros((0, 2), np.float32), np.zeros(0, np.int64)))  # no test digits: decodes only
    mosaic = np.asarray(digit_grid(tiles, columns=15), dtype=np.float32) / 255
    return mosaic, codes, labels


def latent_map(big: VAE, model: VAE, a_source, a_seed, a_digit, a_index, a_sketch, a_upload,
               b_source, b_seed, b_digit, b_index, b_sketch, b_upload) -> str:
    """The 2-D VAE's latent plane (`model`): decodes on a grid, held-out digits by class, endpoints A and B
    (a seed endpoint placed by the picture the main VAE `big` draws for it)."""
    points = []
    for label, args in (("A", (a_source, a_seed, a_digit, a_index, a_sketch, a_upload)),
                        ("B", (b_source, b_seed, b_digit, b_index, b_sketch, b_upload))):
        image = endpoint_image(*args, label)
        if image is None:  # a seed endpoint: place the picture the main VAE draws for it
            with torch.no_grad():
                image = big.decode(_code(big, None, args[1])[None])
        with torch.no_grad():
            points.append((label, model.encode(image)[0][0].numpy()))
    mosaic, codes, labels = _map_background(model)
    return outputs.save_png(vae_plots.latent_map_png(mosaic, codes, labels, points))


def _endpoint_controls(label: str, defaults: dict):
    with gr.Column(min_width=240):
        gr.Markdown(f"**Endpoint {label}**")
        source = gr.Radio(list(SOURCES), value=defaults["source"], label="From")
        seed = inputs.Number(defaults["seed"], precision=0, minimum=0, maximum=inputs.MAX_SEED, label="Seed")
        with gr.Row():
            digit = gr.Dropdown([str(d) for d in range(10)], value=defaults["digit"], label="Test digit", min_width=80)
            index = inputs.Slider(0, PER_CLASS - 1, value=defaults["index"], step=1, label="Index", min_width=120)
        sketch = inputs.Sketchpad(label="Drawing: pick the brush (left), then draw a digit", height=220, canvas_size=(280, 280), type="numpy")
        upload = gr.File(label="Upload a picture", file_types=["image"], type="filepath", height=130)
    return [source, seed, digit, index, sketch, upload]


def build(lab: Lab) -> None:
    with gr.Tab(TITLE, id=TAB_ID):
        gr.Markdown("## VAE: interpolate between two digits\nPick two endpoints — a seed (a prior sample), a "
                    "test digit of the standard MNIST, or your own drawing or picture — and walk the latent space between them.")
        failed = lab.models.failed(MODELS)
        for name, error in failed.items():
            cards.unavailable(name, error)
        if failed:
            return
        model, map_model = lab.models[MODEL], lab.models[MAP_MODEL]
        digits = read_test_digits()
        if isinstance(digits, str):  # no test digits: the tab opens on two seeds and says why
            gr.Markdown(f"⚠️ {digits} The test-digit endpoints are off; seeds, drawings and uploads work.")
        start = [d if not isinstance(digits, str) else {**d, "source": "seed"} for d in (DEFAULT_A, DEFAULT_B)]
        with gr.Row():
            a = _endpoint_controls("A", start[0])
            b = _endpoint_controls("B", start[1])
            with gr.Column(min_width=200):
                steps = inputs.Slider(*STEPS_RANGE, value=12, step=1, label="Steps")
                mode = gr.Radio(["lerp", "slerp"], value="slerp", label="Path")
                run = gr.Button("Interpolate", variant="primary")
        defaults = [v for d in start for v in (d["source"], d["seed"], d["digit"], d["index"], None, None)] + [12, "slerp"]
        first, more = interpolate(model, *defaults), details(model, *defaults)
        strip = gr.Image(first[0], type="filepath", format="png", label="Path", interactive=False,
                         elem_classes="pixelated", buttons=["download"])
        with gr.Row():
            gif = gr.Image(more[0], type="filepath", format="gif", label="There and back (GIF)", interactive=False,
                           buttons=["download"], elem_classes="pixelated", height=220)
            plot = gr.Image(first[1], type="filepath", format="png", label="‖z‖ along the path", interactive=False,
                            height=220)
            pairs = gr.Image(more[1], type="filepath", format="png", interactive=False, elem_classes="pixelated",
                             label="Endpoints A | B: input (top), reconstruction (bottom)", height=220)
        numbers = gr.Markdown(more[2])
        recipe_box = gr.Markdown(first[2])
        with gr.Accordion("2-D latent map (vae-mnist-2d)", open=False):
            map_image = gr.Image(type="filepath", format="png", label="Latent plane", interactive=False)
        gr.Markdown(OBJECTIVE, latex_delimiters=cards.LATEX)
        with gr.Accordion("Measured metrics of these weights (from the model card)", open=False):
            gr.Markdown(cards.metrics_table(model))
        fields = [*a, *b, steps, mode]
        event = run.click(lab.lanes.light.admit(functools.partial(interpolate, model)), fields, [strip, plot, recipe_box], api_name="vae_interpolate")
        event.then(lab.lanes.light.admit(functools.partial(details, model)), fields, [gif, pairs, numbers], api_name="vae_details").then(
            lab.lanes.heavy.admit(functools.partial(latent_map, model, map_model)), [*a, *b], map_image, api_name="vae_latent_map")


if __name__ == "__main__":
    hosting.run_alone(TITLE, build, MODELS)
