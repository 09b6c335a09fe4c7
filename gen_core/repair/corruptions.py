"""Corruptions of binary digits, each able to corrupt a clean batch and say what it left seen.

Masks hide pixels (inpainting), a sub-grid keeps one pixel in `stride` along each axis
(super-resolution is completion on a regular mask), and flips pass every pixel through a binary
symmetric channel (denoising). `amount` is the one strength each kind takes.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from gen_core.repair.evidence import Evidence

SIDE = 28


def _rows_hidden(n: int, amount: float, generator) -> torch.Tensor:
    observed = torch.ones(n, 1, SIDE, SIDE)
    observed[:, :, SIDE - int(amount):] = 0
    return observed


def _centre(n: int, amount: float, generator) -> torch.Tensor:
    observed, start = torch.ones(n, 1, SIDE, SIDE), (SIDE - int(amount)) // 2
    observed[:, :, start:start + int(amount), start:start + int(amount)] = 0
    return observed


def _random(n: int, amount: float, generator) -> torch.Tensor:
    return (torch.rand(n, 1, SIDE, SIDE, generator=generator) >= amount).float()


def _grid(n: int, amount: float, generator) -> torch.Tensor:
    observed = torch.zeros(n, 1, SIDE, SIDE)
    observed[:, :, ::int(amount), ::int(amount)] = 1
    return observed


def _turn(turns: int):
    """A rows-hidden-at-the-bottom mask rotated so the hidden side is another one."""
    return lambda n, amount, generator: torch.rot90(_rows_hidden(n, amount, generator), turns, (2, 3)).contiguous()


# kind -> (observed-mask maker or None for flips, (low, high), default amount, what the amount is)
KINDS = {
    "hide bottom": (_rows_hidden, (1, 27), 14, "rows hidden"),
    "hide top": (_turn(2), (1, 27), 14, "rows hidden"),
    "hide left": (_turn(-1), (1, 27), 14, "columns hidden"),
    "hide right": (_turn(1), (1, 27), 14, "columns hidden"),
    "hide centre": (_centre, (2, 26), 12, "side of the hidden square"),
    "hide random": (_random, (0.05, 0.95), 0.5, "fraction of pixels hidden"),
    "sub-grid": (_grid, (2, 4), 2, "stride: 2 keeps 14x14, 4 keeps 7x7"),
    "flip": (None, (0.0, 0.5), 0.1, "flip probability"),
}


@dataclass(frozen=True)
class Corruption:
    kind: str
    amount: float

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        low, high = KINDS[self.kind][1]
        if not low <= self.amount <= high:
            raise ValueError(f"{self.kind}: {KINDS[self.kind][3]} must be from {low} to {high}; got {self.amount}")

    @property
    def key(self) -> str:
        """A short machine name, e.g. bottom14, random50, grid7, flip10."""
        word = self.kind.split()[-1].replace("sub-grid", "grid")
        if self.kind == "sub-grid":
            return f"grid{SIDE // int(self.amount)}"
        return f"{word}{round(self.amount * 100) if self.amount < 1 else int(self.amount)}"

    @property
    def label(self) -> str:
        if self.kind == "sub-grid":
            side = SIDE // int(self.amount)
            return f"only a {side}x{side} sub-grid seen"
        if self.kind == "flip":
            return f"each pixel flipped with p = {self.amount:g}"
        if self.kind == "hide random":
            return f"{self.amount:.0%} of pixels hidden at random"
        if self.kind == "hide centre":
            return f"centre {int(self.amount)}x{int(self.amount)} hidden"
        return f"{self.kind.split()[1]} {int(self.amount)} {KINDS[self.kind][3]}"

    def observe(self, x: torch.Tensor, generator: torch.Generator | None = None) -> Evidence:
        """What is seen of the clean binary digits x (n, 1, 28, 28)."""
        make = KINDS[self.kind][0]
        if make is None:
            flips = torch.bernoulli(torch.full(x.shape, float(self.amount)), generator=generator).to(x.device)
            return Evidence((x + flips) % 2, torch.ones_like(x), float(self.amount))
        return Evidence.of(x, make(len(x), self.amount, generator).to(x.device))


# The evaluator's set: the halves, a centre square, random pixels, both sub-grids, and flips
STANDARD = (Corruption("hide bottom", 14), Corruption("hide top", 14), Corruption("hide left", 14),
            Corruption("hide right", 14), Corruption("hide centre", 12), Corruption("hide random", 0.5),
            Corruption("hide random", 0.75), Corruption("sub-grid", 2), Corruption("sub-grid", 4),
            Corruption("flip", 0.1))
