"""2-D toy densities as defined in FFJORD's ``lib/toy_data.py`` (Grathwohl et al. 2019), with
their true log-densities, so that a flow's NLL can be compared with the entropy H(p).

Same names, scales and noise as FFJORD; the sklearn generators it calls (make_moons, make_circles,
make_swiss_roll) place points on an evenly spaced parameter grid, here the parameter is drawn
uniformly at random instead, which is the same distribution and gives i.i.d. samples.

True densities are exact (checkerboard, 8gaussians, circles via the Bessel function I0) or exact
up to quadrature over the curve parameter (moons, swissroll, 2spirals) or up to root finding of
the map from Gaussian features (pinwheel).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

Sampler = Callable[[int, torch.Generator], torch.Tensor]
LOG_2PI = math.log(2 * math.pi)


def _uniform(n: int, g: torch.Generator) -> torch.Tensor:
    return torch.rand(n, generator=g, dtype=torch.float64)


def _normal(*shape: int, g: torch.Generator) -> torch.Tensor:
    return torch.randn(*shape, generator=g, dtype=torch.float64)


# --- samplers (float64 internally) -----------------------------------------------------------

def _checkerboard(n: int, g: torch.Generator) -> torch.Tensor:
    x1 = _uniform(n, g) * 4 - 2
    x2 = _uniform(n, g) - torch.randint(0, 2, (n,), generator=g).double() * 2 + torch.floor(x1) % 2
    return torch.stack([x1, x2], 1) * 2


_8G_SCALE = 4.0 / 1.414   # FFJORD divides by 1.414, not sqrt(2)
_8G_SIGMA = 0.5 / 1.414
_8G_CENTERS = _8G_SCALE * torch.tensor([(1, 0), (-1, 0), (0, 1), (0, -1)] + [
    (sx / math.sqrt(2), sy / math.sqrt(2)) for sx, sy in ((1, 1), (1, -1), (-1, 1), (-1, -1))], dtype=torch.float64)


def _8gaussians(n: int, g: torch.Generator) -> torch.Tensor:
    idx = torch.randint(0, 8, (n,), generator=g)
    return _8G_CENTERS[idx] + _normal(n, 2, g=g) * _8G_SIGMA


def _moon_points(t: torch.Tensor, which: torch.Tensor) -> torch.Tensor:
    """sklearn make_moons: outer (cos t, sin t), inner (1 - cos t, 0.5 - sin t); FFJORD: x2 + (-1, -0.2)."""
    outer = torch.stack([torch.cos(t), torch.sin(t)], -1)
    inner = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], -1)
    pts = torch.where(which.unsqueeze(-1), inner, outer)
    return pts * 2 + torch.tensor([-1.0, -0.2], dtype=torch.float64)


_MOONS_SIGMA = 0.1 * 2


def _moons(n: int, g: torch.Generator) -> torch.Tensor:
    which = torch.arange(n) >= n // 2     # sklearn: n // 2 outer, the rest inner
    t = _uniform(n, g) * math.pi
    return _moon_points(t, which) + _normal(n, 2, g=g) * _MOONS_SIGMA


_CIRCLE_RADII = (3.0, 1.5)               # make_circles(factor=.5) * 3
_CIRCLES_SIGMA = 0.08 * 3


def _circles(n: int, g: torch.Generator) -> torch.Tensor:
    radius = torch.where(torch.arange(n) >= n // 2, _CIRCLE_RADII[1], _CIRCLE_RADII[0]).double()
    t = _uniform(n, g) * 2 * math.pi
    return radius.unsqueeze(1) * torch.stack([torch.cos(t), torch.sin(t)], 1) + _normal(n, 2, g=g) * _CIRCLES_SIGMA


_SWISS_T = (1.5 * math.pi, 4.5 * math.pi)
_SWISS_SIGMA = 1.0 / 5


def _swiss_points(t: torch.Tensor) -> torch.Tensor:
    return torch.stack([t * torch.cos(t), t * torch.sin(t)], -1) / 5


def _swissroll(n: int, g: torch.Generator) -> torch.Tensor:
    t = _SWISS_T[0] + (_SWISS_T[1] - _SWISS_T[0]) * _uniform(n, g)
    return _swiss_points(t) + _normal(n, 2, g=g) * _SWISS_SIGMA


_SPIRAL_MAX = 540 * 2 * math.pi / 360    # 3 pi
_SPIRAL_BOX = 0.5 / 3                    # uniform jitter U[0, 0.5] per coordinate, then /3
_SPIRAL_SIGMA = 0.1


def _spiral_points(t: torch.Tensor) -> torch.Tensor:
    return torch.stack([-torch.cos(t) * t, torch.sin(t) * t], -1) / 3


def _2spirals(n: int, g: torch.Generator) -> torch.Tensor:
    half = n // 2
    t = torch.sqrt(_uniform(half, g)) * _SPIRAL_MAX
    arm = _spiral_points(t) + torch.stack([_uniform(half, g), _uniform(half, g)], 1) * _SPIRAL_BOX
    x = torch.cat([arm, -arm])
    if len(x) < n:  # FFJORD returns 2 * (n // 2) points; keep n exact with one more from arm 1
        x = torch.cat([x, _2spirals(2, g)[:1]])
    return x + _normal(n, 2, g=g) * _SPIRAL_SIGMA


_PIN = {"radial_std": 0.3, "tangential_std": 0.1, "classes": 5, "rate": 0.25}


def _pinwheel(n: int, g: torch.Generator) -> torch.Tensor:
    k = _PIN["classes"]
    labels = torch.randint(0, k, (n,), generator=g)
    features = _normal(n, 2, g=g) * torch.tensor([_PIN["radial_std"], _PIN["tangential_std"]], dtype=torch.float64)
    features[:, 0] += 1.0
    angles = labels * (2 * math.pi / k) + _PIN["rate"] * torch.exp(features[:, 0])
    c, s = torch.cos(angles), torch.sin(angles)
    # FFJORD: einsum("ti,tij->tj", features, [[c, -s], [s, c]]), i.e. features rotated by -angle.
    x = torch.stack([features[:, 0] * c + features[:, 1] * s, -features[:, 0] * s + features[:, 1] * c], 1)
    return 2 * x


SAMPLERS: dict[str, Sampler] = {
    "8gaussians": _8gaussians, "checkerboard": _checkerboard, "moons": _moons, "circles": _circles,
    "2spirals": _2spirals, "swissroll": _swissroll, "pinwheel": _pinwheel,
}
NAMES = tuple(SAMPLERS)
EXTENT = 4.5  # every density lives (up to 1e-4 of its mass or less) in [-4.5, 4.5]^2


def grid(resolution: int, extent: float = EXTENT) -> tuple[torch.Tensor, torch.Tensor]:
    """Cell centres of a resolution x resolution grid over [-extent, extent]^2: the 1-D centres and
    the points (resolution^2, 2), row by row from the bottom (y) and left to right (x)."""
    edges = torch.linspace(-extent, extent, resolution + 1)
    centres = (edges[1:] + edges[:-1]) / 2
    ys, xs = torch.meshgrid(centres, centres, indexing="ij")
    return centres, torch.stack([xs.flatten(), ys.flatten()], 1)


def check_name(name: str) -> str:
    if name not in SAMPLERS:
        raise KeyError(f"unknown density {name!r}; choose one of: {', '.join(NAMES)}")
    return name


def sample(name: str, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """n points of the density `name`, float32 (n, 2)."""
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    return SAMPLERS[check_name(name)](n, g).float()


# --- true log-densities (float64) -------------------------------------------------------------

def _gauss_log(d2: torch.Tensor, sigma: float) -> torch.Tensor:
    """log N(x; m, sigma^2 I) in 2-D from the squared distance d2."""
    return -d2 / (2 * sigma ** 2) - LOG_2PI - 2 * math.log(sigma)


# Gauss-Legendre nodes: twice as many change log p by < 1e-9 nats where log p > -15 (see tests).
QUADRATURE_NODES = {"moons": 96, "swissroll": 256, "2spirals": 512}


def _curve_log_prob(x: torch.Tensor, points: torch.Tensor, log_w: torch.Tensor, kernel) -> torch.Tensor:
    """log sum_j w_j k(x - c_j): a density spread along a curve, by midpoint quadrature, in chunks."""
    out = []
    for chunk in x.split(2048):
        diff = chunk.unsqueeze(1) - points.unsqueeze(0)          # (n, T, 2)
        out.append(torch.logsumexp(kernel(diff) + log_w, dim=1))
    return torch.cat(out) if out else x.new_zeros(0)


def _gauss_legendre(low: float, high: float, nodes: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Nodes and weights on [low, high]: converges fast for the smooth integrands here, ends included."""
    t, w = np.polynomial.legendre.leggauss(nodes)
    return torch.from_numpy(low + (t + 1) * (high - low) / 2), torch.from_numpy(w * (high - low) / 2)


