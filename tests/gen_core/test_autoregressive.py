"""The autoregressive models (PixelCNN, MADE): the raster order is respected, scores are the chain rule
of the conditionals, the PixelCNN's mixture and classifier are Bayes' rule, the fast samplers draw
exactly what one whole pass per pixel draws, and completion keeps what it is given."""
import math

import pytest
import torch

from gen_core.models.made import MADE, MADEConfig
from gen_core.models.pixelcnn import NO_DIGIT, PixelCNN, PixelCNNConfig, _tanh_times_sigmoid
from gen_core.models.receptive_field import MaskedConvStack, receptive_field


def _pixelcnn(**changes) -> PixelCNN:
    torch.manual_seed(0)
    config = PixelCNNConfig(**{"channels": 6, "layers": 4, "kernel": 3, "head": 6, **changes})
    return PixelCNN(config).double().eval()


def _made(layers: int = 2) -> MADE:
    torch.manual_seed(0)
    model = MADE(MADEConfig(hidden=40, layers=layers)).double().eval()
    with torch.no_grad():
        model.direct.normal_()   # trained weights are not zero: the next pixel reads this one directly
    return model


MODELS = {"pixelcnn": _pixelcnn, "made": _made}
LABELS = {"pixelcnn": torch.tensor([3, NO_DIGIT]), "made": None}


