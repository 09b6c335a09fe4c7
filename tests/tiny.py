"""Tiny random models of every family, saved and loaded as shipped weights are (so each has its
Source), for the model contract test and for building any tab alone without the shipped weights. The
configs are the family records' (gen_core/models/<family>.py, RECORD.tiny and RECORD.names)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import torch

import gen_core
from demos.lab import Models
from gen_core.hub import REGISTRY
from gen_core.models import RECORDS


def tiny_model(family: str, directory: Path, seed: int = 0, name: str | None = None, **changes) -> gen_core.HubModel:
    """A random model of `family` with its tiny config (as registered `name` changes it, and `changes`),
    written to `directory` and loaded from there."""
    torch.manual_seed(seed)
    record = RECORDS[family]
    record.model(dataclasses.replace(record.tiny_config(name), **changes)).save_pretrained(directory)
    return gen_core.load(str(directory), device="cpu")


def tiny_models(root: Path, names: list[str] | tuple[str, ...]) -> Models:
    """Models for registered `names`, each a tiny random model of its family (with what the name changes
    of the tiny config: its density, its variant), saved under `root`."""
    return Models({name: tiny_model(REGISTRY[name].family, root / name, name=name) for name in names})
