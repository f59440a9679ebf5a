"""Train a thermal face segmentation network with TiAug and SAM-CL.

    python -m examples.train --net unet --loss samcl --aug samcl --iters 40000 --out runs/unet
    torchrun --nproc_per_node=8 -m examples.train --net hrnetv2 ...   # DDP, same options
    python -m examples.train --demo                                   # a few minutes on a CPU

Defaults follow the paper: batch 16 (over all ranks), 256x320, SGD lr 0.01 momentum 0.9
weight decay 5e-4, poly lr (power 0.9), AMP on GPU, one input channel, per-image min-max to
[-1, 1] after augmentation, no pretrained weights. Rank 0 writes everything under ``--out``:
``last.pt`` / ``best.pt`` checkpoints, ``metrics.jsonl``, TensorBoard logs (``tb/``),
``eval.json`` and prediction overlays (``overlays/``).

The steps, as functions: :func:`build` (data, network, loss, optimiser), :func:`resume`,
:func:`train_loader`, :func:`train_step`, :func:`evaluate` (validation, ``best.pt``) and
:func:`checkpoint_state` (what ``last.pt`` and ``best.pt`` hold); :func:`train` runs them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader
from tqdm import tqdm

from examples.checkpoint import get_rng_state, load_checkpoint, save_checkpoint, set_rng_state
from examples.config import (
    AMPS,
    IGNORE_INDEX,
    LOSSES,
    NUM_CLASSES,
    OPTIMIZERS,
    RENAMED,
    SCHEDULES,
    STUDY,
    OneLineParser,
    TrainConfig,
    add_network_arguments,
    current_keys,
    parse_size,
    resolve_amp,
)
from examples.data import (
    AUGMENTATIONS,
    SegmentationDataset,
    TrainSampler,
    UsageError,
    batch_bytes,
    make_output_folder,
    one_thread_workers,
    open_run_data,
    sample_seed,
    shm_prefetch,
)
from examples.distributed import (
    Distributed,
    all_gather_objects,
    all_reduce_sum,
    barrier,
    setup_distributed,
    teardown_distributed,
)
from examples.evaluate import evaluation_sets, run_evaluation, validate, validation_loader
from examples.models import NETWORKS, build_model
from samcl_loss import RMILoss, SAMCLLoss
from samcl_loss.negatives import NEGATIVES

__all__ = [
    "DEMO",
    "RMIWithCrossEntropy",
    "Run",
    "SegmentationTask",
    "build",
    "build_criterion",
    "build_optimizer",
    "checkpoint_state",
    "evaluate",
    "main",
    "parse_args",
    "resume",
    "train",
    "train_loader",
    "train_step",
]


#: Options of ``--demo``: the study's preset (:data:`examples.config.STUDY`) with TiAug's
#: "wild" preset (upright heads, scene physics and occluders, the camera's noise and 8-bit
#: export: what carries best to real recordings, benchmarks/results/real_levers.md) and SAM-CL
#: with samcl-loss's default negatives (``"reflect"``, the critic that cannot cheat; the
#: study's ``samcl_wild``), a few minutes on 2 CPU cores.
DEMO: dict[str, Any] = {
    **STUDY,
    "loss": "samcl",
    "aug": "wild",
    "iters": 1400,
    "val_every": 1400,
    "overlays": 4,
    "out": "outputs/demo",
}

# Options that must match between a checkpoint and a resumed run (and the autocast dtype the
# run resolved from --amp: see _differences).
_RESUME_KEYS = (
    "net",
    "loss",
    "aug",
    "data",
    "val_data",
    "init",
    "num_train",
    "iters",
    "batch",
    "size",
    "seed",
    "optimizer",
    "schedule",
    "face_crop",
    "lr",
    "momentum",
    "weight_decay",
    "poly_power",
    "samcl_prediction",
    "samcl_negatives",
    "contrastive_weight",
    "samcl_margin",
    "ce_weight",
    "base_width",
    "deeplab_backbone",
    "hrnet_variant",
)


class RMIWithCrossEntropy(nn.Module):
    """RMI + ``weight`` x cross-entropy: extra pixel supervision without contrast (a control)."""

    def __init__(self, weight: float = 0.5) -> None:
        super().__init__()
        self.weight = weight
        self.rmi = RMILoss(NUM_CLASSES, ignore_index=IGNORE_INDEX)
        self.ce = nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The loss of logits (N, C, H, W) against labels (N, H, W)."""
        return self.rmi(logits, target) + self.weight * self.ce(logits, target)


