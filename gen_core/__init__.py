"""gen_core: classic generative models with weights that live in weights/ or on the Hub.

    import gen_core
    model = gen_core.load("cgan-mnist")
    digits = model.sample(16, labels=torch.full((16,), 3), generator=torch.Generator().manual_seed(0))
"""
from __future__ import annotations

import torch

from gen_core.base import HubModel
from gen_core.hub import (REGISTRY, LoadError, Source, describe_hub, download, local_candidates,
                          display_path, local_source, missing_files, read_family)
from gen_core.models import FAMILIES

__all__ = ["load", "available", "default_device", "LoadError", "HubModel", "Source"]


def available() -> list[str]:
    """Names that gen_core.load accepts (besides explicit local directories)."""
    return sorted(REGISTRY)


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _reason(error: Exception) -> str:
    text = " ".join(line.strip() for line in str(error).strip().splitlines())
    return f"{type(error).__name__}: {text[:300]}"


def _instantiate(source: Source, device: torch.device) -> HubModel:
    family = read_family(source.directory)
    if family not in FAMILIES:
        raise ValueError(f"config.json names family {family!r}; known: {sorted(FAMILIES)}")
    if source.name in REGISTRY and REGISTRY[source.name].family != family:
        raise ValueError(f"config.json is a {family!r} model but {source.name!r} is a "
                         f"{REGISTRY[source.name].family!r} model")
    model = FAMILIES[family].from_pretrained(source.directory, map_location=str(device))
    model.source = source
    return model.to(device).eval()


def load(name: str, *, revision: str | None = None, device: str | torch.device | None = None) -> HubModel:
    """Load a model by registered name (or a local directory) in eval mode.

    Tries an explicit local directory, then weights/<name>/ (skipped when a revision is asked
    for), then the Hub repo registered for the name at `revision` or its pinned revision.
    Raises LoadError listing every attempt.
    """
    candidates = [(origin, d) for origin, d in local_candidates(name) if revision is None or origin == "local path"]
    if not candidates and name not in REGISTRY:
        raise LoadError(f"Unknown model {name!r}. Available: {', '.join(available())}, "
                        f"or a path to a directory saved with save_pretrained.")
    device = torch.device(device) if device is not None else default_device()
    tried = []
    for origin, directory in candidates:
        missing = missing_files(directory)
        if missing:
            tried.append(f"{origin} {display_path(directory)}: missing {', '.join(missing)}")
            continue
        try:
            return _instantiate(local_source(name, origin, directory), device)
        except Exception as e:  # any broken file becomes one clear error below
            tried.append(f"{origin} {display_path(directory)}: {_reason(e)}")
    if name in REGISTRY:
        try:
            return _instantiate(download(name, revision), device)
        except Exception as e:
            tried.append(f"{describe_hub(name, revision)}: {_reason(e)}")
    raise LoadError(f"Could not load {name!r}. Tried:\n" + "\n".join(f"  - {t}" for t in tried) +
                    "\nFix: restore the files (git checkout weights/), retrain with "
                    "`python -m gen_core.train`, or check the network / HF_ENDPOINT / HF_HUB_OFFLINE.")
