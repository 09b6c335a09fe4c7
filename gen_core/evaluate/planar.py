"""Models of the 2-D toy densities, scored on fresh draws of the true density, whose exact
log-density gives H(p) and KL."""
from __future__ import annotations

import torch

import gen_core
from gen_core import metrics
from gen_core.card import Metric
from gen_core.data import toy2d
from gen_core.evaluate.common import Report
from gen_core.models.energy import QUADRATURE_EXTENT, QUADRATURE_RESOLUTION, draw_cells, pool_cells

GAP_BINS = 64   # the sampler gap's histogram: 64 x 64 bins of 8 x 8 quadrature cells


def evaluate_flow(model, args) -> Report:
    """NLL on fresh draws of the true density and, on the same draws, KL(p || q) = E_p[log p - log q]."""
    return Report(_fit(model, args), "kl")


def evaluate_energy(model, args) -> Report:
    """What evaluate_flow measures, with log Z by quadrature (and the mass outside its box), the
    shipped flow's KL on the same draws, and the sampler gap: KL between the histogram of the shipped
    sampler's points and p_θ's own mass on the same bins, beside the same measure on as many exact
    draws from p_θ (the histogram's noise floor)."""
    density, n = model.config.density, args.n_points
    flow = gen_core.load(f"flow-{density}", device="cpu")
    flow_kl = next(m.value for m in _fit(flow, args) if m.key == "kl")
    g = torch.Generator().manual_seed(args.seed)
    with torch.no_grad():
        cells = model.cell_log_probs().exp()   # one quadrature pass for the bins and the exact draws
        bins = pool_cells(cells, GAP_BINS)
        chains, exact = model.sample(n, generator=g).cpu(), draw_cells(cells, n, g)
    steps = f"{model.config.sampler_steps} steps of size {model.config.step_size:g}"
    steps += f" at sigma_min, annealed over {len(model.sigmas())} noise levels" if model.config.method == "dsm" else ""
    return Report(_fit(model, args) + [
        Metric("flow_kl", f"KL(p ‖ flow-{density}) on the same draws, nats (the shipped flow)", flow_kl),
        Metric("log_normalizer", f"log Z by the midpoint rule on {QUADRATURE_RESOLUTION}^2 cells over "
               f"[-{QUADRATURE_EXTENT:g}, {QUADRATURE_EXTENT:g}]^2", float(model.log_normalizer())),
        Metric("outside_mass", "Mass of exp(-E) outside that box (1 - Z(box) / Z(box 1.5 times wider))",
               model.outside_mass()),
        *sampler_gap_metrics(chains, exact, bins, f"{n:,} samples of the shipped sampler ({steps})"),
    ], "kl")


def sampler_gap_metrics(chains: torch.Tensor, exact: torch.Tensor, bins: torch.Tensor, what: str) -> list[Metric]:
    """The histogram KL of the chains' points inside the quadrature box against p_θ (which lives on the
    box), beside the same for exact draws; and the share of chain points that left the box."""
    inside = torch.isfinite(chains).all(1) & (chains.abs() <= QUADRATURE_EXTENT).all(1)
    box = f"{len(bins)} x {len(bins)} bins over [-{QUADRATURE_EXTENT:g}, {QUADRATURE_EXTENT:g}]^2"
    return [
        Metric("sampler_gap_kl", f"Sampler gap: KL(histogram of {what}, those inside the box ‖ p_θ), {box}, nats",
               metrics.histogram_kl(chains[inside], bins, QUADRATURE_EXTENT)),
        Metric("sampler_gap_kl_floor", "The same for as many exact draws from p_θ (the histogram's own noise)",
               metrics.histogram_kl(exact, bins, QUADRATURE_EXTENT)),
        Metric("sampler_outside_share", "Share of the sampler's points outside the box (or not finite)",
               float(1 - inside.double().mean())),
    ]


def _fit(model, args) -> list[Metric]:
    """NLL, H(p) and KL(p ‖ model) = E_p[log p − log q] on --n-points fresh draws of the model's density
    (the same draws for every model of that density)."""
    density = model.config.density
    x = toy2d.sample(density, args.n_points, torch.Generator().manual_seed(10 ** 9 + args.seed))
    with torch.no_grad():
        log_q = torch.cat([model.log_prob(chunk).double().cpu() for chunk in x.split(10_000)])
    log_p = toy2d.true_log_prob(density, x)
    n = len(x)
    se = lambda v: float(v.std() / n ** 0.5)  # noqa: E731
    gap = log_p - log_q
    return [
        Metric("nll", f"Test NLL, nats ({n:,} fresh samples of {density})", float(-log_q.mean())),
        Metric("nll_se", "Test NLL standard error", se(log_q)),
        Metric("entropy", "Entropy H(p) of the true density, nats (same samples)", float(-log_p.mean())),
        Metric("entropy_se", "Entropy standard error", se(log_p)),
        Metric("kl", "KL(p ‖ model) = NLL − H(p), nats", float(gap.mean())),
        Metric("kl_se", "KL standard error (paired samples)", se(gap)),
    ]
