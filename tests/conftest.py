"""Test-wide setup. The Hub's endpoint and cache are read when huggingface_hub is imported, so
the fake Hub starts and the variables are set here, before any test module imports gen_core."""
import os
import sys
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="gen_core_tests_"))
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_CACHE"] = str(_TMP / "hub-cache")
os.environ.pop("HF_HUB_OFFLINE", None)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_hub import FakeHub  # noqa: E402

FAKE_HUB = FakeHub(_TMP / "fake-hub")
os.environ["HF_ENDPOINT"] = FAKE_HUB.url

import pytest  # noqa: E402
import torch  # noqa: E402

# One torch thread, as the app serves (demos.hosting.configure_serving): tests are small, and with two threads
# on two cores a training run or a browser on the other core made the quick loop five times slower.
torch.set_num_threads(int(os.environ.get("GEN_CORE_TORCH_THREADS", "1")))

from gen_core.models.cgan import CGANConfig, CGANGenerator  # noqa: E402
from gen_core.models.classifier import ClassifierConfig, MNISTClassifier  # noqa: E402


@pytest.fixture
def fake_hub():
    FAKE_HUB.clear()
    yield FAKE_HUB
    FAKE_HUB.clear()


@pytest.fixture(scope="session")
def shipped():
    """Every registered model from the shipped weights, each loaded once, as the app loads them."""
    import gen_core
    from demos.lab import Models

    return Models.load(gen_core.available())


@pytest.fixture
def tiny_cgan() -> CGANGenerator:
    torch.manual_seed(0)
    return CGANGenerator(CGANConfig(z_dim=8, width=4, data="test")).eval()


@pytest.fixture
def tiny_classifier() -> MNISTClassifier:
    torch.manual_seed(0)
    return MNISTClassifier(ClassifierConfig(feature_dim=16, data="test")).eval()


@pytest.fixture
def empty_weights(tmp_path, monkeypatch) -> Path:
    """An empty embedded-weights folder, so gen_core.load must go past weights/."""
    root = tmp_path / "weights"
    root.mkdir()
    monkeypatch.setenv("GEN_CORE_WEIGHTS_DIR", str(root))
    return root


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch) -> Path:
    from huggingface_hub import constants

    cache = tmp_path / "cache"
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache
