"""Train a 2-D energy-based model by contrastive divergence or by denoising score matching (fresh samples every step)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import torch

from gen_core.models.energy import QUADRATURE_EXTENT, Energy2D, EnergyConfig
from gen_core.train import flow
from gen_core.train.config import TrainConfig, flag, model_config
from gen_core.sampling import dsm_loss, energy_score
from gen_core.train.loop import Batch, Runtime, Stream, Task, cosine_schedule, unwrap


WARM_START_KEYS = ("density", "method", "hidden", "layers", "sigma_min", "sigma_max", "noise_levels", "envelope")
FP_GROUPS = 8   # noise levels per step of the Fokker-Planck term, each on an eighth of the batch


@dataclass(frozen=True)
class Config(TrainConfig):
    """The flags of `python -m gen_core.train energy`."""

    family: ClassVar[str] = "energy"
    steps: int = 6000
    batch_size: int = 512
    model: EnergyConfig = model_config(EnergyConfig)   # --density, --method, --hidden, ...: the model's own flags
    lr: float = flag(1e-3, "peak learning rate (cosine decay to 0)")
    chain_steps: int = flag(100, "cd: Langevin steps of the persistent training chains per step")
    buffer: int = flag(10_000, "cd: replay buffer of chain states")
    restart: float = flag(0.05, "cd: fraction of chains restarted from uniform noise")
    alpha: float = flag(0.001, "cd: weight of the energy^2 regularizer (0.01: KL 0.070 on moons, 0.001: 0.049)")
    fokker_planck: float = flag(0.0, "dsm: weight of the heat equation's residual between noise levels, which ties the "
                                     "modes' weights at sigma-min to the levels where the modes merge (0: plain DSM)")


def heat_residual(model: torch.nn.Module, x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """σ² (∂E/∂t − ½ ΔE + ½ ‖∇E‖²) at (x, σ), t = σ², (n,). The data blurred by N(0, σ²) obey the heat
    equation ∂p/∂t = ½ Δp (the Fokker-Planck equation of adding noise); for p_σ = exp(−E(·, σ)) / Z(σ)
    that reads ∂E/∂t − ½ ΔE + ½ ‖∇E‖² = −d log Z / dt, the same at every x. The σ² makes it O(1) at every level."""
    x, sigma = x.detach().requires_grad_(True), sigma.detach().requires_grad_(True)
    grad_x, grad_sigma = torch.autograd.grad(model(x, sigma).sum(), (x, sigma), create_graph=True)
    laplacian = sum(torch.autograd.grad(grad_x[:, i].sum(), x, create_graph=True)[0][:, i] for i in range(x.shape[1]))
    return sigma ** 2 * (grad_sigma / (2 * sigma) - 0.5 * laplacian + 0.5 * (grad_x ** 2).sum(1))


def fokker_planck_loss(model: torch.nn.Module, x: torch.Tensor, sigma: torch.Tensor, groups: int) -> torch.Tensor:
    """The heat residual's variance over x within each of `groups` noise levels (x̃ = x + σ n, the
    batch split evenly, one σ per group), averaged: zero when the energies of all levels are one blurred
    density. DSM alone trains each level's score, which cannot see how much mass each of two separated
    modes holds at small σ; this term carries the weights that large σ sees down to σ_min (in the spirit
    of Lai et al. 2023's score Fokker-Planck regularizer)."""
    return heat_residual(model, x, sigma).view(groups, -1).var(1).mean()


def replay_slots(size: int, n: int, rng: torch.Generator) -> torch.Tensor:
    """n distinct slots of a replay buffer of `size` chains. Drawn with replacement, two chains of a
    batch could share a slot, and which end state the buffer kept would be up to the indexing (a run
    resumed from a checkpoint then differed from the run in one go)."""
    return torch.randperm(size, generator=rng)[:n]


def check_buffer(buffer: int, batch_size: int) -> None:
    if buffer < batch_size:
        raise SystemExit(f"--buffer must hold at least a batch of chains (--batch-size {batch_size}), got {buffer}")


def contrastive_loss(data_energy: torch.Tensor, chain_energy: torch.Tensor, alpha: float) -> dict[str, torch.Tensor]:
    """Contrastive divergence's loss: the data's mean energy down, the chains' up, with Du & Mordatch's
    regularizer alpha * mean(E^2) on both, which keeps the energies near zero."""
    contrast = data_energy.mean() - chain_energy.mean()
    return {"loss": contrast + alpha * (data_energy ** 2 + chain_energy ** 2).mean(), "contrast": contrast}


class EnergyTask(Task):
    def __init__(self, args: Config, runtime: Runtime):
        self.args = args
        self.model = runtime.wrap(Energy2D(args.model))
        self.opt = torch.optim.Adam(self.model.parameters(), lr=args.lr)
        self.sched = cosine_schedule(self.opt, args.steps)
        g = torch.Generator().manual_seed(args.seed)
        self.replay = self._noise(args.buffer, g).to(runtime.device)

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        (x,) = batch
        self.model.train()
        losses = self._dsm(x, rng) if self.args.model.method == "dsm" else self._cd(x, rng)
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
        losses = {"loss": dsm_loss(energy_score(self.model), x, sigma, noise)}
        if self.args.fokker_planck:
            # levels log-uniform over [sigma_min, sigma_max], each on its share of a fresh noising of the batch
            low, high = math.log(self.args.model.sigma_min), math.log(self.args.model.sigma_max)
            groups = max(1, min(FP_GROUPS, len(x) // 2))   # at least two points a group for a variance
            levels = torch.exp(low + (high - low) * torch.rand(groups, generator=rng))
            sigma = levels.repeat_interleave(len(x) // groups).to(x.device)
            noisy = x[:len(sigma)] + sigma[:, None] * torch.randn(len(sigma), 2, generator=rng).to(x.device)
            losses["fokker_planck"] = fokker_planck_loss(self.model, noisy, sigma, groups)
            losses["loss"] = losses["loss"] + self.args.fokker_planck * losses["fokker_planck"]
        return losses

    def _cd(self, x: torch.Tensor, rng: torch.Generator) -> dict[str, torch.Tensor]:
        """Persistent chains from the replay buffer (a fraction restarted from noise), run
        --chain-steps Langevin steps; the loss pulls the data's energy down and the chains' up."""
        args, model = self.args, unwrap(self.model)
        pick = replay_slots(len(self.replay), len(x), rng)
        start = self.replay[pick]
        fresh = torch.rand(len(x), generator=rng).to(x.device) < args.restart
        noise_start = self._noise(len(x), rng).to(x.device)
        start = torch.where(fresh[:, None], noise_start, start)
        model.eval()
        for chains in model.langevin(start, args.chain_steps, args.model.step_size, generator=rng):
            pass
        self.replay[pick] = chains
        self.model.train()
        return contrastive_loss(self.model(x), self.model(chains), args.alpha)

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

    def warm_start(self, directory: Path) -> None:
        """--init-from: fine-tune exported weights (e.g. plain DSM, then with --fokker-planck); the network's
        density, sizes and noise levels must be the ones these flags ask for."""
        model, saved = unwrap(self.model), Energy2D.from_pretrained(directory)
        differ = [f"{key} {getattr(saved.config, key)!r} (flags: {getattr(model.config, key)!r})" for key in WARM_START_KEYS
                  if getattr(saved.config, key) != getattr(model.config, key)]
        if differ:
            raise RuntimeError("the exported weights differ from the flags in " + ", ".join(differ))
        model.load_state_dict(saved.state_dict())


def build(args: Config, runtime: Runtime) -> EnergyTask:
    if args.model.method == "cd":
        check_buffer(args.buffer, args.batch_size)
    return EnergyTask(args, runtime)


def stream(args: Config, runtime: Runtime, start_step: int) -> Stream:
    """Fresh draws of the model's density, as the flows train on."""
    return flow.density_stream(args.model.density, args, runtime, start_step)
