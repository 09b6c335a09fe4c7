"""Train the VAE on dynamically binarized MNIST (a fresh Bernoulli draw of each image every time)."""
from __future__ import annotations

import argparse
from typing import Any

import torch

from gen_core.models.vae import VAE, VAEConfig
from gen_core.train.loop import Batch, Runtime, Task, add_mnist_arguments, cosine_schedule, mnist_stream, unwrap


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_mnist_arguments(parser)
    parser.add_argument("--latent-dim", type=int, default=16)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (cosine decay to 0)")
    parser.add_argument("--warmup", type=int, default=2000, help="steps over which the KL weight rises 0 -> 1")
    parser.set_defaults(steps=20000, batch_size=64)


class VAETask(Task):
    def __init__(self, args: argparse.Namespace, runtime: Runtime):
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


def build(args: argparse.Namespace, runtime: Runtime) -> VAETask:
    return VAETask(args, runtime)


stream = mnist_stream
