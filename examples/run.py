"""A training run: its state (:class:`Run`) and how :func:`build` makes one from a
:class:`~examples.config.TrainConfig` (checked options, seeds, data, network, loss,
optimiser), ready for :mod:`examples.engine` to train."""

from __future__ import annotations

import dataclasses
import math
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from examples.checkpoint import load_checkpoint
from examples.cli import option_name
from examples.config import IGNORE_INDEX, TrainConfig, resolve_amp, specs
from examples.data import (
    SegmentationDataset,
    UsageError,
    make_output_folder,
    open_run_data,
    sample_seed,
)
from examples.distributed import Distributed
from examples.evaluate import evaluation_sets
from examples.models import network
from examples.task import SegmentationTask, build_criterion, build_optimizer

__all__ = ["Run", "build", "check_config", "seed_rank_streams"]


@dataclasses.dataclass
class Run:
    """A training run: what :func:`build` makes, :func:`~examples.resume.resume` restores,
    :func:`~examples.engine.train_step` advances and
    :func:`~examples.resume.checkpoint_state` saves.

    ``net`` is ``task``, wrapped in DistributedDataParallel when there are several processes.
    ``elapsed_s`` is the training time of earlier processes (a resumed run), ``clock`` the
    ``time.perf_counter()`` at which this process started training.
    """

    config: TrainConfig
    context: Distributed
    task: SegmentationTask
    net: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler
    train_set: SegmentationDataset
    val_sets: dict[str, SegmentationDataset]
    iteration: int = 0
    best_miou: float = -math.inf
    best_iteration: int = 0
    elapsed_s: float = 0.0
    clock: float = dataclasses.field(default_factory=time.perf_counter)

    @property
    def amp_dtype(self) -> torch.dtype | None:
        """The autocast dtype of the network (None: full precision)."""
        return self.task.autocast_dtype

    @property
    def per_rank(self) -> int:
        """Images per batch and process."""
        return self.config.batch // self.context.world_size

    def train_time(self) -> float:
        """Seconds of training so far, earlier processes included."""
        return self.elapsed_s + time.perf_counter() - self.clock


def _check_choices(config: TrainConfig) -> None:
    """Raise UsageError for a network or a choice its field's spec does not know."""
    try:
        network(config.net)
    except ValueError as error:
        raise UsageError(str(error)) from None
    for name, spec in specs().items():
        value = getattr(config, name)
        if spec.choices is not None and value not in spec.choices:
            raise UsageError(f"unknown {name} {value!r}; known: {', '.join(spec.choices)}")


def check_config(config: TrainConfig, world_size: int) -> None:
    """Raise UsageError for option values that cannot work."""
    _check_choices(config)
    for name in ("iters", "batch", "val_every", "ckpt_every", "log_every"):
        if getattr(config, name) < 1:
            raise UsageError(f"{option_name(name)} must be >= 1, got {getattr(config, name)}")
    if min(config.size) < 16:
        raise UsageError(f"--size must be at least 16x16, got {config.size[0]}x{config.size[1]}")
    if config.batch % world_size:
        raise UsageError(
            f"--batch {config.batch} (the global batch) is not divisible by the "
            f"{world_size} processes"
        )
    if config.workers < 0 or config.threads < 0:
        raise UsageError(
            f"--workers and --threads must be >= 0, got {config.workers}, {config.threads}"
        )
    if not config.lr > 0 or config.weight_decay < 0:
        raise UsageError(
            f"--lr must be > 0 and --weight-decay >= 0, got {config.lr}, {config.weight_decay}"
        )
    if config.stop_at is not None and not 0 < config.stop_at <= config.iters:
        raise UsageError(f"--stop-at must lie in 1..{config.iters}, got {config.stop_at}")


