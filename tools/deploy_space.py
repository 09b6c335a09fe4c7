"""Deploy the app to a Hugging Face Space with huggingface_hub's own upload (never a git push).

    python -m tools.deploy_space OWNER/SPACE --dry-run     # what would be sent, and its size
    python -m tools.deploy_space OWNER/SPACE               # upload it (needs `hf auth login`)

The Hub refuses a git push whose history holds binary files not stored through LFS/Xet, and this
repository's history holds every model.safetensors, PNG and WAV as plain git blobs. The upload
sends the current tree instead, in one commit, and the Hub stores the binaries the right way.
Sent: the files git tracks or would track (so nothing .gitignore names: no .venv, runs/,
checkpoints, caches), less what a Space must not get or does not need (LEFT_OUT).
"""
from __future__ import annotations

import argparse
import fnmatch
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = ("tests/*", ".ci/*", ".git*", "*.ckpt", "*.pt", "*.pth", "*.pyc")  # the tests stay on GitHub


def space_files(root: Path = ROOT) -> list[str]:
    """The paths (relative, sorted) a Space gets: git's view of the tree, less LEFT_OUT."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                            capture_output=True, check=True).stdout.decode().split("\0")
    return sorted(path for path in set(filter(None, listed))
                  if (root / path).is_file() and not any(fnmatch.fnmatch(path, p) for p in LEFT_OUT))


def upload(repo_id: str, files: list[str], root: Path, message: str) -> str:
    """One commit to the Space `repo_id` (created as a Gradio Space if needed); returns its URL."""
    from huggingface_hub import CommitOperationAdd, HfApi

    api = HfApi()
    api.create_repo(repo_id, repo_type="space", space_sdk="gradio", exist_ok=True)
    operations = [CommitOperationAdd(path_in_repo=path, path_or_fileobj=str(root / path)) for path in files]
    info = api.create_commit(repo_id, operations, commit_message=message, repo_type="space")
    return info.commit_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.deploy_space", description=__doc__.splitlines()[0])
    parser.add_argument("repo_id", help="the Space, OWNER/NAME")
    parser.add_argument("--dry-run", action="store_true", help="list what would be uploaded and its total size")
    parser.add_argument("--message", default="Deploy the generative model lab")
    args = parser.parse_args(argv)
    files = space_files()
    sizes = {path: (ROOT / path).stat().st_size for path in files}
    if args.dry_run:
        for path in files:
            print(f"{sizes[path] / 1e6:9.3f} MB  {path}")
        print(f"{len(files)} files, {sum(sizes.values()) / 1e6:.1f} MB, would go to the Space {args.repo_id}")
        return 0
    print(f"Uploading {len(files)} files ({sum(sizes.values()) / 1e6:.1f} MB) to the Space {args.repo_id}…")
    print(upload(args.repo_id, files, ROOT, args.message))
    return 0


if __name__ == "__main__":
    sys.exit(main())
