"""Flow layers and models: invertibility, exact log-determinants, normalization, contracts, save/load."""
import pytest
import torch

import gen_core
from gen_core.models.flows import ActNorm, AffineCoupling, Flow, FlowConfig, SplineCoupling


def _randomized(module, std=0.5):
    torch.manual_seed(0)
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(0, std)
    return module.double()


LAYERS = {
    "actnorm": lambda: ActNorm(2),
    "affine": lambda: AffineCoupling(parity=0, hidden=16),
    "spline": lambda: SplineCoupling(parity=1, hidden=16, bins=8, bound=3.0),
}


@pytest.mark.parametrize("kind", LAYERS)
def test_layer_inverts_and_log_det_matches_autograd(kind):
    layer = _randomized(LAYERS[kind]())
    x = torch.randn(64, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1)) * 2.5  # some past the tails
    y, log_det = layer(x)
    x_back, inverse_log_det = layer.inverse(y)
    assert torch.allclose(x_back, x, atol=1e-8)
    assert torch.allclose(inverse_log_det, -log_det, atol=1e-8)
    jacobian = torch.autograd.functional.jacobian(lambda a: layer(a)[0].sum(0), x).permute(1, 0, 2)  # (n, 2, 2)
    assert torch.allclose(log_det, torch.linalg.slogdet(jacobian)[1], atol=1e-8)


def test_zero_conditioner_is_the_identity():
    layer = SplineCoupling(parity=0, hidden=8, bins=6, bound=3.0)
    x = torch.randn(20, 2) * 3
    y, log_det = layer(x)
    assert torch.allclose(y, x, atol=1e-5) and torch.allclose(log_det, torch.zeros(20), atol=1e-5)


# Cells of 0.05 either way; affine flows have heavy tails, a spline flow is the identity outside its box.
@pytest.mark.parametrize("coupling, extent", [("spline", 10), ("affine", 20)])
def test_log_prob_integrates_to_one(coupling, extent):
    flow = _randomized(Flow(FlowConfig(coupling=coupling, n_couplings=4, hidden=16, bins=8)), std=0.3)
    flow.layers[0].initialize(torch.randn(1000, 2, dtype=torch.float64) * 1.5)
    cells = 40 * extent
    edges = torch.linspace(-extent, extent, cells + 1, dtype=torch.float64)
    centres = (edges[1:] + edges[:-1]) / 2
    ys, xs = torch.meshgrid(centres, centres, indexing="ij")
    with torch.no_grad():
        p = flow.log_prob(torch.stack([xs.flatten(), ys.flatten()], 1)).exp()
    assert float(p.sum() * (2 * extent / cells) ** 2) == pytest.approx(1.0, abs=2e-3)


def test_contract_sample_steps_and_determinism():
    flow = _randomized(Flow(FlowConfig(n_couplings=3, hidden=8, bins=4)), std=0.2).float()
    x = flow.sample(50, generator=torch.Generator().manual_seed(3))
    assert x.shape == (50, 2) and x.dtype == torch.float32
    assert torch.equal(x, flow.sample(50, generator=torch.Generator().manual_seed(3)))
    z = torch.randn(50, 2, generator=torch.Generator().manual_seed(3))
    steps = flow.transform_steps(z)
    assert len(steps) == len(flow.layers) + 1 and torch.equal(steps[0], z) and torch.equal(steps[-1], x)
    assert flow.log_prob(x).shape == (50,)
    back, _ = flow(x)
    assert torch.allclose(back, z, atol=1e-4)



def test_unknown_coupling_is_refused():
    with pytest.raises(ValueError, match="coupling must be one of"):
        Flow(FlowConfig(coupling="glow"))


@pytest.mark.parametrize("name", ["flow-moons", "flow-checkerboard"])
def test_shipped_flows_load_and_keep_the_contract(name):
    model = gen_core.load(name, device="cpu")
    x = model.sample(100, generator=torch.Generator().manual_seed(0))
    assert x.shape == (100, 2) and torch.isfinite(model.log_prob(x)).all()
    assert model.config.density == name.removeprefix("flow-")
