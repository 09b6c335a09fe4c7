"""Every named endpoint, driven through gradio_client with hypothesis-generated hostile values (wrong
types, huge or negative numbers, long or odd text, lists), mixed with valid ones so that deeper checks
are reached: each call either succeeds or fails with a plain sentence (no traceback, no path, no
generic "upstream exception"), within a time limit; the server answers normally afterwards."""
import wave
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import demos
from serving import serving

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CALL_TIMEOUT_S = 60
UPLOADS = ("Imageeditor", "File")  # None in the hypothesis test; hostile files have their own test below
ENDPOINTS = [f"/{name}" for name in sorted(demos.examples())]
HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.integers(-10, 10),
    st.floats(allow_nan=False, allow_infinity=False), st.floats(-1e6, 1e6),
    st.text(max_size=30), st.sampled_from(["", " ", "0" * 5000, "../../etc/passwd", "1e400", "NaN", "12", "-1"]),
    st.lists(st.integers(0, 9), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))
BAD_MESSAGES = ("Traceback", "upstream Gradio app has raised an exception", 'File "', str(ROOT))


# The events that are no API endpoint (api_visibility="private": a client cannot call them, so the fuzz
# above cannot reach them), and why each is safe with what the browser sends.
PRIVATE = {
    "select_tab": "the overview's buttons: no input; they switch the browser's tab",
    "first_view": "a tab's first outputs on page load (Lab.on_first_view): no input; computed once, then kept",
    "reroll": "a WaveGAN clip's re-roll button: its one input is the session's gr.State, which no client sets",
    "show": "a WaveGAN player's play event: the same gr.State, only read",
    "toggle_raw": "InfoGAN's raw-codes checkbox: a Checkbox and a Radio value, both checked by Gradio's "
                  "preprocessing; it only relabels the picker",
    "mask_canvas": "the repair tab's digit pickers (a Radio, a Dropdown and a Slider, all checked by Gradio's "
                   "preprocessing) put the chosen test digit behind the mask canvas; _digit checks them again",
    "click_point": "a click on a flow heat map: gr.SelectData, turned into a point by flow_plots.pixel_to_point "
                   "and read by read_point's own checks (tests/demos/test_flow_density.py)",
}


@pytest.fixture(scope="module")
def served():
    with serving() as (demo, url):
        yield demo, url


@pytest.fixture(scope="module")
def client(served):
    return Client(served[1], verbose=False, analytics_enabled=False, download_files=False)


def test_every_event_outside_the_api_is_listed_with_its_reason_and_refused_to_clients(served, client):
    demo, _ = served
    private = {index: fn for index, fn in demo.fns.items() if fn.fn is not None and fn.api_visibility == "private"}
    assert {fn.fn.__name__ for fn in private.values()} == set(PRIVATE)
    for index in {min(i for i, fn in private.items() if fn.fn.__name__ == name) for name in PRIVATE}:
        with pytest.raises(ValueError, match=f"Invalid function index: {index}"):   # the client has no such endpoint
            client.predict(fn_index=index)


@pytest.fixture(scope="module")
def api(client):
    return client.view_api(print_info=False, return_format="dict")["named_endpoints"]


def test_every_named_endpoint_is_covered(api):
    assert sorted(api) == sorted(ENDPOINTS)