# The 8 filled 2 x 2 squares: cells (i, j) of the doubled grid with i + j even.
_CHECKER_CENTERS = torch.tensor([(2 * i + 1, 2 * j + 1) for i in range(-2, 2) for j in range(-2, 2) if (i + j) % 2 == 0],
                                dtype=torch.float64)


def _lp_checkerboard(x: torch.Tensor) -> torch.Tensor:
    # Closed squares (with 1e-6 of slack): a sample rounded to float32 can land exactly on an edge.
    gap = (x.unsqueeze(1) - _CHECKER_CENTERS).abs().amax(-1).amin(1)
    return torch.where(gap <= 1 + 1e-6, x.new_tensor(-math.log(32.0)), x.new_tensor(-math.inf))


def _lp_8gaussians(x: torch.Tensor) -> torch.Tensor:
    d2 = ((x.unsqueeze(1) - _8G_CENTERS) ** 2).sum(-1)
    return torch.logsumexp(_gauss_log(d2, _8G_SIGMA), 1) - math.log(8)


def _lp_circles(x: torch.Tensor) -> torch.Tensor:
    # Averaging N(x; r(cos t, sin t), s^2 I) over t gives exp(-(rho^2 + r^2) / 2s^2) I0(rho r / s^2) / (2 pi s^2).
    rho, s2 = x.norm(dim=1), _CIRCLES_SIGMA ** 2
    terms = [torch.log(torch.special.i0e(rho * r / s2)) + rho * r / s2 - (rho ** 2 + r ** 2) / (2 * s2)
             for r in _CIRCLE_RADII]
    return torch.logsumexp(torch.stack(terms), 0) - math.log(2) - math.log(2 * math.pi * s2)


