"""What the raster-order binary image models (PixelCNN, MADE) share: the chain rule
    log p(x) = sum_i log p(x_i | x_<i),    x_i in {0, 1}, i in raster order (row by row, left to right),
scoring from one teacher-forced pass, and sampling one pixel at a time.

A model provides `logits(x, labels)` (every pixel's Bernoulli logit from one teacher-forced pass) and
a `Stepper`, which gives the logit of pixel (row, column) for the image as it is so far. Sampling
draws one uniform per pixel up front (u < p draws a 1), so every stepper gives the same digits for
the same seed: the full-pass stepper (`FullPass`, one whole pass per pixel) is the reference that
the fast ones are tested against.
"""
from __future__ import annotations

import math
from typing import Iterator, Protocol

import torch
import torch.nn.functional as F

SIDE = 28
PIXELS = SIDE * SIDE


class Stepper(Protocol):
    def start_row(self, row: int) -> None:
        """Called before the first pixel of `row` is drawn (the pixels above are final)."""

    def logit(self, row: int, column: int) -> torch.Tensor:
        """(n,) the logit of pixel (row, column) given every pixel before it in raster order."""


class FullPass:
    """The reference: one whole teacher-forced pass per pixel (784 passes per digit)."""

    def __init__(self, model, x: torch.Tensor, labels: torch.Tensor | None):
        self.model, self.x, self.labels = model, x, labels

    def start_row(self, row: int) -> None:
        pass

    def logit(self, row: int, column: int) -> torch.Tensor:
        return self.model.logits(self.x, self.labels)[:, 0, row, column]


def check_binary_images(x: torch.Tensor, what: str = "x") -> None:
    if x.dim() != 4 or tuple(x.shape[1:]) != (1, SIDE, SIDE):
        raise ValueError(f"{what} must be (n, 1, {SIDE}, {SIDE}); got {tuple(x.shape)}")
    if not bool(((x == 0) | (x == 1)).all()):
        raise ValueError(f"{what} must be binary (0 or 1 in every pixel)")


def bernoulli_log_prob(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per-pixel log p(x_i | x_<i), the same shape as x."""
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none")


class RasterSampling:
    """Mixin for a HubModel with `logits(x, labels)` and `stepper(x, labels)`: conditionals,
    log_prob, sample and sample_steps in raster order."""

    def conditionals(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """(n, 1, 28, 28): p(x_i = 1 | x_<i) at every pixel, from one teacher-forced pass."""
        check_binary_images(x)
        with torch.no_grad():
            return torch.sigmoid(self.logits(x.to(self.device), labels))

    def log_prob(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """(n,) exact log p(x) in nats for binary x (n, 1, 28, 28)."""
        check_binary_images(x)
        x = x.to(self.device)
        with torch.no_grad():
            return bernoulli_log_prob(self.logits(x, labels), x).flatten(1).sum(1)

    def stepper(self, x: torch.Tensor, labels: torch.Tensor | None) -> Stepper:
        return FullPass(self, x, labels)

    @torch.no_grad()
    def sample_steps(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None,
                     temperature: float = 1.0, given: torch.Tensor | None = None, mask: torch.Tensor | None = None,
                     every: int = SIDE, fast: bool = True) -> Iterator[torch.Tensor]:
        """The digits as they are drawn: float (n, 1, 28, 28) in {0, 1} after every `every` pixels drawn
        (default: every row) and at the end; pixels not drawn yet are 0. With `given` and `mask`
        (1 = observed, broadcast to (n, 1, 28, 28)), observed pixels are kept and only the others are
        drawn, in raster order. p = sigmoid(logit / temperature). `fast=False` uses one whole pass per
        pixel (the reference)."""
        if not (math.isfinite(temperature) and temperature > 0):
            raise ValueError(f"temperature must be a positive number; got {temperature}")
        if every < 1:
            raise ValueError(f"every must be at least 1; got {every}")
        dtype = next(self.parameters()).dtype
        x, todo = _start(n, given, mask, self.device, dtype)
        labels = self.sampling_labels(labels, x, todo, generator)
        uniforms = torch.rand(n, SIDE, SIDE, generator=generator, dtype=dtype).to(self.device)
        stepper = self.stepper(x, labels) if fast else FullPass(self, x, labels)
        drawn = 0
        for row in range(SIDE):
            if not todo[:, row].any():
                continue
            stepper.start_row(row)
            for column in range(SIDE):
                wanted = todo[:, row, column]
                if not wanted.any():
                    continue
                p = torch.sigmoid(stepper.logit(row, column) / temperature)
                x[:, 0, row, column] = torch.where(wanted, (uniforms[:, row, column] < p).to(x.dtype),
                                                   x[:, 0, row, column])
                drawn += 1
                if drawn % every == 0:
                    yield x.clone()
        if drawn % every:
            yield x.clone()
        elif drawn == 0:
            yield x.clone()

    def generate(self, n: int, *, generator: torch.Generator | None = None, labels: torch.Tensor | None = None,
                 **options) -> torch.Tensor:
        """float (n, 1, 28, 28) in {0, 1}; the options of sample_steps."""
        for x in self.sample_steps(n, labels, generator=generator, every=PIXELS, **options):
            pass
        return x

    def sampling_labels(self, labels: torch.Tensor | None, x: torch.Tensor, todo: torch.Tensor,
                        generator: torch.Generator | None) -> torch.Tensor | None:
        """The labels the network is run with while sampling x (the canvas, observed pixels set) at the
        pixels `todo`; unconditional models: None."""
        if labels is not None:
            raise ValueError(f"{type(self).__name__} is unconditional: labels must be None")
        return None


def _start(n: int, given: torch.Tensor | None, mask: torch.Tensor | None, device: torch.device,
           dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """The canvas (observed pixels set, the rest 0) and the pixels to draw, (n, 28, 28) bool."""
    if (given is None) != (mask is None):
        raise ValueError("given and mask come together")
    if given is None:
        return torch.zeros(n, 1, SIDE, SIDE, device=device, dtype=dtype), torch.ones(n, SIDE, SIDE, dtype=torch.bool, device=device)
    given = given.to(device, dtype).expand(n, 1, SIDE, SIDE)
    observed = mask.to(device).expand(n, 1, SIDE, SIDE) > 0
    check_binary_images(given, "given")
    return torch.where(observed, given, torch.zeros_like(given)).contiguous(), ~observed[:, 0]
