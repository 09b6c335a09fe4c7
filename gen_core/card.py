"""Model cards: README.md with Hugging Face YAML metadata whose model-index holds the metrics.

Training writes the card (what data, how long); `python -m gen_core.evaluate` rewrites its
metrics. The app reads the metrics back from the same YAML, so what it shows is what was measured.
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from huggingface_hub import EvalResult, ModelCard, ModelCardData


TRAINING_LOG = "training_log.json"  # written by gen_core.train next to the weights


def read_training_log(directory: str | Path) -> list[dict[str, float]]:
    """The rows gen_core.train wrote next to the weights (step, seconds, mean losses, measures), or
    [] if there is no log."""
    path = Path(directory) / TRAINING_LOG
    return json.loads(path.read_text()) if path.is_file() else []


@dataclass(frozen=True)
class Metric:
    key: str       # machine name, e.g. "inception_score"
    label: str     # what a person reads, e.g. "Inception score (10 splits)"
    value: float


@dataclass(frozen=True)
class CardInfo:
    metrics: list[Metric]
    training: dict[str, Any]


def build_card(model: Any, *, metrics: list[Metric] | dict, training: dict[str, Any] | None = None) -> ModelCard:
    """A model card for `model` with the given metrics and training facts."""
    metrics = list(metrics.values()) if isinstance(metrics, dict) else list(metrics)
    training = dict(training or {})
    name = training.get("name", model.family)
    dataset = model.config.data or "unknown"
    dataset_id, dataset_name, measured_by = model.card_dataset()
    results = [EvalResult(task_type=model.task, dataset_type=dataset_id, dataset_name=dataset_name,
                          metric_type=m.key, metric_name=m.label, metric_value=round(m.value, 6))
               for m in metrics]
    data = ModelCardData(
        library_name="gen_core", license="mit", tags=list(model._hub_mixin_info.model_card_data.tags or []),
        datasets=[dataset_id], metrics=sorted({m.key for m in metrics}) or None,
        model_name=name, eval_results=results or None, training=training or None)
    table = "\n".join(f"| {m.label} | {m.value:.4g} |" for m in metrics) or "| (not evaluated yet) | |"
    facts = "\n".join(f"- **{k}**: {v}" for k, v in training.items() if k != "name")
    doc = (sys.modules[type(model).__module__].__doc__ or "").strip()
    body = f"""---
{data.to_yaml()}
---

# {name}

{doc}

## Training

- **data**: {dataset}
- **config**: `{asdict(model.config)}`
{facts}

## Metrics

Measured by `python -m gen_core.evaluate {name}` {measured_by}.

| metric | value |
|---|---|
{table}

## Use

```python
import gen_core
model = gen_core.load("{name}")
```
"""
    return ModelCard(body)


def write_card(directory: str | Path, model: Any, *, metrics: list[Metric] | None = None,
               training: dict[str, Any] | None = None) -> None:
    """(Re)write directory/README.md, keeping the card's existing metrics or training facts
    where new ones are not given."""
    path = Path(directory) / "README.md"
    old = read_card(directory) if path.exists() else CardInfo([], {})
    card = build_card(model, metrics=old.metrics if metrics is None else metrics,
                      training=old.training if training is None else training)
    card.save(path)


def read_card(directory: str | Path) -> CardInfo:
    """The metrics and training facts stored in directory/README.md."""
    card = ModelCard.load(Path(directory) / "README.md")
    metrics = [Metric(r.metric_type, r.metric_name or r.metric_type, float(r.metric_value))
               for r in (card.data.eval_results or [])]
    return CardInfo(metrics, dict(card.data.to_dict().get("training") or {}))
