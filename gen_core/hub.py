"""Where weights come from: model names, their Hub repos and pinned revisions, and resolution.

Order: an explicit local directory; the repo's ``weights/<name>/``; the Hub repo
registered for the name at its pinned revision, through huggingface_hub's cache (so HF_ENDPOINT,
HF_HUB_OFFLINE and HF_HUB_CACHE are honoured). Every failure ends in one LoadError that lists
what was tried.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from huggingface_hub import constants, hf_hub_download
from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError

from gen_core.base import WeightFileError
from gen_core.card import TRAINING_LOG
from gen_core.data import toy2d
from gen_core.models import RECORDS
from gen_core.models.energy import SHIPPED as ENERGY_2D, energy_name
from gen_core.models.gan import SHIPPED as GAN_FAMILY

__all__ = ["ENERGY_2D", "FLOW_DENSITIES", "GAN_FAMILY", "REGISTRY", "Entry", "LoadError", "Source", "energy_name",
           "resolve", "weights_root"]

REPO_ROOT = Path(__file__).resolve().parents[1]
WEIGHT_FILES = ("config.json", "model.safetensors")
CARD_FILE = "README.md"
OPTIONAL_FILES = (CARD_FILE, TRAINING_LOG)  # shown by the app when a repo has them; not needed to run
T = TypeVar("T")
FILE_ERRORS = (WeightFileError, OSError)   # what makes a source unusable; anything else is a bug, raised


@dataclass(frozen=True)
class Entry:
    family: str      # key in gen_core.models.FAMILIES
    repo_id: str     # Hugging Face Hub model repo
    revision: str    # pinned tag or commit; bump it (in the family's RECORD) when new weights are pushed


# Every registered name, from the family records (gen_core/models/<family>.py, RECORD.names).
REGISTRY: dict[str, Entry] = {name: Entry(family, record.repo_id(name), spec.revision)
                              for family, record in RECORDS.items() for name, spec in record.names.items()}
FLOW_DENSITIES = toy2d.NAMES  # one trained flow per toy density


class LoadError(RuntimeError):
    """A model could not be loaded; the message says what was tried and how to fix it."""


@dataclass(frozen=True)
class Source:
    """Where a loaded model's files came from."""

    name: str
    directory: Path
    origin: str      # "local path", "weights/" or "hub"
    revision: str    # Hub commit, or "local-<sha256 prefix of model.safetensors>"


def weights_root() -> Path:
    """The embedded weights folder (GEN_CORE_WEIGHTS_DIR overrides it, e.g. in tests)."""
    return Path(os.environ.get("GEN_CORE_WEIGHTS_DIR", REPO_ROOT / "weights"))


def resolve(name: str, revision: str | None, open_source: Callable[[Source], T]) -> T:
    """What `open_source` makes of the first Source of `name` that it can open, trying in order: `name`
    as a local directory; weights/<name>/ (skipped when a revision is asked for); the Hub repo
    registered for the name at `revision` or its pinned one. A directory that lacks a file, or whose
    files `open_source` cannot use (unreadable, corrupt, the wrong family: WeightFileError or OSError), is
    noted and passed over, as is a Hub that cannot be reached or lacks the files. Raises one LoadError that
    lists every attempt and how to fix it. Any other exception is a code error, raised as it is."""
    candidates = [(origin, d) for origin, d in _local_candidates(name) if revision is None or origin == "local path"]
    if not candidates and name not in REGISTRY:
        raise LoadError(f"Unknown model {name!r}. Available: {', '.join(sorted(REGISTRY))}, "
                        f"or a path to a directory saved with save_pretrained.")
    tried = []
    for origin, directory in candidates:
        missing = [f for f in WEIGHT_FILES if not (directory / f).is_file()]
        if missing:
            tried.append(f"{origin} {_display_path(directory)}: missing {', '.join(missing)}")
            continue
        try:
            return open_source(Source(name, directory, origin, _local_revision(directory)))
        except FILE_ERRORS as e:  # a broken file becomes one clear error below; a code error propagates
            tried.append(f"{origin} {_display_path(directory)}: {_reason(e)}")
    if name in REGISTRY:
        try:
            return open_source(_download(name, revision))
        except (*FILE_ERRORS, EntryNotFoundError, HfHubHTTPError) as e:
            tried.append(f"{_describe_hub(name, revision)}: {_reason(e)}")
    raise LoadError(f"Could not load {name!r}. Tried:\n" + "\n".join(f"  - {t}" for t in tried) +
                    "\nFix: restore the files (git checkout weights/), retrain with "
                    "`python -m gen_core.train`, or check the network / HF_ENDPOINT / HF_HUB_OFFLINE.")


def _reason(error: Exception) -> str:
    text = " ".join(line.strip() for line in str(error).strip().splitlines())
    return f"{type(error).__name__}: {text[:300]}"


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _local_revision(directory: Path) -> str:
    digest = hashlib.sha256((directory / "model.safetensors").read_bytes()).hexdigest()
    return f"local-{digest[:12]}"


def read_family(directory: Path) -> str:
    """The model family written into config.json by HubModel.save_pretrained."""
    try:
        return json.loads((directory / "config.json").read_text())["family"]
    except (OSError, ValueError, KeyError, TypeError) as error:   # unreadable, not JSON, or no family
        raise WeightFileError(f"config.json: {type(error).__name__}: {error}") from error


def _local_candidates(name: str) -> list[tuple[str, Path]]:
    """Local directories to try for `name`, in order."""
    candidates = []
    if os.sep in name or "/" in name or name.startswith("."):
        candidates.append(("local path", Path(name)))
    if name in REGISTRY:
        candidates.append(("weights/", weights_root() / name))
    return candidates


def _download(name: str, revision: str | None) -> Source:
    """Fetch the weight files (and the card and training log, where the repo has them) into the Hub cache."""
    entry = REGISTRY[name]
    revision = revision or entry.revision
    paths = [Path(hf_hub_download(entry.repo_id, f, revision=revision)) for f in WEIGHT_FILES]
    for optional in OPTIONAL_FILES:
        try:
            hf_hub_download(entry.repo_id, optional, revision=revision)
        except EntryNotFoundError:
            pass
    directory = paths[0].parent  # .../snapshots/<commit>/
    return Source(name, directory, "hub", directory.name)


def _describe_hub(name: str, revision: str | None) -> str:
    entry = REGISTRY[name]
    offline = " (HF_HUB_OFFLINE is set)" if constants.HF_HUB_OFFLINE else ""
    return f"Hub repo {entry.repo_id}@{revision or entry.revision} at {constants.ENDPOINT}{offline}"
