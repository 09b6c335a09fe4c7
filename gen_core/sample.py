"""Sample a grid of digits without a browser.

    python -m gen_core.sample cgan-mnist --digit 3 --n 16 --seed 0 --out grid.png
    python -m gen_core.sample cgan-mnist --digit all --n 8 --seed 0 --truncation 1.5 --out all.png
    python -m gen_core.sample gan-mnist dcgan-mnist wgan-gp-mnist sngan-mnist --n 8 --seed 0 --out family.png

The app shows the same command under every image; run it to get that image byte for byte.
"""
from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image

import gen_core
from gen_core.family import DIGIT_IMAGES
from gen_core.hub import REGISTRY
from gen_core.imaging import digit_grid, png_bytes
from gen_core.models import RECORDS

MAX_N = 64
MAX_SEED = 2 ** 32 - 1
IMAGE_MODELS = [name for name, entry in REGISTRY.items() if RECORDS[entry.family].output == DIGIT_IMAGES]


def _takes(name: str, condition: str) -> bool:
    return condition in RECORDS[REGISTRY[name].family].conditions


TOLD_DIGIT = [name for name in IMAGE_MODELS if _takes(name, "labels")]       # sampled alone, a row per digit
TRUNCATED = [name for name in IMAGE_MODELS if _takes(name, "truncation")]


@dataclass(frozen=True)
class DigitRecipe:
    """Everything that determines a grid of a model told digits. digit None means one row per digit."""

    model: str
    revision: str | None
    digit: int | None
    n: int
    seed: int
    truncation: float | None

    def command(self, out: str = "grid.png") -> str:
        parts = ["python -m gen_core.sample", self.model,
                 "--digit", "all" if self.digit is None else str(self.digit),
                 "--n", str(self.n), "--seed", str(self.seed)]
        if self.truncation is not None:
            parts += ["--truncation", repr(float(self.truncation))]
        if self.revision is not None:
            parts += ["--revision", self.revision]
        return " ".join(parts + ["--out", out])




@dataclass(frozen=True)
class FamilyRecipe:
    """Everything that determines a GAN-family grid: one row per model, all from the same seed."""

    models: tuple[str, ...]
    revisions: tuple[str | None, ...]  # Hub revision per model, None for embedded weights
    n: int
    seed: int

    def command(self, out: str = "family.png") -> str:
        parts = ["python -m gen_core.sample", *self.models, "--n", str(self.n), "--seed", str(self.seed)]
        if any(self.revisions):
            parts += ["--revision", ",".join(r or "" for r in self.revisions)]
        return " ".join(parts + ["--out", out])


def render_family(models: list[torch.nn.Module], labels: list[str], n: int, seed: int) -> Image.Image:
    """n samples of each unconditional model from one seed, a labelled row per model. Models with
    the same latent size get the same z, column by column."""
    rows = [model.sample(n, generator=torch.Generator().manual_seed(seed)) for model in models]
    return digit_grid(torch.cat(rows), columns=n, row_labels=labels)


def family_label(name: str) -> str:
    """'wgan-gp-mnist' -> 'WGAN-GP', the row label of the family grid."""
    return name.removesuffix("-mnist").upper()


def digit_labels(digit: int | None, n: int) -> torch.Tensor:
    """The label of each sample: n of `digit`, or n of each digit, row by row."""
    if digit is None:
        return torch.arange(10).repeat_interleave(n)
    return torch.full((n,), digit, dtype=torch.long)


def render_digits(model: torch.nn.Module, recipe: DigitRecipe) -> Image.Image:
    """Sample the recipe's digits with its seed and lay them out as the app and CLI show them."""
    labels = digit_labels(recipe.digit, recipe.n)
    generator = torch.Generator().manual_seed(recipe.seed)
    images = model.sample(len(labels), labels=labels, generator=generator, truncation=recipe.truncation)
    if recipe.digit is None:
        return digit_grid(images, columns=recipe.n, row_labels=[str(d) for d in range(10)])
    return digit_grid(images, columns=math.ceil(math.sqrt(recipe.n)))


def parse_digit(text: str) -> int | None:
    if text == "all":
        return None
    if text.isdigit() and 0 <= int(text) <= 9:
        return int(text)
    raise argparse.ArgumentTypeError(f"digit must be 0-9 or 'all', got {text!r}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gen_core.sample", description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", choices=IMAGE_MODELS, metavar="MODEL",
                        help=f"one model that takes a digit ({', '.join(TOLD_DIGIT)}), or one or more of the others "
                             f"(one row each): {', '.join(n for n in IMAGE_MODELS if n not in TOLD_DIGIT)}")
    parser.add_argument("--digit", type=parse_digit, default=None, help="a model that takes a digit: 0-9 or 'all' (default: all)")
    parser.add_argument("--n", type=int, default=8, help=f"samples (per digit with --digit all, per model), 1-{MAX_N}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--truncation", type=float, default=None, help="a model that takes it (cgan-mnist): keep |z| <= this "
                                                                           "(default: none)")
    parser.add_argument("--revision", default=None, help="Hub revision (default: embedded weights, then the pin); "
                        "for several models, one per model separated by commas")
    parser.add_argument("--out", type=Path, required=True, help="PNG file to write")
    args = parser.parse_args(argv)
    if not 1 <= args.n <= MAX_N:
        parser.error(f"--n must be between 1 and {MAX_N}")
    if not 0 <= args.seed <= MAX_SEED:
        parser.error(f"--seed must be between 0 and {MAX_SEED}")
    revisions = [r or None for r in args.revision.split(",")] if args.revision else [None] * len(args.models)
    if len(revisions) != len(args.models):
        parser.error(f"--revision names {len(revisions)} revisions for {len(args.models)} models")
    told = [name for name in args.models if name in TOLD_DIGIT]
    if args.truncation is not None and not set(args.models) <= set(TRUNCATED):
        parser.error("--truncation applies to models that take it: " + ", ".join(TRUNCATED))
    if told:
        if len(args.models) > 1:
            parser.error(f"{told[0]} takes a digit and is sampled on its own")
        recipe = DigitRecipe(told[0], args.revision, args.digit, args.n, args.seed, args.truncation)
        models = [gen_core.load(told[0], revision=args.revision, device="cpu")]
        image = render_digits(models[0], recipe)
    else:
        if args.digit is not None:
            parser.error("--digit applies to a model that takes a digit: " + ", ".join(TOLD_DIGIT))
        models = [gen_core.load(name, revision=r, device="cpu") for name, r in zip(args.models, revisions)]
        image = render_family(models, [family_label(name) for name in args.models], args.n, args.seed)
    args.out.write_bytes(png_bytes(image))
    origins = ", ".join(f"{m.source.name}: {m.source.origin} {m.source.revision}" for m in models)
    print(f"wrote {args.out} ({origins})", file=sys.stderr)


if __name__ == "__main__":
    main()
