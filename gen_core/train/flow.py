"""Train a normalizing flow on a 2-D toy density by maximum likelihood (fresh samples every step)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from gen_core.data import toy2d
from gen_core.models.flows import LAYERS, Flow, FlowConfig, base_log_prob
from gen_core.train.config import TrainConfig, flag
from gen_core.train.loop import Batch, Runtime, Stream, Task, cosine_schedule, unwrap


@dataclass(frozen=True)
class Config(TrainConfig):
    """The flags of `python -m gen_core.train flow`."""

    family: ClassVar[str] = "flow"
    steps: int = 6000
    batch_size: int = 512
    density: str = flag(None, choices=toy2d.NAMES, required=True)
    coupling: str = flag("spline", choices=sorted(LAYERS))
    couplings: int = flag(8, "number of coupling layers")
    hidden: int = flag(64, "conditioner width")
    bins: int = flag(16, "spline bins")
    lr: float = flag(2e-3, "peak learning rate (cosine decay to 0)")


def _batch_generator(seed: int, rank: int, step: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed * 1_000_003 + rank * 7919 + step)


def density_stream(density: str, args: TrainConfig, runtime: Runtime, start_step: int) -> Stream:
    """Endless fresh draws from the true `density`: each step's batch depends only on (seed, rank, step)."""
    def draws():
        step = start_step
        while True:
            step += 1
            yield (toy2d.sample(density, args.batch_size, _batch_generator(args.seed, runtime.rank, step))
                   .to(runtime.device),)
    return Stream(draws(), f"toy2d {density} (fresh samples, {args.batch_size} per step)")


def stream(args: Config, runtime: Runtime, start_step: int) -> Stream:
    return density_stream(args.density, args, runtime, start_step)


def flow_config(args: Config) -> FlowConfig:
    """The flow these flags train."""
    return FlowConfig(density=args.density, coupling=args.coupling, n_couplings=args.couplings, hidden=args.hidden,
                      bins=args.bins)


class FlowTask(Task):
    def __init__(self, args: Config, runtime: Runtime):
        flow = Flow(flow_config(args))
        # ActNorm starts from a seeded sample shared by every rank, so DDP replicas agree.
        flow.layers[0].initialize(toy2d.sample(args.density, 8192, _batch_generator(args.seed, 0, 0)))
        self.flow = runtime.wrap(flow)
        self.opt = torch.optim.Adam(self.flow.parameters(), lr=args.lr)
        self.sched = cosine_schedule(self.opt, args.steps)

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        (x,) = batch
        self.flow.train()
        z, log_det = self.flow(x)
        nll = -(base_log_prob(z) + log_det).mean()
        self.opt.zero_grad(set_to_none=True)
        nll.backward()
        torch.nn.utils.clip_grad_norm_(self.flow.parameters(), 10.0)
        self.opt.step()
        self.sched.step()
        return {"nll": nll.item()}

    def state_dict(self) -> dict[str, Any]:
        return {"flow": unwrap(self.flow).state_dict(), "opt": self.opt.state_dict(), "sched": self.sched.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        unwrap(self.flow).load_state_dict(state["flow"])
        self.opt.load_state_dict(state["opt"])
        self.sched.load_state_dict(state["sched"])

    def export(self) -> Flow:
        return unwrap(self.flow)


def build(args: Config, runtime: Runtime) -> FlowTask:
    return FlowTask(args, runtime)