def build_criterion(config: TrainConfig, generator: torch.Generator | None = None) -> nn.Module:
    """The loss of ``config.loss``: RMI, SAMCLLoss on RMI, cross-entropy or RMI + CE."""
    if config.loss == "ce":
        return nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)
    if config.loss == "rmi":
        return RMILoss(NUM_CLASSES, ignore_index=IGNORE_INDEX)
    if config.loss == "rmi_ce":
        return RMIWithCrossEntropy(config.ce_weight)
    return SAMCLLoss(
        NUM_CLASSES,
        base_loss="rmi",
        contrastive_weight=config.contrastive_weight,
        margin=config.samcl_margin,
        negatives=config.samcl_negatives,
        prediction=config.samcl_prediction,
        ignore_index=IGNORE_INDEX,
        generator=generator,
    )


def build_optimizer(
    config: TrainConfig, parameters: Iterable[nn.Parameter]
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """The optimiser and per-iteration schedule of ``config``.

    SGD (momentum, weight decay) or AdamW (decoupled weight decay), with poly decay from
    ``lr`` (power ``poly_power``) or a one-cycle schedule peaking at ``lr`` (30 % warm-up,
    then cosine decay) over ``iters`` iterations.
    """
    optimizer: torch.optim.Optimizer
    if config.optimizer == "adamw":
        optimizer = torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay)
    else:
        optimizer = torch.optim.SGD(
            parameters, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay
        )
    if config.schedule == "onecycle":
        return optimizer, torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=config.lr, total_steps=config.iters
        )
    return optimizer, torch.optim.lr_scheduler.PolynomialLR(
        optimizer, total_iters=config.iters, power=config.poly_power
    )