def _digits(n: int = 2, seed: int = 1) -> torch.Tensor:
    return (torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) < 0.3).double()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_no_pixel_reads_itself_or_a_later_pixel(name):
    model, x = MODELS[name](), _digits()
    base = model.logits(x, LABELS[name])
    for i in list(range(0, 784, 29)) + [783]:
        flipped = x.clone()
        flipped[:, 0, i // 28, i % 28] = 1 - flipped[:, 0, i // 28, i % 28]
        changed = (model.logits(flipped, LABELS[name]) - base).abs().flatten(1) > 1e-12
        assert not changed[:, :i + 1].any(), f"pixel {i} changed an output at or before it"
        if i < 783:
            assert changed[:, i + 1].all()   # ...and the next pixel does read it


def test_the_gated_stacks_see_the_blind_spot_of_plain_masked_convolutions():
    row, column, layers = 6, 10, 4
    gated = receptive_field(lambda x: _pixelcnn(layers=layers).logits(x.double(), None), row, column)
    torch.manual_seed(0)
    plain = receptive_field(MaskedConvStack(layers, 3), row, column)
    blind_spot = [(row - d, column + d + 1) for d in range(1, layers)]   # up and to the right of the diagonal
    assert all(gated[r, c] for r, c in blind_spot) and not any(plain[r, c] for r, c in blind_spot)
    assert plain[row - layers:row, column].all() and plain[row, column - layers:column].all()   # it sees up and left
    # every earlier pixel within the stacks' reach, and nothing at or after the pixel itself
    assert gated[row - layers:row, column - layers + 1:column + layers].all() and gated[row, column - layers:column].all()
    assert not gated.flatten()[row * 28 + column:].any() and not plain.flatten()[row * 28 + column:].any()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_log_prob_is_the_chain_rule_of_the_conditionals(name):
    model, x = MODELS[name](), _digits(3)
    labels = None if name == "made" else torch.tensor([0, 5, NO_DIGIT])
    p = model.conditionals(x, labels)
    by_hand = (x * p.log() + (1 - x) * (1 - p).log()).flatten(1).sum(1)
    assert torch.allclose(model.log_prob(x, labels), by_hand, atol=1e-8)


def test_the_mixture_is_the_sum_over_digits_and_its_conditionals_chain_to_it():
    model, x = _pixelcnn(), _digits(3)
    brute = torch.logsumexp(torch.stack([model.log_prob(x, torch.full((3,), d)) for d in range(10)], 1), 1) - math.log(10)
    assert torch.allclose(model.log_prob(x), brute, atol=1e-8)
    p = model.conditionals(x)   # the mixture's own p(x_i | x_<i)
    assert torch.allclose((x * p.log() + (1 - x) * (1 - p).log()).flatten(1).sum(1), brute, atol=1e-6)
    posterior = model.classify(x)
    assert torch.allclose(posterior.sum(1), torch.ones(3, dtype=posterior.dtype))
    per_digit = torch.stack([model.log_prob(x, torch.full((3,), d)) for d in range(10)], 1)
    assert torch.allclose(posterior, torch.softmax(per_digit, 1), atol=1e-8)


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("masked", [False, True])
def test_fast_sampling_draws_what_one_whole_pass_per_pixel_draws(name, masked):
    model = MODELS[name]()
    labels = None if name == "made" else torch.tensor([1, 7, NO_DIGIT])
    options = {}
    if masked:   # observed pixels everywhere (skipped pixels in the middle of rows), as completion has them
        mask = (torch.rand(1, 1, 28, 28, generator=torch.Generator().manual_seed(5)) < 0.5).double()
        options = {"given": _digits(3), "mask": mask}
    fast = model.sample(3, labels=labels, generator=torch.Generator().manual_seed(2), **options)
    full = model.sample(3, labels=labels, generator=torch.Generator().manual_seed(2), fast=False, **options)
    assert torch.equal(fast, full) and 0 < fast.mean() < 1


@pytest.mark.parametrize("name", sorted(MODELS))
def test_completion_keeps_every_observed_pixel_and_draws_the_rest(name):
    model, given = MODELS[name](), _digits(4, seed=3)
    mask = torch.zeros(1, 1, 28, 28, dtype=torch.double)
    mask[..., :14, :] = 1
    labels = None if name == "made" else torch.tensor([2, 2, 2, 2])
    out = model.sample(4, labels=labels, generator=torch.Generator().manual_seed(0), given=given, mask=mask)
    assert torch.equal(out[..., :14, :], given[..., :14, :])
    assert not torch.equal(out[..., 14:, :], given[..., 14:, :]) and set(out.unique().tolist()) <= {0.0, 1.0}


def test_sample_steps_stream_the_rows_as_they_are_drawn():
    model = _pixelcnn()
    frames = list(model.sample_steps(2, torch.tensor([4, 4]), generator=torch.Generator().manual_seed(0)))
    assert len(frames) == 28
    assert all(not f[..., k + 1:, :].any() for k, f in enumerate(frames[:-1]))   # nothing below the row drawn yet
    assert torch.equal(frames[-1], model.sample(2, labels=torch.tensor([4, 4]), generator=torch.Generator().manual_seed(0)))
    given = _digits(1)
    mask = torch.zeros(1, 1, 28, 28, dtype=torch.double)
    mask[..., :20, :] = 1
    assert len(list(model.sample_steps(1, torch.tensor([4]), given=given, mask=mask, every=28))) == 8


def test_temperature_sharpens_the_draws():
    model = _pixelcnn()
    hot = model.sample(8, labels=torch.full((8,), 1), generator=torch.Generator().manual_seed(0), temperature=3.0)
    cold = model.sample(8, labels=torch.full((8,), 1), generator=torch.Generator().manual_seed(0), temperature=0.05)
    p = model.conditionals(cold, torch.full((8,), 1))
    # a cold draw follows each conditional's more likely value almost everywhere
    assert ((p > 0.5) == (cold > 0.5)).double().mean() > 0.99 and not torch.equal(hot, cold)


@pytest.mark.parametrize("bad, message", [
    ({"temperature": 0.0}, "temperature"), ({"temperature": float("nan")}, "temperature"),
    ({"labels": torch.tensor([11, 0])}, "labels"), ({"labels": torch.tensor([1])}, "labels"),
    ({"given": torch.zeros(2, 1, 28, 28)}, "given and mask"),
    ({"given": torch.full((2, 1, 28, 28), 0.5), "mask": torch.ones(1, 1, 28, 28)}, "binary"),
])
def test_bad_sampling_requests_are_refused(bad, message):
    model = _pixelcnn().float()
    options = dict(bad)
    with pytest.raises(ValueError, match=message):
        model.sample(2, **options)


def test_scores_refuse_non_binary_images_and_made_refuses_labels():
    with pytest.raises(ValueError, match="binary"):
        _pixelcnn().log_prob(torch.full((1, 1, 28, 28), 0.5, dtype=torch.double))
    with pytest.raises(ValueError, match="unconditional"):
        _made().log_prob(_digits(1), torch.tensor([3]))
    with pytest.raises(ValueError, match="1 or 2 hidden layers"):
        MADE(MADEConfig(layers=3))


def test_the_gate_is_tanh_times_sigmoid_with_and_without_gradients():
    a, b = torch.randn(2, 3, 5, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64).unbind(0)
    with torch.no_grad():
        assert torch.allclose(_tanh_times_sigmoid(a, b), torch.tanh(a) * torch.sigmoid(b), atol=1e-12)
    a.requires_grad_(True)
    _tanh_times_sigmoid(a, b).sum().backward()
    assert torch.allclose(a.grad, (1 - torch.tanh(a) ** 2) * torch.sigmoid(b), atol=1e-12)
