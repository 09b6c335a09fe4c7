"""Sort real digits into 10 clusters without labels: the categorical half of InfoGAN's Q.

IMSAT (Hu et al. 2017): an MLP whose prediction is the same for a digit, for its virtual
adversarial neighbour (VAT at a radius of a quarter of the distance to its 10th nearest
neighbour) and for a slightly moved copy; confident; and using every cluster equally often:
    minimize  R_VAT + R_affine - weight * (mu * H(Y) - H(Y | X)),   weight 0.1, mu 4 (the paper's).
The digits are deskewed first (sheared upright by their moments): without that the clusters split
the 4s and 9s by slant instead of by shape. A single fit can still settle on another partition (one
digit split in two, two merged), so `fit_stable` fits a few from different seeds and keeps the one
that agrees best with the others (a label-free choice: good fits agree with each other, poor ones
each fail their own way). InfoGAN then trains its generator to make each categorical code a digit
this frozen clusterer recognizes.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from gen_core.metrics import match_codes_to_classes
from gen_core.train.augment import affine_warp, deskew

BATCH = 250
NEIGHBOUR = 10       # VAT radius: a quarter of the distance to this nearest neighbour
RADIUS_SCALE = 0.25
XI = 10.0            # size of the probe step of VAT's power iteration
WEIGHT, MU = 0.1, 4.0


class DigitClusterer(nn.Module):
    """(B, 1, 28, 28) digits in [0, 1] -> cluster logits (B, n_clusters), on the deskewed pixels."""

    def __init__(self, n_clusters: int = 10, hidden: int = 1200):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(28 * 28, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                                 nn.Linear(hidden, n_clusters))
        self.register_buffer("fitted", torch.tensor(False))  # saved with the weights, so a resume skips fitting

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(deskew(images).flatten(1))


def random_affine(images: torch.Tensor, generator: torch.Generator, degrees: float = 12.0,
                  shift: float = 0.1, scale: float = 0.1) -> torch.Tensor:
    """Each image rotated, scaled and shifted a little; the four amounts are drawn one after the other
    for the whole batch."""
    u = torch.stack([torch.rand(len(images), generator=generator) * 2 - 1 for _ in range(4)], 1)
    return affine_warp(images, u.to(images.device), degrees, 2 * shift, scale)  # the image spans [-1, 1]


def _kl(target_logits: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    p = target_logits.softmax(1)
    return (p * (target_logits.log_softmax(1) - logits.log_softmax(1))).sum(1).mean()


def imsat_loss(net: nn.Module, x: torch.Tensor, radius: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """The IMSAT objective on a batch of flattened deskewed digits x (B, 784) with VAT radii (B,)."""
    logits = net(x)
    target = logits.detach()
    probe = XI * F.normalize(torch.randn(x.shape, generator=generator).to(x.device), dim=1)
    probe.requires_grad_(True)
    direction, = torch.autograd.grad(_kl(target, net(x + probe)), probe)
    adversarial = _kl(target, net(x + radius[:, None] * F.normalize(direction, dim=1)))
    moved = _kl(target, net(random_affine(x.view(-1, 1, 28, 28), generator).flatten(1)))
    p = logits.softmax(1)
    conditional_entropy = -(p * logits.log_softmax(1)).sum(1).mean()
    marginal = p.mean(0)
    marginal_entropy = -(marginal * marginal.clamp_min(1e-8).log()).sum()
    return adversarial + moved - WEIGHT * (MU * marginal_entropy - conditional_entropy)


def vat_radii(x: torch.Tensor) -> torch.Tensor:
    """RADIUS_SCALE x the distance from each row of x (N, D) to its NEIGHBOUR-th nearest other row."""
    return torch.cat([RADIUS_SCALE * torch.cdist(chunk, x).topk(NEIGHBOUR + 1, largest=False).values[:, -1]
                      for chunk in x.split(1000)])


def fit(clusterer: DigitClusterer, images: torch.Tensor, epochs: int, seed: int, lr: float = 2e-3) -> DigitClusterer:
    """Train the clusterer on all of `images` (N, 1, 28, 28) for `epochs` passes; returns it frozen."""
    generator = torch.Generator().manual_seed(seed)
    x = deskew(images).flatten(1)
    radius = vat_radii(x)
    clusterer.train()
    optimizer = torch.optim.Adam(clusterer.parameters(), lr=lr)
    for _ in tqdm(range(epochs), desc="clustering real digits", unit="epoch"):
        for index in torch.randperm(len(x), generator=generator).split(BATCH):
            loss = imsat_loss(clusterer.net, x[index.to(x.device)], radius[index.to(x.device)], generator)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    clusterer.fitted.fill_(True)
    return clusterer.eval().requires_grad_(False)


def agreement(a: torch.Tensor, b: torch.Tensor, n_clusters: int) -> float:
    """Fraction of items that two cluster assignments (N,) put together, under the best one-to-one
    matching of their cluster names."""
    counts = np.zeros((n_clusters, n_clusters), dtype=np.int64)
    np.add.at(counts, (a.cpu().numpy(), b.cpu().numpy()), 1)
    return match_codes_to_classes(counts)[1]


def fit_stable(images: torch.Tensor, epochs: int, seed: int, restarts: int, n_clusters: int = 10) -> DigitClusterer:
    """Fit `restarts` clusterers (seeds seed, seed + 1, ...) and return the one whose clusters agree
    best, on average, with the other fits'."""
    fits, assignments = [], []
    for k in range(restarts):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed + k)
            clusterer = DigitClusterer(n_clusters).to(images.device)
        fits.append(fit(clusterer, images, epochs, seed + k))
        with torch.no_grad():
            assignments.append(torch.cat([clusterer(chunk).argmax(1) for chunk in images.split(1000)]))
    scores = [np.mean([agreement(a, b, n_clusters) for j, b in enumerate(assignments) if j != i] or [1.0])
              for i, a in enumerate(assignments)]
    best = int(np.argmax(scores))
    tqdm.write(f"clusterer: fit {best + 1} of {restarts} kept; mean agreement with the others "
               + ", ".join(f"{score:.3f}" for score in scores))
    return fits[best]
