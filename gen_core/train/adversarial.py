"""Pieces shared by the GAN trainers: the generator's weight average and the two-network task state."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import safetensors.torch
import torch
import torch.distributed as dist

from gen_core.base import HubModel
from gen_core.train.loop import Runtime, Task, unwrap


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


class AdversarialTask(Task):
    """Checkpoint state and export for a task with `generator`, `discriminator`, their optimizers
    `opt_g` and `opt_d`, and an `ema` of the generator (what is exported).

    `frozen` names attributes that hold frozen helper networks fitted once before the game (None
    until then, or when unused), such as WaveGAN's guide classifier and InfoGAN's clusterer:
    `fit_frozen` fits one once, checkpoints carry them, so a resumed run does not fit them again.
    `new_frozen(name)` builds an empty one for a checkpoint or the main process to fill."""

    generator: torch.nn.Module
    discriminator: torch.nn.Module
    ema: EMA
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    runtime: Runtime
    frozen: tuple[str, ...] = ()

    def new_frozen(self, name: str) -> torch.nn.Module:
        raise NotImplementedError(f"{type(self).__name__} has no frozen network {name!r}")

    def fit_frozen(self, name: str, fit: Callable[[], torch.nn.Module]) -> None:
        """Set the frozen helper `name` to `fit()`. Under torchrun only the main process fits it and
        the others receive its weights: the fit is paid once, and every process holds the same helper
        even where kernels are nondeterministic."""
        module = fit() if self.runtime.is_main else self.new_frozen(name)
        if self.runtime.distributed:
            state = [{k: v.cpu() for k, v in module.state_dict().items()} if self.runtime.is_main else None]
            dist.broadcast_object_list(state, src=0)
            module.load_state_dict(state[0])
        setattr(self, name, module.eval().requires_grad_(False))

    def state_dict(self) -> dict[str, Any]:
        state = {"generator": unwrap(self.generator).state_dict(), "discriminator": unwrap(self.discriminator).state_dict(),
                 "ema": self.ema.model.state_dict(), "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict()}
        state.update({name: getattr(self, name).state_dict() for name in self.frozen if getattr(self, name) is not None})
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        unwrap(self.generator).load_state_dict(state["generator"])
        unwrap(self.discriminator).load_state_dict(state["discriminator"])
        self.ema.model.load_state_dict(state["ema"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        for name in self.frozen:
            if name in state:
                module = getattr(self, name) or self.new_frozen(name)
                module.load_state_dict(state[name])
                setattr(self, name, module.eval().requires_grad_(False))

    def export(self) -> HubModel:
        return self.ema.model

    def warm_start(self, directory: Path) -> None:
        """Start a fine-tune: the live generator and its average both become the exported generator in
        `directory` (--init-from). The discriminator and the optimizers start afresh."""
        for model in (unwrap(self.generator), self.ema.model):
            safetensors.torch.load_model(model, str(directory / "model.safetensors"), strict=True)


def gradient_penalty(score: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, fake: torch.Tensor,
                     rng: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """WGAN-GP (Gulrajani et al. 2017): the critic's scores on [real; fake; interpolates] from one
    forward (DDP wants one forward per backward), and E[(||grad_x D(x_hat)||_2 - 1)^2] at
    x_hat = eps * real + (1 - eps) * fake, eps ~ U(0, 1) per example. `score` maps a (3B, ...) batch
    to (3B,) critic scores (a conditional critic repeats its condition 3 times).
    Returns (scores on real and fake (2B,), penalty)."""
    b = len(real)
    eps = torch.rand((b,) + (1,) * (real.dim() - 1), generator=rng).to(real.device)
    between = (eps * real + (1 - eps) * fake).requires_grad_(True)
    scores = score(torch.cat([real, fake, between]))
    grad, = torch.autograd.grad(scores[2 * b:].sum(), between, create_graph=True)
    penalty = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
    return scores[:2 * b], penalty
