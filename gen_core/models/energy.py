"""Energy-based models on the plane: p_θ(x) = exp(−E_θ(x)) / Z(θ) with E_θ a small MLP.

In 2-D the normalizing constant is a double integral, so log Z is computed by quadrature on a grid
wide enough that the mass outside is negligible (`outside_mass` says how negligible), and log p_θ is
exact up to that grid. Two ways to train E_θ (gen_core/train/energy.py):
- contrastive divergence: ∇_θ log p(x) = −∇_θ E(x) + E_{p_θ}[∇_θ E(x')], the second term from Langevin
  chains (persistent, with a replay buffer, Du & Mordatch 2019);
- denoising score matching (Vincent 2011) over several noise levels σ (Song & Ermon 2019): the network
  takes log σ as a second input, −∇_x E(x̃, σ) learns the score of the data blurred by N(0, σ²), and
  the model's density is that of the smallest σ. A score cannot tell how much mass each of two
  separated modes holds, so the shipped DSM energies are then fine-tuned with the heat equation's
  residual between the levels (--fokker-planck), which carries the weights that large σ sees down to
  the smallest.
E_θ is the network plus a fixed Gaussian envelope ‖x‖² / 2(s² + σ²): a SiLU network grows at most
linearly, so exp(−E) is integrable by construction and the far field, where no data or chain ever
goes, cannot hold mass; the network learns the rest.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import torch
from torch import nn

from gen_core.base import HubModel
from gen_core.data import toy2d
from gen_core.family import POINTS, Family, Name
from gen_core.flags import flag
from gen_core.sampling import annealed_langevin, langevin

QUADRATURE_EXTENT = 6.0     # log Z integrates over [-6, 6]^2: the data live in [-4.5, 4.5]^2
QUADRATURE_RESOLUTION = 512
QUADRATURE_CHUNK = 16_384   # points per pass: 8 MB of activations per layer, not a 33 MB spike
METHODS = ("cd", "dsm")


@dataclass
class EnergyConfig:
    density: str = flag("", "the gen_core.data.toy2d density it is trained on", choices=toy2d.NAMES, required=True)
    method: str = flag("dsm", "cd: contrastive divergence with persistent Langevin chains; dsm: denoising score "
                              "matching over noise levels", choices=METHODS)
    hidden: int = flag(128, "hidden units per layer of the energy network")
    layers: int = flag(3, "hidden layers")
    sigma_min: float = flag(0.05, "the smallest noise level: the model's density is E(x, sigma-min); cd uses this level only")
    sigma_max: float = flag(3.0, "dsm: the largest noise level (about the data's spread: the far field is trained too)")
    noise_levels: int = flag(10, "dsm: noise levels, geometric from sigma-max to sigma-min")
    sampler_steps: int = flag(100, "the shipped sampler's Langevin steps (in all, over the levels for dsm)")
    step_size: float = flag(0.01, "the shipped sampler's step size at sigma-min, scaled by (sigma / sigma-min)^2 over "
                                  "the levels (cd: also the training chains')")
    envelope: float = flag(3.0, "s of the fixed Gaussian envelope |x|^2 / 2(s^2 + sigma^2) added to the network (0: none)")
    data: str = ""                 # what it was trained on (set by the trainer)


class Energy2D(HubModel, tags=["energy-based-model", "density-estimation", "toy-2d"]):
    family = "energy"
    config_class = EnergyConfig
    task = "density-estimation"

    def __init__(self, config: EnergyConfig):
        super().__init__()
        if config.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}; got {config.method!r}")
        if not 0 < config.sigma_min <= config.sigma_max or config.noise_levels < 1:
            raise ValueError("need 0 < sigma_min <= sigma_max and at least one noise level")
        self.config = config
        sizes = [3] + [config.hidden] * config.layers
        blocks = []
        for a, b in zip(sizes, sizes[1:]):
            blocks += [nn.Linear(a, b), nn.SiLU()]   # smooth, so ∇_x E is too
        self.net = nn.Sequential(*blocks, nn.Linear(sizes[-1], 1))

    def card_dataset(self) -> tuple[str, str, str]:
        return ("toy2d", f"toy2d {self.config.density}",
                "on fresh draws of the true density, whose exact log-density gives H(p) and KL; log Z by quadrature")

    def sigmas(self) -> torch.Tensor:
        """The noise levels, largest first (one level, sigma_min, for CD)."""
        c = self.config
        if c.method == "cd" or c.noise_levels == 1:
            return torch.tensor([c.sigma_min])
        return torch.exp(torch.linspace(math.log(c.sigma_max), math.log(c.sigma_min), c.noise_levels))

    def energy(self, x: torch.Tensor, sigma: float | torch.Tensor | None = None) -> torch.Tensor:
        """E(x, σ) for x (n, 2) -> (n,); σ (a number or (n,)) defaults to sigma_min, the model's own density."""
        x = x.to(self.device)
        sigma = torch.as_tensor(self.config.sigma_min if sigma is None else sigma, dtype=x.dtype, device=x.device)
        sigma = sigma.expand(len(x)) if sigma.dim() == 0 else sigma.reshape(len(x))
        learned = self.net(torch.cat([x, sigma.log()[:, None]], 1))[:, 0]
        return learned + (x ** 2).sum(1) / (2 * (self.config.envelope ** 2 + sigma ** 2)) if self.config.envelope else learned

    def forward(self, x: torch.Tensor, sigma: torch.Tensor | None = None) -> torch.Tensor:
        return self.energy(x, sigma)

    @torch.no_grad()
    def score(self, x: torch.Tensor, sigma: float | torch.Tensor | None = None) -> torch.Tensor:
        """−∇_x E(x, σ), (n, 2), by the chain rule written out for the SiLU network (two matrix products
        per layer and no autograd graph: Langevin's inner loop, about twice as fast)."""
        x = x.to(self.device)
        sigma = torch.as_tensor(self.config.sigma_min if sigma is None else sigma, dtype=x.dtype, device=x.device)
        sigma = sigma.expand(len(x)) if sigma.dim() == 0 else sigma.reshape(len(x))
        layers = [m for m in self.net if isinstance(m, nn.Linear)]
        h, slopes = torch.cat([x, sigma.log()[:, None]], 1), []
        for layer in layers[:-1]:
            z = torch.addmm(layer.bias, h, layer.weight.t())
            gate = torch.sigmoid(z)
            h = z * gate
            slopes.append(gate * (1 + z * (1 - gate)))   # SiLU'(z)
        grad = layers[-1].weight.expand(len(x), -1)       # (n, hidden): ∂E/∂h of the last hidden layer
        for layer, slope in zip(reversed(layers[:-1]), reversed(slopes)):
            grad = (grad * slope) @ layer.weight          # back through SiLU and the layer
        grad = grad[:, :2]
        if self.config.envelope:
            grad = grad + x / (self.config.envelope ** 2 + sigma[:, None] ** 2)
        return -grad

    @torch.no_grad()
    def log_normalizer(self, extent: float = QUADRATURE_EXTENT, resolution: int = QUADRATURE_RESOLUTION) -> torch.Tensor:
        """log Z = log ∫ exp(−E) over [-extent, extent]^2 by the midpoint rule."""
        _, points = toy2d.grid(resolution, extent)
        energies = torch.cat([self.energy(chunk) for chunk in points.split(QUADRATURE_CHUNK)])
        cell = (2 * extent / resolution) ** 2
        return torch.logsumexp(-energies.double(), 0) + math.log(cell)

    @torch.no_grad()
    def cell_log_probs(self, extent: float = QUADRATURE_EXTENT, resolution: int = QUADRATURE_RESOLUTION) -> torch.Tensor:
        """log P_θ(cell) of the quadrature cells (resolution^2,), in toy2d.grid's order; they sum to 1."""
        _, points = toy2d.grid(resolution, extent)
        energies = torch.cat([self.energy(chunk) for chunk in points.split(QUADRATURE_CHUNK)]).double().cpu()
        return torch.log_softmax(-energies, 0)

    def exact_sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n exact draws from p_θ restricted to the quadrature box, up to its cells (draw_cells): the
        reference against which a sampler is judged."""
        return draw_cells(self.cell_log_probs().exp(), n, generator)

    @torch.no_grad()
    def outside_mass(self) -> float:
        """The probability mass of exp(−E) that lies outside the quadrature box: 1 − Z(box) / Z(box 1.5x
        wider), at the same cell size."""
        wider = self.log_normalizer(1.5 * QUADRATURE_EXTENT, int(1.5 * QUADRATURE_RESOLUTION))
        return max(0.0, float(-torch.expm1(self.log_normalizer() - wider)))   # not -0.0 at float64 rounding

    @torch.no_grad()
    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """log p_θ(x) = −E(x) − log Z, nats, for x (n, 2); float64 (n,)."""
        return -self.energy(x).double() - self.log_normalizer()

    def langevin(self, x0: torch.Tensor, steps: int, step_size: float, noise: float | None = None,
                 sigma: float | None = None, generator: torch.Generator | None = None) -> Iterator[torch.Tensor]:
        """Langevin chains (gen_core.sampling.langevin) on E(·, σ) (σ: sigma_min by default), noise = √ε by
        default (the discretization whose stationary law tends to p_θ as ε -> 0). Yields x0 and each state."""
        if noise is None:
            noise = math.sqrt(step_size) if step_size > 0 else 0.0   # a bad step size is refused by langevin
        return langevin(lambda x: self.score(x, sigma), x0.to(self.device), steps, step_size, noise, generator=generator)

    def sampler_steps(self, n: int, generator: torch.Generator | None = None, steps: int | None = None,
                      step_size: float | None = None, noise_scale: float = 1.0) -> Iterator[torch.Tensor]:
        """The shipped sampler's states, from uniform noise on the data box: plain Langevin at sigma_min
        (CD), or annealed Langevin down the noise levels with ε_σ = ε (σ / σ_min)^2 (DSM). `steps` and
        `step_size` (ε at sigma_min) replace the shipped settings; `noise_scale` multiplies the √ε noise
        (1: Langevin, 0: gradient descent on E)."""
        steps = self.config.sampler_steps if steps is None else steps
        step_size = self.config.step_size if step_size is None else step_size
        x = ((torch.rand(n, 2, generator=generator) * 2 - 1) * toy2d.EXTENT).to(self.device)
        yield x
        yield from annealed_langevin(self.score, x, self.sigmas().tolist(), steps, step_size, noise_scale=noise_scale,
                                     sigma_min=self.config.sigma_min, generator=generator)

    def generate(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n points (n, 2) from the shipped sampler (not exact draws from p_θ: see the card's sampler gap)."""
        for x in self.sampler_steps(n, generator):
            pass
        return x


