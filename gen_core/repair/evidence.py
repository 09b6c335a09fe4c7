"""What a corrupted digit tells about the clean one: y seen through a per-pixel binary symmetric channel.

A hidden pixel carries no information; an observed pixel was flipped with probability `flip`
(0 = seen exactly, 0.5 = pure noise). Masks (inpainting), sub-grids (super-resolution) and flips
(denoising) are then one likelihood, p(y | x) = prod_i over observed pixels of (1 - flip) if
y_i = x_i else flip, and every sampler below works with any of them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Evidence:
    y: torch.Tensor          # what was seen, binary; 0 where hidden
    observed: torch.Tensor   # 1 where the pixel was seen (through the channel), 0 where hidden
    flip: float = 0.0        # the channel's flip probability on observed pixels

    def __post_init__(self):
        if self.y.shape != self.observed.shape:
            raise ValueError(f"y {tuple(self.y.shape)} and observed {tuple(self.observed.shape)} differ in shape")
        if not 0.0 <= self.flip <= 0.5:
            raise ValueError(f"flip must be in [0, 0.5]; got {self.flip}")
        for name, t in (("y", self.y), ("observed", self.observed)):
            if not bool(((t == 0) | (t == 1)).all()):
                raise ValueError(f"{name} must be binary (0 or 1 in every pixel)")

    @classmethod
    def of(cls, x: torch.Tensor, observed: torch.Tensor, flip: float = 0.0) -> "Evidence":
        """The evidence of a seen image x: its observed pixels, hidden ones zeroed."""
        observed = observed.to(x.dtype)
        return cls(x * observed, observed, float(flip))

    @property
    def exact(self) -> torch.Tensor:
        """Pixels known exactly (observed through a channel that never flips): every sampler keeps them."""
        return (self.observed > 0) if self.flip == 0 else torch.zeros_like(self.observed, dtype=torch.bool)

    @property
    def hides_nothing(self) -> bool:
        """True where every pixel was seen (through the channel): a denoising, not a completion."""
        return bool(self.observed.all())

    @property
    def scored(self) -> torch.Tensor:
        """The pixels a repair is scored on: the hidden ones, or every pixel where none is hidden."""
        return torch.ones_like(self.y) if self.hides_nothing else 1 - self.observed

    def log_odds(self) -> torch.Tensor:
        """log p(y_i | x_i = 1) - log p(y_i | x_i = 0) for pixels not known exactly (0 where hidden)."""
        if self.flip in (0.0, 0.5):
            return torch.zeros_like(self.y)
        return self.observed * (2 * self.y - 1) * math.log((1 - self.flip) / self.flip)

    def draw(self, logits: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """x ~ p(x | z, y) given the decoder's logits for z: per pixel, the prior logit plus the channel's
        log odds; exactly known pixels are copied."""
        probs = torch.sigmoid(logits + self.log_odds().to(logits.device))
        drawn = torch.bernoulli(probs.cpu(), generator=generator).to(logits.device)
        return torch.where(self.exact.to(logits.device), self.y.to(logits.device), drawn)

    def log_likelihood(self, x: torch.Tensor) -> torch.Tensor:
        """log p(y | x) per image (nats); -inf where x disagrees with an exactly known pixel."""
        same = (x == self.y.to(x.device)).to(x.dtype)
        if self.flip == 0:
            return torch.where(((1 - same) * self.observed.to(x.device)).flatten(1).sum(1) > 0, -math.inf, 0.0)
        per_pixel = same * math.log(1 - self.flip) + (1 - same) * math.log(self.flip)
        return (per_pixel * self.observed.to(x.device)).flatten(1).sum(1)

    def marginal_log_likelihood(self, logits: torch.Tensor) -> torch.Tensor:
        """log p(y | z) = sum over observed pixels of log sum_x p(x_i | z) p(y_i | x_i), per image (nats).
        One seen image may be scored against many z (logits (k, ...) for y (1, ...))."""
        y, observed = self.y.to(logits.device).expand_as(logits), self.observed.to(logits.device).expand_as(logits)
        log_match = -F.binary_cross_entropy_with_logits(logits, y, reduction="none")   # log p(x_i = y_i | z)
        if self.flip > 0:
            log_miss = -F.binary_cross_entropy_with_logits(logits, 1 - y, reduction="none")
            log_match = torch.logaddexp(log_match + math.log(1 - self.flip), log_miss + math.log(self.flip))
        return (log_match * observed).flatten(1).sum(1)
