"""The app's tabs, in display order. Each module has build(lab), EXAMPLES (one input per endpoint),
SUMMARY and MAIN_CONTROL, and runs alone under __main__ (tests/test_registrations.py checks that every
tab module is listed here)."""
import importlib
import os
from types import ModuleType

# Before gradio is imported: no analytics or telemetry calls from a lab that may run offline.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

TABS = ("autoregressive", "cgan_digits", "gan_family", "infogan_codes", "vae_interpolation", "vae_repair", "wavegan_digits", "flow_density", "energy_based")


def tab_modules() -> list[ModuleType]:
    """The tab modules, imported on demand (so `python -m demos.<tab>` imports its module once)."""
    return [importlib.import_module(f"demos.{name}") for name in TABS]


def examples() -> dict[str, list]:
    """api_name -> its one example input, from every tab: what the benchmark, the load test, the
    hostile-input test and the browser test call."""
    return {name: inputs for tab in tab_modules() for name, inputs in tab.EXAMPLES.items()}
