"""Train MADE on dynamically binarized MNIST, in raster order with one fixed mask."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from gen_core.models.made import MADE, MADEConfig
from gen_core.train.autoregressive import AutoregressiveTask
from gen_core.train.config import MnistConfig, flag
from gen_core.train.loop import Runtime, mnist_stream


@dataclass(frozen=True)
class Config(MnistConfig):
    """The flags of `python -m gen_core.train made`."""

    family: ClassVar[str] = "made"
    steps: int = 30000
    batch_size: int = 100
    hidden: int = flag(500)
    layers: int = flag(1, "hidden layers (1 or 2)", choices=[1, 2])
    direct: int = flag(57, "predecessors each output reads directly (0: none)")
    lr: float = flag(1e-3, "peak learning rate (cosine decay to 0)")
    measure_digits: int = flag(1000, "validation digits whose NLL goes into the training log (0: none)")


def build(args: Config, runtime: Runtime) -> AutoregressiveTask:
    return AutoregressiveTask(MADE(MADEConfig(hidden=args.hidden, layers=args.layers, direct=args.direct)), args, runtime, args.lr,
                              args.measure_digits)


stream = mnist_stream