def _set_up_process(config: TrainConfig, device: torch.device) -> None:
    """Thread count, cuDNN autotuning and the global seeds (Python, legacy numpy, torch)."""
    if config.threads:
        torch.set_num_threads(config.threads)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    random.seed(config.seed)
    np.random.seed(config.seed % 2**32)  # noqa: NPY002 (the legacy global state other code may use)
    torch.manual_seed(config.seed)


def seed_rank_streams(config: TrainConfig, context: Distributed) -> None:
    """Once the network is built (the same initial weights on every rank), give each rank
    its own torch stream, so that dropout masks differ between ranks as they differ between
    the samples of one process's batch. One process keeps the seed's stream."""
    if context.world_size > 1:
        torch.manual_seed(sample_seed(config.seed, 4, context.rank))


def _build_task(config: TrainConfig, context: Distributed) -> SegmentationTask:
    """The network (initialised from the global seed) and its loss, on the device; the loss
    draws from its own generator (its state is in the criterion's state_dict)."""
    try:
        model = config.build_model()
    except ValueError as error:
        raise UsageError(str(error)) from None
    generator = torch.Generator().manual_seed(sample_seed(config.seed, 3))
    criterion = build_criterion(config, generator)
    amp_dtype = resolve_amp(config.amp, context.device)
    task = SegmentationTask(model, criterion, amp_dtype, config.channels_last).to(context.device)
    if config.channels_last:
        task.model.to(memory_format=torch.channels_last)
    if context.device.type == "cuda" and context.world_size > 1:
        task = nn.SyncBatchNorm.convert_sync_batchnorm(task)
    return task


def _validation_sets(config: TrainConfig, source: Any) -> dict[str, SegmentationDataset]:
    """Clean and "unconstrained" copies of the validation source; real frames (``val_data``)
    are evaluated as they are (clean only: they may hold no temperatures)."""
    if config.val_data is not None:
        return {"clean": SegmentationDataset(source, config.size)}
    return evaluation_sets(source, config.size)


def _load_initial_weights(model: nn.Module, config: TrainConfig) -> None:
    """Start from the network weights of ``config.init`` (a checkpoint of examples.train).

    Raises:
        UsageError: no such checkpoint, or one of another network.
    """
    path = Path(str(config.init))
    if not path.is_file():
        raise UsageError(f"--init: no checkpoint {path}")
    try:
        state = load_checkpoint(path)
        saved = TrainConfig.from_dict(state["config"])
    except (KeyError, TypeError, ValueError) as error:
        raise UsageError(f"--init {path}: not a checkpoint of examples.train ({error})") from None
    if saved.net != config.net or saved.model_kwargs() != config.model_kwargs():
        raise UsageError(
            f"--init {path}: its network ({saved.net}, {saved.model_kwargs()}) is not this "
            f"run's ({config.net}, {config.model_kwargs()})"
        )
    model.load_state_dict(state["model"])


def build(config: TrainConfig, context: Distributed) -> Run:
    """Data, network, loss, optimiser and schedule of a fresh run at iteration 0.

    Raises:
        UsageError: bad options or data.
    """
    check_config(config, context.world_size)
    _set_up_process(config, context.device)
    train_source, val_source = open_run_data(config)
    train_set = SegmentationDataset(
        train_source, config.size, config.aug, sample_seed(config.seed, 2), IGNORE_INDEX
    )
    val_sets = _validation_sets(config, val_source)
    task = _build_task(config, context)
    if config.init is not None:
        _load_initial_weights(task.model, config)
    seed_rank_streams(config, context)
    optimizer, scheduler = build_optimizer(config, task.parameters())
    make_output_folder(config.out, "--out")  # every option checked: nothing made on an error
    net: nn.Module = task
    if context.world_size > 1:
        cuda = context.device.type == "cuda"
        net = DistributedDataParallel(task, device_ids=[context.device.index] if cuda else None)
    scaler = torch.amp.GradScaler(context.device.type, enabled=task.autocast_dtype == torch.float16)
    return Run(config, context, task, net, optimizer, scheduler, scaler, train_set, val_sets)
