"""Write the VAE tab's real digits: the first 50 of each class in the standard MNIST test split.

    python tools/test_digits_asset.py [--out demos/assets/test_digits.png]

One grayscale PNG, row d holding 50 test digits of class d (28x28 each, 1400x280 in all), so the
app shows real digits without any dataset on the machine. Test digits only: no shipped model
trained on them (the standard test split, touched only by the evaluator).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gen_core.data.mnist import load_mnist  # noqa: E402

PER_CLASS = 50


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="demos/assets/test_digits.png")
    args = parser.parse_args(argv)
    test = load_mnist("test", source="standard")
    rows = []
    for digit in range(10):
        index = np.flatnonzero(test.labels.numpy() == digit)[:PER_CLASS]
        print(f"digit {digit}: test-set indices {index[0]}..{index[-1]}")
        cells = test.images[index].squeeze(1).mul(255).round().byte().numpy()  # (50, 28, 28)
        rows.append(np.concatenate(list(cells), axis=1))                      # (28, 1400)
    Image.fromarray(np.concatenate(rows, axis=0), mode="L").save(args.out, optimize=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
