"""Normalizing flows on 2-D points: small layers with one contract, stacked in a list.

Every layer maps data-side x to base-side y and returns ``(y, log_det)`` with
log_det = log|det dy/dx| per point; ``inverse(y)`` returns ``(x, log_det of the inverse)``.
Change of variables (Dinh et al. 2017, eq. 3): log p(x) = log N(f(x); 0, I) + sum of the layers' log_det.

- ActNorm (Kingma & Dhariwal 2018): per-coordinate affine map, initialized from data.
- AffineCoupling (RealNVP, Dinh et al. 2017): one coordinate scaled and shifted by functions of the other.
- SplineCoupling (neural spline flows, Durkan et al. 2019): one coordinate through a monotone
  rational-quadratic spline on [-B, B] (identity outside) whose knots are functions of the other.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from gen_core.base import HubModel
from gen_core.data import toy2d
from gen_core.family import POINTS, Family, Name

LOG_2PI = math.log(2 * math.pi)
MIN_BIN = 1e-3          # smallest bin width / height, as a fraction of 2B (Durkan et al. 2019)
MIN_DERIVATIVE = 1e-3
# softplus(raw + _IDENTITY) + MIN_DERIVATIVE = 1 at raw = 0, so a zero conditioner gives the identity.
_IDENTITY = math.log(math.expm1(1 - MIN_DERIVATIVE))


def base_log_prob(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) for 2-D points z (n, 2)."""
    return -0.5 * (z ** 2).sum(1) - LOG_2PI


def _conditioner(hidden: int, out: int) -> nn.Sequential:
    """1 conditioning coordinate -> `out` parameters; the last layer starts at zero (identity flow)."""
    net = nn.Sequential(nn.Linear(1, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, out))
    nn.init.zeros_(net[-1].weight)
    nn.init.zeros_(net[-1].bias)
    return net


