"""The shared training loop: seed, device, DistributedDataParallel, progress, checkpoints, export.

A family module (gen_core/train/<family>.py) provides
    Config                                      its flags: a frozen dataclass (gen_core/train/config.py)
    build(args, runtime) -> Task                networks, optimizers and one training step, from a Config
    stream(args, runtime, start_step) -> Stream its endless batches (mnist_stream for MNIST families)
and the loop does the rest. Runs unchanged under `torchrun --nproc_per_node N`: gloo on CPU,
nccl on CUDA; each rank sees its own shard of every epoch; rank 0 writes checkpoints and weights.
"""
from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import torch
import torch.distributed as dist
from torch import nn
from tqdm import tqdm

from gen_core.base import HubModel
from gen_core.card import TRAINING_LOG, write_card
from gen_core.hub import REPO_ROOT
from gen_core.train.command import portable
from gen_core.train.config import MnistConfig, TrainConfig
from gen_core.data.mnist import load_mnist


@dataclass
class Runtime:
    device: torch.device
    rank: int
    world_size: int

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def wrap(self, module: nn.Module) -> nn.Module:
        """Move to the device and, under torchrun, wrap in DistributedDataParallel."""
        module = module.to(self.device)
        if not self.distributed:
            return module
        ids = [self.device.index] if self.device.type == "cuda" else None
        return nn.parallel.DistributedDataParallel(module, device_ids=ids)


Batch = tuple[torch.Tensor, ...]


@dataclass
class Stream:
    batches: Iterator[Batch]
    description: str    # what the model was trained on; saved as config.data


class Task:
    """What a family's build() returns. The loop calls step on every batch, state_dict and
    load_state_dict for checkpoints, export for the weights it saves; the optional hooks below do
    nothing (or refuse) unless a family overrides them."""

    def step(self, batch: Batch, rng: torch.Generator) -> dict[str, float]:
        """One optimizer step on `batch`, drawing its noise from `rng`; the losses to log."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def load_state_dict(self, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def export(self) -> HubModel:
        raise NotImplementedError

    def warm_start(self, directory: Path) -> None:
        """--init-from: start from exported weights; families without a generator to start refuse."""
        raise NotImplementedError(f"{type(self).__name__} has no generator to start from exported weights")

    def measure(self) -> dict[str, float]:
        """Figures for the training log's rows, on the main process (none by default)."""
        return {}


def unwrap(module: nn.Module) -> nn.Module:
    return module.module if isinstance(module, nn.parallel.DistributedDataParallel) else module


def setup_runtime(seed: int) -> Runtime:
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if torch.cuda.is_available():
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if world_size > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    torch.manual_seed(seed + rank)
    return Runtime(device, rank, world_size)


def mnist_stream(args: MnistConfig, runtime: Runtime, start_step: int, batches_per_step: int = 1) -> Stream:
    """The MNIST training split as endless (images, labels) batches from step `start_step` on, each
    `batches_per_step` batches of --batch-size (a critic's steps take one each)."""
    data = load_mnist(args.split, source=args.data)
    return Stream(batches(data.images, data.labels, args.batch_size * batches_per_step, runtime, args.seed, start_step),
                  f"{data.source} {args.split} split ({len(data)} images)")


def batches(inputs: torch.Tensor, labels: torch.Tensor, batch_size: int, runtime: Runtime, seed: int,
            start_step: int) -> Iterator[Batch]:
    """Endless (inputs, labels) batches: each epoch a seeded permutation, sharded across ranks."""
    per_epoch = len(inputs) // (batch_size * runtime.world_size)
    if per_epoch == 0:
        raise ValueError(f"batch size {batch_size} x {runtime.world_size} processes exceeds {len(inputs)} examples")
    epoch, offset = divmod(start_step, per_epoch)
    while True:
        order = torch.randperm(len(inputs), generator=torch.Generator().manual_seed(seed * 100_003 + epoch))
        mine = order[runtime.rank::runtime.world_size]
        for i in range(offset, per_epoch):
            idx = mine[i * batch_size:(i + 1) * batch_size]
            yield inputs[idx].to(runtime.device), labels[idx].to(runtime.device)
        epoch, offset = epoch + 1, 0


def cosine_schedule(optimizer: torch.optim.Optimizer, total_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    """Cosine decay to 0 at total_steps, recomputed from the step count: a resumed run with a larger
    --steps stretches the schedule instead of restarting it."""
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, total_steps) / total_steps)))


