"""Models of the 2-D toy densities, scored on fresh draws of the true density, whose exact
log-density gives H(p) and KL."""
from __future__ import annotations

import torch

from gen_core.card import Metric
from gen_core.data import toy2d
from gen_core.evaluate.common import Report


def evaluate_flow(model, args) -> Report:
    """NLL on fresh draws of the true density and, on the same draws, KL(p || q) = E_p[log p - log q]."""
    density = model.config.density
    x = toy2d.sample(density, args.n_points, torch.Generator().manual_seed(10 ** 9 + args.seed))
    with torch.no_grad():
        log_q = torch.cat([model.log_prob(chunk).double().cpu() for chunk in x.split(10_000)])
    log_p = toy2d.true_log_prob(density, x)
    n = len(x)
    se = lambda v: float(v.std() / n ** 0.5)  # noqa: E731
    gap = log_p - log_q
    return Report([
        Metric("nll", f"Test NLL, nats ({n:,} fresh samples of {density})", float(-log_q.mean())),
        Metric("nll_se", "Test NLL standard error", se(log_q)),
        Metric("entropy", "Entropy H(p) of the true density, nats (same samples)", float(-log_p.mean())),
        Metric("entropy_se", "Entropy standard error", se(log_p)),
        Metric("kl", "KL(p ‖ model) = NLL − H(p), nats", float(gap.mean())),
        Metric("kl_se", "KL standard error (paired samples)", se(gap)),
    ], "kl")
