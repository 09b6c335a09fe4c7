"""The app in a real browser: Debian's chromium driven by playwright opens every tab, drives its main
control, waits for the new output and saves a screenshot of each tab (GEN_CORE_SCREENSHOT_DIR, or a
temporary folder). Skipped, with the reason, only where chromium or playwright is missing; CI installs both, and fails without them."""
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import gen_core
from demos import tab_modules
import needs
from serving import serving

CHROMIUM = shutil.which("chromium")
pytestmark = [pytest.mark.slow, needs.program("chromium", "apt-get install chromium"),
              needs.package("playwright", "pip install -r requirements-train.txt")]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with serving() as (_, url), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.set_default_timeout(TIMEOUT_MS)
        pg.goto(url, wait_until="load")
        pg.get_by_role("tab", name="cGAN digits").wait_for()
        pg.errors = errors
        try:
            yield pg
        finally:
            browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("GEN_CORE_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _panel(pg):
    return pg.get_by_role("tabpanel").filter(visible=True).first


def _image_sources(pg) -> list[str]:
    return _panel(pg).locator("img").evaluate_all("els => els.map(e => e.src)")


def _drive(pg, tab: str, action) -> None:
    """Open the tab, run its main control and wait until one of its output images has changed."""
    pg.get_by_role("tab", name=tab).click()
    pg.wait_for_function("() => document.querySelectorAll('[role=tabpanel] img').length > 0")
    before = _image_sources(pg)
    action(pg)
    pg.wait_for_function(
        """before => {
            const panel = [...document.querySelectorAll('[role=tabpanel]')].find(p => p.offsetParent !== null);
            const now = [...panel.querySelectorAll('img')].map(e => e.src);
            return now.length > 0 && now.some(src => !before.includes(src)) && !panel.querySelector('.pending');
        }""", arg=before)


def _screenshot(pg, shots: Path, name: str) -> None:
    path = shots / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    pixels = np.asarray(Image.open(path).convert("L"), dtype=float)
    assert pixels.std() > 20, f"{name}: the screenshot is nearly blank"


def _select(pg, label: str, option: str) -> None:
    _panel(pg).get_by_role("combobox", name=label, exact=True).click()
    pg.get_by_role("option", name=option, exact=True).click()


def _main_control(tab):
    """What a visitor does first on `tab`: its MAIN_CONTROL's steps, (role, name[, option]) in order."""
    def act(pg):
        for role, name, *option in tab.MAIN_CONTROL:
            if role == "select":
                _select(pg, name, option[0])
            elif role == "radio":
                _panel(pg).get_by_role("radio", name=name, exact=True).check()
            else:
                _panel(pg).get_by_role(role, name=name, exact=True).first.click()
    return act


TABS = {tab.TITLE: _main_control(tab) for tab in tab_modules()}   # every tab of demos.TABS


@pytest.mark.parametrize("tab", list(TABS))
def test_every_tab_answers_its_main_control_in_the_browser(page, shots, tab):
    _drive(page, tab, TABS[tab])
    if tab == "WaveGAN audio":
        assert _panel(page).locator("audio, [data-testid='waveform-audio']").count() >= 1
    assert not _panel(page).locator(".toast-body.error, .error").filter(visible=True).count()
    _screenshot(page, shots, tab.lower().replace(" ", "-"))
    assert not page.errors, page.errors


def _stroke(pg, label: str, horizontal: bool = False) -> None:
    """Pick the brush of the (first) sketchpad labelled `label` and draw one stroke across its middle."""
    block = _panel(pg).locator("div.block").filter(has_text=label).first
    block.get_by_role("button", name="Brush", exact=True).click()
    canvas = block.locator("canvas").first
    canvas.wait_for()
    box = canvas.bounding_box()
    # The canvas shows the picture in its middle third; a stroke that starts outside it draws nothing.
    x, y = box["x"] + box["width"] * (0.38 if horizontal else 0.5), box["y"] + box["height"] * (0.5 if horizontal else 0.25)
    pg.mouse.move(x, y)
    pg.mouse.down()
    for step in range(1, 21):
        pg.mouse.move(x + horizontal * step * box["width"] * 0.012, y + (not horizontal) * step * box["height"] * 0.025)
    pg.mouse.up()


def _draw_a_one(pg) -> None:
    """Endpoint A from the sketchpad: pick the brush, draw a vertical stroke, interpolate."""
    _panel(pg).get_by_role("radio", name="drawing", exact=True).first.check()
    _stroke(pg, "Drawing: pick the brush")
    _panel(pg).get_by_role("button", name="Interpolate").click()


def _paint_a_mask(pg) -> None:
    """The repair tab's painted mask: choose it, paint a band across the mask canvas, repair."""
    _select(pg, "Corruption", "painted mask")
    _stroke(pg, "Painted mask", horizontal=True)
    _panel(pg).get_by_role("button", name="Repair").click()


# A second section of a tab -> (tab, its control, the text its last update shows, screenshot)
SECTIONS = {"energy digits": ("Energy-based", lambda pg: _panel(pg).get_by_role("button", name="Run 16 chains", exact=True).click(),
                              re.compile(r"16 chains × \d+ steps from noise in"), "energy-digits")}


@pytest.mark.parametrize("section", list(SECTIONS))
def test_a_tabs_second_section_answers_in_the_browser(page, shots, section):
    tab, action, done, shot = SECTIONS[section]
    _drive(page, tab, action)
    _panel(page).get_by_text(done).wait_for()   # the stream's end: the screenshot shows what users get
    assert not _panel(page).locator(".toast-body.error, .error").filter(visible=True).count()
    _screenshot(page, shots, shot)
    assert not page.errors, page.errors


# What is drawn in the browser -> (tab, how, the text its answer must show, screenshot)
SKETCHES = {"drawing": ("VAE interpolation", _draw_a_one, "A (drawing)", "vae-drawing"),
            "painted mask": ("VAE repair", _paint_a_mask, "your painted mask", "vae-repair-mask")}


@pytest.mark.parametrize("sketch", list(SKETCHES))
def test_what_is_drawn_reaches_the_model_in_the_browser(page, shots, sketch):
    tab, action, answer, shot = SKETCHES[sketch]
    _drive(page, tab, action)
    _panel(page).get_by_text(answer).wait_for()
    assert not _panel(page).locator(".toast-body.error, .error").filter(visible=True).count()
    _screenshot(page, shots, shot)
    assert not page.errors, page.errors


def test_the_overview_opens_first_and_its_buttons_open_the_tabs(page, shots):
    page.get_by_role("tab", name="Overview").click()
    panel = _panel(page)
    panel.get_by_role("table").first.wait_for()
    assert panel.get_by_role("row").count() >= 1 + len(gen_core.available())
    _screenshot(page, shots, "overview")
    panel.get_by_role("button", name="Open GAN family").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[role=tab]')].some(t => t.textContent.trim() === 'GAN family'"
        " && t.getAttribute('aria-selected') === 'true')")
    assert not page.errors, page.errors