class TrainingLog:
    """Rows of {step, seconds, mean of each loss since the last row, and task.measure() if the task
    has one}, kept in checkpoints so a resumed run continues the same log."""

    def __init__(self, rows: list[dict[str, float]] | None = None):
        self.rows = list(rows or [])
        self._sums: dict[str, float] = {}
        self._count = 0

    def add(self, losses: dict[str, float]) -> None:
        for key, value in losses.items():
            self._sums[key] = self._sums.get(key, 0.0) + value
        self._count += 1

    def close_row(self, step: int, seconds: float, measures: dict[str, float]) -> None:
        means = {key: total / self._count for key, total in self._sums.items()} if self._count else {}
        self.rows.append({"step": step, "seconds": round(seconds, 1), **means, **measures})
        self._sums, self._count = {}, 0

    def write(self, directory: Path) -> None:
        (directory / TRAINING_LOG).write_text(json.dumps(self.rows, indent=1))


_INIT_LOCK = threading.Lock()


def seeded_build(module: ModuleType, args: TrainConfig, runtime: Runtime) -> Task:
    """module.build with the global RNG (which nn layers draw their initial weights from) seeded by
    --seed and the rank, then restored: the same seed gives the same network in any thread."""
    with _INIT_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(args.seed + runtime.rank)
        return module.build(args, runtime)


def noise_generator(seed: int, rank: int, step: int) -> torch.Generator:
    """The trainer's own random stream for the noise inside steps (latents, augmentation)."""
    return torch.Generator().manual_seed(seed * 7919 + rank * 104_729 + step)


def cuda_devices(runtime: Runtime) -> list[int]:
    return [runtime.device.index or 0] if runtime.device.type == "cuda" else []


def rng_states(runtime: Runtime, noise: torch.Generator) -> list[dict[str, torch.Tensor]]:
    """Per rank: the global RNG (dropout draws from it), the device's, and the step-noise generator."""
    mine = {"cpu": torch.get_rng_state(), "noise": noise.get_state()}
    if runtime.device.type == "cuda":
        mine["cuda"] = torch.cuda.get_rng_state(runtime.device)
    if not runtime.distributed:
        return [mine]
    every: list[Any] = [None] * runtime.world_size
    dist.all_gather_object(every, {k: v.cpu() for k, v in mine.items()})
    return every


def restore_rng(state: dict[str, Any], runtime: Runtime, noise: torch.Generator) -> None:
    """Continue this rank's random streams where the checkpoint left them. A checkpoint without them
    (older ones), or from another number of processes, keeps the re-seeded streams."""
    saved = state.get("rng")
    if not saved or len(saved) != runtime.world_size:
        return
    mine = saved[runtime.rank]
    torch.set_rng_state(mine["cpu"].cpu())
    noise.set_state(mine["noise"].cpu())
    if "cuda" in mine and runtime.device.type == "cuda":
        torch.cuda.set_rng_state(mine["cuda"].cpu(), runtime.device)


def training_steps(task: Task, stream: Stream, noise: torch.Generator, start: int, total: int
                   ) -> Iterator[tuple[int, dict[str, float]]]:
    """The training loop itself, shared by run() and the app's live training: yields
    (steps done, losses) after every optimizer step."""
    for step in range(start + 1, total + 1):
        yield step, task.step(next(stream.batches), noise)


@dataclass
class Progress:
    """Where a run stands: steps done, wall-clock seconds spent in earlier stages, the log so far."""
    step: int = 0
    elapsed: float = 0.0
    log: TrainingLog = field(default_factory=TrainingLog)


def run(family: str, module: ModuleType, args: TrainConfig, command: list[str]) -> Path:
    """Train `family` as configured by `args` (parsed from `command`, which the card records): restore,
    train, export. Returns the directory written by save_pretrained."""
    if args.log_every < 1:
        raise SystemExit(f"--log-every must be at least 1, got {args.log_every}")
    stop = args.steps if args.stop_at is None else args.stop_at
    if not 1 <= stop <= args.steps:
        raise SystemExit(f"--stop-at must be from 1 to --steps ({args.steps}), got {args.stop_at}")
    if args.threads:
        torch.set_num_threads(args.threads)
    runtime = setup_runtime(args.seed)
    out = Path(args.out)
    ckpt_path = Path(args.checkpoint_dir or Path("checkpoints") / out.name) / "last.pt"
    task = seeded_build(module, args, runtime)
    progress, noise = restore(family, task, args, runtime, ckpt_path)
    stream = module.stream(args, runtime, progress.step)
    t0 = time.perf_counter()
    train(family, task, stream, noise, progress, stop, args, runtime, ckpt_path)
    if progress.step < args.steps:
        if runtime.is_main:
            print(f"stopped after {progress.step} of {args.steps} steps; continue with --resume", file=sys.stderr)
    elif runtime.is_main:
        export(task, stream, out, progress, progress.elapsed + time.perf_counter() - t0, args, runtime, command)
    if runtime.distributed:
        dist.barrier()
        dist.destroy_process_group()
    return out