class SegmentationTask(nn.Module):
    """The network and its loss in one module (one DDP wrapper covers both).

    The network runs under autocast when ``autocast_dtype`` is set; the loss is always
    computed in float32 on the logits.

    Returns ``(loss, terms)`` where ``terms`` holds detached parts of the loss (SAMCLLoss:
    ``base``, ``contrastive`` and ``scale0`` .. ``scale3``).
    """

    def __init__(
        self,
        model: nn.Module,
        criterion: nn.Module,
        autocast_dtype: torch.dtype | None = None,
        channels_last: bool = False,
    ) -> None:
        super().__init__()
        self.model = model
        self.criterion = criterion
        self.autocast_dtype = autocast_dtype
        self.channels_last = channels_last

    def forward(
        self, image: torch.Tensor, target: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Loss of the network's prediction for ``image`` against labels ``target`` (any integer
        type: uint8 from the loaders, made int64 here, on the device)."""
        target = target.long()
        if self.channels_last:
            image = image.contiguous(memory_format=torch.channels_last)
        with torch.autocast(
            image.device.type,
            dtype=self.autocast_dtype or torch.float32,
            enabled=self.autocast_dtype is not None,
        ):
            logits = self.model(image)
        logits = logits.float()
        if not isinstance(self.criterion, SAMCLLoss):
            return self.criterion(logits, target), {}
        terms = self.criterion(logits, target, return_terms=True)
        parts = {"base": terms.base.detach(), "contrastive": terms.contrastive.detach()}
        parts.update({f"scale{i}": s.detach() for i, s in enumerate(terms.scales)})
        return terms.total, parts


def _check_config(config: TrainConfig, world_size: int) -> None:
    """Raise UsageError for option values that cannot work."""
    if config.net not in NETWORKS:
        raise UsageError(f"unknown network {config.net!r}; known networks: {', '.join(NETWORKS)}")
    choices = {
        "loss": LOSSES,
        "aug": AUGMENTATIONS,
        "amp": AMPS,
        "optimizer": OPTIMIZERS,
        "schedule": SCHEDULES,
    }
    for name, known in choices.items():
        if getattr(config, name) not in known:
            raise UsageError(f"unknown {name} {getattr(config, name)!r}; known: {', '.join(known)}")
    positive = ("iters", "batch", "val_every", "ckpt_every", "log_every")
    for name in positive:
        if getattr(config, name) < 1:
            raise UsageError(
                f"--{name.replace('_', '-')} must be >= 1, got {getattr(config, name)}"
            )
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


class _Bar(tqdm):
    """tqdm without its monitor thread, which outlives the bar: the DataLoader workers of a
    later run in this process would fork while it runs."""

    monitor_interval = 0


class _RunLog:
    """metrics.jsonl, TensorBoard and the progress bar; silent on ranks other than 0."""

    def __init__(self, out: Path, enabled: bool, total: int, start: int) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.enabled = enabled
        self.writer: SummaryWriter | None = None
        self.bar = _Bar(
            total=total,
            initial=start,
            disable=not (enabled and sys.stderr.isatty()),
            dynamic_ncols=True,
            desc="train",
        )
        if enabled:
            out.mkdir(parents=True, exist_ok=True)
            # a fresh run replaces the log of an earlier one in OUT; a resumed run appends,
            # and TensorBoard drops what an older writer logged from step `start` on
            self.jsonl = (out / "metrics.jsonl").open("a" if start else "w", encoding="utf-8")
            self.writer = SummaryWriter(str(out / "tb"), purge_step=start)

    def record(self, record: dict[str, Any]) -> None:
        """Append one JSON line and its scalars to TensorBoard."""
        if self.writer is None:
            return
        self.jsonl.write(json.dumps(record) + "\n")
        self.jsonl.flush()
        step = record["iteration"]
        for key, value in _flatten(record).items():
            if key != "iteration" and isinstance(value, (int, float)) and math.isfinite(value):
                self.writer.add_scalar(key.replace(".", "/"), value, step)

    def say(self, line: str) -> None:
        """Print a line above the progress bar (rank 0 only)."""
        if self.enabled:
            self.bar.write(line)

    def close(self) -> None:
        self.bar.close()
        if self.writer is not None:
            self.jsonl.close()
            self.writer.close()


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            flat.update({f"{prefix}{key}.{i}": v for i, v in enumerate(value)})
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@dataclasses.dataclass
class Run:
    """A training run: what :func:`build` makes, :func:`resume` restores, :func:`train_step`
    advances and :func:`checkpoint_state` saves.

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


def _set_up_process(config: TrainConfig, device: torch.device) -> None:
    """Thread count, cuDNN autotuning and the global seeds (Python, legacy numpy, torch)."""
    import random

    if config.threads:
        torch.set_num_threads(config.threads)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    random.seed(config.seed)
    np.random.seed(config.seed % 2**32)  # noqa: NPY002 (the legacy global state other code may use)
    torch.manual_seed(config.seed)


def _seed_rank_streams(config: TrainConfig, context: Distributed) -> None:
    """Once the network is built (the same initial weights on every rank), give each rank
    its own torch stream, so that dropout masks differ between ranks as they differ between
    the samples of one process's batch. One process keeps the seed's stream."""
    if context.world_size > 1:
        torch.manual_seed(sample_seed(config.seed, 4, context.rank))


