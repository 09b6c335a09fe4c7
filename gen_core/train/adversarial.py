"""Pieces shared by the GAN trainers: the generator's weight average and the two-network task state."""
from __future__ import annotations

import copy
from typing import Any

import torch

from gen_core.base import HubModel
from gen_core.train.loop import unwrap


class EMA:
    """An exponential moving average of a generator's weights (buffers such as batch-norm statistics
    are copied): the network that GAN trainers export."""

    def __init__(self, live: torch.nn.Module, decay: float):
        self.model = copy.deepcopy(live).eval().requires_grad_(False)
        self.decay = decay

    @torch.no_grad()
    def update(self, live: torch.nn.Module) -> None:
        for ema_p, p in zip(self.model.parameters(), live.parameters()):
            ema_p.lerp_(p, 1 - self.decay)
        for ema_b, b in zip(self.model.buffers(), live.buffers()):
            ema_b.copy_(b)


class AdversarialTask:
    """Checkpoint state and export for a task with `generator`, `discriminator`, their optimizers
    `opt_g` and `opt_d`, and an `ema` of the generator (what is exported)."""

    generator: torch.nn.Module
    discriminator: torch.nn.Module
    ema: EMA
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer

    def state_dict(self) -> dict[str, Any]:
        return {"generator": unwrap(self.generator).state_dict(), "discriminator": unwrap(self.discriminator).state_dict(),
                "ema": self.ema.model.state_dict(), "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        unwrap(self.generator).load_state_dict(state["generator"])
        unwrap(self.discriminator).load_state_dict(state["discriminator"])
        self.ema.model.load_state_dict(state["ema"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])

    def export(self) -> HubModel:
        return self.ema.model
