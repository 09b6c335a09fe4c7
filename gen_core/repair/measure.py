"""The repair section of a VAE's card: every standard corruption, every sampler, on held-out digits.

Per corruption and sampler: the project classifier's accuracy on the completions against the true
digit, and the error rate on the hidden pixels (on every pixel for flips, which hide none). Per
corruption: -log p(x_miss | x_obs) of the truth in nats (gen_core.repair.likelihood), and two
references: the hidden-pixel error of leaving them blank (of keeping the noisy pixels, for flips),
and, where pixelcnn-mnist is present, its exact -log p(bottom rows | top rows) for the bottom-half mask.
"""
from __future__ import annotations

import math

import torch

from gen_core.card import Metric
from gen_core.repair.corruptions import STANDARD, Corruption
from gen_core.repair.evidence import Evidence
from gen_core.repair.likelihood import conditional_log_prob
from gen_core.repair.samplers import METHOD_NAMES, METHODS, chain

PROPOSAL_COMPLETIONS = 3   # Metropolis-within-Gibbs completions per digit that widen the likelihood's proposal


def _accuracy(classifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    return float((classifier.features_and_probs(images)[1].argmax(1) == labels).float().mean())


def hidden_error(completion: torch.Tensor, truth: torch.Tensor, scored: torch.Tensor) -> float:
    """The share of the scored pixels (Evidence.scored) where the completions differ from the truth."""
    scored = scored.expand_as(completion)
    return float(((completion != truth).float() * scored).sum() / scored.sum())


def _run(model, evidence: Evidence, method: str, steps: int, seed: int) -> tuple[torch.Tensor, float | None]:
    """The final completion and the Metropolis acceptance rate (None where no test was made)."""
    tests = []
    for step in chain(model, evidence, method=method, steps=steps, generator=torch.Generator().manual_seed(seed)):
        if step.accepted is not None:
            tests.append(step.accepted.float().mean())
    return step.x, (float(torch.stack(tests).mean()) if tests else None)


def measure_corruption(model, classifier, x: torch.Tensor, labels: torch.Tensor, corruption: Corruption, *,
                       steps: int, k: int, seed: int, where: str) -> list[Metric]:
    evidence = corruption.observe(x, torch.Generator().manual_seed(seed))
    hidden = evidence.scored
    key, label = f"repair_{corruption.key}", corruption.label
    out = [Metric(f"{key}_blank_error", f"Repair, {label}: error on the {'pixels if kept as seen' if corruption.kind == 'flip' else 'hidden pixels if left blank'} (reference)",
                  hidden_error(evidence.y, x, hidden))]
    completions = {}
    for method in METHODS:
        completion, acceptance = _run(model, evidence, method, steps, seed + 1)
        completions[method] = completion
        name = f"{METHOD_NAMES[method]}" + ("" if method == "one-shot" else f", {steps} iterations")
        out += [Metric(f"{key}_{method}_accuracy", f"Repair, {label}, {name}: classifier accuracy of the completions ({where})",
                       _accuracy(classifier, completion, labels)),
                Metric(f"{key}_{method}_hidden_error", f"Repair, {label}, {name}: error rate on the {'pixels' if corruption.kind == 'flip' else 'hidden pixels'}",
                       hidden_error(completion, x, hidden))]
        if acceptance is not None:
            out.append(Metric(f"{key}_mwg_acceptance", f"Repair, {label}: Metropolis acceptance rate after the warm start", acceptance))
    more = [_run(model, evidence, "mwg", steps, seed + 2 + j)[0] for j in range(PROPOSAL_COMPLETIONS - 1)]
    estimate = conditional_log_prob(model, x, evidence, k=k, completions=torch.stack([completions["mwg"], *more], 1),
                                    generator=torch.Generator().manual_seed(seed + 3))
    nll = -estimate.log_prob
    what = "x | y" if corruption.kind == "flip" else "x_miss | x_obs"
    out += [Metric(f"{key}_nll", f"Repair, {label}: -log p({what}) of the truth, nats, importance sampling k = {k:,}", float(nll.mean())),
            Metric(f"{key}_nll_se", "Its standard error over digits", float(nll.std() / math.sqrt(len(nll))))]
    return out


def repair_metrics(model, classifier, x: torch.Tensor, labels: torch.Tensor, *, steps: int = 50, k: int = 100,
                   seed: int = 0, where: str = "", reference=None) -> list[Metric]:
    """The repair section for binary digits x (n, 1, 28, 28) with their labels. `reference`: an
    autoregressive model with `conditionals(x, labels)` (pixelcnn-mnist), for the exact comparison."""
    out = [Metric("repair_clean_accuracy", f"Repair reference: classifier accuracy on the uncorrupted binarized digits ({where})",
                  _accuracy(classifier, x, labels))]
    for corruption in STANDARD:
        out += measure_corruption(model, classifier, x, labels, corruption, steps=steps, k=k, seed=seed, where=where)
    if reference is not None:
        observed = Corruption("hide bottom", 14).observe(x).observed
        nll = -exact_log_conditional(reference, x, observed)
        out += [Metric("repair_bottom14_nll_exact", "Repair, bottom 14 rows hidden: exact -log p(bottom rows | top rows) "
                       "under pixelcnn-mnist, nats", float(nll.mean())),
                Metric("repair_bottom14_nll_exact_se", "Its standard error over digits", float(nll.std() / math.sqrt(len(nll))))]
    return out


def exact_log_conditional(model, x: torch.Tensor, observed: torch.Tensor) -> torch.Tensor:
    """log p(x_miss | x_obs) under a digit-conditioned autoregressive model whose observed pixels all come
    first in its order (the top rows, in raster order): with a uniform prior over digits,
    log sum_y p(x | y) - log sum_y p(x_obs | y), each p(. | y) a product of the model's conditionals."""
    order = observed.flatten(1)
    if bool((order[:, 1:] > order[:, :-1]).any()):
        raise ValueError("the observed pixels must come first in raster order (e.g. the top rows)")
    log_x, log_obs = [], []
    with torch.no_grad():
        for digit in range(10):
            p = model.conditionals(x, torch.full((len(x),), digit)).clamp(1e-7, 1 - 1e-7)
            per_pixel = x * torch.log(p) + (1 - x) * torch.log1p(-p)
            log_x.append(per_pixel.flatten(1).sum(1))
            log_obs.append((per_pixel * observed).flatten(1).sum(1))
    return torch.logsumexp(torch.stack(log_x), 0) - torch.logsumexp(torch.stack(log_obs), 0)
