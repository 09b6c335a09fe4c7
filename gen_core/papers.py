"""The papers' own figures that ours are measured beside, each on the protocol its paper used.

Each family's record (gen_core/models/<family>.py, RECORD.papers) names the ones on its evaluator's
protocol; gen_core.evaluate writes them into its card, and the app reads them from there. Each source
names the paper, the table and the setting, so a reader can check it.
"""
from __future__ import annotations

from gen_core.card import PaperFigure

GAN_PARZEN = PaperFigure(
    "parzen_log_likelihood", 225.0,
    "Goodfellow et al. 2014, Table 1: adversarial nets, Gaussian Parzen window of 10,000 samples on the MNIST test set",
    se=2.0)
CGAN_PARZEN = PaperFigure(
    "parzen_log_likelihood", 132.0,
    "Mirza & Osindero 2014, Table 1: conditional adversarial nets, Parzen window of 1,000 samples per digit",
    se=1.8)
INFOGAN_CODE_ACCURACY = PaperFigure(
    "categorical_accuracy", 0.95,
    "Chen et al. 2016, §7.1: categorical code matched to digits, 5% error")
VAE_IWAE_NLL = PaperFigure(
    "nll_iwae", 86.76,
    "Burda et al. 2016 (IWAE), Table 1: VAE, one stochastic layer, k = 1 in training, 784-200-200-50 MLPs, "
    "dynamic binarization, test NLL by k = 5,000")

# Exact test NLL on binarized MNIST. These papers train and test on one static binarization (Larochelle &
# Murray 2011); ours train on fresh draws (dynamic) and test on the test digits binarized once with a
# fixed seed: the same kind of measure, not the same bits, so the figures are close, not identical.
STATIC = "static binarization of the 50,000/10,000/10,000 split"
PIXELCNN_NLL = [
    PaperFigure("nll", 81.30, f"van den Oord et al. 2016 (PixelRNN paper), Table 4: PixelCNN, {STATIC}"),
    PaperFigure("nll", 79.20, f"van den Oord et al. 2016 (PixelRNN paper), Table 4: Diagonal BiLSTM, 7 layers, {STATIC}"),
]
MADE_NLL = [
    PaperFigure("nll", 88.04, f"Germain et al. 2015 (MADE): 1 hidden layer, 32 masks, {STATIC}"),
    PaperFigure("nll", 86.64, f"van den Oord et al. 2016 (PixelRNN paper), Table 4: MADE, 2 hidden layers, 32 masks, {STATIC}"),
    PaperFigure("nll", 88.33, f"NADE (Larochelle & Murray 2011), as Uria et al. tabulate it: {STATIC}"),
]
