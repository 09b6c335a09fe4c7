"""How likely the truth is given what was seen: log p(x | y) = log p(y | x) + log p(x) - log p(y).

For a mask this is log p(x_miss | x_obs) = log p(x) - log p(x_obs). Both marginals are estimated by
importance sampling over z with the same draws (so their errors largely cancel), as the IWAE bound
does (Burda et al. 2016): given z, the observed pixels' law is a product of Bernoullis seen through
the channel, so log p(y | z) is exact and only the integral over z is estimated. Each log-mean is a
lower bound in expectation; their difference is not a bound, but it converges to the truth as k grows.

The proposal is a mixture of q(z | x) over the truth and, if given, completions of y: p(z | y) is the
average of p(z | x') over the completions x' ~ p(x | y), so completions from a good sampler make the
proposal close to what the p(y) integral needs (an encoder fed only the truth is too narrow for it).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import torch

from gen_core.repair.evidence import Evidence
from gen_core.repair.samplers import bernoulli_log_prob, log_normal


class Estimate(NamedTuple):
    log_prob: torch.Tensor   # (n,) the estimate of log p(x | y), nats
    se: torch.Tensor         # (n,) its Monte Carlo standard error (delta method)


def _proposal_draws(model, components: torch.Tensor, k: int, generator: torch.Generator | None):
    """k draws from the equal mixture of q(z | c_j) over the J component images (J, ...) and their log density."""
    mu, logvar = model.encode(components)                       # (J, d) each
    which = torch.arange(k) % len(components)                   # stratified: every component equally often
    eps = torch.randn(k, mu.shape[1], generator=generator).to(mu.device)
    z = mu[which] + torch.exp(0.5 * logvar[which]) * eps        # (k, d)
    log_r = torch.logsumexp(log_normal(z[:, None], mu[None], logvar[None]), 1) - math.log(len(components))
    return z, log_r


def conditional_log_prob(model, x: torch.Tensor, evidence: Evidence, *, k: int = 500,
                         completions: torch.Tensor | None = None, generator: torch.Generator | None = None,
                         chunk: int = 500) -> Estimate:
    """Estimate log p(x | y) for each true digit x (n, ...) given the evidence y (n, ...), with k importance
    samples per digit. completions: optional (n, J, ...) completions of each y to widen the proposal."""
    if k < 1:
        raise ValueError(f"k must be >= 1; got {k}")
    estimates, errors = [], []
    with torch.no_grad():
        for i in range(len(x)):
            truth = x[i:i + 1]
            components = truth if completions is None else torch.cat([truth, completions[i]])
            seen = Evidence(evidence.y[i:i + 1], evidence.observed[i:i + 1], evidence.flip)
            log_wx, log_wy = [], []
            for start in range(0, k, chunk):
                z, log_r = _proposal_draws(model, components, min(chunk, k - start), generator)
                logits = model.decode_logits(z).reshape(len(z), *truth.shape[1:])
                log_prior = log_normal(z, torch.zeros_like(z), torch.zeros_like(z))
                log_wx.append(bernoulli_log_prob(truth.expand_as(logits), logits) + log_prior - log_r)
                log_wy.append(seen.marginal_log_likelihood(logits) + log_prior - log_r)
            log_wx, log_wy = torch.cat(log_wx), torch.cat(log_wy)
            log_px = torch.logsumexp(log_wx, 0) - math.log(k)
            log_py = torch.logsumexp(log_wy, 0) - math.log(k)
            estimates.append(seen.log_likelihood(truth)[0] + log_px - log_py)
            # delta method on log mean(w_x) - log mean(w_y) with the same draws: var of (w_x/mean - w_y/mean) / k
            ratio = torch.exp(log_wx - log_px) - torch.exp(log_wy - log_py)
            errors.append(ratio.std() / math.sqrt(k) if k > 1 else torch.tensor(math.inf))
    return Estimate(torch.stack(estimates), torch.stack(errors))
