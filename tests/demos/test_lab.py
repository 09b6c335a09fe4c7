"""The Lab: models handed to the tabs. Each tab builds alone from tiny random models (no shipped weight
is read), offers every endpoint it declares in EXAMPLES, and answers each example; a model that failed
turns only its own tab into an explanation."""
import inspect

import gradio as gr
import pytest

from demos import tab_modules
from demos.lab import Lab, Models
from gen_core.hub import LoadError
from tiny import tiny_models

TABS = {tab.__name__.removeprefix("demos."): tab for tab in tab_modules()}


def _build(tab, models: Models) -> gr.Blocks:
    with gr.Blocks() as demo:
        tab.build(Lab(models))
    return demo


def _endpoints(demo: gr.Blocks) -> dict:
    return {fn.api_name: fn.fn for fn in demo.fns.values() if fn.api_name}


@pytest.mark.parametrize("name", list(TABS))
def test_each_tab_builds_alone_from_tiny_models_and_answers_its_examples(name, tmp_path, monkeypatch):
    tab = TABS[name]
    models = tiny_models(tmp_path, tab.MODELS)
    monkeypatch.setattr(Models, "load", lambda *a: pytest.fail("a tab must not load models itself"))
    endpoints = _endpoints(_build(tab, models))
    assert set(tab.EXAMPLES) <= set(endpoints), "every declared example has its endpoint"
    for api_name, example in tab.EXAMPLES.items():
        answer = endpoints[api_name](*example)
        outputs = list(answer) if inspect.isgenerator(answer) else [answer]
        assert outputs and all(output is not None for output in outputs), api_name


def test_a_tab_whose_model_failed_explains_itself(tmp_path):
    tab = TABS["cgan_digits"]
    demo = _build(tab, Models({"cgan-mnist": LoadError("Could not load 'cgan-mnist': the test broke it")}))
    notes = [b.value for b in demo.blocks.values() if isinstance(b, gr.Markdown)]
    assert any("could not be loaded, so this tab is off" in n and "the test broke it" in n for n in notes)
    assert not _endpoints(demo)


def test_models_load_each_name_once_and_keep_the_error(monkeypatch):
    calls = []

    def fake_load(name):
        calls.append(name)
        raise LoadError(f"no {name}")

    monkeypatch.setattr("gen_core.load", fake_load)
    models = Models.load(["a", "b", "a"])
    assert calls == ["a", "b"]
    for _ in range(3):
        with pytest.raises(LoadError, match="no a"):
            models["a"]
    assert calls == ["a", "b"] and models.ready(["a", "b"]) == [] and list(models.failed(["b", "a"])) == ["b", "a"]
    with pytest.raises(LoadError, match="'c' is not among the models this app loaded: a, b"):
        models["c"]


def test_background_work_runs_only_when_the_lab_starts(tmp_path):
    models = tiny_models(tmp_path, TABS["flow_density"].MODELS)
    lab = Lab(models)
    with gr.Blocks():
        TABS["flow_density"].build(lab)
    assert len(lab.background) == 2          # the heat-map warm-up and the optimizer's import, queued, not started
    thread = lab.start()
    thread.join(timeout=60)
    assert not thread.is_alive()


@pytest.mark.parametrize("name", ["flow_density", "energy_based", "gan_family", "vae_repair"])
def test_a_tabs_first_outputs_wait_for_a_page_load_and_are_computed_once(name, tmp_path, monkeypatch):
    """Building a tab computes none of its first pictures (start-up stays flat as tabs are added): they are
    filled on page load, computed by the first load and served from memory to the next."""
    import demos.outputs

    saved = []
    monkeypatch.setattr(demos.outputs, "save_bytes", lambda data, suffix: saved.append(data) or f"x{suffix}")
    lab = Lab(tiny_models(tmp_path, TABS[name].MODELS))
    with gr.Blocks():
        TABS[name].build(lab)
    assert saved == [] and lab.first_views
    for compute, outputs in lab.first_views:
        first = compute()
        assert len(first) == len(outputs) and compute() is first