def restore(family: str, task: Task, args: TrainConfig, runtime: Runtime, ckpt_path: Path
            ) -> tuple[Progress, torch.Generator]:
    """The run's progress and step-noise stream: from the checkpoint with --resume (weights, optimizers,
    log and every random stream), else from step 0, the generator first warm-started with --init-from."""
    if args.resume:
        if not ckpt_path.is_file():
            raise SystemExit(f"--resume: no checkpoint at {ckpt_path}")
        state = torch.load(ckpt_path, map_location=runtime.device, weights_only=True)  # our own file
        task.load_state_dict(state["task"])
        progress = Progress(state["step"], state["elapsed"], TrainingLog(state.get("log")))
        noise = noise_generator(args.seed, runtime.rank, progress.step)
        restore_rng(state, runtime, noise)
        return progress, noise
    if args.init_from:
        if type(task).warm_start is Task.warm_start:
            raise SystemExit(f"--init-from: {family} has no generator to start from exported weights")
        if not (Path(args.init_from) / "model.safetensors").is_file():
            raise SystemExit(f"--init-from: no model.safetensors in {args.init_from}")
        try:
            task.warm_start(Path(args.init_from))
        except RuntimeError as e:  # e.g. weights of another size than --width/--z-dim ask for
            raise SystemExit(f"--init-from {args.init_from}: {e}") from e
    return Progress(), noise_generator(args.seed, runtime.rank, 0)


def train(family: str, task: Task, stream: Stream, noise: torch.Generator, progress: Progress, stop: int,
          args: TrainConfig, runtime: Runtime, ckpt_path: Path) -> None:
    """Steps from progress.step to `stop`, with a progress bar, the log's rows every --log-every steps and a
    checkpoint every --checkpoint-every steps and at `stop`; `progress` is updated in place."""
    bar = tqdm(total=args.steps, initial=progress.step, disable=not runtime.is_main, desc=family, dynamic_ncols=True)
    t0, start = time.perf_counter(), progress.elapsed

    def save_checkpoint() -> None:
        rng = rng_states(runtime, noise)  # every rank's, so a resumed run draws what this one would have
        if runtime.is_main:
            ckpt_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = ckpt_path.with_suffix(".tmp")
            torch.save({"task": task.state_dict(), "step": progress.step, "log": progress.log.rows, "rng": rng,
                        "elapsed": start + time.perf_counter() - t0}, tmp)
            tmp.replace(ckpt_path)  # never leave a half-written checkpoint

    for progress.step, losses in training_steps(task, stream, noise, progress.step, stop):
        step = progress.step
        bar.update(1)
        progress.log.add(losses)
        if step % 10 == 0:
            bar.set_postfix({k: f"{v:.3f}" for k, v in losses.items()})
        if step % args.log_every == 0 or step == args.steps:
            with torch.random.fork_rng(devices=cuda_devices(runtime)):  # measuring draws nothing from training's RNG
                measures = task.measure() if runtime.is_main else {}
            progress.log.close_row(step, start + time.perf_counter() - t0, measures)
        if step % args.checkpoint_every == 0 or step == stop:
            save_checkpoint()
    bar.close()


def export(task: Task, stream: Stream, out: Path, progress: Progress, seconds: float, args: TrainConfig,
           runtime: Runtime, command: list[str]) -> None:
    """The exported model, its card (with the command given) and training log, in `out`; pushed with --push-to-hub."""
    model = task.export().cpu().eval()
    model.config.data = stream.description
    out.mkdir(parents=True, exist_ok=True)
    write_card(out, model, metrics=[], training={  # first: save_pretrained keeps the README.md it finds
        "name": out.name, "steps": progress.step, "batch_size": args.batch_size * runtime.world_size,
        "processes": runtime.world_size, "device": str(runtime.device), "seed": args.seed,
        "train_seconds": round(seconds, 1),
        "command": portable(command, out.name, REPO_ROOT)})
    model.save_pretrained(out)
    progress.log.write(out)
    print(f"saved {out} after {progress.step} steps in {seconds:.0f} s", file=sys.stderr)
    if args.push_to_hub:
        model.push_to_hub(args.push_to_hub)
