"""Samplers that complete a digit from what was seen, for any model with the VAE contract
(`encode(x) -> (mu, logvar)`, `decode_logits(z)`, `config.latent_dim`, a standard normal prior).

- one-shot: z ~ q(z | y), x ~ p(x | z, y). One encode and one decode: the baseline.
- pseudo-Gibbs (Rezende et al. 2014, section 5): repeat z ~ q(z | x), x ~ p(x | z, y). It treats the
  encoder as if it were the true posterior, so its stationary law is not p(x | y) in general.
- Metropolis-within-Gibbs (Mattei & Frellsen 2018, "Leveraging the exact likelihood of deep latent
  variable models", algorithm 1): the same proposal z' ~ q(z | x), accepted with probability
  min(1, p(x | z') p(z') q(z | x) / (p(x | z) p(z) q(z' | x))), which makes p(z | x) invariant;
  together with the exact x ~ p(x | z, y) step the chain targets the true p(x, z | y).
  From a blank start its independent proposals are rarely accepted (about 4% on vae-mnist with the
  bottom half hidden, where the chain barely leaves the one-shot state; Simkus & Gutmann 2023 report
  the same stickiness), so by default the first half of its iterations are pseudo-Gibbs, a warm
  start: any start leaves the chain's target unchanged, and the Metropolis half then corrects it.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

import torch
import torch.nn.functional as F

from gen_core.repair.evidence import Evidence

METHODS = ("one-shot", "pseudo-gibbs", "mwg")
METHOD_NAMES = {"one-shot": "one-shot (baseline)", "pseudo-gibbs": "pseudo-Gibbs", "mwg": "Metropolis-within-Gibbs"}
LOG_2PI = math.log(2 * math.pi)


class Step(NamedTuple):
    x: torch.Tensor                  # the chain's image after this step, binary, the input's shape
    accepted: torch.Tensor | None    # (n,) bool: whether a Metropolis move was accepted; None: no test made


def _device(model) -> torch.device:
    return next(model.parameters()).device


def log_normal(z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """log N(z; mu, diag exp(logvar)), summed over the last dimension."""
    return (-0.5 * ((z - mu) ** 2 / logvar.exp() + logvar + LOG_2PI)).sum(-1)


def bernoulli_log_prob(x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """log p(x | z) per image for binary x and the decoder's logits."""
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)


def _propose(model, x: torch.Tensor, generator: torch.Generator | None):
    """z' ~ q(z | x), with q's parameters (to score the current z under the same q)."""
    mu, logvar = model.encode(x)
    eps = torch.randn(mu.shape, generator=generator).to(mu.device)
    return mu + torch.exp(0.5 * logvar) * eps, mu, logvar


def chain(model, evidence: Evidence, *, method: str = "mwg", steps: int = 50, warm_start: int | None = None,
          generator: torch.Generator | None = None) -> Iterator[Step]:
    """The sampler's states: the one-shot completion first, then one state per iteration (`steps`
    of them; one-shot has none). For mwg, the first `warm_start` iterations (default steps // 2) are
    pseudo-Gibbs. Exactly known pixels are the same in every state."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0; got {steps}")
    warm_start = steps // 2 if warm_start is None else warm_start
    if method == "mwg" and not 0 <= warm_start <= steps:
        raise ValueError(f"warm_start must be from 0 to steps ({steps}); got {warm_start}")
    prior = lambda v: log_normal(v, torch.zeros_like(v), torch.zeros_like(v))  # noqa: E731
    device = _device(model)
    with torch.no_grad():
        x = evidence.y.to(device)                       # hidden pixels start blank
        z, _, _ = _propose(model, x, generator)
        logits = model.decode_logits(z).reshape(x.shape)
        x = evidence.draw(logits, generator)
        yield Step(x, None)
        for step in range(steps if method != "one-shot" else 0):
            proposal, mu, logvar = _propose(model, x, generator)
            proposal_logits = model.decode_logits(proposal).reshape(x.shape)
            tested = method == "mwg" and step >= warm_start
            if tested:
                log_ratio = (bernoulli_log_prob(x, proposal_logits) + prior(proposal) + log_normal(z, mu, logvar)
                             - bernoulli_log_prob(x, logits) - prior(z) - log_normal(proposal, mu, logvar))
                u = torch.rand(len(x), generator=generator).to(device)
                accepted = torch.log(u) < log_ratio
            else:
                accepted = torch.ones(len(x), dtype=torch.bool, device=device)
            z = torch.where(accepted[:, None], proposal, z)
            logits = torch.where(accepted.view(-1, *[1] * (x.dim() - 1)), proposal_logits, logits)
            x = evidence.draw(logits, generator)
            yield Step(x, accepted if tested else None)


def complete(model, x: torch.Tensor, observed: torch.Tensor, *, method: str = "mwg", steps: int = 50,
             flip: float = 0.0, warm_start: int | None = None, generator: torch.Generator | None = None,
             states: bool = False):
    """One completion per input. x: the seen digits, binary (n, 1, 28, 28); observed: same shape, 1 where
    a pixel was seen. With flip = 0 the observed pixels come back unchanged; with flip > 0 they were
    seen through a channel that flips each with that probability, and are denoised too.
    states=True returns (completion, the chain's states (steps + 1, n, 1, 28, 28))."""
    steps_of = chain(model, Evidence.of(x, observed, flip), method=method, steps=steps, warm_start=warm_start,
                     generator=generator)
    if states:
        trail = [step.x for step in steps_of]
        return trail[-1], torch.stack(trail)
    for step in steps_of:
        pass
    return step.x
