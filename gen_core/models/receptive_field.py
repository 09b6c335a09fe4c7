"""Which input pixels an output pixel reads, measured from a network's gradients, and the plain masked
convolution stack (van den Oord et al. 2016, PixelRNN paper, mask A then mask B) whose blind spot the
gated PixelCNN's two stacks remove."""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from gen_core.models.autoregressive import SIDE


class MaskedConv2d(nn.Conv2d):
    """A k x k convolution that reads only the pixels above, and to the left in the same row (mask A:
    not the centre itself; mask B: the centre too)."""

    def __init__(self, inputs: int, outputs: int, kernel: int, mask_type: str):
        super().__init__(inputs, outputs, kernel, padding=kernel // 2)
        mask = torch.ones(kernel, kernel)
        mask[kernel // 2, kernel // 2 + (mask_type == "B"):] = 0
        mask[kernel // 2 + 1:] = 0
        self.register_buffer("mask", mask[None, None], persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


class MaskedConvStack(nn.Module):
    """A plain PixelCNN body: mask A, then `layers - 1` mask-B convolutions, ReLU between, one logit per pixel."""

    def __init__(self, layers: int, kernel: int, channels: int = 8):
        super().__init__()
        convs = [MaskedConv2d(1, channels, kernel, "A")]
        convs += [MaskedConv2d(channels, channels, kernel, "B") for _ in range(layers - 1)]
        self.convs = nn.ModuleList(convs)
        self.out = nn.Conv2d(channels, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv in self.convs:
            x = torch.relu(conv(x))
        return self.out(x)


def receptive_field(logits: Callable[[torch.Tensor], torch.Tensor], row: int, column: int,
                    x: torch.Tensor | None = None) -> torch.Tensor:
    """(28, 28) bool: the input pixels with a non-zero gradient of the logit at (row, column), at the
    image x (default: a fixed random binary one), summed over a few inputs so that no gradient vanishes
    by chance (a gated unit can saturate at one input)."""
    if not (0 <= row < SIDE and 0 <= column < SIDE):
        raise ValueError(f"row and column must be 0-{SIDE - 1}; got ({row}, {column})")
    g = torch.Generator().manual_seed(0)
    inputs = x if x is not None else (torch.rand(4, 1, SIDE, SIDE, generator=g) < 0.3).float()
    inputs = inputs.clone().requires_grad_(True)
    with torch.enable_grad():
        logits(inputs)[:, 0, row, column].sum().backward()
    return inputs.grad.abs().sum(0)[0] > 0