class ActNorm(nn.Module):
    """y = (x - loc) * exp(-log_scale); the trainer sets loc and log_scale from data before training
    (Kingma & Dhariwal 2018 initialize them from the first batch)."""

    def __init__(self, dim: int = 2):
        super().__init__()
        self.loc = nn.Parameter(torch.zeros(dim))
        self.log_scale = nn.Parameter(torch.zeros(dim))

    @torch.no_grad()
    def initialize(self, x: torch.Tensor) -> None:
        """Standardize x: afterwards it has zero mean and unit variance per coordinate."""
        self.loc.copy_(x.mean(0))
        self.log_scale.copy_(x.std(0).clamp_min(1e-6).log())

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        y = (x - self.loc) * torch.exp(-self.log_scale)
        return y, (-self.log_scale.sum()).expand(len(x))

    def inverse(self, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return y * torch.exp(self.log_scale) + self.loc, self.log_scale.sum().expand(len(y))


class _Coupling(nn.Module):
    """Transforms coordinate 1 - parity given coordinate `parity` (2-D only)."""

    def __init__(self, parity: int):
        super().__init__()
        self.parity = parity

    def _split(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return x[:, self.parity:self.parity + 1], x[:, 1 - self.parity]

    def _join(self, cond: torch.Tensor, moved: torch.Tensor) -> torch.Tensor:
        parts = [cond[:, 0], moved] if self.parity == 0 else [moved, cond[:, 0]]
        return torch.stack(parts, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        cond, moved = self._split(x)
        y, log_det = self.transform(moved, self.net(cond), inverse=False)
        return self._join(cond, y), log_det

    def inverse(self, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        cond, moved = self._split(y)
        x, log_det = self.transform(moved, self.net(cond), inverse=True)
        return self._join(cond, x), log_det


class AffineCoupling(_Coupling):
    """RealNVP: y = x * exp(s) + t, with s soft-clamped to (-clamp, clamp) by tanh for stability."""

    def __init__(self, parity: int, hidden: int, clamp: float = 3.0):
        super().__init__(parity)
        self.clamp = clamp
        self.net = _conditioner(hidden, 2)

    def transform(self, x, params, *, inverse: bool):
        s = self.clamp * torch.tanh(params[:, 0] / self.clamp)
        t = params[:, 1]
        if inverse:
            return (x - t) * torch.exp(-s), -s
        return x * torch.exp(s) + t, s


class SplineCoupling(_Coupling):
    """Rational-quadratic spline coupling with `bins` bins on [-bound, bound] and linear (identity) tails."""

    def __init__(self, parity: int, hidden: int, bins: int, bound: float):
        super().__init__(parity)
        self.bins, self.bound = bins, bound
        self.net = _conditioner(hidden, 3 * bins - 1)

    def transform(self, x, params, *, inverse: bool):
        k = self.bins
        return rational_quadratic_spline(x, params[:, :k], params[:, k:2 * k], params[:, 2 * k:],
                                         bound=self.bound, inverse=inverse)


def _knots(raw: torch.Tensor, bound: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Bin sizes (n, K) and knot positions (n, K + 1) on [-bound, bound] from unnormalized sizes."""
    k = raw.shape[-1]
    sizes = MIN_BIN + (1 - MIN_BIN * k) * torch.softmax(raw, -1)
    knots = F.pad(torch.cumsum(sizes, -1), (1, 0)) * 2 * bound - bound
    knots = torch.cat([knots.new_full((len(knots), 1), -bound), knots[:, 1:-1], knots.new_full((len(knots), 1), bound)], 1)
    return knots[:, 1:] - knots[:, :-1], knots


def rational_quadratic_spline(x: torch.Tensor, raw_widths: torch.Tensor, raw_heights: torch.Tensor,
                              raw_derivatives: torch.Tensor, *, bound: float, inverse: bool
                              ) -> tuple[torch.Tensor, torch.Tensor]:
    """Durkan et al. 2019, eqs. 4-6 (forward) and the quadratic root of their appendix A (inverse).

    x (n,), raw_widths / raw_heights (n, K), raw_derivatives (n, K - 1) for the interior knots; the
    derivative is 1 at both ends so the spline joins the identity tails smoothly.
    Returns (y, log|dy/dx|) forward, or (x, -log|dy/dx| at that x) when inverse.
    """
    widths, xk = _knots(raw_widths, bound)
    heights, yk = _knots(raw_heights, bound)
    ones = x.new_ones(len(x), 1)
    derivs = torch.cat([ones, MIN_DERIVATIVE + F.softplus(raw_derivatives + _IDENTITY), ones], 1)  # (n, K + 1)

    inside = (x > -bound) & (x < bound)
    v = x.clamp(-bound, bound)
    edges = yk if inverse else xk
    idx = (torch.searchsorted(edges.contiguous(), v.unsqueeze(1).contiguous()) - 1).clamp(0, widths.shape[1] - 1)

    def at(t: torch.Tensor) -> torch.Tensor:
        return t.gather(1, idx).squeeze(1)

    x0, w, y0, h, d0, d1 = at(xk), at(widths), at(yk), at(heights), at(derivs), at(derivs[:, 1:])
    s = h / w
    if inverse:
        dy, curve = v - y0, d1 + d0 - 2 * s
        a = h * (s - d0) + dy * curve
        b = h * d0 - dy * curve
        c = -s * dy
        xi = (2 * c) / (-b - torch.sqrt((b * b - 4 * a * c).clamp_min(0)))
        out = xi * w + x0
    else:
        xi = (v - x0) / w
        out = y0 + h * (s * xi ** 2 + d0 * xi * (1 - xi)) / (s + (d1 + d0 - 2 * s) * xi * (1 - xi))
    xi = xi.clamp(0, 1)
    denominator = s + (d1 + d0 - 2 * s) * xi * (1 - xi)
    log_deriv = (2 * torch.log(s) + torch.log(d1 * xi ** 2 + 2 * s * xi * (1 - xi) + d0 * (1 - xi) ** 2)
                 - 2 * torch.log(denominator))
    log_det = torch.where(inside, -log_deriv if inverse else log_deriv, torch.zeros_like(x))
    return torch.where(inside, out, x), log_det


LAYERS = {"affine": lambda parity, c: AffineCoupling(parity, c.hidden),
          "spline": lambda parity, c: SplineCoupling(parity, c.hidden, c.bins, c.bound)}


@dataclass
class FlowConfig:
    density: str = ""            # the gen_core.data.toy2d density it was trained on
    coupling: str = "spline"     # "spline" (neural spline flow) or "affine" (RealNVP)
    n_couplings: int = 8
    hidden: int = 64
    bins: int = 16
    bound: float = 4.0           # spline range on the ActNorm-standardized coordinates
    data: str = ""


class Flow(HubModel, tags=["normalizing-flow", "density-estimation", "toy-2d"]):
    """ActNorm then `n_couplings` couplings with alternating conditioning coordinate; base N(0, I)."""

    family = "flow"
    config_class = FlowConfig
    task = "density-estimation"

    def __init__(self, config: FlowConfig):
        super().__init__()
        if config.coupling not in LAYERS:
            raise ValueError(f"coupling must be one of {sorted(LAYERS)}; got {config.coupling!r}")
        self.config = config
        self.layers = nn.ModuleList([ActNorm(2)] + [LAYERS[config.coupling](i % 2, config)
                                                    for i in range(config.n_couplings)])

    def card_dataset(self) -> tuple[str, str, str]:
        return ("toy2d", f"toy2d {self.config.density}",
                "on fresh draws of the true density, whose exact log-density gives H(p) and KL")

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Data -> base: (z, sum of log|det|)."""
        total = x.new_zeros(len(x))
        for layer in self.layers:
            x, log_det = layer(x)
            total = total + log_det
        return x, total

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """log p(x) in nats for x (n, 2)."""
        z, log_det = self(x.to(self.device))
        return base_log_prob(z) + log_det

    @torch.no_grad()
    def transform_steps(self, z: torch.Tensor) -> list[torch.Tensor]:
        """Base points z (n, 2) pushed towards the data one layer at a time: [z, after 1 layer, ..., x]."""
        steps = [z]
        for layer in reversed(self.layers):
            z, _ = layer.inverse(z)
            steps.append(z)
        return steps

    @torch.no_grad()
    def generate(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n points (n, 2); the base noise is drawn on the CPU so a seed means the same points everywhere."""
        z = torch.randn(n, 2, generator=generator).to(self.device)
        return self.transform_steps(z)[-1]


RECORD = Family(
    Flow, trainer="gen_core.train.flow", evaluator="gen_core.evaluate.planar:evaluate_flow",
    tiny_training=("--density", "moons", "--couplings", "2", "--hidden", "8", "--bins", "4"),
    tiny=FlowConfig(density="moons", n_couplings=4, hidden=8, bins=4, data="tiny"), output=POINTS,
    names={f"flow-{density}": Name("v1", {"density": density}) for density in toy2d.NAMES})   # one flow per toy density
