"""HubModel: the one persistence path for every gen_core model.

nn.Module + huggingface_hub.PyTorchModelHubMixin with a dataclass config as the only constructor
argument. ``save_pretrained`` writes config.json + model.safetensors + README.md; loading reads a
*local directory* only (gen_core.hub fetches Hub files into the cache first), always with strict
key matching and never through pickle: the mixin's own Hub path would fall back to
pytorch_model.bin, which we refuse.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, ClassVar

import safetensors.torch
import torch
from huggingface_hub import ModelCard, PyTorchModelHubMixin
from torch import nn

REPO_URL = "https://github.com/gen-core-lab/gen-core-lab"


class WeightFileError(Exception):
    """A weight file that cannot be used: unreadable, corrupt, or not the model it claims to be (another
    family, unknown or invalid config keys, tensors that do not match). gen_core.hub passes over such a
    source to the next; any other exception is a code error and is raised as it is."""


class HubModel(nn.Module, PyTorchModelHubMixin, library_name="gen_core", license="mit", repo_url=REPO_URL):
    family: ClassVar[str]            # key in gen_core.models.FAMILIES
    config_class: ClassVar[type]     # the dataclass taken by __init__
    task: ClassVar[str]              # Hugging Face task tag for the model card
    conditions: ClassVar[tuple[str, ...]] = ()   # the keyword conditions `sample` accepts besides generator
    config: Any

    def sample(self, n: int, *, generator: torch.Generator | None = None, **conditions: Any) -> torch.Tensor:
        """n samples drawn with `generator` (the same seed gives the same tensor), told `conditions`: the
        family's own (`conditions`); `labels=` is the digit wherever a family can be told one. Its shape
        and range are the family's record's `output`. A condition given as None is not given."""
        unknown = sorted(c for c, value in conditions.items() if c not in self.conditions and value is not None)
        if unknown:
            takes = ", ".join(f"{c}=" for c in self.conditions) or "no condition"
            raise TypeError(f"{type(self).__name__} ({self.family!r}) samples take {takes}; got {', '.join(f'{c}=' for c in unknown)}")
        told = {c: value for c, value in conditions.items() if c in self.conditions}   # None: a condition not given
        return self.generate(n, generator=generator, **told)

    def generate(self, n: int, *, generator: torch.Generator | None = None, **conditions: Any) -> torch.Tensor:
        """The family's sampler behind `sample`, which has checked the conditions' names."""
        raise NotImplementedError(f"{type(self).__name__} does not sample")

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @classmethod
    def _from_pretrained(cls, *, model_id: str, config: dict | Any = None, map_location: str = "cpu",
                         **_ignored: Any) -> "HubModel":
        directory = Path(model_id)
        if not directory.is_dir():
            raise ValueError(f"{model_id} is not a directory; load Hub models through gen_core.load")
        if isinstance(config, dict):
            config = cls.config_from_file(config)
        model = cls(config)   # outside the file checks: an error here is the code's, not the file's
        try:
            safetensors.torch.load_model(model, str(directory / "model.safetensors"), strict=True,
                                         device=str(map_location))
        except (safetensors.SafetensorError, RuntimeError, OSError) as error:   # corrupt, unreadable, or other tensors
            raise WeightFileError(f"model.safetensors: {error}") from error
        return model.eval()

    @classmethod
    def config_from_file(cls, config: dict) -> Any:
        """config.json's dict as this family's config; WeightFileError when it is not one."""
        config = dict(config)
        family = config.pop("family", cls.family)
        if family != cls.family:
            raise WeightFileError(f"config.json is for a {family!r} model, not {cls.family!r}")
        fields = {f.name for f in dataclasses.fields(cls.config_class)}
        unknown = set(config) - fields
        if unknown:
            raise WeightFileError(f"config.json has keys {sorted(unknown)} unknown to {cls.__name__}")
        try:
            return cls.config_class(**config)
        except (TypeError, ValueError) as error:   # a missing or invalid value (the config's own checks)
            raise WeightFileError(f"config.json: {error}") from error

    def config_dict(self) -> dict[str, Any]:
        return {"family": self.family, **dataclasses.asdict(self.config)}

    def save_config(self, directory: str | Path) -> None:
        """Rewrite directory/config.json from self.config, as save_pretrained writes it."""
        text = json.dumps(self.config_dict(), sort_keys=True, indent=2)
        (Path(directory) / "config.json").write_text(text)

    def save_pretrained(self, save_directory: str | Path, **kwargs: Any) -> Any:
        """Write config.json (the dataclass plus its family), model.safetensors and README.md."""
        return super().save_pretrained(save_directory, config=self.config_dict(), **kwargs)

    def card_dataset(self) -> tuple[str, str, str]:
        """(dataset id, dataset name, how the metrics were measured) for the model card."""
        return "mnist", "MNIST held-out split", "with the project's MNIST classifier"

    def generate_model_card(self, *args: Any, **kwargs: Any) -> ModelCard:
        from gen_core.card import build_card

        return build_card(self, metrics={})

