"""gen_core.hub.resolve through gen_core.load: local weights, the Hub (a fake one on 127.0.0.1), offline mode and clear errors."""
import json
import os
import subprocess
import sys

import pytest
import torch
from huggingface_hub import constants

import gen_core
from gen_core.card import TRAINING_LOG, read_training_log
from gen_core.hub import REGISTRY, LoadError


def _sample(model):
    return model.sample(4, labels=torch.tensor([0, 3, 7, 9]), generator=torch.Generator().manual_seed(1))


def test_available_lists_registered_names():
    assert {"cgan-mnist", "mnist-classifier"} <= set(gen_core.available())


def test_explicit_local_directory(tmp_path, tiny_cgan):
    tiny_cgan.save_pretrained(tmp_path / "m")
    model = gen_core.load(str(tmp_path / "m"), device="cpu")
    assert model.source.origin == "local path"
    assert not model.training
    assert torch.equal(_sample(model), _sample(tiny_cgan))


def test_embedded_weights_folder_comes_first(empty_weights, fake_hub, tiny_cgan):
    tiny_cgan.save_pretrained(empty_weights / "cgan-mnist")
    model = gen_core.load("cgan-mnist")
    assert model.source.origin == "weights/"
    assert model.source.revision.startswith("local-")
    assert fake_hub.requests == []  # the Hub was never asked


def test_hub_at_pinned_revision(empty_weights, fake_hub, fresh_cache, tiny_cgan, tmp_path):
    tiny_cgan.save_pretrained(tmp_path / "published")
    entry = REGISTRY["cgan-mnist"]
    commit = fake_hub.publish(entry.repo_id, entry.revision, tmp_path / "published")
    model = gen_core.load("cgan-mnist")
    assert model.source.origin == "hub"
    assert model.source.revision == commit
    assert torch.equal(_sample(model), _sample(tiny_cgan))
    assert all(f"/resolve/{entry.revision}/" in path for _, path in fake_hub.requests)
    assert (model.source.directory / "README.md").is_file()  # the card came along
    assert not (model.source.directory / TRAINING_LOG).exists()  # optional, and this repo has none


def test_hub_brings_the_training_log_where_the_repo_has_one(empty_weights, fake_hub, fresh_cache, tiny_cgan, tmp_path):
    tiny_cgan.save_pretrained(tmp_path / "published")
    rows = [{"step": 10, "seconds": 1.0, "d": 0.5, "g": 1.5}]
    (tmp_path / "published" / TRAINING_LOG).write_text(json.dumps(rows))
    entry = REGISTRY["cgan-mnist"]
    fake_hub.publish(entry.repo_id, entry.revision, tmp_path / "published")
    assert read_training_log(gen_core.load("cgan-mnist").source.directory) == rows


def test_explicit_revision_skips_embedded_weights(empty_weights, fake_hub, fresh_cache, tiny_cgan, tmp_path):
    tiny_cgan.save_pretrained(empty_weights / "cgan-mnist")
    other = type(tiny_cgan)(tiny_cgan.config).eval()  # different random weights
    other.save_pretrained(tmp_path / "v2")
    commit = fake_hub.publish(REGISTRY["cgan-mnist"].repo_id, "v2", tmp_path / "v2")
    model = gen_core.load("cgan-mnist", revision="v2")
    assert model.source.revision == commit
    assert torch.equal(_sample(model), _sample(other))


def test_offline_uses_the_cache(empty_weights, fake_hub, fresh_cache, tiny_cgan, tmp_path, monkeypatch):
    tiny_cgan.save_pretrained(tmp_path / "published")
    entry = REGISTRY["cgan-mnist"]
    fake_hub.publish(entry.repo_id, entry.revision, tmp_path / "published")
    gen_core.load("cgan-mnist")  # fills the cache
    fake_hub.clear()  # the Hub forgets everything
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    model = gen_core.load("cgan-mnist")
    assert torch.equal(_sample(model), _sample(tiny_cgan))
    assert fake_hub.requests == []


def test_offline_without_cache_is_a_clear_error(empty_weights, fake_hub, fresh_cache, monkeypatch):
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(LoadError, match="HF_HUB_OFFLINE is set") as info:
        gen_core.load("cgan-mnist")
    assert "weights/" in str(info.value) and "missing config.json" in str(info.value)


def test_unknown_name():
    with pytest.raises(LoadError, match="Unknown model 'nope'.*cgan-mnist"):
        gen_core.load("nope")


