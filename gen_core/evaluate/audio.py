"""The spoken-digit models (synthesized speech, not SC09): the speech classifier's accuracy, and
WaveGAN as that classifier and a linear probe hear it."""
from __future__ import annotations

import torch

import gen_core
from gen_core import metrics
from gen_core.card import Metric
from gen_core.evaluate.common import Report, per_class
from gen_core.evaluate.judged import classifier_view


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
    real = train.audio[per_class(train, args.n_per_class, args.seed)]
    seen, quality = classifier_view(classifier, clips, digits, real, test.audio, test.labels, "clips")
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
