"""2-D toy densities: samplers, exact densities and entropies agree with each other and with the
reference values computed from FFJORD's generators (Monte Carlo entropies of 100,000 draws of each density)."""
import math

import pytest
import torch

from gen_core.data import toy2d

# H(p) in nats from the reference (Monte Carlo, 100k draws, +- its standard error).
REFERENCE_ENTROPY = {"checkerboard": (3.466, 0.0005), "8gaussians": (2.834, 0.003), "circles": (3.268, 0.002),
                     "moons": (2.393, 0.002), "swissroll": (2.670, 0.002), "2spirals": (2.644, 0.004)}


def _grid(extent=6.0, resolution=300):  # cell edges fall on the checkerboard edges
    _, points = toy2d.grid(resolution, extent)
    return points, (2 * extent / resolution) ** 2


# 2spirals' exact density is a sum along its arcs: 8 s on this 300^2 grid, so the quick loop leaves it out.
SLOW_DENSITY = {"2spirals"}


def _quick_first(names):
    return [pytest.param(n, marks=pytest.mark.slow if n in SLOW_DENSITY else ()) for n in names]


@pytest.fixture(scope="module")
def grid_densities():
    points, area = _grid()
    cache = {}

    def density(name):
        if name not in cache:
            cache[name] = toy2d.true_log_prob(name, points).exp()
        return cache[name]
    return points.double(), area, density


@pytest.mark.parametrize("name", _quick_first(toy2d.NAMES))
def test_true_density_integrates_to_one(name, grid_densities):
    _, area, density = grid_densities
    assert float(density(name).sum() * area) == pytest.approx(1.0, abs=2e-3)


@pytest.mark.parametrize("name", _quick_first(toy2d.NAMES))
def test_sample_moments_match_the_density(name, grid_densities):
    """Mean and covariance of 200k draws vs the same moments integrated from the density: the sampler
    and the density were written independently, so this checks both."""
    points, area, density = grid_densities
    w = density(name) * area
    mean_p = (w[:, None] * points).sum(0)
    second_p = (w[:, None, None] * points[:, :, None] * points[:, None, :]).sum(0)
    x = toy2d.sample(name, 200_000, torch.Generator().manual_seed(1)).double()
    se = x.std(0) / math.sqrt(len(x))
    assert torch.all((x.mean(0) - mean_p).abs() < 5 * se + 0.01), (x.mean(0), mean_p)
    second_x = x.T @ x / len(x)
    assert torch.allclose(second_x, second_p, atol=0.04, rtol=0.01), (second_x, second_p)


@pytest.mark.parametrize("name", _quick_first(sorted(REFERENCE_ENTROPY)))
def test_entropy_matches_the_reference(name):
    value, se = toy2d.entropy(name, n=50_000, seed=3)
    ref, ref_se = REFERENCE_ENTROPY[name]
    assert abs(value - ref) < 4 * math.hypot(se, ref_se) + 1e-3


def test_closed_forms():
    assert toy2d.entropy("checkerboard")[0] == pytest.approx(math.log(32))
    assert toy2d.true_log_prob("checkerboard", torch.tensor([[1.0, 1.0], [-1.0, 1.0]])).tolist() == [-math.log(32), -math.inf]
    # 8gaussians at a centre: the mixture is dominated by that one component.
    centre = torch.tensor([[4 / 1.414, 0.0]])
    sigma = 0.5 / 1.414
    assert float(toy2d.true_log_prob("8gaussians", centre)) == pytest.approx(
        math.log(1 / 8 / (2 * math.pi * sigma ** 2)), abs=1e-6)


@pytest.mark.parametrize("name", toy2d.NAMES)
def test_sampler_shape_and_determinism(name):
    draw = lambda seed: toy2d.sample(name, 7, torch.Generator().manual_seed(seed))  # noqa: E731
    assert draw(0).shape == (7, 2) and draw(0).dtype == torch.float32
    assert torch.equal(draw(0), draw(0)) and not torch.equal(draw(0), draw(1))


def test_unknown_density_lists_the_choices():
    with pytest.raises(KeyError, match="choose one of: 8gaussians, checkerboard"):
        toy2d.sample("spiral", 3)
