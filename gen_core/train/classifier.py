"""Train the MNIST classifier (the evaluator) with light affine augmentation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch
import torch.nn.functional as F

from gen_core.base import HubModel
from gen_core.models.classifier import ClassifierConfig, MNISTClassifier
from gen_core.train.augment import affine_warp
from gen_core.train.config import MnistConfig, flag
from gen_core.train.loop import Batch, Runtime, Task, mnist_stream, unwrap


@dataclass(frozen=True)
class Config(MnistConfig):
    """The flags of `python -m gen_core.train classifier`."""

    family: ClassVar[str] = "classifier"
    steps: int = 2500
    batch_size: int = 64
    lr: float = flag(1e-3)
    rotate: float = flag(12.0, "max rotation, degrees")
    shift: float = flag(2.5, "max shift, pixels")


def random_affine(x: torch.Tensor, rng: torch.Generator, rotate_deg: float, shift_px: float) -> torch.Tensor:
    """Rotate, scale (0.9-1.1) and shift each image by a random amount: (B, 1, 28, 28) -> same."""
    u = torch.rand(len(x), 4, generator=rng).to(x.device) * 2 - 1  # (B, 4) in [-1, 1]
    return affine_warp(x, u, rotate_deg, 2 * shift_px / 28)  # affine_grid works in [-1, 1] coordinates


class ClassifierTask(Task):
    """Cross-entropy training of one classifier network with a OneCycle learning rate peaking at `lr`
    over `steps`; a subclass says how its inputs are augmented. Shared by the project's evaluators."""

    def __init__(self, net: torch.nn.Module, lr: float, steps: int, runtime: Runtime):
        self.net = runtime.wrap(net)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=lr)
        self.sched = torch.optim.lr_scheduler.OneCycleLR(self.opt, max_lr=lr, total_steps=steps)

    def augment(self, inputs: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
        raise NotImplementedError

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        inputs, labels = batch
        self.net.train()
        loss = F.cross_entropy(self.net(self.augment(inputs, rng)), labels)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.sched.step()
        return {"loss": loss.item()}

    def state_dict(self) -> dict[str, Any]:
        return {"net": unwrap(self.net).state_dict(), "opt": self.opt.state_dict(), "sched": self.sched.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        unwrap(self.net).load_state_dict(state["net"])
        self.opt.load_state_dict(state["opt"])
        self.sched.load_state_dict(state["sched"])

    def export(self) -> HubModel:
        return unwrap(self.net)


class MNISTClassifierTask(ClassifierTask):
    """The digit classifier's step on randomly rotated, scaled and shifted digits."""

    def __init__(self, net: MNISTClassifier, lr: float, steps: int, rotate_deg: float, shift_px: float, runtime: Runtime):
        super().__init__(net, lr, steps, runtime)
        self.rotate_deg, self.shift_px = rotate_deg, shift_px

    def augment(self, images: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
        return random_affine(images, rng, self.rotate_deg, self.shift_px)


def build(args: Config, runtime: Runtime) -> MNISTClassifierTask:
    return MNISTClassifierTask(MNISTClassifier(ClassifierConfig()), args.lr, args.steps, args.rotate, args.shift, runtime)


stream = mnist_stream
