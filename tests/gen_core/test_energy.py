"""The 2-D energy-based model: log Z by quadrature (a normalized density; a quadratic energy gives the
Gaussian's closed form), Langevin chains that reach a known Gaussian, the denoising score matching
loss against its closed form, and the samplers' contracts."""
import math

import pytest
import torch

from gen_core.data import toy2d
from gen_core.models.energy import Energy2D, EnergyConfig
from gen_core.train.energy import fokker_planck_loss, heat_residual


class Quadratic(Energy2D):
    """E(x) = |x - mean|^2 / (2 s^2): p = N(mean, s^2 I), log Z = log(2 pi s^2)."""

    def __init__(self, s: float, mean=(0.5, -0.3)):
        super().__init__(EnergyConfig(density="moons", hidden=4, layers=1))
        self.s, self.mean = s, torch.tensor(mean)

    def energy(self, x, sigma=None):
        return ((x - self.mean) ** 2).sum(1) / (2 * self.s ** 2)

    def score(self, x, sigma=None):
        return -(x - self.mean) / self.s ** 2


def _model(method: str = "dsm") -> Energy2D:
    torch.manual_seed(0)
    return Energy2D(EnergyConfig(density="moons", method=method, hidden=16, layers=2, noise_levels=3)).eval()


def test_a_quadratic_energy_gives_the_gaussians_log_normalizer():
    for s in (0.3, 1.0):
        assert abs(float(Quadratic(s).log_normalizer()) - math.log(2 * math.pi * s ** 2)) < 1e-4


def test_log_prob_integrates_to_one_on_the_grid():
    model = _model()
    _, points = toy2d.grid(512, 6.0)
    mass = float(model.log_prob(points).exp().sum() * (12 / 512) ** 2)
    assert abs(mass - 1) < 1e-3 and 0 <= model.outside_mass() < 1


def test_langevin_reaches_the_gaussians_mean_and_variance():
    model = Quadratic(0.5)
    start = torch.zeros(4000, 2)
    for x in model.langevin(start, 400, 0.01, generator=torch.Generator().manual_seed(0)):
        pass
    assert torch.allclose(x.mean(0), model.mean, atol=0.04)
    # the discretization's own bias: variance s^2 / (1 - eps / (4 s^2)) for this step
    assert torch.allclose(x.var(0), torch.full((2,), 0.25 / (1 - 0.01 / 1.0)), rtol=0.08)


def test_the_heat_residual_is_flat_for_one_blurred_gaussian_and_not_for_levels_that_disagree():
    """Data N(0, s^2 I) blurred by N(0, σ²): E(x, σ) = |x|^2 / 2(s² + σ²), whose residual is −σ² / (s² + σ²)
    at every x; a family whose levels widen twice as fast is not one density blurred, and the loss sees it."""
    s, g = 0.7, torch.Generator().manual_seed(0)
    sigma = torch.tensor([0.1, 0.5, 2.0]).repeat_interleave(200)
    x = torch.randn(len(sigma), 2, generator=g) * (s ** 2 + sigma[:, None] ** 2).sqrt()
    blurred = lambda y, sd: (y ** 2).sum(1) / (2 * (s ** 2 + sd ** 2))          # noqa: E731
    too_fast = lambda y, sd: (y ** 2).sum(1) / (2 * (s ** 2 + 2 * sd ** 2))     # noqa: E731
    assert torch.allclose(heat_residual(blurred, x, sigma), -sigma ** 2 / (s ** 2 + sigma ** 2), atol=1e-5)
    assert float(fokker_planck_loss(blurred, x, sigma, 3).detach()) < 1e-10
    assert float(fokker_planck_loss(too_fast, x, sigma, 3).detach()) > 1e-2


@pytest.mark.parametrize("method", ["cd", "dsm"])
def test_the_shipped_sampler_is_seeded_and_yields_its_states(method):
    model = _model(method)
    states = list(model.sampler_steps(50, generator=torch.Generator().manual_seed(1)))
    assert len(states) == 1 + model.config.sampler_steps
    assert torch.equal(states[-1], model.sample(50, generator=torch.Generator().manual_seed(1)))


@pytest.mark.parametrize("bad", [{"step_size": 0.0}, {"step_size": -1.0}, {"step_size": float("nan")},
                                 {"noise": float("nan")}, {"noise": -0.1}])
def test_langevin_refuses_bad_settings(bad):
    options = {"steps": 3, "step_size": 0.01, **bad}
    with pytest.raises(ValueError):
        list(_model().langevin(torch.zeros(2, 2), **options))


def test_the_envelope_is_added_to_the_network():
    model, x = _model(), torch.randn(5, 2) * 4
    bare = Energy2D(EnergyConfig(**{**vars(model.config), "envelope": 0.0}))
    bare.load_state_dict(model.state_dict())
    expected = bare.energy(x, 0.5) + (x ** 2).sum(1) / (2 * (model.config.envelope ** 2 + 0.25))
    assert torch.allclose(model.energy(x, 0.5), expected, atol=1e-5)


def test_exact_draws_follow_the_models_density():
    model = Quadratic(0.5)
    x = model.exact_sample(40_000, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(x.mean(0), model.mean, atol=0.01)
    assert torch.allclose(x.var(0), torch.full((2,), 0.25), rtol=0.03)
    assert abs(float(model.cell_log_probs().exp().sum()) - 1) < 1e-9


def test_the_histogram_kl_is_small_for_exact_draws_and_large_for_a_shifted_sampler():
    from gen_core import metrics

    model = Quadratic(0.5)
    bins = model.cell_log_probs().exp().view(512, 512).view(64, 8, 64, 8).sum((1, 3))
    g = torch.Generator().manual_seed(0)
    exact = model.exact_sample(20_000, generator=g)
    floor = metrics.histogram_kl(exact, bins, 6.0)
    assert 0 < floor < 0.02                                    # about (occupied bins - 1) / 2n
    assert metrics.histogram_kl(exact + 0.5, bins, 6.0) > 0.3    # half a standard deviation off
    outside = torch.cat([exact[:-200], torch.full((200, 2), 7.0)])   # 1% beyond the box, where P is ~0
    assert metrics.histogram_kl(outside, bins, 6.0) > floor + 0.1


def test_the_sampler_takes_other_settings_and_no_noise_is_descent_on_the_energy():
    model = _model("dsm")
    states = list(model.sampler_steps(20, torch.Generator().manual_seed(0), steps=7, step_size=1e-3, noise_scale=0.0))
    assert len(states) == 8                      # 7 steps over 3 levels: 3, 3, 1
    assert model.energy(states[-1]).mean() < model.energy(states[0]).mean()


@pytest.mark.parametrize("envelope", [0.0, 3.0])
def test_the_score_by_hand_is_autograds_gradient(envelope):
    torch.manual_seed(0)
    model = Energy2D(EnergyConfig(density="moons", hidden=16, layers=3, envelope=envelope)).double()
    x, sigma = torch.randn(50, 2, dtype=torch.float64) * 3, torch.rand(50, dtype=torch.float64) + 0.05
    x.requires_grad_(True)
    (grad,) = torch.autograd.grad(model.energy(x, sigma).sum(), x)
    assert torch.allclose(model.score(x.detach(), sigma), -grad, atol=1e-10)
