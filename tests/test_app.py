"""The whole app: launched in-process on 127.0.0.1 and driven through gradio_client."""
import json
import wave

import numpy as np
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

import app

from serving import serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    with serving() as (_, url):
        yield Client(url, verbose=False, analytics_enabled=False)


def test_named_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/cgan_generate", "/cgan_new_seed", "/flow_select_density", "/flow_density", "/flow_layer",
            "/flow_read_point", "/flow_train_live", "/vae_interpolate", "/vae_details", "/vae_latent_map",
            "/vae_repair", "/vae_repair_compare",
            "/infogan_sample", "/infogan_new_seed", "/infogan_traversal", "/wavegan_generate", "/wavegan_clip",
            "/wavegan_inspect", "/wavegan_morph", "/gan_family_generate", "/gan_family_new_seed"} <= set(endpoints)


def test_gan_family_over_http_matches_the_handler(client, shipped):
    from demos import gan_family

    path, recipe = client.predict(5, 21, api_name="/gan_family_generate")
    expected_path, expected_recipe = gan_family.generate({n: shipped[n] for n in gan_family.MODELS}, 5, 21)
    assert open(path, "rb").read() == open(expected_path, "rb").read() and recipe == expected_recipe
    seed, path, recipe = client.predict(3, api_name="/gan_family_new_seed")
    assert f"seed `{int(seed)}`" in recipe and path.endswith(".png")
    with pytest.raises(AppError, match="Value 17 is greater than maximum value 16"):
        client.predict(17, 0, api_name="/gan_family_generate")


def test_generate_over_http_matches_the_handler(client, shipped):
    from demos import cgan_digits

    path, recipe = client.predict("4", 9, 11, 2.0, api_name="/cgan_generate")
    expected_path, expected_recipe = cgan_digits.generate(shipped[cgan_digits.MODEL], "4", 9, 11, 2.0)
    assert open(path, "rb").read() == open(expected_path, "rb").read()
    assert recipe == expected_recipe


def test_new_seed_endpoint(client):
    seed, path, recipe = client.predict("all digits", 2, 4.0, api_name="/cgan_new_seed")
    assert f"seed `{int(seed)}`" in recipe and path.endswith(".png")


def test_bad_input_over_http_is_a_plain_error(client):
    # Gradio's own component checks answer first for out-of-range values...
    with pytest.raises(AppError, match="not in the list of choices"):
        client.predict(11, 4, 0, 4.0, api_name="/cgan_generate")
    with pytest.raises(AppError, match="Value 1000000 is greater than maximum value 64"):
        client.predict("3", 10 ** 6, 0, 4.0, api_name="/cgan_generate")
    with pytest.raises(AppError, match="Value -1 is less than minimum value 0"):
        client.predict("3", 4, -1, 4.0, api_name="/cgan_generate")
    # ...and the handler's for what they let through.
    with pytest.raises(AppError, match="Digit must be one of 0-9 or 'all digits'; got 'None'"):
        client.predict(None, 4, 0, 4.0, api_name="/cgan_generate")
    with pytest.raises(AppError, match="Number of samples must be a whole number from 1 to 64; got 2.5"):
        client.predict("3", 2.5, 0, 4.0, api_name="/cgan_generate")
    assert client.predict("3", 1, 0, 4.0, api_name="/cgan_generate")  # still healthy


def test_flow_endpoints_over_http(client, shipped):
    from demos import flow_density

    path, numbers, recipe = client.predict("8gaussians", 300, 5, api_name="/flow_density")
    flows = {"8gaussians": shipped[flow_density.model_name("8gaussians")]}
    assert open(path, "rb").read() == open(flow_density.show_density(flows, "8gaussians", 300, 5)[0], "rb").read()
    assert "KL(p‖q)" in numbers and "manual_seed(5)" in recipe
    assert "true log p" in client.predict("moons", 0.5, -0.5, api_name="/flow_read_point")
    assert client.predict("moons", 3, 1, api_name="/flow_layer").endswith(".png")
    image, status = client.predict("swissroll", 50, 2, api_name="/flow_train_live")  # the generator's last frame
    assert image.endswith(".png") and "**Done:** 50 steps" in status and "--density swissroll" in status