def _build_task(config: TrainConfig, context: Distributed) -> SegmentationTask:
    """The network (initialised from the global seed) and its loss, on the device; the loss
    draws from its own generator (its state is in the criterion's state_dict)."""
    try:
        model = build_model(config.net, NUM_CLASSES, 1, **config.model_kwargs())
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
    _check_config(config, context.world_size)
    _set_up_process(config, context.device)
    train_source, val_source = open_run_data(config)
    train_set = SegmentationDataset(
        train_source, config.size, config.aug, sample_seed(config.seed, 2), IGNORE_INDEX
    )
    val_sets = _validation_sets(config, val_source)
    task = _build_task(config, context)
    if config.init is not None:
        _load_initial_weights(task.model, config)
    _seed_rank_streams(config, context)
    optimizer, scheduler = build_optimizer(config, task.parameters())
    make_output_folder(config.out, "--out")  # every option checked: nothing made on an error
    net: nn.Module = task
    if context.world_size > 1:
        cuda = context.device.type == "cuda"
        net = DistributedDataParallel(task, device_ids=[context.device.index] if cuda else None)
    return Run(
        config=config,
        context=context,
        task=task,
        net=net,
        optimizer=optimizer,
        scheduler=scheduler,
        scaler=torch.amp.GradScaler(
            context.device.type, enabled=task.autocast_dtype == torch.float16
        ),
        train_set=train_set,
        val_sets=val_sets,
    )


def _amp_name(dtype: torch.dtype | None) -> str:
    """The ``--amp`` value that forces ``dtype`` ("bf16", "fp16" or "off")."""
    return {torch.bfloat16: "bf16", torch.float16: "fp16", None: "off"}[dtype]


def checkpoint_state(run: Run) -> dict[str, Any]:
    """Everything :func:`resume` needs to continue the run exactly (``last.pt``, ``best.pt``).

    ``amp`` is the autocast dtype the run resolved (:func:`_amp_name`); ``rng`` holds every
    rank's random states, in rank order. Every rank calls it (the states are gathered).
    """
    return {
        "iteration": run.iteration,
        "config": run.config.to_dict(),
        "amp": _amp_name(run.amp_dtype),
        "model": run.task.model.state_dict(),
        "criterion": run.task.criterion.state_dict(),
        "optimizer": run.optimizer.state_dict(),
        "scheduler": run.scheduler.state_dict(),
        "scaler": run.scaler.state_dict(),
        "rng": all_gather_objects(get_rng_state()),
        "best_miou": run.best_miou,
        "best_iteration": run.best_iteration,
        "elapsed_s": run.train_time(),
        "world_size": run.context.world_size,
    }


def _resume_path(config: TrainConfig) -> Path | None:
    if config.resume is None:
        return None
    path = Path(config.out) / "last.pt" if config.resume == "auto" else Path(config.resume)
    if not path.is_file():
        raise UsageError(f"--resume: no checkpoint {path}")
    return path


def _differences(state: dict[str, Any], run: Run) -> list[str]:
    """The options of :data:`_RESUME_KEYS` and the autocast dtype that differ from ``state``'s."""
    saved = current_keys(state["config"])
    found = [
        f"{key} {saved.get(key)!r} != {value!r}"
        for key, value in run.config.to_dict().items()
        if key in _RESUME_KEYS and key in saved and saved[key] != value  # older: not saved
    ]
    amp = _amp_name(run.amp_dtype)
    if state.get("amp", amp) != amp:  # checkpoints from before "amp" was saved: not checked
        found.append(f"amp {state['amp']!r} != {amp!r}")
    return found


