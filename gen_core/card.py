"""Model cards: README.md with Hugging Face YAML metadata whose model-index holds the metrics.

Training writes the card (what data, how long); `python -m gen_core.evaluate` rewrites its
metrics, names the headline one, and sets the papers' figures on the same protocol beside ours.
The app reads all of it back from the same YAML, so what it shows is what was measured (and what
the paper printed), with no number typed into the app.
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
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
class PaperFigure:
    """A published figure measured on the same protocol as one of ours (`key`)."""
    key: str         # the Metric.key it sits beside
    value: float
    source: str      # paper, table and the setting the figure belongs to
    se: float | None = None   # the paper's ± where it prints one


@dataclass(frozen=True)
class CardInfo:
    metrics: list[Metric]
    training: dict[str, Any]
    paper: list[PaperFigure] = field(default_factory=list)
    headline: str | None = None   # key of the metric that sums the model up

    def metric(self, key: str) -> Metric | None:
        return next((m for m in self.metrics if m.key == key), None)


def build_card(model: Any, *, metrics: list[Metric] | dict, training: dict[str, Any] | None = None,
               paper: list[PaperFigure] = (), headline: str | None = None) -> ModelCard:
    """A model card for `model` with the given metrics, training facts and papers' figures."""
    metrics = list(metrics.values()) if isinstance(metrics, dict) else list(metrics)
    training = dict(training or {})
    ours = {m.key for m in metrics}
    if headline is not None and headline not in ours:
        raise ValueError(f"headline {headline!r} is not one of the card's metrics")
    for figure in paper:
        if figure.key not in ours:
            raise ValueError(f"paper figure for {figure.key!r} has no measured figure of ours beside it")
    name = training.get("name", model.family)
    dataset = model.config.data or "unknown"
    dataset_id, dataset_name, measured_by = model.card_dataset()
    results = [EvalResult(task_type=model.task, dataset_type=dataset_id, dataset_name=dataset_name,
                          metric_type=m.key, metric_name=m.label, metric_value=float(f"{m.value:.6g}"))
               for m in metrics]
    data = ModelCardData(
        library_name="gen_core", license="mit", tags=list(model._hub_mixin_info.model_card_data.tags or []),
        datasets=[dataset_id], metrics=sorted({m.key for m in metrics}) or None,
        model_name=name, eval_results=results or None, training=training or None, headline=headline,
        paper=[{k: v for k, v in asdict(f).items() if v is not None} for f in paper] or None)
    table = "\n".join(f"| {m.label} | {m.value:.4g} | {paper_cell(paper, m.key)} |"
                      for m in metrics) or "| (not evaluated yet) | | |"
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

| metric | value | paper, same protocol |
|---|---|---|
{table}

## Use

```python
import gen_core
model = gen_core.load("{name}")
```
"""
    return ModelCard(body)


def paper_cell(paper: list[PaperFigure] | tuple[PaperFigure, ...], key: str) -> str:
    """The papers' figures beside our `key` as a card's table shows them: each figure, its ±, and where
    it comes from (several papers may report the same protocol)."""
    return "; ".join(f"{format_figure(f.value, f.se, f.key)} ({f.source})" for f in paper if f.key == key)


def format_figure(value: float, se: float | None = None, key: str = "") -> str:
    """A figure as people read it: 4 significant digits (an accuracy as a percentage), and its ± where
    there is one."""
    if "accuracy" in key:
        return f"{100 * value:.2f}%" + (f" ± {100 * se:.2g}" if se is not None else "")
    return f"{value:.4g}" + (f" ± {se:.2g}" if se is not None else "")


def write_card(directory: str | Path, model: Any, *, metrics: list[Metric] | None = None,
               training: dict[str, Any] | None = None, paper: list[PaperFigure] | None = None,
               headline: str | None = None) -> None:
    """(Re)write directory/README.md. Training facts are kept when new ones are not given; new
    metrics replace the old ones together with their headline and papers' figures."""
    path = Path(directory) / "README.md"
    old = read_card(directory) if path.exists() else CardInfo([], {})
    if metrics is None:
        metrics, paper, headline = old.metrics, old.paper, old.headline
    card = build_card(model, metrics=metrics, training=old.training if training is None else training,
                      paper=paper or [], headline=headline)
    card.save(path)


def read_card(directory: str | Path) -> CardInfo:
    """The metrics and training facts stored in directory/README.md."""
    card = ModelCard.load(Path(directory) / "README.md")
    metrics = [Metric(r.metric_type, r.metric_name or r.metric_type, float(r.metric_value))
               for r in (card.data.eval_results or [])]
    data = card.data.to_dict()
    paper = [PaperFigure(f["key"], float(f["value"]), str(f["source"]), None if f.get("se") is None else float(f["se"]))
             for f in data.get("paper") or []]
    return CardInfo(metrics, dict(data.get("training") or {}), paper, data.get("headline"))