def pool_cells(cell_probs: torch.Tensor, bins: int) -> torch.Tensor:
    """The quadrature cells' masses (resolution^2,) summed into bins x bins coarser bins, (bins, bins)."""
    cells = cell_probs.view(QUADRATURE_RESOLUTION, QUADRATURE_RESOLUTION)
    return cells.view(bins, QUADRATURE_RESOLUTION // bins, bins, -1).sum((1, 3))


def draw_cells(cell_probs: torch.Tensor, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """n points (n, 2) from the quadrature cells' probabilities (resolution^2, in toy2d.grid's order): a
    cell by its probability, then a uniform point in it."""
    resolution = math.isqrt(len(cell_probs))
    cells = torch.multinomial(cell_probs, n, replacement=True, generator=generator)
    width = 2 * QUADRATURE_EXTENT / resolution
    corner = torch.stack([cells % resolution, cells // resolution], 1).float() * width - QUADRATURE_EXTENT
    return corner + torch.rand(n, 2, generator=generator) * width


# The 2-D energies shipped, as (density, training method): both methods where the tab compares them.
SHIPPED = (("moons", "dsm"), ("moons", "cd"), ("8gaussians", "dsm"), ("8gaussians", "cd"), ("circles", "dsm"),
           ("swissroll", "dsm"), ("pinwheel", "dsm"), ("2spirals", "dsm"), ("checkerboard", "dsm"))


def energy_name(density: str, method: str) -> str:
    return f"ebm-{density}-{method}"


RECORD = Family(
    Energy2D, trainer="gen_core.train.energy", evaluator="gen_core.evaluate.planar:evaluate_energy",
    tiny_training=("--density", "moons", "--hidden", "8", "--layers", "2", "--noise-levels", "3", "--sampler-steps", "4",
                   "--buffer", "64", "--chain-steps", "3", "--fokker-planck", "1"),
    tiny=EnergyConfig(density="moons", hidden=8, layers=2, noise_levels=3, sampler_steps=6, data="tiny"), output=POINTS,
    # v2 (DSM): fine-tuned with the heat equation's residual between noise levels (v1: plain DSM)
    names={energy_name(d, m): Name("v2" if m == "dsm" else "v1", {"density": d, "method": m}) for d, m in SHIPPED})