def test_vae_endpoints_over_http(client):
    a = ["test digit", 0, "2", 3, None, None]
    b = ["seed", 9, "0", 0, None, None]
    strip, plot, recipe = client.predict(*a, *b, 6, "lerp", api_name="/vae_interpolate")
    assert strip.endswith(".png") and plot.endswith(".png") and 'mode="lerp"' in recipe
    gif, pairs, numbers = client.predict(*a, *b, 6, "lerp", api_name="/vae_details")
    assert gif.endswith(".gif") and "**A** (test digit): −ELBO" in numbers
    with pytest.raises(AppError, match="Value 33 is greater than maximum value 32"):
        client.predict(*a, *b, 33, "lerp", api_name="/vae_interpolate")
    with pytest.raises(AppError, match="Endpoint B: Draw a digit on the sketchpad first"):
        client.predict(*a, "drawing", 0, "0", 0, None, None, 6, "lerp", api_name="/vae_interpolate")


def test_vae_repair_over_http_matches_the_handler(client, shipped):
    from demos import vae_repair

    example = vae_repair.EXAMPLES["vae_repair"]
    row, strip, readout, recipe = client.predict(*example, api_name="/vae_repair")
    expected = vae_repair.repair(shipped[vae_repair.MODEL], shipped[vae_repair.CLASSIFIER], *example)
    assert open(row, "rb").read() == open(expected[0], "rb").read() and recipe == expected[3]
    table = client.predict(*vae_repair.EXAMPLES["vae_repair_compare"], api_name="/vae_repair_compare")
    assert [r[0] for r in table["data"]] == ["one-shot (baseline)", "pseudo-Gibbs", "Metropolis-within-Gibbs"]
    with pytest.raises(AppError, match="Value 0.7 is greater than maximum value 0.5"):
        client.predict(*example[:9], 0.7, *example[10:], api_name="/vae_repair")


def test_infogan_endpoints_over_http(client, shipped):
    from demos import infogan_codes

    path, recipe = client.predict("5", 0.5, -1.5, 9, api_name="/infogan_sample")
    assert open(path, "rb").read() == open(infogan_codes.sample(shipped[infogan_codes.MODEL], "5", 0.5, -1.5, 9)[0], "rb").read()
    seed, path, _ = client.predict("2", 0.0, 0.0, api_name="/infogan_new_seed")
    assert 0 <= seed <= 2 ** 32 - 1 and path.endswith(".png")
    grid, recipe = client.predict("c1", 8, 0.0, 0.0, 3, api_name="/infogan_traversal")
    assert open(grid, "rb").read() == open(infogan_codes.traversal(shipped[infogan_codes.MODEL], "c1", 8, 0.0, 0.0, 3)[0], "rb").read()
    with pytest.raises(AppError, match="greater than maximum value 2"):
        client.predict("5", 3.0, 0.0, 9, api_name="/infogan_sample")
    with pytest.raises(AppError, match="greater than maximum value 16"):
        client.predict("c1", 10 ** 4, 0.0, 0.0, 3, api_name="/infogan_traversal")
    with pytest.raises(AppError, match="not in the list of choices"):
        client.predict("12", 0.0, 0.0, 9, api_name="/infogan_sample")


def _wav(path: str) -> np.ndarray:
    """A WAV file as a browser gets it: 16 kHz mono 16-bit, its samples."""
    with wave.open(path) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16_000, 1, 2)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2")


def test_wavegan_endpoints_over_http_return_playable_wavs(client, shipped):
    from demos import wavegan_digits

    out = client.predict("5", 3, 11, api_name="/wavegan_generate")
    players = [p["value"] for p in out[:wavegan_digits.MAX_CLIPS]]  # component updates: label, visibility, value
    assert [p is not None for p in players] == [True] * 3 + [False] * 5
    for k in range(3):
        assert np.array_equal(_wav(players[k]), _wav(wavegan_digits.clip(shipped[wavegan_digits.MODEL], "5", 11 + k)))
    assert np.array_equal(_wav(client.predict("any", 7, api_name="/wavegan_clip")), _wav(wavegan_digits.clip(shipped[wavegan_digits.MODEL], "any", 7)))
    plot, recipe = client.predict("5", 7, api_name="/wavegan_inspect")
    assert plot.endswith(".png") and "manual_seed(7)" in recipe
    audio, plot, recipe = client.predict("1", 2, "9", 3, 3, api_name="/wavegan_morph")
    assert len(_wav(audio)) == 3 * 16_384 and plot.endswith(".png")
    with pytest.raises(AppError, match="not in the list of choices"):
        client.predict("12", 3, 11, api_name="/wavegan_generate")
    with pytest.raises(AppError, match="greater than maximum value 8"):
        client.predict("5", 1000, 11, api_name="/wavegan_generate")
    with pytest.raises(AppError, match="greater than maximum value 8"):
        client.predict("1", 2, "9", 3, 300, api_name="/wavegan_morph")
    with pytest.raises(AppError, match="Seed must be a whole number|less than minimum value 0"):
        client.predict("5", -3, api_name="/wavegan_clip")
    assert len(_wav(client.predict("0", 0, api_name="/wavegan_clip"))) == 16_384  # still healthy


