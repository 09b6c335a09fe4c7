"""The whole app: launched in-process on 127.0.0.1 and driven through gradio_client."""
import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

import app
from demos import common


@pytest.fixture(scope="module")
def client():
    demo = app.build_app()
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    try:
        yield Client(url, verbose=False, analytics_enabled=False)
    finally:
        demo.close()


def test_named_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/cgan_generate", "/cgan_new_seed"} <= set(endpoints)


def test_generate_over_http_matches_the_handler(client):
    from demos import cgan_digits

    path, recipe = client.predict("4", 9, 11, 2.0, api_name="/cgan_generate")
    expected_path, expected_recipe = cgan_digits.generate("4", 9, 11, 2.0)
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
    with pytest.raises(AppError, match="Digit must be 0-9 or 'all digits'; got 'None'"):
        client.predict(None, 4, 0, 4.0, api_name="/cgan_generate")
    with pytest.raises(AppError, match="Number of samples must be a whole number from 1 to 64; got 2.5"):
        client.predict("3", 2.5, 0, 4.0, api_name="/cgan_generate")
    assert client.predict("3", 1, 0, 4.0, api_name="/cgan_generate")  # still healthy


def test_missing_weights_turn_the_tab_into_an_explanation(empty_weights, fresh_cache, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    common.get_model.cache_clear()
    try:
        demo = app.build_app()
    finally:
        common.get_model.cache_clear()
    texts = json.dumps(demo.config["components"])
    assert "could not be loaded" in texts and "cgan-mnist" in texts
    assert "cgan_generate" not in {d.get("api_name") for d in demo.config["dependencies"]}
