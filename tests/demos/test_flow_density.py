"""The flow tab's handlers: figures, exact numbers, clicks, layers, live training and plain errors."""
import re
import shlex
import time

import gradio as gr
import pytest
import torch
from PIL import Image

import gen_core
from demos import flow_density, flow_live, flow_plots
from demos.lanes import Lanes
from gen_core.data import toy2d
from gen_core.hub import FLOW_DENSITIES
from gen_core.train.cli import main as train



@pytest.fixture(scope="module")
def flows(shipped):
    """density -> its shipped flow, as the tab is handed them."""
    return {density: shipped[flow_density.model_name(density)] for density in FLOW_DENSITIES}

def test_density_figure_numbers_and_recipe(flows):
    path, numbers, recipe = flow_density.show_density(flows, "moons", 500, 3)
    image = Image.open(path)
    assert image.format == "PNG" and image.size == (840, 440)
    assert re.search(r"KL\(p‖q\) = \*\*0\.0\d+ ± ", numbers)  # from the evaluated model card
    assert "manual_seed(3)" in recipe and 'gen_core.load("flow-moons")' in recipe


def test_recipe_reproduces_the_samples(flows):
    _, _, recipe = flow_density.show_density(flows, "checkerboard", 200, 11)
    code = re.search(r"```python\n(.*?)```", recipe, re.S).group(1)
    scope = {}
    exec(code, scope)  # the recipe is the documented way to get these numbers
    model = gen_core.load("flow-checkerboard")
    assert torch.equal(scope["samples"], model.sample(200, generator=torch.Generator().manual_seed(11)))
    assert scope["q"].shape == (flow_density.RESOLUTION, flow_density.RESOLUTION)
    steps, n, _ = flow_density._layer_paths(flows["checkerboard"], 11)  # what the layer view draws
    assert all(torch.allclose(torch.from_numpy(shown[:n]), step, atol=1e-5) for shown, step in zip(steps, scope["steps"]))


def test_the_learned_density_sits_where_the_true_one_does(flows):
    learned = torch.from_numpy(flow_density.learned_grid(flows["moons"]))
    true = torch.from_numpy(flow_live.true_grid("moons", flow_density.RESOLUTION))
    cell = (2 * toy2d.EXTENT / flow_density.RESOLUTION) ** 2
    total_variation = 0.5 * float((learned - true).abs().sum() * cell)
    assert total_variation < 0.1


def test_read_point_reports_both_densities(flows):
    text = flow_density.read_point(flows, "checkerboard", 1.0, 1.0)
    assert "flow log q = **" in text and "true log p = **-3.466**" in text
    assert "outside the support" in flow_density.read_point(flows, "checkerboard", -1.0, 1.0)


def test_click_maps_pixels_to_points(flows):
    left, bottom, width, height = flow_plots.PANEL_BOXES[1]
    px = (left + width / 2) * 840
    py = (1 - (bottom + height / 4)) * 440
    x, y, text = flow_density.click_point(flows, "moons", gr.SelectData(None, {"index": [px, py], "value": None}))
    assert (x, y) == pytest.approx((0.0, -toy2d.EXTENT / 2), abs=0.02) and "log q" in text
    with pytest.raises(gr.Error, match="Click inside one of the two heat maps"):
        flow_density.click_point(flows, "moons", gr.SelectData(None, {"index": [2, 2], "value": None}))


def test_layers_go_from_gaussian_to_data(flows):
    names = flow_density.layer_names(flows["moons"])
    assert names[0].startswith("base") and names[-1].startswith("ActNorm")
    for k in (0, len(names) - 1):
        assert Image.open(flow_density.show_layer(flows, "moons", k, 0)).size == (440, 440)
    with pytest.raises(gr.Error, match=f"Layer must be a whole number from 0 to {len(names) - 1}"):
        flow_density.show_layer(flows, "moons", len(names), 0)


@pytest.mark.parametrize("call, message", [
    (lambda flows: flow_density.show_density(flows, "spiral", 10, 0), "Density must be one of 8gaussians"),
    (lambda flows: flow_density.show_density(flows, None, 10, 0), "Density must be one of"),
    (lambda flows: flow_density.show_density(flows, "moons", 10 ** 9, 0), "Number of points must be a whole number from 0 to 5000"),
    (lambda flows: flow_density.show_density(flows, "moons", 10, -1), "Seed must be a whole number"),
    (lambda flows: flow_density.read_point(flows, "moons", float("nan"), 0), "x must be a number"),
    (lambda flows: flow_density.read_point(flows, "moons", 0, float("inf")), "y must be a number"),
    (lambda flows: flow_density.read_point(flows, "moons", "1; rm", 0), "x must be a number"),
    (lambda flows: next(flow_live.train_live("moons", 10 ** 7, 0)), "Training steps must be a whole number from 50 to 3000"),
    (lambda flows: next(flow_live.train_live("sphere", 100, 0)), "Density must be one of"),
])
def test_bad_input_is_a_plain_error(flows, call, message):
    with pytest.raises(gr.Error, match=re.escape(message)):
        call(flows)


def test_one_live_run_in_the_app_and_a_second_caller_is_told_at_once():
    lane = Lanes().training
    run = lane.admit(flow_live.train_live)
    first = run("moons", 50, 0)
    next(first)  # running
    start = time.perf_counter()
    with pytest.raises(gr.Error, match="A live training run is already going .* busy"):
        next(run("moons", 50, 0))
    assert time.perf_counter() - start < 0.5   # refused at once, not queued behind the run
    first.close()  # what Stop does: the generator is closed and the slot freed
    next(run("moons", 50, 0))


@pytest.mark.slow
def test_live_run_is_reproduced_by_its_recipe(tmp_path):
    frames = list(flow_live.train_live("circles", 60, 4))
    status = frames[-1][1]
    nll = float(re.search(r"NLL on 20,000 fresh samples \*\*([\d.]+)\*\*", status).group(1))
    command = shlex.split(re.search(r"```bash\n(.*)\n```", status).group(1))[3:]  # drop python -m gen_core.train
    command[command.index("--out") + 1] = str(tmp_path / "live")
    train([*command, "--checkpoint-dir", str(tmp_path / "ckpt")])
    x = toy2d.sample("circles", 20_000, torch.Generator().manual_seed(10 ** 9 + 4))
    with torch.no_grad():
        assert float(-gen_core.load(str(tmp_path / "live")).log_prob(x).mean()) == pytest.approx(nll, abs=1e-3)


def test_a_density_whose_flow_failed_is_refused_in_a_sentence(flows):
    others = {density: model for density, model in flows.items() if density != "moons"}
    with pytest.raises(gr.Error, match="The weights of flow-moons could not be loaded, so this density is not offered."):
        flow_density.show_density(others, "moons", 10, 0)
