"""Denoising score matching (Vincent 2011) with Song & Ermon's (2019) weight σ², for tensors of any shape."""
from __future__ import annotations

from collections.abc import Callable

import torch

ScoreAt = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]   # s(x̃, σ) for x̃ (n, ...) and σ (n,)


def dsm_loss(score: ScoreAt, x: torch.Tensor, sigma: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """For x̃ = x + σ n: the batch mean of σ² ‖ s(x̃, σ) + n / σ ‖², summed over every dimension of an
    item. x and noise (n, ...), sigma (n,). Minimized by the score of the data blurred by N(0, σ²)."""
    s = sigma.view(-1, *[1] * (x.dim() - 1))
    noisy = x + s * noise
    return (s ** 2 * (score(noisy, sigma) + noise / s) ** 2).flatten(1).sum(1).mean()


def energy_score(energy: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> ScoreAt:
    """s(x, σ) = −∇_x E(x, σ) of an energy network, differentiable in its parameters (for training)."""
    def score(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        x = x.requires_grad_(True)
        (grad,) = torch.autograd.grad(energy(x, sigma).sum(), x, create_graph=True)
        return -grad
    return score
