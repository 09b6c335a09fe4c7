"""python -m gen_core.train FAMILY --out DIR [options]; FAMILY --help lists a family's flags."""
from __future__ import annotations

import argparse

from gen_core.train import cgan, classifier
from gen_core.train.loop import add_common_arguments, run

TRAINERS = {"cgan": cgan, "classifier": classifier}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gen_core.train")
    families = parser.add_subparsers(dest="family", required=True, metavar="FAMILY",
                                      help=f"one of: {', '.join(TRAINERS)}")
    for name, module in TRAINERS.items():
        sub = families.add_parser(name, help=module.__doc__.splitlines()[0])
        add_common_arguments(sub)
        module.add_arguments(sub)
    args = parser.parse_args(argv)
    run(args.family, TRAINERS[args.family].build, args)


if __name__ == "__main__":
    main()
