"""The shared sampling layer (gen_core/sampling) against closed forms: the DSM loss on Gaussians of any
shape, Langevin's clip, bounds and mask, annealed Langevin's schedule, and the integrators' orders and
tolerances on ODEs with known solutions."""
import math

import pytest
import torch

from gen_core.sampling import annealed_langevin, dopri5, dsm_loss, energy_score, euler, euler_maruyama, heun, langevin


@pytest.mark.parametrize("shape", [(2,), (1, 4, 4)])
def test_the_dsm_loss_on_a_gaussian_matches_its_closed_form(shape):
    """Data N(0, s^2 I) in d dimensions, energy |x|^2 / (2 t^2): E σ² ‖ −x̃/t² + n/σ ‖² = d σ² (s²/t⁴ + (σ/t² − 1/σ)²),
    for flat points and for image-shaped tensors alike."""
    s, t, sigma, n = 0.7, 1.3, 0.4, 200_000 // math.prod(shape)
    d = math.prod(shape)
    g = torch.Generator().manual_seed(0)
    x, noise = s * torch.randn(n, *shape, generator=g), torch.randn(n, *shape, generator=g)
    energy = lambda y, _sigma: (y ** 2).flatten(1).sum(1) / (2 * t ** 2)   # noqa: E731
    closed = d * sigma ** 2 * (s ** 2 / t ** 4 + (sigma / t ** 2 - 1 / sigma) ** 2)
    assert abs(float(dsm_loss(energy_score(energy), x, torch.full((n,), sigma), noise).detach()) / closed - 1) < 0.01


def test_langevin_clips_the_drift_keeps_the_bounds_and_the_masked_values():
    x0 = torch.full((3, 1, 4, 4), 0.5)
    mask = torch.zeros(1, 1, 4, 4)
    mask[..., :2, :] = 1
    states = list(langevin(lambda x: torch.full_like(x, 100.0), x0, 3, 1.0, 0.0, max_move=0.1, bounds=(0.0, 0.65), mask=mask))
    assert len(states) == 4 and torch.equal(states[0], x0)
    assert torch.allclose(states[1][..., 2:, :], torch.full((3, 1, 2, 4), 0.6))   # clipped to +0.1 a step
    assert torch.equal(states[3][..., 2:, :], torch.full((3, 1, 2, 4), 0.65))     # then the bound
    assert all(torch.equal(s[..., :2, :], x0[..., :2, :]) for s in states)       # the kept rows never move
    with pytest.raises(ValueError, match="positive step size"):
        next(langevin(lambda x: x, x0, 1, float("nan"), 0.0))


def test_langevin_on_a_gaussian_reaches_its_variance_and_a_seed_fixes_the_chains():
    chains = lambda seed: list(langevin(lambda x: -x, torch.zeros(4000, 2), 400, 0.05, math.sqrt(0.05),  # noqa: E731
                                        generator=torch.Generator().manual_seed(seed)))[-1]
    x = chains(0)
    assert torch.equal(x, chains(0)) and abs(float(x.var()) - 1 / (1 - 0.05 / 4)) < 0.06


def test_annealed_langevin_spreads_the_steps_over_the_levels_and_scales_each_step():
    """5 steps over 2 levels: 3 at σ = 2 (ε 4 · 0.1 = 0.4) then 2 at σ = 1 (ε 0.1); with a zero score and
    noise_scale 0 nothing moves, and the number of states is the number of steps."""
    seen = []
    score = lambda x, sigma: seen.append(sigma) or torch.zeros_like(x)   # noqa: E731
    states = list(annealed_langevin(score, torch.ones(2, 2), [2.0, 1.0], 5, 0.1, noise_scale=0.0))
    assert seen == [2.0, 2.0, 2.0, 1.0, 1.0] and len(states) == 5 and torch.equal(states[-1], torch.ones(2, 2))


def test_euler_and_heun_have_their_orders_on_exponential_decay():
    """dx/dt = −x from 1 over [0, 1]: halving the step halves Euler's error and quarters Heun's."""
    f = lambda t, x: -x   # noqa: E731
    exact = math.exp(-1)
    def error(method, steps):
        *_, (t, x) = method(f, torch.ones(1, dtype=torch.float64), torch.linspace(0, 1, steps + 1).tolist())
        return abs(float(x) - exact)
    assert 1.8 < error(euler, 20) / error(euler, 40) < 2.2
    assert 3.6 < error(heun, 20) / error(heun, 40) < 4.4


def test_dopri5_meets_its_tolerance_both_ways_with_few_steps():
    """dx/dt = cos(t) x, x(0) = 1: x(t) = exp(sin t); forward to 5 and back to 0."""
    f = lambda t, x: math.cos(t) * x   # noqa: E731
    path = list(dopri5(f, torch.ones(3, dtype=torch.float64), 0.0, 5.0, rtol=1e-7, atol=1e-9))
    (t, x) = path[-1]
    assert t == 5.0 and torch.allclose(x, torch.full((3,), math.exp(math.sin(5.0)), dtype=torch.float64), rtol=1e-6)
    assert len(path) < 80
    *_, (t_back, back) = dopri5(f, x, 5.0, 0.0, rtol=1e-7, atol=1e-9)
    assert t_back == 0.0 and torch.allclose(back, torch.ones(3, dtype=torch.float64), rtol=1e-6)


def test_euler_maruyama_gives_the_ornstein_uhlenbeck_variance():
    """dx = −x dt + √2 dW from 0: Var x(t) = 1 − exp(−2t)."""
    *_, (t, x) = euler_maruyama(lambda t, x: -x, lambda t: math.sqrt(2), torch.zeros(20_000), torch.linspace(0, 1, 201).tolist(),
                                generator=torch.Generator().manual_seed(0))
    assert abs(float(x.var()) - (1 - math.exp(-2))) < 0.03
