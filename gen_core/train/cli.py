"""The trainers' command line: `python -m gen_core.train FAMILY --out DIR [options]`; FAMILY --help lists
a family's flags. TRAINERS and parse are what the app's live training and the tests use."""
from __future__ import annotations

import argparse
import sys

from gen_core.data.mnist import MnistUnavailable
from gen_core.data.spoken_digits import ClipsUnavailable
from gen_core.models import RECORDS
from gen_core.train.config import TrainConfig, add_flags, from_namespace
from gen_core.train.loop import run

TRAINERS = {name: record.load_trainer() for name, record in RECORDS.items()}   # FAMILY -> its trainer module


def parse(argv: list[str] | None = None) -> TrainConfig:
    """The command line as the trainer reads it, its family's typed Config (also used by the app's live training)."""
    parser = argparse.ArgumentParser(prog="python -m gen_core.train")
    families = parser.add_subparsers(dest="family", required=True, metavar="FAMILY",
                                      help=f"one of: {', '.join(TRAINERS)}")
    for name, module in TRAINERS.items():
        sub = families.add_parser(name, help=module.__doc__.splitlines()[0])
        add_flags(sub, module.Config)
    namespace = parser.parse_args(argv)
    return from_namespace(TRAINERS[namespace.family].Config, namespace)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse(argv)
    try:
        run(args.family, TRAINERS[args.family], args, argv)   # args.family: the Config's class attribute
    except (MnistUnavailable, ClipsUnavailable) as error:   # the data is missing: say how to get it
        raise SystemExit(str(error)) from None