def resume(run: Run, path: Path) -> None:
    """Continue ``run`` from the checkpoint at ``path`` (weights, optimiser, RNG, progress).

    Raises:
        UsageError: the checkpoint was written by a run with other options.
    """
    state = load_checkpoint(path)  # on the CPU: RNG states must stay there
    differences = _differences(state, run)
    if differences:
        raise UsageError(f"{path} was written by another run: {'; '.join(differences)}")
    run.task.model.load_state_dict(state["model"])
    run.task.criterion.load_state_dict(state["criterion"])
    run.optimizer.load_state_dict(state["optimizer"])
    run.scheduler.load_state_dict(state["scheduler"])
    run.scaler.load_state_dict(state["scaler"])
    _restore_rng(state["rng"], run)
    run.iteration, run.elapsed_s = state["iteration"], state["elapsed_s"]
    run.best_miou, run.best_iteration = state["best_miou"], state["best_iteration"]


def _restore_rng(states: list[dict[str, Any]] | dict[str, Any], run: Run) -> None:
    """This rank's random states from a checkpoint's ``rng``: its own when the checkpoint
    holds one per rank of this run, else (another world size, or a checkpoint from before
    ``rng`` was a list: one state) the first, reseeded per rank like a fresh run."""
    context = run.context
    if isinstance(states, list) and len(states) == context.world_size:
        set_rng_state(states[context.rank])
        return
    set_rng_state(states[0] if isinstance(states, list) else states)
    _seed_rank_streams(run.config, context)


def train_loader(run: Run) -> DataLoader:
    """This rank's endless stream of training batches, from the run's iteration on.

    Workers run one thread each (:func:`examples.data.one_thread_workers`); their prefetch fits
    in /dev/shm (:func:`examples.data.shm_prefetch`).
    """
    config, context, per_rank = run.config, run.context, run.per_rank
    sampler = TrainSampler(
        len(run.train_set), config.seed, context.rank, context.world_size, run.iteration * per_rank
    )
    shared = batch_bytes(config.size, per_rank)
    return DataLoader(
        run.train_set,
        batch_size=per_rank,
        sampler=sampler,
        num_workers=config.workers,
        pin_memory=context.device.type == "cuda",
        drop_last=True,
        generator=torch.Generator().manual_seed(config.seed),
        worker_init_fn=one_thread_workers(config.workers),
        prefetch_factor=shm_prefetch(config.workers, shared, loaders=context.local_world_size),
    )


