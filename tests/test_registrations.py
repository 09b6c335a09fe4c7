"""What must still be named by hand outside a family's own files: the tab order (demos.TABS) and the
quality floors (tests/test_weights.py). Each check fails naming the place to edit."""
import importlib
import inspect
import pkgutil

import demos
import test_weights
from demos import tab_modules
from gen_core.hub import REGISTRY
from gen_core.models import RECORDS


def _tab_like_modules() -> list[str]:
    """demos modules that build a tab: a TITLE and a build(lab)."""
    found = []
    for info in pkgutil.iter_modules(demos.__path__):
        module = importlib.import_module(f"demos.{info.name}")
        if hasattr(module, "TITLE") and hasattr(module, "build") and info.name != "overview":
            found.append(info.name)
    return found


def test_every_tab_module_is_in_the_tab_order():
    missing = sorted(set(_tab_like_modules()) - set(demos.TABS))
    assert not missing, f"add {missing} to TABS in demos/__init__.py (the display order), or the tab never shows"


def test_every_tab_declares_what_the_readme_and_the_browser_test_read():
    for tab in tab_modules():
        for name in ("TITLE", "TAB_ID", "MODELS", "EXAMPLES", "SUMMARY", "MAIN_CONTROL"):
            assert hasattr(tab, name), f"demos/{tab.__name__.split('.')[-1]}.py lacks {name}"
        assert tab.MAIN_CONTROL and all(step[0] in ("button", "radio", "select") for step in tab.MAIN_CONTROL)


def test_every_registered_model_is_driven_by_a_tab_or_is_a_helper():
    shown = {name for tab in tab_modules() for name in tab.MODELS}
    orphans = sorted(name for name, entry in REGISTRY.items() if not RECORDS[entry.family].helper and name not in shown)
    assert not orphans, f"{orphans}: no tab in demos.TABS lists them in its MODELS"


def test_every_registered_generator_has_a_quality_floor():
    judged = {floor.model for floor in test_weights.FLOORS}
    missing = sorted(name for name, entry in REGISTRY.items() if not RECORDS[entry.family].helper and name not in judged)
    assert not missing, f"add a Floor for {missing} to FLOORS in tests/test_weights.py (measured by tests/quality.py)"


def test_every_family_has_a_trainer_and_an_evaluator():
    for name, record in RECORDS.items():
        trainer = record.load_trainer()
        for part in ("Config", "build", "stream"):
            assert hasattr(trainer, part), f"{record.trainer} (the {name!r} record's trainer) lacks {part}"
        assert trainer.Config.family == name, f"{record.trainer}.Config.family is not {name!r}"
        evaluator = record.load_evaluator()
        assert callable(evaluator) and len(inspect.signature(evaluator).parameters) == 2, record.evaluator

