"""The espeak-ng spoken-digit set: layout, clip format, the split by voice variant, and the loader."""
import re
import wave

import numpy as np
import pytest

import needs
from gen_core import audio
from gen_core.data import spoken_digits as sd

needs_espeak = needs.program("espeak-ng", "apt-get install espeak-ng")


@pytest.fixture(scope="module")
def small_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("spoken")
    counts = sd.synthesize(out, n_speakers=4, takes=1, seed=3)
    return out, counts


@needs_espeak
def test_layout_and_clip_format(small_set):
    out, counts = small_set
    assert counts == {"train": 20, "test": 20}
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(sd.WORDS)
    for path in out.glob("*/*.wav"):
        with wave.open(str(path)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()) == (16000, 1, 2, 16384)


@needs_espeak
def test_clips_hold_speech_at_a_random_onset(small_set):
    out, _ = small_set
    data = sd.load_spoken_digits(out, "train")
    peaks = data.audio.abs().max(1).values
    assert ((peaks > 0.25) & (peaks <= 1)).all()
    onsets = [int(np.flatnonzero(np.abs(a) > 0.1)[0]) for a in data.audio.numpy()]
    assert len(set(onsets)) > 10  # not all aligned


@needs_espeak
def test_split_is_by_voice_variant_and_the_loader_reads_it(small_set):
    out, _ = small_set
    train, test = sd.load_spoken_digits(out, "train"), sd.load_spoken_digits(out, "test")
    assert train.audio.shape == (20, audio.CLIP_SAMPLES) and len(test) == 20
    assert sorted(train.labels.tolist()) == sorted(list(range(10)) * 2)
    listed = (out / sd.TEST_LIST).read_text().split()
    variant = lambda name: name.split("/")[1].split("_nohash")[0].split("_")[-1]  # noqa: E731
    train_files = {p.relative_to(out).as_posix() for p in out.glob("*/*.wav")} - set(listed)
    assert not {variant(f) for f in listed} & {variant(f) for f in train_files}


@needs_espeak
def test_same_seed_same_clips(tmp_path, small_set):
    out, _ = small_set
    sd.synthesize(tmp_path, n_speakers=4, takes=1, seed=3)
    for path in out.glob("seven/*.wav"):
        assert (tmp_path / "seven" / path.name).read_bytes() == path.read_bytes()


def test_missing_espeak_is_said_plainly(monkeypatch, tmp_path):
    monkeypatch.setattr(sd.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match="espeak-ng is not installed; install it with `apt-get install espeak-ng`"):
        sd.main(["--out", str(tmp_path / "x"), "--speakers", "2"])


def test_reader_refuses_other_formats(tmp_path):
    path = tmp_path / "eight_khz.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 100)
    with pytest.raises(ValueError, match="not 16 kHz mono 16-bit"):
        sd.read_wav(path)
    with pytest.raises(ValueError, match="split must be"):
        sd.load_spoken_digits(tmp_path, "valid")


def test_a_missing_set_is_one_sentence_from_the_trainers_and_the_evaluator(tmp_path):
    from gen_core.evaluate import main as evaluate
    from gen_core.train.cli import main as train

    empty = tmp_path / "none"
    expected = f"No train clips under {empty}: run python -m gen_core.data.spoken_digits --out {empty}"
    with pytest.raises(sd.ClipsUnavailable, match=re.escape(expected)):
        sd.load_spoken_digits(empty, "train")
    for family in ("speech-classifier", "wavegan"):
        with pytest.raises(SystemExit, match=re.escape(expected)):
            train([family, "--out", str(tmp_path / family), "--data-dir", str(empty), "--steps", "1"])
    with pytest.raises(SystemExit, match=re.escape(f"No test clips under {empty}")):
        evaluate(["speech-digit-classifier", "--data-dir", str(empty), "--no-card"])
