"""The 2-D energy-based model: log Z by quadrature (a normalized density; a quadratic energy gives the
Gaussian's closed form), Langevin chains that reach a known Gaussian, the denoising score matching
loss against its closed form, and the samplers' contracts."""
import math

import pytest
import torch

from gen_core.data import toy2d
from gen_core.models.energy import Energy2D, EnergyConfig
from gen_core.train.energy import dsm_loss


class Quadratic(Energy2D):
    """E(x) = |x - mean|^2 / (2 s^2): p = N(mean, s^2 I), log Z = log(2 pi s^2)."""

    def __init__(self, s: float, mean=(0.5, -0.3)):
        super().__init__(EnergyConfig(density="moons", hidden=4, layers=1))
        self.s, self.mean = s, torch.tensor(mean)

    def energy(self, x, sigma=None):
        return ((x - self.mean) ** 2).sum(1) / (2 * self.s ** 2)


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


def test_the_dsm_loss_on_a_gaussian_matches_its_closed_form():
    """Data N(0, s^2 I), energy |x|^2 / (2 t^2): E σ² ‖ −x̃/t² + n/σ ‖² = σ² (2 s²/t⁴ + 2 (σ/t² − 1/σ)²)."""
    s, t, sigma, n = 0.7, 1.3, 0.4, 400_000
    g = torch.Generator().manual_seed(0)
    x, noise = s * torch.randn(n, 2, generator=g), torch.randn(n, 2, generator=g)
    energy = lambda y, _sigma: (y ** 2).sum(1) / (2 * t ** 2)   # noqa: E731
    closed = sigma ** 2 * (2 * s ** 2 / t ** 4 + 2 * (sigma / t ** 2 - 1 / sigma) ** 2)
    assert abs(float(dsm_loss(energy, x, torch.full((n,), sigma), noise).detach()) / closed - 1) < 0.01


@pytest.mark.parametrize("method", ["cd", "dsm"])
def test_the_shipped_sampler_is_seeded_and_yields_its_states(method):
    model = _model(method)
    states = list(model.sampler_steps(50, generator=torch.Generator().manual_seed(1)))
    assert len(states) == 1 + (model.config.sampler_steps if method == "cd" else
                               len(model.sigmas()) * (model.config.sampler_steps // len(model.sigmas())))
    assert torch.equal(states[-1], model.sample(50, generator=torch.Generator().manual_seed(1)))


@pytest.mark.parametrize("bad", [{"step_size": 0.0}, {"step_size": -1.0}, {"step_size": float("nan")},
                                 {"noise": float("nan")}, {"noise": -0.1}])
def test_langevin_refuses_bad_settings(bad):
    options = {"steps": 3, "step_size": 0.01, **bad}
    with pytest.raises(ValueError):
        list(_model().langevin(torch.zeros(2, 2), **options))