def train_step(run: Run, image: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
    """One optimisation step on a batch; returns the loss and its terms, detached."""
    device = run.context.device
    run.task.train()
    loss, terms = run.net(image.to(device, non_blocking=True), target.to(device, non_blocking=True))
    run.optimizer.zero_grad(set_to_none=True)
    run.scaler.scale(loss).backward()
    run.scaler.step(run.optimizer)
    run.scaler.update()
    run.scheduler.step()
    run.iteration += 1
    return {"loss": loss.detach(), **terms}


class _Meter:
    """Sums of the training values since the last report, and its time."""

    def __init__(self) -> None:
        self.sums: dict[str, torch.Tensor] = {}
        self.count = 0
        self.started = time.perf_counter()

    def add(self, values: dict[str, torch.Tensor]) -> None:
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + value.float()
        self.count += 1

    def means(self, world_size: int) -> dict[str, float]:
        """The means over iterations and ranks (all ranks call it together)."""
        names = sorted(self.sums)
        means = all_reduce_sum(torch.stack([self.sums[k] for k in names]) / self.count)
        return dict(zip(names, (means / world_size).tolist(), strict=True))


def _report_training(run: Run, meter: _Meter, log: _RunLog) -> None:
    """Log the mean loss and terms since the last report, the lr and the throughput."""
    values = meter.means(run.context.world_size)
    if not math.isfinite(values["loss"]):
        raise FloatingPointError(f"the loss is {values['loss']} at iteration {run.iteration}")
    lr = run.scheduler.get_last_lr()[0]
    seconds = time.perf_counter() - meter.started
    log.bar.set_postfix(loss=f"{values['loss']:.4f}", lr=f"{lr:.2e}")
    log.record(
        {
            "iteration": run.iteration,
            "lr": lr,
            "train": values,
            "images_per_s": meter.count * run.config.batch / seconds,
        }
    )


def evaluate(run: Run, loaders: dict[str, DataLoader], log: _RunLog) -> None:
    """Validate on every set; a better clean mIoU than before is saved as ``best.pt``."""
    reports = {
        name: validate(run.task.model, loader, run.context, run.amp_dtype)
        for name, loader in loaders.items()
    }
    log.record({"iteration": run.iteration, "val": reports})
    miou = reports["clean"]["miou"]
    others = ", ".join(f"{name} {r['miou']:.4f}" for name, r in reports.items() if name != "clean")
    log.say(
        f"iteration {run.iteration}/{run.config.iters}: val mIoU clean {miou:.4f}"
        + (f", {others}" if others else "")
    )
    if miou > run.best_miou:  # the same on every rank: the reports are reduced over ranks
        run.best_miou, run.best_iteration = miou, run.iteration
        state = {**checkpoint_state(run), "val": reports}
        if run.context.is_main:
            save_checkpoint(state, Path(run.config.out) / "best.pt")


def train(config: TrainConfig) -> dict[str, Any]:
    """Run (or resume) a training; returns the final evaluation report (``eval.json``).

    When ``config.stop_at`` ends the run early, the report holds only ``iteration`` and the
    checkpoint path. Works in one process or under ``torchrun`` (DDP).

    Raises:
        UsageError: bad options or data.
    """
    try:
        context = setup_distributed(config.device)
    except ValueError as error:
        raise UsageError(str(error)) from None
    try:
        path = _resume_path(config)
        run = build(config, context)
        if path is not None:
            resume(run, path)
        stop = config.iters if config.stop_at is None else config.stop_at
        _train(run, stop)
        if stop < config.iters:
            return {"iteration": stop, "checkpoint": str(Path(config.out) / "last.pt")}
        return _final_evaluation(run)
    finally:
        teardown_distributed(context)


def _train(run: Run, stop: int) -> None:
    """Train from the run's iteration to ``stop``: log, validate and checkpoint on schedule."""
    config, out = run.config, Path(run.config.out)
    loaders = {
        name: validation_loader(data, run.context, run.per_rank, config.workers, persistent=True)
        for name, data in run.val_sets.items()
    }
    # every worker forks now, before any thread starts (pinning, TensorBoard, tqdm)
    for loader in loaders.values():
        iter(loader)
    batches = iter(train_loader(run))
    log = _RunLog(out, run.context.is_main, config.iters, run.iteration)
    meter, run.clock = _Meter(), time.perf_counter()
    try:
        while run.iteration < stop:
            meter.add(train_step(run, *next(batches)))
            log.bar.update(1)
            iteration = run.iteration
            if iteration % config.log_every == 0 or iteration == stop:
                _report_training(run, meter, log)
                meter = _Meter()
            if iteration % config.val_every == 0 or iteration == config.iters:
                evaluate(run, loaders, log)
            if iteration % config.ckpt_every == 0 or iteration == stop:
                state = checkpoint_state(run)
                if run.context.is_main:
                    save_checkpoint(state, out / "last.pt")
    finally:
        log.close()
    run.elapsed_s, run.clock = run.train_time(), time.perf_counter()
    barrier()


def _final_evaluation(run: Run) -> dict[str, Any]:
    """Evaluate the best checkpoint (overlays included); rank 0 writes ``eval.json``."""
    config, context, out = run.config, run.context, Path(run.config.out)
    model = run.task.model
    if context.is_main and (out / "best.pt").is_file():
        model.load_state_dict(load_checkpoint(out / "best.pt", context.device)["model"])
    _broadcast_state(model)
    report = run_evaluation(
        model, run.val_sets, context, run.amp_dtype, batch=run.per_rank,
        workers=config.workers, out=out, overlays=config.overlays,
    )  # fmt: skip
    report.update(
        {
            "iteration": run.best_iteration,
            "iterations": config.iters,
            "train_time_s": run.elapsed_s,
            "device": _device_name(context.device),
            "world_size": context.world_size,
            "config": config.to_dict(),
        }
    )
    if context.is_main:
        (out / "eval.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        _print_summary(report, out, run.best_iteration, list(run.val_sets))
    return report


def _print_summary(report: dict[str, Any], out: Path, best: int, sets: list[str]) -> None:
    where = f"; overlays in {out / 'overlays'}" if report["overlays"] else ""
    say = tqdm.write
    others = "".join(f", {name} {report[name]['miou']:.4f}" for name in sets if name != "clean")
    say(
        f"best checkpoint (iteration {best}): mIoU clean {report['clean']['miou']:.4f}{others} "
        f"(all-background predictor: {report['clean']['all_background_miou']:.4f}){where}"
    )
    for name in sets:
        ious = ", ".join(
            f"{k} {'n/a' if v is None else f'{v:.3f}'}" for k, v in report[name]["iou"].items()
        )
        say(f"{name} IoU per class: {ious}")


def _broadcast_state(module: nn.Module) -> None:
    """Give every rank rank 0's parameters and buffers."""
    if torch.distributed.is_initialized():
        for tensor in module.state_dict().values():
            torch.distributed.broadcast(tensor, 0)


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    import platform

    return f"cpu ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)"


class _RenamedOption(argparse.Action):
    """An option's former name (:data:`examples.config.RENAMED`, hidden from ``--help``): its
    value goes to the new option's destination; :func:`parse_args` warns."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)
        namespace.renamed = [*namespace.renamed, (option_string, _option(self.dest))]


def _option(name: str) -> str:
    return f"--{name.replace('_', '-')}"


def _parser() -> OneLineParser:
    defaults = TrainConfig()
    parser = OneLineParser(
        prog="python -m examples.train",
        description="Train a thermal face segmentation network with TiAug and SAM-CL.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add(
        "--demo",
        action="store_true",
        help=f"small CPU run: {', '.join(f'{k}={v}' for k, v in DEMO.items())} "
        "(explicit options still win)",
    )
    add(
        "--study",
        action="store_true",
        help="the CPU study's preset (examples.config.STUDY; explicit options still win)",
    )
    add("--net", default=defaults.net, help=f"network: {', '.join(NETWORKS)}")
    add("--loss", default=defaults.loss, help=f"loss: {', '.join(LOSSES)}")
    add("--aug", default=defaults.aug, help=f"augmentation: {', '.join(AUGMENTATIONS)}")
    add(
        "--data",
        default=defaults.data,
        help="'synthetic', a folder written by `tiaug synth`, a Thermal Face Database folder, "
        "or a folder of real labelled frames (with --val-data)",
    )
    add(
        "--val-data",
        default=defaults.val_data,
        help="folder of real labelled frames to validate on, when --data is such a folder",
    )
    add(
        "--init",
        default=defaults.init,
        help="checkpoint whose network weights start the run (fine-tuning; same --net options)",
    )
    add(
        "--num-train",
        type=int,
        default=defaults.num_train,
        help="synthetic training images (a real --data folder: at most this many frames, "
        "evenly spread)",
    )
    add("--num-val", type=int, default=defaults.num_val, help="synthetic validation images")
    add("--iters", type=int, default=defaults.iters, help="training iterations")
    add("--batch", type=int, default=defaults.batch, help="global batch (over all processes)")
    add("--size", type=parse_size, default=defaults.size, help="training size HxW in pixels")
    add("--lr", type=float, default=defaults.lr, help="initial (poly) or peak (one-cycle) lr")
    add("--optimizer", default=defaults.optimizer, choices=OPTIMIZERS, help="optimiser")
    add("--schedule", default=defaults.schedule, choices=SCHEDULES, help="lr schedule")
    add("--momentum", type=float, default=defaults.momentum, help="SGD momentum")
    add("--weight-decay", type=float, default=defaults.weight_decay, help="weight decay")
    add("--poly-power", type=float, default=defaults.poly_power, help="poly lr power")
    add(
        "--amp",
        default=defaults.amp,
        choices=AMPS,
        help="mixed precision (auto: bf16 on CUDA when supported, else fp16; off on CPU)",
    )
    add("--channels-last", action="store_true", help="channels-last memory format")
    add("--workers", type=int, default=defaults.workers, help="DataLoader workers per process")
    add(
        "--threads",
        type=int,
        default=defaults.threads,
        help="CPU threads of the main process (torch.set_num_threads; 0: torch's default)",
    )
    add("--seed", type=int, default=defaults.seed, help="seed of weights, data and shuffling")
    add("--device", default=defaults.device, help="auto, cpu, cuda or cuda:N")
    add("--out", default=defaults.out, help="output folder")
    add(
        "--resume",
        nargs="?",
        const="auto",
        default=None,
        help="continue from a checkpoint (default OUT/last.pt)",
    )
    add(
        "--stop-at",
        type=int,
        default=None,
        help="stop after this iteration (checkpoint saved; continue with --resume)",
    )
    add("--val-every", type=int, default=defaults.val_every, help="validate every K iterations")
    add(
        "--ckpt-every",
        type=int,
        default=defaults.ckpt_every,
        help="write OUT/last.pt every K iterations",
    )
    add("--log-every", type=int, default=defaults.log_every, help="log every K iterations")
    add(
        "--overlays",
        type=int,
        default=defaults.overlays,
        help="validation images drawn as PNG overlays (per set)",
    )
    add_network_arguments(parser)
    add(
        "--samcl-prediction",
        default=defaults.samcl_prediction,
        choices=("softmax", "straight_through", "argmax"),
        help="SAMCLLoss anchor",
    )
    add(
        "--samcl-negatives",
        default=defaults.samcl_negatives,
        choices=tuple(NEGATIVES),
        help="SAMCLLoss negatives (reflect, shift: critics that cannot cheat; swap: the paper)",
    )
    add(
        "--contrastive-weight",
        type=float,
        default=defaults.contrastive_weight,
        help="weight of the SAM-CL term",
    )
    for old, new in RENAMED.items():
        add(
            _option(old),
            dest=new,
            type=type(getattr(defaults, new)),
            action=_RenamedOption,
            default=argparse.SUPPRESS,
            help=argparse.SUPPRESS,
        )
    parser.set_defaults(renamed=[])
    add("--samcl-margin", type=float, default=defaults.samcl_margin, help="triplet margin")
    add("--ce-weight", type=float, default=defaults.ce_weight, help="CE weight of rmi_ce")
    add(
        "--face-crop",
        type=float,
        default=defaults.face_crop,
        help="crop synthetic/folder faces with this margin (fraction of the face box) "
        "before resizing (default: no crop)",
    )
    return parser


def parse_args(argv: Sequence[str] | None = None) -> TrainConfig:
    """Turn command-line arguments into a :class:`TrainConfig` (``--demo`` sets defaults).

    A former option name (``--samcl-weight``) still works, with a DeprecationWarning.
    """
    parser = _parser()
    arguments = sys.argv[1:] if argv is None else argv
    if "--study" in arguments:
        parser.set_defaults(**STUDY)
    if "--demo" in arguments:
        parser.set_defaults(**DEMO)
    values = vars(parser.parse_args(argv))
    values.pop("demo")
    values.pop("study")
    for old, new in values.pop("renamed"):
        warnings.warn(
            f"{old} is deprecated since 2026-12-07: use {new}", DeprecationWarning, stacklevel=2
        )
    return TrainConfig(**values)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; user mistakes give one line on stderr and exit status 2."""
    config = parse_args(argv)
    try:
        train(config)
    except UsageError as error:
        print(f"python -m examples.train: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
