"""One record per model family: everything the rest of the project needs to know about it, declared
once, beside its model, as `RECORD` in its module under gen_core/models/.

The registry of names (gen_core.hub.REGISTRY), the families (gen_core.models.FAMILIES), the trainers
(gen_core.train.cli.TRAINERS), the evaluators (gen_core.evaluate.EVALUATORS), the papers' figures, the
tests' tiny models and the model contract are all read from these records, so a new family is one
record, not an edit in each of those places. Trainer and evaluator are named by module path and
imported when asked for: a model module never imports training or evaluation code.
"""
from __future__ import annotations

import dataclasses
import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from gen_core.card import PaperFigure

HUB_ORG = "gen-core-lab"


@dataclass(frozen=True)
class Output:
    """What `sample` (or a classifier's probabilities) returns per item: shape, range and dtype."""

    shape: tuple[int, ...]
    low: float = -math.inf
    high: float = math.inf
    dtype: torch.dtype = torch.float32

    def check(self, out: torch.Tensor, n: int) -> None:
        """Raise AssertionError naming what differs when `out` (n items) breaks the contract."""
        assert tuple(out.shape) == (n, *self.shape), f"shape {tuple(out.shape)}, expected {(n, *self.shape)}"
        assert out.dtype == self.dtype, f"dtype {out.dtype}, expected {self.dtype}"
        assert torch.isfinite(out).all(), "non-finite values"
        assert self.low <= float(out.min()) and float(out.max()) <= self.high, \
            f"range [{float(out.min())}, {float(out.max())}] outside [{self.low}, {self.high}]"


DIGIT_IMAGES = Output((1, 28, 28), 0.0, 1.0)
POINTS = Output((2,))
DIGIT_PROBABILITIES = Output((10,), 0.0, 1.0)


@dataclass(frozen=True)
class Name:
    """A registered model name: its Hub repo at a pinned revision, and what its tiny test model
    changes of the family's tiny config (the density, the variant, the latent size)."""

    revision: str                                   # pinned tag or commit: bump it when new weights are pushed
    tiny: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Family:
    """A model family: its model class (and so its config), trainer, evaluator, tiny config, output
    contract, accepted conditions, registered names and the papers' figures on its protocol."""

    model: type                      # a gen_core.base.HubModel subclass; its `family` is the record's name
    trainer: str                     # module path of its trainer (Config, build, stream)
    evaluator: str                   # "module:function" of its evaluator, returning an evaluate.common.Report
    tiny: Any                        # a config of model.config_class small enough for tests to run in seconds
    tiny_training: tuple[str, ...]   # trainer flags for a run of a few steps in seconds (the smoke and resume tests)
    output: Output
    names: dict[str, Name] = field(default_factory=dict)
    papers: tuple[PaperFigure, ...] = ()    # the papers' figures on the protocol its evaluator follows
    helper: bool = False             # a measuring instrument (the classifiers), not a model a tab shows
    reads: Output | None = None      # a classifier: what it reads (its output is then probabilities; it does not sample)

    def __post_init__(self):
        if not isinstance(self.tiny, self.model.config_class):
            raise TypeError(f"{self.name}: tiny must be a {self.model.config_class.__name__}")

    @property
    def name(self) -> str:
        return self.model.family

    @property
    def conditions(self) -> tuple[str, ...]:
        """The keyword conditions its `sample` accepts besides `generator`."""
        return self.model.conditions

    @property
    def samples(self) -> bool:
        return self.reads is None

    def repo_id(self, name: str) -> str:
        return f"{HUB_ORG}/{name}"

    def tiny_config(self, name: str | None = None) -> Any:
        """The family's tiny config, with what the registered `name` changes of it."""
        return dataclasses.replace(self.tiny, **(self.names[name].tiny if name else {}))

    def load_trainer(self):
        return importlib.import_module(self.trainer)

    def load_evaluator(self) -> Callable:
        module, function = self.evaluator.split(":")
        return getattr(importlib.import_module(module), function)
