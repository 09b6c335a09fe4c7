"""`flag`: a dataclass field that is also a command-line flag (--name-with-dashes), with its help text.

Model configs declare their trainable choices with it, so a trainer whose config embeds the model's
(gen_core.train.config.model_config) offers each of them on its command line with the model's own help;
a model config field declared plainly (`data`, set by the trainer) is not a flag.
"""
from __future__ import annotations

import dataclasses
from typing import Any


def flag(default: Any = None, help: str | None = None, *, choices: Any = None, metavar: str | None = None,
         required: bool = False) -> Any:
    """A config field that is also a command-line flag (--name-with-dashes)."""
    return dataclasses.field(default=default, metadata={"help": help, "choices": choices, "metavar": metavar,
                                                        "required": required})
