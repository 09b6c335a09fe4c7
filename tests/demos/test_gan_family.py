"""The GAN-family tab: one row per model from one seed, recipes that reproduce it, card tables,
training curves and a broken model hiding only its row (quality floors: tests/test_weights.py)."""
import re
import shlex

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image

import gen_core
from demos import cards, gan_family, inputs
from demos.lab import Lab, Models
from gen_core.hub import LoadError
from gen_core.imaging import GAP
from gen_core.hub import GAN_FAMILY
from gen_core.sample import main as sample



@pytest.fixture(scope="module")
def family(shipped):
    return {name: shipped[name] for name in GAN_FAMILY}

def _grid_cells(path, n, rows):
    """The digit cells of a family grid, (rows, n, 28, 28) uint8, read back from the PNG."""
    pixels = np.asarray(Image.open(path))
    scale = pixels.shape[0] // (rows * 28 + (rows - 1) * GAP)
    grid = pixels[:, pixels.shape[1] - (n * 28 + (n - 1) * GAP) * scale:][::scale, ::scale]
    return np.stack([[grid[r * (28 + GAP):r * (28 + GAP) + 28, c * (28 + GAP):c * (28 + GAP) + 28]
                      for c in range(n)] for r in range(rows)])


def test_one_row_per_model_from_the_same_noise(family):
    path, recipe = gan_family.generate(family, 6, 11)
    cells = _grid_cells(path, 6, len(GAN_FAMILY))
    for row, name in zip(cells, GAN_FAMILY):
        expected = gen_core.load(name).sample(6, generator=torch.Generator().manual_seed(11))
        assert np.array_equal(row, (expected.squeeze(1) * 255).round().to(torch.uint8).numpy())
    assert "seed `11`" in recipe and all(f"`{name}`" in recipe for name in GAN_FAMILY)


def test_recipe_command_reproduces_the_file_byte_for_byte(family, tmp_path):
    path, recipe = gan_family.generate(family, 3, 5)
    args = shlex.split(re.search(r"```bash\n(.*)\n```", recipe).group(1))[3:]  # drop "python -m gen_core.sample"
    args[args.index("--out") + 1] = str(tmp_path / "family.png")
    sample(args)
    assert (tmp_path / "family.png").read_bytes() == open(path, "rb").read()


def test_new_seed_is_in_range_and_used(family):
    seed, path, recipe = gan_family.generate_with_new_seed(family, 2)
    assert 0 <= seed <= inputs.MAX_SEED and f"seed `{seed}`" in recipe and path.endswith(".png")


@pytest.mark.parametrize("n, seed, message", [
    (0, 0, "Samples per model must be a whole number from 1 to 16"),
    (1000, 0, "Samples per model must be a whole number from 1 to 16"),
    (float("nan"), 0, "Samples per model"),
    (4, -1, "Seed must be a whole number"),
    (4, "../../etc/passwd", "Seed must be a whole number"),
])
def test_bad_input_is_a_plain_sentence(family, n, seed, message):
    with pytest.raises(gr.Error, match=re.escape(message)):
        gan_family.generate(family, n, seed)


def test_table_objectives_and_curves_come_from_the_cards_and_logs(family):
    records = gan_family.read_records(family)
    table = gan_family.metrics_markdown(records)
    for name in GAN_FAMILY:
        values = {m.key: m.value for m in cards.read_metrics(gen_core.load(name))}
        assert f"{values['inception_score']:.2f}" in table and f"{values['frechet_distance']:.1f}" in table
    assert "the floor" in table and table.count(" min |") == len(GAN_FAMILY)
    assert set(gan_family.OBJECTIVES) == set(GAN_FAMILY)
    commands = gan_family.training_commands(records)
    assert all(f"--variant {name.removesuffix('-mnist')}" in commands for name in GAN_FAMILY)
    assert Image.open(gan_family.curves_png(records)).size[0] > 800



def _recipe_flags(command: str) -> list[str]:
    """A training command without what may differ between the four: the variant and where files go."""
    words, kept = shlex.split(command), []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("--variant", "--out", "--checkpoint-dir"):
            skip = True
        elif word != "--resume":
            kept.append(word)
    return kept


def test_the_shipped_models_share_the_recipe_the_tab_claims(family):
    """SHARED says one data split, batch size, step budget and seed for all four: their cards agree, and
    their commands differ only in the variant and the output folders."""
    records = gan_family.read_records(family)
    shared = {(r.training["steps"], r.training["batch_size"], r.training["seed"], r.log[-1]["step"]) for r in records.values()}
    assert len(shared) == 1, shared
    assert len({tuple(_recipe_flags(r.training["command"])) for r in records.values()}) == 1
    assert len({gen_core.load(name).config.data for name in GAN_FAMILY}) == 1
    assert gan_family.shared_data(records).startswith("Trained on: ")


def test_a_broken_model_hides_only_its_row(shipped):
    broken = LoadError("Could not load 'sngan-mnist': the test broke it")
    models = Models({**{name: shipped[name] for name in GAN_FAMILY if name != "sngan-mnist"}, "sngan-mnist": broken})
    with gr.Blocks() as demo:
        gan_family.build(Lab(models))
    notes = [b.value for b in demo.blocks.values() if isinstance(b, gr.Markdown) and "could not be loaded" in str(b.value)]
    assert len(notes) == 1 and "sngan-mnist" in notes[0] and "the test broke it" in notes[0]
    generate = next(fn.fn for fn in demo.fns.values() if fn.api_name == "gan_family_generate")
    path, recipe = generate(4, 0)
    assert _grid_cells(path, 4, 3).shape == (3, 4, 28, 28) and "sngan" not in recipe
