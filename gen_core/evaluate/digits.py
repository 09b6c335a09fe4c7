"""The MNIST classifier and the digit GANs: accuracy; conditional accuracy, FD, IS, coverage and
the GAN papers' Parzen protocols; InfoGAN's codes."""
from __future__ import annotations

from dataclasses import replace

import torch

import gen_core
from gen_core import metrics
from gen_core.card import Metric
from gen_core.data.mnist import STANDARD_SOURCE, load_mnist
from gen_core.evaluate.common import Digits, Report, parzen, per_class
from gen_core.evaluate.judged import classifier_view, fidelity
from gen_core.models import RECORDS
from gen_core.sample import digit_labels


TEST_STATISTICS = "test_statistics.safetensors"   # the classifier's feature mean and covariance on the 10,000 test digits


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


def evaluate_cgan(model, args) -> Report:
    classifier = gen_core.load("mnist-classifier", device="cpu")
    data = Digits.load(args.data)
    n = 10 * args.n_per_class
    labels = torch.arange(n) % 10  # 0, 1, ..., 9, 0, ...: every split of the IS holds each digit equally
    samples = model.sample(n, labels=labels, generator=torch.Generator().manual_seed(args.seed))
    real = data.train.images[per_class(data.train, args.n_per_class, args.seed)]
    _, quality = classifier_view(classifier, samples, labels, real, data.test.images, data.test.labels, "digits")
    # The cGAN paper's Parzen protocol: 1,000 samples per digit in one window.
    parzen_labels = digit_labels(None, 1000)
    parzen_samples = model.sample(len(parzen_labels), labels=parzen_labels,
                                  generator=torch.Generator().manual_seed(args.seed + 1))
    return Report(quality + parzen(parzen_samples, data), "conditional_accuracy", data.papers("cgan"))


def evaluate_gan(model, args) -> Report:
    """An unconditional digit generator as the MNIST classifier sees it: Fréchet distance (with the
    real floor) and Inception score against the test digits, mode coverage, and the GAN paper's
    Parzen window on 10,000 samples."""
    classifier = gen_core.load("mnist-classifier", device="cpu")
    data = Digits.load(args.data)
    n = 10 * args.n_per_class
    samples = model.sample(n, generator=torch.Generator().manual_seed(args.seed))
    real = data.train.images[per_class(data.train, args.n_per_class, args.seed)]
    seen, quality = fidelity(classifier, samples, real, data.test.images, data.test.labels, "digits",
                              "splits of random draws")
    parzen_samples = model.sample(10_000, generator=torch.Generator().manual_seed(args.seed + 1))
    return Report(quality + [
        Metric("digits_covered", f"Digits receiving at least 5% of {n} samples (mode coverage, of 10)",
               metrics.classes_covered(seen.probs)),
        Metric("kl_from_uniform", "KL(classifier's digit histogram ‖ uniform), nats",
               metrics.label_histogram_kl(seen.probs)),
    ] + parzen(parzen_samples, data), "inception_score", data.papers("gan"))


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
    return Report(results, "categorical_accuracy", list(RECORDS["infogan"].papers))


def evaluate_digit_energy(model, args) -> Report:
    """The digit energy's two samplers, each as evaluate_gan sees a generator (FD with its floor, IS,
    mode coverage): fresh chains from uniform noise with the shipped steps (the headline), and chains
    started from the replay states stored with the weights, run as many steps."""
    classifier = gen_core.load("mnist-classifier", device="cpu")
    data = Digits.load(args.data)
    n = 10 * args.n_per_class
    real = data.train.images[per_class(data.train, args.n_per_class, args.seed)]
    results = []
    for prefix, from_replay in (("", False), ("replay_", True)):
        what = "replay-buffer chains" if from_replay else "fresh chains from noise"
        samples = torch.cat([model.sample(len(part), generator=torch.Generator().manual_seed(args.seed + i),
                                          from_replay=from_replay) for i, part in enumerate(torch.arange(n).split(100))])
        seen, quality = fidelity(classifier, samples, real, data.test.images, data.test.labels, "digits",
                                 "splits of random draws")
        quality += [Metric("digits_covered", f"Digits receiving at least 5% of {n} samples (mode coverage, of 10)",
                           metrics.classes_covered(seen.probs)),
                    Metric("kl_from_uniform", "KL(classifier's digit histogram ‖ uniform), nats",
                           metrics.label_histogram_kl(seen.probs))]
        results += [m if "real" in m.key else replace(m, key=prefix + m.key, label=f"{m.label} [{what}, "
                                                      f"{model.config.sampler_steps} steps]")
                    for m in quality if not (from_replay and "real" in m.key)]
    return Report(results, "inception_score")