def test_flow_bad_input_over_http_is_a_plain_error(client):
    with pytest.raises(AppError, match="Value 100000 is greater than maximum value 3000"):
        client.predict("moons", 10 ** 5, 0, api_name="/flow_train_live")
    with pytest.raises(AppError, match="x must be a number from -1000.0 to 1000.0; got 1e\\+300"):
        client.predict("moons", 1e300, 0, api_name="/flow_read_point")
    with pytest.raises(AppError, match="etc/passwd is not in the list of choices"):
        client.predict("../../etc/passwd", 0, 0, api_name="/flow_read_point")
    assert "log q" in client.predict("moons", 0, 0, api_name="/flow_read_point")  # still healthy


def test_one_missing_flow_leaves_the_others(tmp_path, monkeypatch):
    import shutil

    from gen_core import hub

    root = tmp_path / "weights"
    shutil.copytree(hub.weights_root(), root, ignore=shutil.ignore_patterns("flow-moons"))
    (root / "flow-circles" / "model.safetensors").write_bytes(b"not a safetensors file")
    monkeypatch.setenv("GEN_CORE_WEIGHTS_DIR", str(root))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from huggingface_hub import constants
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    demo = app.build_app()
    texts = json.dumps(demo.config["components"], default=str)  # gr.State holds a callback
    assert "Not loaded, so not offered below" in texts and "flow-moons" in texts and "flow-circles" in texts
    dropdown = next(c for c in demo.config["components"] if c.get("props", {}).get("label") == "Density")
    offered = [choice[0] for choice in dropdown["props"]["choices"]]
    assert "moons" not in offered and "circles" not in offered and "8gaussians" in offered
    assert "flow_density" in {d.get("api_name") for d in demo.config["dependencies"]}


def test_broken_weights_of_one_model_leave_the_other_tabs(tmp_path, monkeypatch, fake_hub, fresh_cache):
    """A corrupt safetensors file (WaveGAN) and a missing folder whose Hub revision does not exist
    (InfoGAN): both tabs explain themselves; the other tabs keep their endpoints."""
    import dataclasses
    import shutil

    from gen_core import hub

    root = tmp_path / "weights"
    shutil.copytree(hub.weights_root(), root, ignore=shutil.ignore_patterns("infogan-mnist"))
    (root / "wavegan-digits" / "model.safetensors").write_bytes(b"\0" * 64)
    monkeypatch.setenv("GEN_CORE_WEIGHTS_DIR", str(root))
    monkeypatch.setitem(hub.REGISTRY, "infogan-mnist",
                        dataclasses.replace(hub.REGISTRY["infogan-mnist"], revision="no-such-revision"))
    demo = app.build_app()
    texts = json.dumps(demo.config["components"], default=str)
    assert texts.count("could not be loaded, so this tab is off") == 2
    assert "wavegan-digits" in texts and "no-such-revision" in texts and "git checkout weights/" in texts
    api_names = {d.get("api_name") for d in demo.config["dependencies"]}
    assert not {"wavegan_generate", "infogan_sample"} & api_names
    assert {"cgan_generate", "vae_interpolate", "flow_density"} <= api_names


def test_missing_weights_turn_the_tab_into_an_explanation(empty_weights, fresh_cache, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    demo = app.build_app()
    texts = json.dumps(demo.config["components"], default=str)  # gr.State holds a callback
    assert "could not be loaded" in texts and "cgan-mnist" in texts
    api_names = {d.get("api_name") for d in demo.config["dependencies"]}
    assert not {"cgan_generate", "flow_density", "vae_interpolate", "infogan_sample", "wavegan_generate",
                "gan_family_generate"} & api_names
    assert "flow_train_live" in api_names  # needs no weights, so it stays
