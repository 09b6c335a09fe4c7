"""Train the VAE on dynamically binarized MNIST (a fresh Bernoulli draw of each image every time)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from gen_core.models.vae import VAE, VAEConfig
from gen_core.train.config import MnistConfig, flag
from gen_core.train.loop import Batch, Runtime, Task, cosine_schedule, mnist_stream, unwrap


@dataclass(frozen=True)
class Config(MnistConfig):
    """The flags of `python -m gen_core.train vae`."""

    family: ClassVar[str] = "vae"
    steps: int = 20000
    batch_size: int = 64
    latent_dim: int = flag(16)
    width: int = flag(32)
    hidden: int = flag(256)
    lr: float = flag(1e-3, "peak learning rate (cosine decay to 0)")
    warmup: int = flag(2000, "steps over which the KL weight rises 0 -> 1")


class VAETask(Task):
    def __init__(self, args: Config, runtime: Runtime):
        self.args = args
        self.vae = runtime.wrap(VAE(VAEConfig(latent_dim=args.latent_dim, width=args.width, hidden=args.hidden)))
        self.opt = torch.optim.Adam(self.vae.parameters(), lr=args.lr)
        self.sched = cosine_schedule(self.opt, args.steps)
        self.steps_done = 0

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        images, _ = batch
        # Dynamic binarization: a fresh Bernoulli(pixel) draw each time (uniforms drawn on the CPU rng).
        x = (torch.rand(images.shape, generator=rng).to(images.device) < images).float()
        self.vae.train()
        reconstruction, kl = self.vae(x, rng)
        beta = min(1.0, (self.steps_done + 1) / max(1, self.args.warmup))
        loss = -(reconstruction - beta * kl).mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.sched.step()
        self.steps_done += 1
        return {"nelbo": (kl - reconstruction).mean().item(), "kl": kl.mean().item()}

    def state_dict(self) -> dict[str, Any]:
        return {"vae": unwrap(self.vae).state_dict(), "opt": self.opt.state_dict(), "sched": self.sched.state_dict(),
                "steps_done": self.steps_done}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        unwrap(self.vae).load_state_dict(state["vae"])
        self.opt.load_state_dict(state["opt"])
        self.sched.load_state_dict(state["sched"])
        self.steps_done = state["steps_done"]

    def export(self) -> VAE:
        return unwrap(self.vae)


def build(args: Config, runtime: Runtime) -> VAETask:
    return VAETask(args, runtime)


stream = mnist_stream
