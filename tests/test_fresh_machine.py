"""The app on a machine that has only requirements.txt and no data (a new user, a Space): every tab
builds with no warning in place of its controls and every named endpoint answers its example input,
with the training-only packages made unimportable and an empty data folder. (CI also runs the
README's launch command literally in a fresh venv: python -m tools.first_run.)"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
TRAINING_ONLY = ("mlxtend", "hypothesis", "playwright", "pytest")
SCRIPT = f"""
import sys
for name in {TRAINING_ONLY!r}:
    sys.modules[name] = None            # importing any of them now raises ImportError
import inspect, json
import gradio as gr
import app, demos

demo = app.build_app()
warnings = [b.value for b in demo.blocks.values()
            if isinstance(b, gr.Markdown) and isinstance(b.value, str) and "⚠️" in b.value]
examples, answered = demos.examples(), {{}}
for fn in demo.fns.values():
    if fn.fn is None or not fn.api_name or fn.api_visibility == "private":
        continue
    out = fn.fn(*examples[fn.api_name])
    if inspect.isgenerator(out):
        out = list(out)[-1]
    answered[fn.api_name] = out is not None
print(json.dumps({{"warnings": warnings, "answered": answered,
                  "imported": sorted(m for m in {TRAINING_ONLY!r} if sys.modules.get(m) is not None)}}))
"""


def test_every_tab_builds_and_every_endpoint_answers_without_training_packages_or_data(tmp_path):
    env = {**os.environ, "GEN_CORE_DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path),
           "GEN_CORE_TORCH_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["warnings"] == [] and report["imported"] == []
    import demos
    assert report["answered"] == {name: True for name in demos.examples()}
    assert not (tmp_path / "data").exists()       # nothing was fetched or written as data
