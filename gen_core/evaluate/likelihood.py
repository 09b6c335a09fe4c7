"""Likelihood models of binarized digits: the VAE's bounds (and its repair section), the exact NLL
of the autoregressive models."""
from __future__ import annotations

import math
from dataclasses import replace

import torch

import gen_core
from gen_core.card import Metric, PaperFigure, read_card
from gen_core.evaluate.common import Digits, Report, binarized_test, nll_metrics, per_class
from gen_core.evaluate.judged import classifier_view
from gen_core.models.pixelcnn import NO_DIGIT
from gen_core.repair.measure import repair_metrics


PAPER_IWAE_K = 5000         # importance samples per image in the IWAE paper's test NLL


def evaluate_vae(model, args) -> Report:
    """The bounds on the test digits and, on the first --repair-digits of them, the repair section
    (gen_core.repair.measure). --only repair measures the repair section alone and keeps the card's
    other figures as they were measured."""
    data = Digits.load(args.data)
    x = binarized_test(data.test)
    if args.only == "repair":
        kept = read_card(model.source.directory)
        bounds = [m for m in kept.metrics if not m.key.startswith("repair_")]
        headline, iwae_k = kept.headline, None
    else:
        bounds, headline, iwae_k = _vae_bounds(model, x, data, args), "nll_iwae", args.iwae_k
    n = min(args.repair_digits, len(x))
    repair = repair_metrics(model, gen_core.load("mnist-classifier", device="cpu"), x[:n], data.test.labels[:n],
                            seed=args.seed, where=f"the first {n:,} of the {data.test_name()}") if n else []
    return Report(bounds + repair, headline, _vae_papers(data, bounds, iwae_k))


def _vae_papers(data: Digits, bounds: list[Metric], iwae_k: int | None) -> list[PaperFigure]:
    """The IWAE paper's k = 5,000 figure, beside our figure measured with k = 5,000: the main one, or
    else the check on the first digits; no figure where neither was measured at k = 5,000."""
    keys = {m.key for m in bounds}
    if iwae_k == PAPER_IWAE_K:
        return data.papers("vae")
    return [replace(f, key="nll_iwae_check") for f in data.papers("vae")] if "nll_iwae_check" in keys else []


def _vae_bounds(model, x: torch.Tensor, data: Digits, args) -> list[Metric]:
    """-ELBO and the IWAE bound (k = args.iwae_k) on the test digits, binarized once with a fixed seed
    (the seed the autoregressive models use too, so every family's nats are measured on the same bits).
    With --iwae-check N, also k = 5,000 on the first N digits beside the main k on the same digits, to
    show how far the main k is from the paper's."""
    g = torch.Generator().manual_seed(args.seed)
    with torch.no_grad():
        reconstruction, kl = model.elbo_terms(x, g)
    iwae = model.iwae_bound(x, args.iwae_k, generator=g)
    n = len(x)
    se = lambda v: float(v.std() / len(v) ** 0.5)  # noqa: E731
    nelbo = -(reconstruction - kl)
    results = [
        Metric("nll_iwae", f"-log p(x) by the IWAE bound, k = {args.iwae_k:,}, nats ({data.test_name()}, "
               "binarized once with a fixed seed)", float(-iwae.mean())),
        Metric("nll_iwae_se", "Its standard error over images", se(iwae)),
        Metric("negative_elbo", "-ELBO, nats (one sample per image)", float(nelbo.mean())),
        Metric("negative_elbo_se", "Its standard error over images", se(nelbo)),
        Metric("kl", "KL(q(z|x) || p(z)), nats", float(kl.mean())),
        Metric("reconstruction", "-E_q log p(x|z), nats", float(-reconstruction.mean())),
    ]
    if args.iwae_check:
        m, k = min(args.iwae_check, n), PAPER_IWAE_K
        check = model.iwae_bound(x[:m], k, generator=g)
        results += [
            Metric("nll_iwae_check", f"-log p(x) by the IWAE bound, k = {k:,}, nats (the first {m:,} of those digits)",
                   float(-check.mean())),
            Metric("nll_iwae_check_main_k", f"The same {m:,} digits at k = {args.iwae_k:,}", float(-iwae[:m].mean())),
            Metric("nll_iwae_check_gap_se", f"Standard error of the paired difference k = {args.iwae_k:,} − k = {k:,}",
                   se(iwae[:m] - check)),
        ]
    return results


def evaluate_pixelcnn(model, args) -> Report:
    """Exact NLL of the test digits (binarized as for the VAE) under the mixture over digits, given the
    true digit and given "no digit"; the generative classifier's accuracy (Bayes' rule, from the same
    passes); and its digits as the project's classifier sees them."""
    data = Digits.load(args.data)
    x, labels = binarized_test(data.test), data.test.labels
    per_digit = torch.cat([model.log_prob_per_digit(x[i:i + 100]) for i in range(0, len(x), 100)])  # (n, 10)
    mixture = torch.logsumexp(per_digit, 1) - math.log(10)
    given = per_digit[torch.arange(len(x)), labels]
    no_digit = torch.cat([model.log_prob(x[i:i + 100], torch.full((len(x[i:i + 100]),), NO_DIGIT))
                          for i in range(0, len(x), 100)])
    classifier = gen_core.load("mnist-classifier", device="cpu")
    n = 10 * args.n_per_class
    sample_labels = torch.arange(n) % 10
    samples = torch.cat([model.sample(len(part), labels=part, generator=torch.Generator().manual_seed(args.seed + i))
                         for i, part in enumerate(sample_labels.split(100))])
    real = data.train.images[per_class(data.train, args.n_per_class, args.seed)]
    _, quality = classifier_view(classifier, samples, sample_labels, real, data.test.images, labels, "digits")
    where = f"{data.test_name()}, binarized once with a fixed seed"
    return Report(nll_metrics("nll", f"-log p(x), exact, the mixture over digits with a uniform p(y), nats ({where})", -mixture) + [
        *nll_metrics("nll_given_digit", "-log p(x | y) given the true digit, nats", -given),
        *nll_metrics("nll_no_digit", "-log p(x | no digit), the network's unconditional entry, nats", -no_digit),
        Metric("generative_classifier_accuracy", "Generative classifier: argmax_y p(x | y) is the true digit "
               f"({len(x):,} test digits)", float((per_digit.argmax(1) == labels).float().mean())),
    ] + quality, "nll", data.papers("pixelcnn"))


def evaluate_made(model, args) -> Report:
    """Exact NLL of the test digits, binarized as for the VAE."""
    data = Digits.load(args.data)
    x = binarized_test(data.test)
    nll = -torch.cat([model.log_prob(x[i:i + 1000]) for i in range(0, len(x), 1000)])
    return Report(nll_metrics("nll", f"-log p(x), exact, nats ({data.test_name()}, binarized once with a fixed seed)", nll),
                  "nll", data.papers("made"))
