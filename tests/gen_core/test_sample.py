"""python -m gen_core.sample: the grid it writes, its refusals, and running as a module."""
import subprocess
import sys

import pytest

from gen_core.hub import REPO_ROOT
from gen_core.sample import main as sample


def test_sample_writes_a_png(tmp_path):
    out = tmp_path / "grid.png"
    sample(["cgan-mnist", "--digit", "3", "--n", "16", "--seed", "0", "--out", str(out)])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("bad", [["--digit", "11"], ["--n", "0"], ["--n", "1000000"], ["--seed", "-1"]])
def test_sample_rejects_bad_arguments(bad, tmp_path, capsys):
    with pytest.raises(SystemExit):
        sample(["cgan-mnist", *bad, "--out", str(tmp_path / "x.png")])
    assert "must" in capsys.readouterr().err


def test_sample_runs_as_a_module(tmp_path):
    out = tmp_path / "g.png"
    cmd = [sys.executable, "-m", "gen_core.sample", "cgan-mnist", "--digit", "all", "--n", "2", "--out", str(out)]
    subprocess.run(cmd, cwd=REPO_ROOT, check=True, capture_output=True, timeout=120)
    assert out.stat().st_size > 0


def test_any_model_that_takes_a_digit_draws_one_and_the_others_share_a_grid(tmp_path, capsys):
    """The command reads what a model takes from its family's record: the InfoGAN is told a digit through
    labels= as the cGAN is; a digit or a truncation asked of a model that does not take it is refused."""
    sample(["infogan-mnist", "--digit", "3", "--n", "4", "--out", str(tmp_path / "i.png")])
    sample(["gan-mnist", "made-mnist", "--n", "2", "--out", str(tmp_path / "f.png")])
    assert (tmp_path / "i.png").stat().st_size > 0 and (tmp_path / "f.png").stat().st_size > 0
    for bad, says in [(["gan-mnist", "--digit", "3"], "--digit applies to a model that takes a digit"),
                      (["infogan-mnist", "--truncation", "1"], "--truncation applies to models that take it: cgan-mnist"),
                      (["cgan-mnist", "gan-mnist"], "cgan-mnist takes a digit and is sampled on its own")]:
        with pytest.raises(SystemExit):
            sample([*bad, "--out", str(tmp_path / "x.png")])
        assert says in capsys.readouterr().err
