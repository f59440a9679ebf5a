"""The training engine: a run (:func:`examples.run.build`), resumed when asked
(:mod:`examples.resume`), is trained step by step (:func:`train_step` on
:func:`train_loader`'s batches), validated on schedule (:func:`evaluate`, ``best.pt``) and
checkpointed (``last.pt``); its best checkpoint is evaluated last (``eval.json``).
:func:`train` runs it all, in one process or under ``torchrun`` (DDP); rank 0 writes
everything under ``config.out``.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader
from tqdm import tqdm

from examples.checkpoint import load_checkpoint, save_checkpoint
from examples.config import TrainConfig
from examples.data import TrainSampler, UsageError, batch_bytes, one_thread_workers, shm_prefetch
from examples.distributed import barrier, setup_distributed, teardown_distributed
from examples.evaluate import run_evaluation, validate, validation_loader
from examples.resume import checkpoint_state, resume, resume_path
from examples.run import Run, build
from examples.runlog import Meter, RunLog

__all__ = ["evaluate", "train", "train_loader", "train_step"]


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


def _report_training(run: Run, meter: Meter, log: RunLog) -> None:
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


def evaluate(run: Run, loaders: dict[str, DataLoader], log: RunLog) -> None:
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
        path = resume_path(config)
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
    log = RunLog(out, run.context.is_main, config.iters, run.iteration)
    meter, run.clock = Meter(), time.perf_counter()
    try:
        while run.iteration < stop:
            meter.add(train_step(run, *next(batches)))
            log.bar.update(1)
            iteration = run.iteration
            if iteration % config.log_every == 0 or iteration == stop:
                _report_training(run, meter, log)
                meter = Meter()
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
