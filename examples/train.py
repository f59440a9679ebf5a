"""Train a thermal face segmentation network with TiAug and SAM-CL.

    python -m examples.train --net unet --loss samcl --aug samcl --iters 40000 --out runs/unet
    torchrun --nproc_per_node=8 -m examples.train --net hrnetv2 ...   # DDP, same options
    python -m examples.train --demo                                   # a few minutes on a CPU

Defaults follow the paper: batch 16 (over all ranks), 256x320, SGD lr 0.01 momentum 0.9
weight decay 5e-4, poly lr (power 0.9), AMP on GPU, one input channel, per-image min-max to
[-1, 1] after augmentation, no pretrained weights. Rank 0 writes everything under ``--out``:
``last.pt`` / ``best.pt`` checkpoints, ``metrics.jsonl``, TensorBoard logs (``tb/``),
``eval.json`` and prediction overlays (``overlays/``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
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
    IGNORE_INDEX,
    LOSSES,
    NUM_CLASSES,
    OPTIMIZERS,
    SCHEDULES,
    STUDY,
    OneLineParser,
    TrainConfig,
    parse_size,
    resolve_amp,
)
from examples.data import (
    AUGMENTATIONS,
    SegmentationDataset,
    TrainSampler,
    UsageError,
    open_data,
    sample_seed,
)
from examples.distributed import (
    Distributed,
    all_reduce_sum,
    barrier,
    setup_distributed,
    teardown_distributed,
)
from examples.evaluate import evaluation_sets, run_evaluation, validate
from examples.models import MODELS, build_model
from samcl_loss import RMILoss, SAMCLLoss

__all__ = [
    "DEMO",
    "RMIWithCrossEntropy",
    "SegmentationTask",
    "build_criterion",
    "build_optimizer",
    "main",
    "parse_args",
    "train",
]


#: Options of ``--demo``: the study's preset (:data:`examples.config.STUDY`) with TiAug and
#: SAM-CL, a few minutes on 2 CPU cores (measured in benchmarks/results/study_cpu/).
DEMO: dict[str, Any] = {
    **STUDY,
    "loss": "samcl",
    "aug": "samcl",
    "iters": 1400,
    "val_every": 1400,
    "overlays": 4,
    "out": "outputs/demo",
}

# Options that must match between a checkpoint and a resumed run.
_RESUME_KEYS = (
    "net",
    "loss",
    "aug",
    "data",
    "num_train",
    "iters",
    "batch",
    "size",
    "seed",
    "optimizer",
    "schedule",
    "face_crop",
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
        contrastive_weight=config.samcl_weight,
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
        """Loss of the network's prediction for ``image`` against ``target``."""
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
    if config.net not in MODELS:
        raise UsageError(f"unknown network {config.net!r}; known networks: {', '.join(MODELS)}")
    choices = {
        "loss": LOSSES,
        "aug": AUGMENTATIONS,
        "amp": ("auto", "bf16", "fp16", "off"),
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
    if config.stop_at is not None and not 0 < config.stop_at <= config.iters:
        raise UsageError(f"--stop-at must lie in 1..{config.iters}, got {config.stop_at}")


class _RunLog:
    """metrics.jsonl, TensorBoard and the progress bar; silent on ranks other than 0."""

    def __init__(self, out: Path, enabled: bool, total: int, start: int) -> None:
        self.enabled = enabled
        self.writer = None
        self.bar = tqdm(
            total=total,
            initial=start,
            disable=not (enabled and sys.stderr.isatty()),
            dynamic_ncols=True,
            desc="train",
        )
        if enabled:
            from torch.utils.tensorboard import SummaryWriter

            out.mkdir(parents=True, exist_ok=True)
            # a fresh run replaces the log of an earlier one in OUT; a resumed run appends,
            # and TensorBoard drops what an older writer logged from step `start` on
            self.jsonl = (out / "metrics.jsonl").open("a" if start else "w", encoding="utf-8")
            self.writer = SummaryWriter(str(out / "tb"), purge_step=start)

    def record(self, record: dict[str, Any]) -> None:
        """Append one JSON line and its scalars to TensorBoard."""
        if not self.enabled:
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
        if self.enabled:
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


def _seed_everything(seed: int) -> None:
    import random

    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 (the legacy global state other code may use)
    torch.manual_seed(seed)


def _broadcast_state(module: nn.Module) -> None:
    """Give every rank rank 0's parameters and buffers."""
    if torch.distributed.is_initialized():
        for tensor in module.state_dict().values():
            torch.distributed.broadcast(tensor, 0)


def _resume_path(config: TrainConfig) -> Path | None:
    if config.resume is None:
        return None
    path = Path(config.out) / "last.pt" if config.resume == "auto" else Path(config.resume)
    if not path.is_file():
        raise UsageError(f"--resume: no checkpoint {path}")
    return path


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
        return _train(config, context)
    finally:
        teardown_distributed(context)


def _train(config: TrainConfig, context: Distributed) -> dict[str, Any]:
    _check_config(config, context.world_size)
    device, main_rank = context.device, context.is_main
    if config.threads:
        torch.set_num_threads(config.threads)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    out = Path(config.out)
    _seed_everything(config.seed)
    train_source, val_source = open_data(
        config.data,
        config.size,
        num_train=config.num_train,
        num_val=config.num_val,
        seed=config.seed,
        num_classes=NUM_CLASSES,
        ignore_index=IGNORE_INDEX,
        face_crop=config.face_crop,
    )
    train_set = SegmentationDataset(
        train_source, config.size, config.aug, sample_seed(config.seed, 2), IGNORE_INDEX
    )
    val_sets = evaluation_sets(val_source, config.size)
    try:
        model = build_model(config.net, NUM_CLASSES, 1, **config.model_kwargs())
    except ValueError as error:
        raise UsageError(str(error)) from None
    generator = torch.Generator().manual_seed(sample_seed(config.seed, 3))
    criterion = build_criterion(config, generator)
    amp_dtype = resolve_amp(config.amp, device)
    task = SegmentationTask(model, criterion, amp_dtype, config.channels_last).to(device)
    if config.channels_last:
        task.model.to(memory_format=torch.channels_last)
    if device.type == "cuda" and context.world_size > 1:
        task = nn.SyncBatchNorm.convert_sync_batchnorm(task)
    optimizer, scheduler = build_optimizer(config, task.parameters())
    scaler = torch.amp.GradScaler(device.type, enabled=amp_dtype == torch.float16)

    start, elapsed = 0, 0.0
    best, best_iteration = -math.inf, 0
    resume = _resume_path(config)
    if resume is not None:
        state = load_checkpoint(resume)  # on the CPU: RNG states must stay there
        saved = state["config"]
        mismatch = [
            f"{key} {saved[key]!r} != {value!r}"
            for key, value in config.to_dict().items()
            if key in _RESUME_KEYS and saved.get(key) != value
        ]
        if mismatch:
            raise UsageError(f"{resume} was written by another run: {'; '.join(mismatch)}")
        task.model.load_state_dict(state["model"])
        task.criterion.load_state_dict(state["criterion"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        scaler.load_state_dict(state["scaler"])
        generator.set_state(state["loss_generator"])
        set_rng_state(state["rng"])
        start, elapsed = state["iteration"], state["elapsed_s"]
        best, best_iteration = state["best_miou"], state["best_iteration"]

    net: nn.Module = task
    if context.world_size > 1:
        net = DistributedDataParallel(
            task, device_ids=[device.index] if device.type == "cuda" else None
        )
    per_rank = config.batch // context.world_size
    stop = config.iters if config.stop_at is None else config.stop_at
    loader = DataLoader(
        train_set,
        batch_size=per_rank,
        sampler=TrainSampler(
            len(train_set), config.seed, context.rank, context.world_size, start * per_rank
        ),
        num_workers=config.workers,
        pin_memory=device.type == "cuda",
        drop_last=True,
        generator=torch.Generator().manual_seed(config.seed),
        prefetch_factor=4 if config.workers else None,
    )

    def checkpoint(iteration: int) -> dict[str, Any]:
        return {
            "iteration": iteration,
            "config": config.to_dict(),
            "model": task.model.state_dict(),
            "criterion": task.criterion.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "scaler": scaler.state_dict(),
            "loss_generator": generator.get_state(),
            "rng": get_rng_state(),
            "best_miou": best,
            "best_iteration": best_iteration,
            "elapsed_s": elapsed + time.perf_counter() - started,
            "world_size": context.world_size,
        }

    log = _RunLog(out, main_rank, config.iters, start)
    sums: dict[str, torch.Tensor] = {}
    count, window = 0, time.perf_counter()
    started = time.perf_counter()
    batches = iter(loader)
    try:
        for iteration in range(start + 1, stop + 1):
            task.train()
            image, target = next(batches)
            image = image.to(device, non_blocking=True)
            target = target.to(device, non_blocking=True)
            loss, terms = net(image, target)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            for key, value in {"loss": loss.detach(), **terms}.items():
                sums[key] = sums.get(key, 0.0) + value.float()
            count += 1
            log.bar.update(1)

            if iteration % config.log_every == 0 or iteration == stop:
                names = sorted(sums)
                means = all_reduce_sum(torch.stack([sums[k] for k in names]) / count)
                means = (means / context.world_size).tolist()
                values = dict(zip(names, means, strict=True))
                if not math.isfinite(values["loss"]):
                    raise FloatingPointError(
                        f"the loss is {values['loss']} at iteration {iteration}"
                    )
                lr = scheduler.get_last_lr()[0]
                seconds = time.perf_counter() - window
                log.bar.set_postfix(loss=f"{values['loss']:.4f}", lr=f"{lr:.2e}")
                log.record(
                    {
                        "iteration": iteration,
                        "lr": lr,
                        "train": values,
                        "images_per_s": count * config.batch / seconds,
                    }
                )
                sums, count, window = {}, 0, time.perf_counter()

            if iteration % config.val_every == 0 or iteration == config.iters:
                reports = {
                    name: validate(task.model, data, context, amp_dtype, per_rank, config.workers)
                    for name, data in val_sets.items()
                }
                log.record({"iteration": iteration, "val": reports})
                miou = reports["clean"]["miou"]
                log.say(
                    f"iteration {iteration}/{config.iters}: val mIoU clean {miou:.4f}, "
                    f"unconstrained {reports['unconstrained']['miou']:.4f}"
                )
                if miou > best:
                    best, best_iteration = miou, iteration
                    if main_rank:
                        save_checkpoint(
                            {
                                "iteration": iteration,
                                "config": config.to_dict(),
                                "model": task.model.state_dict(),
                                "criterion": task.criterion.state_dict(),
                                "val": reports,
                            },
                            out / "best.pt",
                        )
            if (iteration % config.ckpt_every == 0 or iteration == stop) and main_rank:
                save_checkpoint(checkpoint(iteration), out / "last.pt")
    finally:
        log.close()
    elapsed += time.perf_counter() - started
    barrier()
    if stop < config.iters:
        return {"iteration": stop, "checkpoint": str(out / "last.pt")}

    if main_rank and (out / "best.pt").is_file():
        task.model.load_state_dict(load_checkpoint(out / "best.pt", device)["model"])
    _broadcast_state(task.model)
    report = run_evaluation(
        task.model,
        val_sets,
        context,
        amp_dtype,
        batch=per_rank,
        workers=config.workers,
        out=out,
        overlays=config.overlays,
    )
    report.update(
        {
            "iteration": best_iteration,
            "iterations": config.iters,
            "train_time_s": elapsed,
            "device": _device_name(device),
            "world_size": context.world_size,
            "config": config.to_dict(),
        }
    )
    if main_rank:
        (out / "eval.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        where = f"; overlays in {out / 'overlays'}" if report["overlays"] else ""
        log.say(
            f"best checkpoint (iteration {best_iteration}): mIoU clean "
            f"{report['clean']['miou']:.4f}, unconstrained {report['unconstrained']['miou']:.4f} "
            f"(all-background predictor: {report['clean']['all_background_miou']:.4f}){where}"
        )
        for name in val_sets:
            ious = ", ".join(
                f"{k} {'n/a' if v is None else f'{v:.3f}'}" for k, v in report[name]["iou"].items()
            )
            log.say(f"{name} IoU per class: {ious}")
    return report


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    import platform

    return f"cpu ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)"


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
    add("--net", default=defaults.net, help=f"network: {', '.join(MODELS)}")
    add("--loss", default=defaults.loss, help=f"loss: {', '.join(LOSSES)}")
    add("--aug", default=defaults.aug, help=f"augmentation: {', '.join(AUGMENTATIONS)}")
    add(
        "--data",
        default=defaults.data,
        help="'synthetic', a folder written by `tiaug synth`, or a Thermal Face Database folder",
    )
    add("--num-train", type=int, default=defaults.num_train, help="synthetic training images")
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
        choices=("auto", "bf16", "fp16", "off"),
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
    add(
        "--base-width",
        type=int,
        default=defaults.base_width,
        help="U-Net / Attention U-Net width of the first level (64 = paper)",
    )
    add("--deeplab-backbone", default=defaults.deeplab_backbone, help="resnet101 or resnet50")
    add("--hrnet-variant", default=defaults.hrnet_variant, help="timm HRNet, e.g. hrnet_w18_small")
    add(
        "--samcl-prediction",
        default=defaults.samcl_prediction,
        choices=("softmax", "straight_through", "argmax"),
        help="SAMCLLoss anchor",
    )
    add(
        "--samcl-negatives",
        default=defaults.samcl_negatives,
        choices=("shift", "swap", "zeros"),
        help="SAMCLLoss negatives (shift: the critic that cannot cheat; swap: the paper)",
    )
    add("--samcl-weight", type=float, default=defaults.samcl_weight, help="SAM-CL term weight")
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
    """Turn command-line arguments into a :class:`TrainConfig` (``--demo`` sets defaults)."""
    parser = _parser()
    arguments = sys.argv[1:] if argv is None else argv
    if "--study" in arguments:
        parser.set_defaults(**STUDY)
    if "--demo" in arguments:
        parser.set_defaults(**DEMO)
    values = vars(parser.parse_args(argv))
    values.pop("demo")
    values.pop("study")
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
