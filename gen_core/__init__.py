"""gen_core: classic generative models with weights that live in weights/ or on the Hub.

    import gen_core
    model = gen_core.load("cgan-mnist")
    digits = model.sample(16, labels=torch.full((16,), 3), generator=torch.Generator().manual_seed(0))
"""
from __future__ import annotations

import torch

from gen_core.base import HubModel, WeightFileError
from gen_core.hub import REGISTRY, LoadError, Source, read_family, resolve
from gen_core.models import FAMILIES

__all__ = ["load", "available", "default_device", "LoadError", "HubModel", "Source", "WeightFileError"]


def available() -> list[str]:
    """Names that gen_core.load accepts (besides explicit local directories)."""
    return sorted(REGISTRY)


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _instantiate(source: Source, device: torch.device) -> HubModel:
    family = read_family(source.directory)
    if family not in FAMILIES:
        raise WeightFileError(f"config.json names family {family!r}; known: {sorted(FAMILIES)}")
    if source.name in REGISTRY and REGISTRY[source.name].family != family:
        raise WeightFileError(f"config.json is a {family!r} model but {source.name!r} is a "
                              f"{REGISTRY[source.name].family!r} model")
    model = FAMILIES[family].from_pretrained(source.directory, map_location=str(device))
    model.source = source
    return model.to(device).eval()


def load(name: str, *, revision: str | None = None, device: str | torch.device | None = None) -> HubModel:
    """Load a model by registered name (or a local directory) in eval mode, from the first place
    gen_core.hub.resolve finds it: a local directory, weights/<name>/, or the Hub repo at `revision`
    or its pinned one. Raises LoadError listing every attempt."""
    device = torch.device(device) if device is not None else default_device()
    return resolve(name, revision, lambda source: _instantiate(source, device))
