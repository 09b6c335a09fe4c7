"""Sample-quality metrics: pure functions on tensors.

Definitions follow the papers cited at each function (IS: Salimans et al. 2016; FD: Heusel et al. 2017, on our classifier's features; Parzen: Goodfellow et al. 2014). Features and probabilities
come from the project's MNIST classifier (gen_core.models.classifier).
"""
from __future__ import annotations

import math

import numpy as np
import torch


def conditional_accuracy(probs: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of samples whose argmax p(y|x) equals the requested label."""
    return (probs.argmax(1) == labels).double().mean().item()


def frechet_distance(features_a: torch.Tensor, features_b: torch.Tensor) -> float:
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) between two feature sets (N, D).

    Finite samples bias this above 0 even for two draws of the same distribution: report it
    beside the real-vs-real floor measured with the same sample sizes.
    """
    return frechet_distance_of(feature_statistics(features_a), feature_statistics(features_b))


def feature_statistics(features: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(mean (D,), covariance (D, D)) of a feature set (N, D), in float64: all the Fréchet distance needs."""
    a = features.double().numpy()
    return a.mean(0), np.cov(a, rowvar=False)


def frechet_distance_of(stats_a: tuple[np.ndarray, np.ndarray], stats_b: tuple[np.ndarray, np.ndarray]) -> float:
    """The Fréchet distance between two Gaussians given as (mean, covariance)."""
    (mu_a, cov_a), (mu_b, cov_b) = stats_a, stats_b
    # Tr (S_a S_b)^(1/2) = sum of sqrt(eigenvalues of S_a^(1/2) S_b S_a^(1/2)), a symmetric PSD matrix:
    # two symmetric eigendecompositions, stable where sqrtm of the non-symmetric product is not.
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(values.clip(min=0))) @ vectors.T
    inner = root_a @ cov_b @ root_a
    trace_covmean = np.sqrt(np.linalg.eigvalsh((inner + inner.T) / 2).clip(min=0)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_covmean)


def inception_score(probs: torch.Tensor, splits: int = 10) -> tuple[float, float]:
    """exp(E_x KL(p(y|x) || p(y))) per contiguous split: (mean, std) over splits (Salimans 2016).

    Callers order samples so each split holds the same label mix; the score is at most the
    number of classes.
    """
    if len(probs) % splits:
        raise ValueError(f"{len(probs)} samples do not divide into {splits} equal splits")
    p = probs.double().clamp_min(1e-12)
    scores = []
    for part in p.chunk(splits):
        marginal = part.mean(0, keepdim=True)
        scores.append(math.exp((part * (part.log() - marginal.log())).sum(1).mean().item()))
    return float(np.mean(scores)), float(np.std(scores))


def stratified_order(labels: torch.Tensor) -> torch.Tensor:
    """Indices of a class-balanced subset (as many of each class as the rarest has), interleaving the
    classes (0, 1, ..., 9, 0, 1, ...), so every run of n_classes consecutive items is balanced."""
    rank_in_class = torch.empty_like(labels)
    classes = labels.unique()
    for c in classes:
        where = (labels == c).nonzero().squeeze(1)
        rank_in_class[where] = torch.arange(len(where))
    keep = min(int((labels == c).sum()) for c in classes)
    order = torch.argsort(rank_in_class * (int(labels.max()) + 1) + labels)
    return order[rank_in_class[order] < keep]


def parzen_point_log_likelihoods(samples: torch.Tensor, test: torch.Tensor, sigmas: list[float],
                                 batch_size: int = 500) -> torch.Tensor:
    """Gaussian Parzen-window log-likelihood of each test point under a KDE on `samples`, for each
    sigma (Goodfellow 2014): log p(x) = logmeanexp_i(-||x - mu_i||^2 / 2 sigma^2) - D log(sigma sqrt(2 pi)).
    The squared distances are computed once and shared by every sigma. Returns (len(sigmas), n_test)."""
    mu = samples.flatten(1).double()
    x = test.flatten(1).double()
    d = mu.shape[1]
    mu_sq = (mu ** 2).sum(1)
    out = torch.empty(len(sigmas), len(x), dtype=torch.float64)
    for start in range(0, len(x), batch_size):
        chunk = x[start:start + batch_size]
        sq = ((chunk ** 2).sum(1, keepdim=True) - 2 * chunk @ mu.T + mu_sq).clamp_min(0)  # (b, n_samples)
        for row, sigma in enumerate(sigmas):
            out[row, start:start + len(chunk)] = (torch.logsumexp(-sq / (2 * sigma ** 2), 1) - math.log(len(mu))
                                                  - d * math.log(sigma * math.sqrt(2 * math.pi)))
    return out


def parzen_log_likelihood(samples: torch.Tensor, test: torch.Tensor, sigma: float) -> tuple[float, float]:
    """The mean Parzen-window log-likelihood of `test` and its standard error. Paper-comparable
    only: Theis et al. (2016) show it ranks models poorly."""
    ll = parzen_point_log_likelihoods(samples, test, [sigma])[0]
    return ll.mean().item(), (ll.std() / math.sqrt(len(ll))).item()


def parzen_select_sigma(samples: torch.Tensor, validation: torch.Tensor,
                        sigmas: np.ndarray | None = None) -> float:
    """The sigma in logspace(-1, 0, 10) (the GAN paper's grid) with the best mean validation log-likelihood."""
    sigmas = [float(s) for s in (np.logspace(-1, 0, 10) if sigmas is None else sigmas)]
    means = parzen_point_log_likelihoods(samples, validation, sigmas).mean(1)
    return sigmas[int(means.argmax())]


def match_codes_to_classes(counts: np.ndarray) -> tuple[list[int], float]:
    """Hungarian matching of latent codes to classes. counts[k, d] = samples of code k that the
    classifier calls d. Returns (class of each code, one-to-one, maximizing the matched count;
    fraction of all samples whose prediction equals their code's class)."""
    from scipy.optimize import linear_sum_assignment

    codes, classes = linear_sum_assignment(-counts)
    mapping = [int(c) for _, c in sorted(zip(codes, classes))]
    return mapping, float(counts[codes, classes].sum() / counts.sum())


def slant_degrees(images: torch.Tensor) -> torch.Tensor:
    """Lean of each image's principal axis from vertical, from its second central moments: degrees,
    positive when the top leans right. (n, 1, H, W) -> (n,)."""
    x = images.flatten(0, 1).double()  # (n, H, W)
    h, w = x.shape[-2:]
    rows = torch.arange(h, dtype=x.dtype).view(1, h, 1)
    cols = torch.arange(w, dtype=x.dtype).view(1, 1, w)
    mass = x.sum((1, 2)).clamp_min(1e-12)
    cy = (x * rows).sum((1, 2)) / mass
    cx = (x * cols).sum((1, 2)) / mass
    dy = rows - cy.view(-1, 1, 1)    # rows grow downwards: "up" is -dy
    dx = cols - cx.view(-1, 1, 1)
    mu20 = (x * dx ** 2).sum((1, 2))
    mu02 = (x * dy ** 2).sum((1, 2))
    mu11_up = -(x * dx * dy).sum((1, 2))
    return torch.rad2deg(0.5 * torch.atan2(2 * mu11_up, mu02 - mu20)).float()


def ink_mass(images: torch.Tensor) -> torch.Tensor:
    """Total intensity of each image, a proxy for stroke thickness. (n, 1, H, W) -> (n,)."""
    return images.flatten(1).sum(1)


def mean_spearman(values: torch.Tensor, measures: torch.Tensor) -> float:
    """Mean over rows of the Spearman correlation between values (steps,) and measures (rows, steps):
    how consistently a measure moves with a code when everything else is held fixed. Rows whose
    measure does not change are skipped."""
    from scipy.stats import spearmanr

    rhos = [spearmanr(values.numpy(), row.numpy()).statistic for row in measures if row.std() > 0]
    return float(np.nanmean(rhos)) if rhos else float("nan")


def label_histogram(probs: torch.Tensor) -> torch.Tensor:
    """Share of samples the classifier assigns to each class (argmax), (n_classes,)."""
    return torch.bincount(probs.argmax(1), minlength=probs.shape[1]).double() / len(probs)


def classes_covered(probs: torch.Tensor, min_share: float = 0.05) -> int:
    """Mode coverage: classes that receive at least min_share of the samples."""
    return int((label_histogram(probs) >= min_share).sum())


def label_histogram_kl(probs: torch.Tensor) -> float:
    """KL(p̂(y) ‖ uniform) in nats, p̂ the classifier's label histogram: 0 for perfectly balanced
    classes, log(n_classes) when every sample falls in one class."""
    p = label_histogram(probs)
    nonzero = p[p > 0]
    return float((nonzero * (nonzero * len(p)).log()).sum())


def within_class_spread(features: torch.Tensor, labels: torch.Tensor) -> float:
    """Variety inside each class: the mean Euclidean distance between two feature vectors (N, D) of
    the same label, averaged over the labels present. A model that collapses each class to one
    output scores 0; compare it with the same figure for real data."""
    spreads = [torch.pdist(features[labels == c].double()).mean() for c in labels.unique()
               if int((labels == c).sum()) > 1]
    if not spreads:
        raise ValueError("within_class_spread needs two samples of some label")
    return float(torch.stack(spreads).mean())


def histogram_kl(points: torch.Tensor, bin_probs: torch.Tensor, extent: float) -> float:
    """KL(q̂ ‖ P), nats: q̂ the histogram of `points` (n, 2) on the b x b bins of `bin_probs` (b, b),
    which tile [-extent, extent]^2 (rows y from the bottom, columns x), with one bin more for the
    points outside the box, whose P is 1 − bin_probs.sum(). Empty bins add nothing. The estimate has
    its own noise, about (occupied bins − 1) / 2n nats, so set it beside the same measure on as many
    exact draws from P."""
    b = bin_probs.shape[0]
    cells = ((points.double() + extent) / (2 * extent) * b).floor().long()
    inside = ((cells >= 0) & (cells < b)).all(1)
    index = torch.where(inside, cells[:, 1].clamp(0, b - 1) * b + cells[:, 0].clamp(0, b - 1), b * b)
    q = torch.bincount(index, minlength=b * b + 1).double() / len(points)
    p = torch.cat([bin_probs.flatten().double(), (1 - bin_probs.sum().double()).clamp_min(0).reshape(1)])
    seen = q > 0
    return float((q[seen] * (q[seen].log() - p[seen].log())).sum())
