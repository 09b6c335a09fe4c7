"""Spoken digits synthesized with espeak-ng: a stand-in for SC09 that can be built offline.

    python -m gen_core.data.spoken_digits --out data/spoken_digits            # ~7,900 clips, ~5 min
    python -m gen_core.data.spoken_digits --out /tmp/sd --speakers 4 --takes 1  # a few clips

A *speaker* is an English espeak-ng voice with one of its voice variants. Each speaker says "zero"
... "nine" in several takes, each with its own pitch, speed and loudness, a random onset inside the
clip and a little background noise. Clips are 16 kHz mono, 16,384 samples (1.024 s), 16-bit WAV,
laid out like Speech Commands / SC09: one folder per word, and ``testing_list.txt`` naming the
held-out clips. The split is by speaker: every TEST_EVERY-th speaker (in sorted order) is only in the
test split. `load_spoken_digits` reads this layout, or a real SC09 copy laid out the same way.
Figures measured on this set are measured on synthesized speech, not on SC09.
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gen_core.audio import CLIP_SAMPLES, SAMPLE_RATE, wav_bytes

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEST_EVERY = 5                   # every 5th voice variant is held out
TEST_LIST = "testing_list.txt"
INSTALL_HINT = "install it with `apt-get install espeak-ng` (Debian/Ubuntu) or `brew install espeak-ng` (macOS)"


class EspeakMissing(RuntimeError):
    pass


def espeak() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        raise EspeakMissing(f"espeak-ng is not installed; {INSTALL_HINT}.")
    return path


def _listing(option: str) -> list[list[str]]:
    out = subprocess.run([espeak(), f"--voices={option}"], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[1:] if line.strip()]


def speakers() -> list[tuple[str, bool]]:
    """(espeak-ng -v argument such as "en-us+f2", held out for the test split) for every English
    voice with every variant, variant-major. MBROLA voices are left out: they need separate data."""
    voices = sorted({row[1] for row in _listing("en") if row[4].startswith("gmw/")})
    variants = sorted({row[-1].split("/")[-1] for row in _listing("variant") if "/" in row[-1]})
    return [(f"{voice}+{variant}", i % TEST_EVERY == TEST_EVERY - 1)
            for i, variant in enumerate(variants) for voice in voices]


def say(word: str, speaker: str, pitch: int, speed: int) -> np.ndarray:
    """espeak-ng's rendering of `word`, float32 mono at SAMPLE_RATE."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "say.wav"
        subprocess.run([espeak(), "-v", speaker, "-p", str(pitch), "-s", str(speed), "-w", str(path), word],
                       check=True, capture_output=True)
        with wave.open(str(path)) as w:
            rate = w.getframerate()
            audio = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768
    from scipy.signal import resample_poly   # here: scipy.signal takes seconds to import, and only synthesis needs it

    return resample_poly(audio, SAMPLE_RATE, rate).astype(np.float32)


def clip(speech: np.ndarray, rng: random.Random) -> np.ndarray:
    """Trim silence, scale to a random peak, place at a random onset in CLIP_SAMPLES, add light noise."""
    loud = np.flatnonzero(np.abs(speech) > 0.02 * np.abs(speech).max(initial=1e-9))
    speech = speech[loud[0]:loud[-1] + 1] if len(loud) else speech
    speech = speech[:CLIP_SAMPLES]
    out = np.zeros(CLIP_SAMPLES, np.float32)
    onset = rng.randint(0, CLIP_SAMPLES - len(speech))
    out[onset:onset + len(speech)] = speech / max(np.abs(speech).max(initial=0), 1e-9) * rng.uniform(0.3, 0.95)
    noise = np.random.default_rng(rng.getrandbits(32)).standard_normal(CLIP_SAMPLES).astype(np.float32)
    return np.clip(out + noise * rng.uniform(0.001, 0.006), -1, 1)


def write_wav(path: Path, audio: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(wav_bytes(audio, SAMPLE_RATE))


def synthesize(out: Path, n_speakers: int | None = None, takes: int = 1, seed: int = 0) -> dict[str, int]:
    """Write the data set under `out`; returns clip counts per split."""
    everyone = speakers()
    if n_speakers:  # a small set that still holds both splits
        train, test = [s for s in everyone if not s[1]], [s for s in everyone if s[1]]
        everyone = train[:n_speakers - n_speakers // 2] + test[:n_speakers // 2]
    rng = random.Random(seed)
    tests, counts = [], {"train": 0, "test": 0}
    for speaker, held_out in everyone:
        name = speaker.replace("+", "_")
        for word in WORDS:
            for take in range(takes):
                audio = clip(say(word, speaker, rng.randint(25, 75), rng.randint(120, 220)), rng)
                relative = f"{word}/{name}_nohash_{take}.wav"
                write_wav(out / relative, audio)
                split = "test" if held_out else "train"
                counts[split] += 1
                if split == "test":
                    tests.append(relative)
    (out / TEST_LIST).write_text("".join(f"{t}\n" for t in tests))
    return counts


@dataclass(frozen=True)
class SpokenDigits:
    """Waveforms float (N, CLIP_SAMPLES) in [-1, 1] and word labels long (N,)."""

    audio: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)


def read_wav(path: Path) -> np.ndarray:
    """A 16 kHz mono 16-bit WAV as float32, padded or cut to CLIP_SAMPLES."""
    with wave.open(str(path)) as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (SAMPLE_RATE, 1, 2):
            raise ValueError(f"{path} is not 16 kHz mono 16-bit")
        audio = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    return np.pad(audio, (0, max(0, CLIP_SAMPLES - len(audio))))[:CLIP_SAMPLES]


class ClipsUnavailable(RuntimeError):
    """The spoken-digit set is not where it was asked for; the message says how to make it."""


def load_spoken_digits(root: str | Path, split: str) -> SpokenDigits:
    """The "train" or "test" clips of a data set in this layout (ours, or SC09's); ClipsUnavailable
    when the split has none."""
    root = Path(root)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    listed = root / TEST_LIST
    tests = set(listed.read_text().split()) if listed.exists() else set()
    files = sorted(p.relative_to(root).as_posix() for word in WORDS for p in (root / word).glob("*.wav"))
    picked = [f for f in files if (f in tests) == (split == "test")]
    if not picked:
        raise ClipsUnavailable(f"No {split} clips under {root}: run python -m gen_core.data.spoken_digits --out {root}")
    audio = np.stack([read_wav(root / f) for f in picked])
    labels = [WORDS.index(f.split("/")[0]) for f in picked]
    return SpokenDigits(torch.from_numpy(audio), torch.tensor(labels, dtype=torch.long))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gen_core.data.spoken_digits", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory to write (one folder per word)")
    parser.add_argument("--speakers", type=int, default=None,
                        help="only N speakers, half of them held out (default: all, about 800)")
    parser.add_argument("--takes", type=int, default=1, help="takes of each word per speaker")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        counts = synthesize(Path(args.out), args.speakers, args.takes, args.seed)
    except EspeakMissing as error:
        raise SystemExit(str(error)) from None
    print(f"wrote {counts['train']} training and {counts['test']} held-out clips to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