def test_missing_file_everywhere(empty_weights, fake_hub, fresh_cache, tiny_cgan, tmp_path):
    tiny_cgan.save_pretrained(empty_weights / "cgan-mnist")
    (empty_weights / "cgan-mnist" / "model.safetensors").unlink()
    tiny_cgan.save_pretrained(tmp_path / "published")
    (tmp_path / "published" / "model.safetensors").unlink()
    entry = REGISTRY["cgan-mnist"]
    fake_hub.publish(entry.repo_id, entry.revision, tmp_path / "published")
    with pytest.raises(LoadError) as info:
        gen_core.load("cgan-mnist")
    message = str(info.value)
    assert "missing model.safetensors" in message
    assert f"{entry.repo_id}@{entry.revision}" in message and "EntryNotFound" in message


def test_corrupt_safetensors_falls_through_and_says_so(empty_weights, fake_hub, fresh_cache, tiny_cgan, tmp_path):
    tiny_cgan.save_pretrained(empty_weights / "cgan-mnist")
    (empty_weights / "cgan-mnist" / "model.safetensors").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(LoadError) as info:
        gen_core.load("cgan-mnist")
    assert "SafetensorError" in str(info.value) or "header" in str(info.value).lower()
    # With a good copy on the Hub, the corrupt local file is reported but the Hub copy loads.
    tiny_cgan.save_pretrained(tmp_path / "published")
    entry = REGISTRY["cgan-mnist"]
    fake_hub.publish(entry.repo_id, entry.revision, tmp_path / "published")
    assert gen_core.load("cgan-mnist").source.origin == "hub"


def test_strict_keys(tmp_path, tiny_cgan):
    from safetensors.torch import load_file, save_file

    tiny_cgan.save_pretrained(tmp_path / "m")
    tensors = load_file(tmp_path / "m" / "model.safetensors")
    tensors.pop("project.0.weight")
    save_file(tensors, tmp_path / "m" / "model.safetensors")
    with pytest.raises(LoadError, match="Missing key"):
        gen_core.load(str(tmp_path / "m"))


def test_wrong_family_is_refused(empty_weights, tiny_classifier):
    tiny_classifier.save_pretrained(empty_weights / "cgan-mnist")
    with pytest.raises(LoadError, match="'classifier' model"):
        gen_core.load("cgan-mnist")


def test_unknown_revision(empty_weights, fake_hub, fresh_cache, tiny_cgan, tmp_path):
    tiny_cgan.save_pretrained(tmp_path / "published")
    fake_hub.publish(REGISTRY["cgan-mnist"].repo_id, "v1", tmp_path / "published")
    with pytest.raises(LoadError, match="@does-not-exist.*RevisionNotFound"):
        gen_core.load("cgan-mnist", revision="does-not-exist")


@pytest.mark.slow   # it waits out the connection timeouts
def test_unreachable_hub(tmp_path):
    """A Hub that refuses connections (nothing listens on the port): one clear error."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends
    env = {**os.environ, "HF_ENDPOINT": f"http://127.0.0.1:{port}", "HF_HUB_CACHE": str(tmp_path / "c"),
           "GEN_CORE_WEIGHTS_DIR": str(tmp_path / "w"), "HF_HUB_ETAG_TIMEOUT": "2"}
    code = "import gen_core\ntry:\n gen_core.load('cgan-mnist')\nexcept gen_core.LoadError as e:\n print(e)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert f"127.0.0.1:{port}" in out.stdout and "Could not load 'cgan-mnist'" in out.stdout, out.stderr


def test_a_bug_in_a_models_code_is_raised_not_passed_over(empty_weights, tiny_cgan, tmp_path, monkeypatch, capsys):
    """Only files fall through to the next source: an exception from the model's own constructor is the
    code's, so it is raised with its traceback, and the app's tab says it is a code error."""
    from demos.lab import Models
    from gen_core.models.cgan import CGANGenerator

    tiny_cgan.save_pretrained(empty_weights / "cgan-mnist")

    def broken(self, config):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(CGANGenerator, "__init__", broken)
    with pytest.raises(ZeroDivisionError, match="a bug"):
        gen_core.load("cgan-mnist")
    with pytest.raises(gen_core.LoadError, match="A code error, not a missing or broken file.*ZeroDivisionError: a bug"):
        Models.load(["cgan-mnist"])["cgan-mnist"]
    assert "ZeroDivisionError" in capsys.readouterr().err
