"""The Space deployment tool: what it sends (git's view of the tree, less tests, CI and checkpoints),
its dry run, and the upload it makes (one commit to a Gradio Space, through huggingface_hub)."""
import subprocess

import huggingface_hub

from tools import deploy_space


def _repo(tmp_path):
    for name, text in {"app.py": "print()", "tests/test_x.py": "", ".gitignore": ".venv/\nruns/\n",
                       ".venv/bin/python": "", "runs/x/ck.ckpt": "", "weights/m/model.safetensors": "w",
                       "demos/assets/d.png": "p", ".ci/run": "", "new_untracked.py": ""}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "app.py", "tests", ".gitignore", "weights", "demos", ".ci"], cwd=tmp_path, check=True)
    return tmp_path


def test_a_space_gets_the_tree_without_tests_ci_ignored_or_checkpoint_files(tmp_path):
    assert deploy_space.space_files(_repo(tmp_path)) == [
        "app.py", "demos/assets/d.png", "new_untracked.py", "weights/m/model.safetensors"]


def test_this_repository_sends_the_app_its_weights_and_assets_and_stays_small():
    files = deploy_space.space_files()
    assert {"app.py", "README.md", "requirements.txt", "packages.txt", "demos/assets/test_digits.png",
            "weights/cgan-mnist/model.safetensors"} <= set(files)
    assert not [f for f in files if f.startswith(("tests/", ".venv/", "runs/", ".ci/"))]
    assert sum((deploy_space.ROOT / f).stat().st_size for f in files) < 50e6


def test_dry_run_lists_every_file_and_the_total(capsys):
    assert deploy_space.main(["me/lab", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(deploy_space.space_files()) + 1
    assert out[-1].startswith(f"{len(out) - 1} files, ") and out[-1].endswith("would go to the Space me/lab")


def test_upload_is_one_commit_to_a_gradio_space(tmp_path, monkeypatch):
    calls = []

    class FakeApi:
        def create_repo(self, repo_id, **kwargs):
            calls.append(("create_repo", repo_id, kwargs))

        def create_commit(self, repo_id, operations, **kwargs):
            calls.append(("create_commit", repo_id, sorted(op.path_in_repo for op in operations), kwargs))
            return type("Info", (), {"commit_url": "https://hub/commit/1"})()

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    root = _repo(tmp_path)
    files = deploy_space.space_files(root)
    assert deploy_space.upload("me/lab", files, root, "msg") == "https://hub/commit/1"
    assert calls == [("create_repo", "me/lab", {"repo_type": "space", "space_sdk": "gradio", "exist_ok": True}),
                     ("create_commit", "me/lab", files, {"commit_message": "msg", "repo_type": "space"})]