def _lp_moons(x: torch.Tensor) -> torch.Tensor:
    t, w = _gauss_legendre(0, math.pi, QUADRATURE_NODES["moons"])
    points = torch.cat([_moon_points(t, torch.zeros_like(t, dtype=torch.bool)),
                        _moon_points(t, torch.ones_like(t, dtype=torch.bool))])
    log_w = torch.log(w / (2 * math.pi)).repeat(2)
    return _curve_log_prob(x, points, log_w, lambda d: _gauss_log((d ** 2).sum(-1), _MOONS_SIGMA))


def _lp_swissroll(x: torch.Tensor) -> torch.Tensor:
    t, w = _gauss_legendre(*_SWISS_T, QUADRATURE_NODES["swissroll"])
    log_w = torch.log(w / (_SWISS_T[1] - _SWISS_T[0]))
    return _curve_log_prob(x, _swiss_points(t), log_w, lambda d: _gauss_log((d ** 2).sum(-1), _SWISS_SIGMA))


def _box_gauss_log(u: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """log density of U[low, high] + N(0, sigma^2) at u."""
    s = _SPIRAL_SIGMA
    p = torch.special.ndtr((u - low) / s) - torch.special.ndtr((u - high) / s)
    return torch.log(p.clamp_min(1e-300)) - math.log(high - low)


def _lp_2spirals(x: torch.Tensor) -> torch.Tensor:
    t, w = _gauss_legendre(0, _SPIRAL_MAX, QUADRATURE_NODES["2spirals"])
    log_w = torch.log(2 * t / _SPIRAL_MAX ** 2 * w) + math.log(0.5)   # t = sqrt(u) * 3pi has pdf 2t / (3pi)^2
    centers = _spiral_points(t)
    arm1 = _curve_log_prob(x, centers, log_w, lambda d: _box_gauss_log(d, 0, _SPIRAL_BOX).sum(-1))
    arm2 = _curve_log_prob(x, -centers, log_w, lambda d: _box_gauss_log(d, -_SPIRAL_BOX, 0).sum(-1))
    return torch.logaddexp(arm1, arm2)


def _lp_pinwheel(x: torch.Tensor, grid: int = 512) -> torch.Tensor:
    """Sum over classes and over every preimage of x under feature -> point.

    In polar form the map sends features f = r (cos a, sin a) to radius 2r and angle
    g(a) = a - rate exp(r cos a) - 2 pi k / 5, so |dx/df| = 4 |g'(a)| and x has several preimages
    wherever g is not monotone: find every a with g(a) = angle(x) (mod 2 pi) on a grid, refine by Newton.
    """
    k, rate = _PIN["classes"], _PIN["rate"]
    sr, st = _PIN["radial_std"], _PIN["tangential_std"]
    out = []
    for chunk in x.split(512):
        r = chunk.norm(dim=1) / 2                                     # (n,)
        beta = torch.atan2(chunk[:, 1], chunk[:, 0])
        a = torch.linspace(0, 2 * math.pi, grid + 1, dtype=torch.float64)
        target = beta[:, None, None] + torch.arange(k, dtype=torch.float64)[None, :, None] * 2 * math.pi / k
        rr = r[:, None, None]

        def g(alpha):
            return alpha - rate * torch.exp(rr * torch.cos(alpha)) - target

        u = g(a) / (2 * math.pi)                                      # (n, k, grid + 1)
        level = torch.floor(u)
        cross = level[..., 1:] != level[..., :-1]
        ni, ki, ji = cross.nonzero(as_tuple=True)
        m = torch.maximum(level[ni, ki, ji], level[ni, ki, ji + 1])   # the integer crossed
        u0, u1 = u[ni, ki, ji], u[ni, ki, ji + 1]
        alpha = a[ji] + (m - u0) / (u1 - u0) * (a[1] - a[0])
        rn, tn = r[ni], target[ni, ki, 0] + 2 * math.pi * m
        for _ in range(4):
            h = alpha - rate * torch.exp(rn * torch.cos(alpha)) - tn
            dh = 1 + rate * rn * torch.sin(alpha) * torch.exp(rn * torch.cos(alpha))
            alpha = alpha - h / dh
        dh = 1 + rate * rn * torch.sin(alpha) * torch.exp(rn * torch.cos(alpha))
        f0, f1 = rn * torch.cos(alpha), rn * torch.sin(alpha)
        log_pf = (-0.5 * ((f0 - 1) / sr) ** 2 - 0.5 * (f1 / st) ** 2 - LOG_2PI - math.log(sr * st))
        dens = torch.zeros(len(chunk), dtype=torch.float64)
        dens.index_add_(0, ni, torch.exp(log_pf - torch.log(4 * dh.abs())) / k)
        out.append(torch.log(dens))
    return torch.cat(out) if out else x.new_zeros(0)


LOG_PROBS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "8gaussians": _lp_8gaussians, "checkerboard": _lp_checkerboard, "moons": _lp_moons, "circles": _lp_circles,
    "2spirals": _lp_2spirals, "swissroll": _lp_swissroll, "pinwheel": _lp_pinwheel,
}


def true_log_prob(name: str, x: torch.Tensor) -> torch.Tensor:
    """log p(x) in nats for x (n, 2); float64 (n,). -inf outside the support (checkerboard)."""
    return LOG_PROBS[check_name(name)](x.double())


def density_grid(name: str, resolution: int, extent: float = EXTENT) -> torch.Tensor:
    """p(x) on grid(resolution, extent), shaped (resolution, resolution) with row 0 at the bottom."""
    _, points = grid(resolution, extent)
    return true_log_prob(name, points).exp().reshape(resolution, resolution)


def entropy(name: str, n: int = 100_000, seed: int = 0) -> tuple[float, float]:
    """Monte Carlo differential entropy H(p) = -E log p(x) in nats, with its standard error."""
    lp = true_log_prob(name, SAMPLERS[check_name(name)](n, torch.Generator().manual_seed(seed)))
    return float(-lp.mean()), float(lp.std() / math.sqrt(n))
