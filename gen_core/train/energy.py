"""Train a 2-D energy-based model by contrastive divergence or by denoising score matching (fresh samples every step)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from gen_core.data import toy2d
from gen_core.models.energy import METHODS, QUADRATURE_EXTENT, Energy2D, EnergyConfig
from gen_core.train import flow
from gen_core.train.config import TrainConfig, flag
from gen_core.train.loop import Batch, Runtime, Task, cosine_schedule, unwrap


@dataclass(frozen=True)
class Config(TrainConfig):
    """The flags of `python -m gen_core.train energy`."""

    family: ClassVar[str] = "energy"
    steps: int = 6000
    batch_size: int = 512
    density: str = flag(None, choices=toy2d.NAMES, required=True)
    method: str = flag("dsm", "cd: contrastive divergence with persistent Langevin chains; dsm: denoising score "
                              "matching over noise levels", choices=METHODS)
    hidden: int = flag(128)
    layers: int = flag(3)
    lr: float = flag(1e-3, "peak learning rate (cosine decay to 0)")
    sigma_min: float = flag(0.05, "the smallest noise level: the model's density")
    sigma_max: float = flag(3.0, "dsm: the largest noise level (about the data's spread: the far field is trained too)")
    noise_levels: int = flag(10, "dsm: noise levels, geometric from sigma-max to sigma-min")
    sampler_steps: int = flag(100, "the shipped sampler's Langevin steps")
    step_size: float = flag(0.01, "the shipped sampler's step size at sigma-min (cd: also the training chains')")
    chain_steps: int = flag(100, "cd: Langevin steps of the persistent training chains per step")
    buffer: int = flag(10_000, "cd: replay buffer of chain states")
    restart: float = flag(0.05, "cd: fraction of chains restarted from uniform noise")
    alpha: float = flag(0.001, "cd: weight of the energy^2 regularizer (0.01: KL 0.070 on moons, 0.001: 0.049)")
    envelope: float = flag(3.0, "s of the fixed Gaussian envelope |x|^2 / 2(s^2 + sigma^2) added to the network (0: none)")


def dsm_loss(model: torch.nn.Module, x: torch.Tensor, sigma: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """Denoising score matching (Vincent 2011) with Song & Ermon's weight σ²: for x̃ = x + σ n,
    mean over the batch of σ² ‖ −∇_x̃ E(x̃, σ) + n / σ ‖²."""
    noisy = (x + sigma[:, None] * noise).requires_grad_(True)
    (grad,) = torch.autograd.grad(model(noisy, sigma).sum(), noisy, create_graph=True)
    return (sigma[:, None] ** 2 * (-grad + noise / sigma[:, None]) ** 2).sum(1).mean()


class EnergyTask(Task):
    def __init__(self, args: Config, runtime: Runtime):
        self.args = args
        config = EnergyConfig(density=args.density, method=args.method, hidden=args.hidden, layers=args.layers,
                              sigma_min=args.sigma_min, sigma_max=args.sigma_max, noise_levels=args.noise_levels,
                              sampler_steps=args.sampler_steps, step_size=args.step_size, envelope=args.envelope)
        self.model = runtime.wrap(Energy2D(config))
        self.opt = torch.optim.Adam(self.model.parameters(), lr=args.lr)
        self.sched = cosine_schedule(self.opt, args.steps)
        g = torch.Generator().manual_seed(args.seed)
        self.replay = self._noise(args.buffer, g).to(runtime.device)

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        (x,) = batch
        self.model.train()
        losses = self._dsm(x, rng) if self.args.method == "dsm" else self._cd(x, rng)
        self.opt.zero_grad(set_to_none=True)
        losses["loss"].backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        self.sched.step()
        return {k: v.item() for k, v in losses.items()}

    def _dsm(self, x: torch.Tensor, rng: torch.Generator) -> dict[str, torch.Tensor]:
        sigmas = unwrap(self.model).sigmas()
        sigma = sigmas[torch.randint(len(sigmas), (len(x),), generator=rng)].to(x.device)
        noise = torch.randn(x.shape, generator=rng).to(x.device)
        return {"loss": dsm_loss(self.model, x, sigma, noise)}

    def _cd(self, x: torch.Tensor, rng: torch.Generator) -> dict[str, torch.Tensor]:
        """Persistent chains from the replay buffer (a fraction restarted from noise), run
        --chain-steps Langevin steps; the loss pulls the data's energy down and the chains' up."""
        args, model = self.args, unwrap(self.model)
        pick = torch.randint(len(self.replay), (len(x),), generator=rng)
        start = self.replay[pick]
        fresh = torch.rand(len(x), generator=rng).to(x.device) < args.restart
        noise_start = self._noise(len(x), rng).to(x.device)
        start = torch.where(fresh[:, None], noise_start, start)
        model.eval()
        for chains in model.langevin(start, args.chain_steps, args.step_size, generator=rng):
            pass
        self.replay[pick] = chains
        self.model.train()
        data_energy, chain_energy = self.model(x), self.model(chains)
        contrast = data_energy.mean() - chain_energy.mean()
        regularizer = args.alpha * (data_energy ** 2 + chain_energy ** 2).mean()
        return {"loss": contrast + regularizer, "contrast": contrast}

    @staticmethod
    def _noise(n: int, rng: torch.Generator) -> torch.Tensor:
        """Chain starts, uniform on the whole quadrature box: the far field, where the normalizer is
        integrated too, gets its energy pushed up wherever the chains find mass that the data lack."""
        return (torch.rand(n, 2, generator=rng) * 2 - 1) * QUADRATURE_EXTENT

    def state_dict(self) -> dict[str, Any]:
        return {"model": unwrap(self.model).state_dict(), "opt": self.opt.state_dict(), "sched": self.sched.state_dict(),
                "replay": self.replay}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        unwrap(self.model).load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])
        self.sched.load_state_dict(state["sched"])
        self.replay = state["replay"]

    def export(self) -> Energy2D:
        return unwrap(self.model)


def build(args: Config, runtime: Runtime) -> EnergyTask:
    return EnergyTask(args, runtime)


stream = flow.stream   # fresh draws of the density, as the flows train on
