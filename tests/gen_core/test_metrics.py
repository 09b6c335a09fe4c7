"""Metric definitions checked against hand computations and their known limits."""
import math

import numpy as np
import pytest
import torch

from gen_core import metrics


def test_conditional_accuracy():
    probs = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    assert metrics.conditional_accuracy(probs, torch.tensor([0, 1, 1])) == pytest.approx(2 / 3)


def test_frechet_distance_matches_closed_form_for_gaussians():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(20000, 3, generator=g, dtype=torch.float64)
    b = torch.randn(20000, 3, generator=g, dtype=torch.float64) * 2 + 1
    # N(0, I) vs N(1, 4I): ||mu||^2 = 3, trace term = 3 * (1 + 4 - 2*2) = 3
    assert metrics.frechet_distance(a, b) == pytest.approx(6.0, rel=0.05)
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_inception_score_limits():
    confident = torch.eye(10).repeat(5, 1)  # 50 samples, each digit 5 times, fully confident
    assert metrics.inception_score(confident, splits=5)[0] == pytest.approx(10.0)
    uniform = torch.full((50, 10), 0.1)
    assert metrics.inception_score(uniform, splits=5)[0] == pytest.approx(1.0)
    one_class = torch.eye(10)[torch.zeros(50, dtype=torch.long)]
    assert metrics.inception_score(one_class, splits=5)[0] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        metrics.inception_score(confident, splits=7)


def test_within_class_spread_is_zero_for_a_collapsed_class_and_the_mean_pairwise_distance_otherwise():
    collapsed = torch.tensor([[1.0, 2.0], [1.0, 2.0], [5.0, 5.0], [5.0, 5.0]])
    labels = torch.tensor([0, 0, 1, 1])
    assert metrics.within_class_spread(collapsed, labels) == 0.0
    # class 0: one pair 3 apart; class 1: the corners of a 3-4-5 triangle (3, 4, 5: mean 4)
    spread = torch.tensor([[0.0, 0.0], [3.0, 0.0], [0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    assert metrics.within_class_spread(spread, torch.tensor([0, 0, 1, 1, 1])) == pytest.approx((3 + 4) / 2)
    assert metrics.within_class_spread(2 * spread, torch.tensor([0, 0, 1, 1, 1])) == pytest.approx(7.0)
    with pytest.raises(ValueError, match="two samples"):
        metrics.within_class_spread(collapsed[:2], torch.tensor([0, 1]))


def test_stratified_order_balances_every_split():
    labels = torch.arange(10).repeat_interleave(5)  # sorted by class
    ordered = labels[metrics.stratified_order(labels)]
    for part in ordered.chunk(5):
        assert sorted(part.tolist()) == list(range(10))


def test_parzen_matches_direct_formula():
    g = torch.Generator().manual_seed(0)
    mu, x, sigma = torch.rand(30, 4, generator=g), torch.rand(5, 4, generator=g), 0.3
    mean, _ = metrics.parzen_log_likelihood(mu, x, sigma)
    chunked = metrics.parzen_point_log_likelihoods(mu, x, [0.1, sigma], batch_size=2)[1]
    direct = []
    for xi in x.double():
        log_k = -((xi - mu.double()) ** 2).sum(1) / (2 * sigma ** 2)
        direct.append(torch.logsumexp(log_k, 0) - math.log(30) - 4 * math.log(sigma * math.sqrt(2 * math.pi)))
    assert mean == pytest.approx(torch.stack(direct).mean().item(), rel=1e-9)
    assert torch.allclose(chunked, torch.stack(direct), rtol=1e-9)


def test_parzen_sigma_is_chosen_on_validation():
    g = torch.Generator().manual_seed(0)
    samples = torch.rand(200, 2, generator=g) * 0.01
    chosen = metrics.parzen_select_sigma(samples, samples[:50] + 0.005, sigmas=np.array([0.001, 0.01, 1.0]))
    assert chosen == 0.01


def test_stratified_order_of_unequal_classes_keeps_a_balanced_subset():
    """The 10,000 test digits hold 892 fives and 1,135 ones: splits of all of them could not be balanced."""
    labels = torch.cat([torch.full((n,), c) for c, n in enumerate([7, 3, 5])])
    order = metrics.stratified_order(labels)
    assert len(order) == 9 and len(set(order.tolist())) == 9
    for part in labels[order].chunk(3):
        assert sorted(part.tolist()) == [0, 1, 2]