def _arguments(parameters: list[dict], endpoint: str) -> st.SearchStrategy:
    """One parameter hostile and the others at the endpoint's example input (so each check is reached
    on its own); uploads are None."""
    def hostile_for(p: dict) -> st.SearchStrategy:
        if p["component"] in UPLOADS:
            return st.none()
        if endpoint == "/flow_train_live" and p["component"] == "Slider":  # no long training runs
            return HOSTILE.filter(lambda v: not (isinstance(v, (int, float)) and 0 <= v <= 3000))
        return HOSTILE

    valid = demos.examples()[endpoint.lstrip("/")]
    if endpoint == "/flow_train_live":   # the shortest run, since the example's runs many times here
        valid = [50 if p["component"] == "Slider" else v for p, v in zip(parameters, valid)]

    @st.composite
    def one_hostile(draw):
        i = draw(st.integers(0, len(parameters) - 1))
        return tuple(draw(hostile_for(p)) if j == i else valid[j] for j, p in enumerate(parameters))

    return one_hostile()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_hostile_values_get_a_plain_sentence(client, api, endpoint):
    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(_arguments(api[endpoint]["parameters"], endpoint))
    def run(arguments):
        job = client.submit(*arguments, api_name=endpoint)
        try:
            job.result(timeout=CALL_TIMEOUT_S)
        except AppError as error:
            message = str(error)
            assert message.strip() and not any(bad in message for bad in BAD_MESSAGES), (arguments, message)

    run()
    assert client.predict("3", 2, api_name="/wavegan_clip")  # still healthy


def _hostile_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, what the answer must say)."""
    files = {"zero-byte": b"", "text named .png": b"not a picture", "truncated PNG": None}
    made = {}
    for name, data in files.items():
        made[name] = folder / f"{len(made)}.png"
        if data is not None:
            made[name].write_bytes(data)
    Image.new("L", (64, 64), 200).save(made["truncated PNG"])
    made["truncated PNG"].write_bytes(made["truncated PNG"].read_bytes()[:40])
    Image.new("1", (4200, 4200)).save(folder / "bomb.png")            # 17.6 Mpx in a few kB
    Image.new("1", (20000, 20000)).save(folder / "bigger-bomb.png")   # past Pillow's own limit
    with wave.open(str(folder / "clip.wav"), "wb") as clip:
        clip.setnchannels(1), clip.setsampwidth(2), clip.setframerate(16000)
        clip.writeframes(np.zeros(1600, np.int16).tobytes())
    unreadable = "not a picture this app can read"
    return {**{name: (path, unreadable) for name, path in made.items()},
            "bomb": (folder / "bomb.png", "the limit is 16,777,216 pixels"),
            "bigger bomb": (folder / "bigger-bomb.png", "the limit is 16,777,216 pixels"),
            "WAV": (folder / "clip.wav", {"upload": "Please upload a file that is one of these formats: ['image']",
                                          "drawing": unreadable})}


@pytest.mark.parametrize("source", ["upload", "drawing", "painted mask"])
def test_hostile_files_get_a_plain_sentence(client, api, tmp_path, source):
    """Zero-byte, mislabelled, truncated, decompression-bomb and non-image files, sent to the VAE tab
    as an uploaded picture and as a drawing, and to the repair tab as a painted mask: a plain sentence
    each; a real picture still works after."""
    endpoint = "/vae_repair" if source == "painted mask" else "/vae_interpolate"
    parameters = api[endpoint]["parameters"]
    base = list(demos.examples()[endpoint.lstrip("/")])
    components = [p["component"] for p in parameters]
    if source == "painted mask":
        slot = len(components) - 1 - components[::-1].index("Imageeditor")   # the mask, after the drawing
        base[components.index("Dropdown", 2)] = "painted mask"                # the corruption picker
    else:
        slot = components.index("File" if source == "upload" else "Imageeditor")
        base[0] = source

    def call(path: Path):
        arguments = list(base)
        file = handle_file(str(path))
        arguments[slot] = file if source == "upload" else {"background": None, "layers": [], "composite": file}
        return client.predict(*arguments, api_name=endpoint)

    for name, (path, expected) in _hostile_files(tmp_path).items():
        with pytest.raises(AppError) as error:
            call(path)
        message = str(error.value)
        expected = expected.get(source, expected["drawing"]) if isinstance(expected, dict) else expected   # an upload is refused by its type first
        assert expected in message and not any(bad in message for bad in BAD_MESSAGES), (name, message)
    digit = Image.new("L", (120, 120), 255)
    digit.paste(0, (50, 20, 70, 100))   # a dark "1" on white
    digit.save(tmp_path / "one.png")
    assert call(tmp_path / "one.png")
