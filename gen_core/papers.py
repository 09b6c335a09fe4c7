"""The papers' own figures that ours are measured beside, each on the protocol its paper used.

gen_core.evaluate writes the ones that match a model's protocol into its card; the app reads them
from there. Each source names the paper, the table and the setting, so a reader can check it.
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

PAPER_FIGURES: dict[str, list[PaperFigure]] = {
    "gan": [GAN_PARZEN],
    "cgan": [CGAN_PARZEN],
    "infogan": [INFOGAN_CODE_ACCURACY],
    "vae": [VAE_IWAE_NLL],
}
