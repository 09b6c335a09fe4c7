"""Train an energy-based model of MNIST digits by contrastive divergence with persistent Langevin chains."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from gen_core.models.digit_energy import REPLAY_KEPT, DigitEnergy, DigitEnergyConfig
from gen_core.train.config import MnistConfig, flag, model_config
from gen_core.train.energy import check_buffer, contrastive_loss, replay_slots
from gen_core.train.loop import Batch, Runtime, Task, mnist_stream, unwrap


@dataclass(frozen=True)
class Config(MnistConfig):
    """The flags of `python -m gen_core.train digit-energy`."""

    family: ClassVar[str] = "digit-energy"
    steps: int = 30_000
    batch_size: int = 64
    model: DigitEnergyConfig = model_config(DigitEnergyConfig)   # --width, --step-size, --noise, ...: the model's own
    lr: float = flag(1e-4, "Adam's learning rate (betas 0, 0.999, as Du & Mordatch)")
    chain_steps: int = flag(20, "Langevin steps of the training chains per step")
    buffer: int = flag(10_000, "replay buffer of chain states")
    restart: float = flag(0.05, "fraction of chains restarted from uniform noise")
    lifetime: int = flag(0, "Langevin steps after which a buffer chain restarts from noise (0: never, the "
                            "shipped recipe; 60 left fresh chains as salt-and-pepper noise)")
    alpha: float = flag(0.1, "weight of the energy^2 regularizer (Du & Mordatch)")
    data_noise: float = flag(0.005, "std of the Gaussian noise added to training digits (smooths the data's energy)")


class DigitEnergyTask(Task):
    def __init__(self, args: Config, runtime: Runtime):
        self.args = args
        self.model = runtime.wrap(DigitEnergy(args.model))
        self.opt = torch.optim.Adam(self.model.parameters(), lr=args.lr, betas=(0.0, 0.999))
        self.replay = unwrap(self.model).noise(args.buffer, torch.Generator().manual_seed(args.seed))
        self.ages = torch.zeros(args.buffer, dtype=torch.long)   # Langevin steps each buffer chain has run

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        """Chains from the buffer (a fraction restarted from noise, and every chain that has lived
        --lifetime steps) run --chain-steps; the loss pulls the data's energy down and the chains' up,
        with Du & Mordatch's energy^2 regularizer."""
        images, _ = batch
        args, model = self.args, unwrap(self.model)
        x = (images + args.data_noise * torch.randn(images.shape, generator=rng).to(images.device)).clamp(0, 1)
        pick = replay_slots(len(self.replay), len(x), rng)
        fresh = torch.rand(len(x), generator=rng) < args.restart
        if args.lifetime:
            fresh |= self.ages[pick] >= args.lifetime
        start = torch.where(fresh.to(x.device)[:, None, None, None], model.noise(len(x), rng), self.replay[pick].to(x.device))
        for chains in model.langevin(start, args.chain_steps, args.model.step_size, args.model.noise, generator=rng):
            pass
        self.replay[pick] = chains.to(self.replay.device)
        self.ages[pick] = torch.where(fresh, 0, self.ages[pick]) + args.chain_steps
        energies = self.model(torch.cat([x, chains]))
        losses = contrastive_loss(energies[:len(x)], energies[len(x):], args.alpha)
        self.opt.zero_grad(set_to_none=True)
        losses["loss"].backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        return {k: v.item() for k, v in losses.items()}

    def state_dict(self) -> dict[str, Any]:
        return {"model": unwrap(self.model).state_dict(), "opt": self.opt.state_dict(), "replay": self.replay,
                "ages": self.ages}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        unwrap(self.model).load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])
        self.replay = state["replay"]
        self.ages = state["ages"]

    def export(self) -> DigitEnergy:
        """The network, with REPLAY_KEPT states of the buffer (evenly spaced through it) in float16."""
        model = unwrap(self.model)
        kept = self.replay[torch.linspace(0, len(self.replay) - 1, min(REPLAY_KEPT, len(self.replay))).long()]
        config = DigitEnergyConfig(**{**vars(model.config), "replay_states": len(kept)})
        exported = DigitEnergy(config)
        exported.net.load_state_dict(model.net.state_dict())
        exported.replay.copy_(kept.half())
        return exported


def build(args: Config, runtime: Runtime) -> DigitEnergyTask:
    check_buffer(args.buffer, args.batch_size)
    return DigitEnergyTask(args, runtime)


stream = mnist_stream
