"""Evaluate a checkpoint: mIoU on the clean and the "unconstrained" validation set, overlays.

    python -m examples.evaluate runs/unet/best.pt [--data DIR] [--out DIR] [--overlays 8]
    python -m examples.evaluate runs/unet/best.pt --data real_faces/ [--layout sftl54]

``--data`` may also name a folder of real labelled frames (:mod:`examples.real`: pictures
beside landmark files, or ``image/`` + ``label/``): they are evaluated as they are, framed
like the run's validation images, with a split by glasses when the paths say it.

One confusion matrix is accumulated over the whole validation set (summed over ranks under
``torchrun``); per-class IoU and mIoU are taken over the six classes, background included
(a class absent from both labels and predictions is left out of the mean). The
"unconstrained" copy passes every validation image once through the "unconstrained" TiAug
preset with a fixed seed (:data:`UNCONSTRAINED_SEED`); labels stay amodal. The study adds
one copy per condition, a named part of that preset (:func:`condition_parts`,
:func:`evaluation_sets`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import albumentations as A
import torch
from torch import nn
from torch.utils.data import DataLoader

from examples.checkpoint import load_trained_state
from examples.cli import OneLineParser, run_command
from examples.config import AMPS, CLASS_NAMES, IGNORE_INDEX, parse_size, resolve_amp
from examples.data import (
    SegmentationDataset,
    ShardSampler,
    Source,
    UsageError,
    batch_bytes,
    make_output_folder,
    one_thread_workers,
    open_run_data,
    sample_seed,
    shm_prefetch,
)
from examples.distributed import Distributed, setup_distributed, teardown_distributed
from examples.metrics import ConfusionMatrix, all_background_miou
from examples.overlays import save_overlay
from examples.real import is_real_folder, open_real_sets
from tiaug.presets import Choice, TiAug, preset_parts

__all__ = [
    "CLASS_NAMES",
    "CONDITIONS",
    "CONDITION_SEED",
    "UNCONSTRAINED_SEED",
    "condition_parts",
    "condition_transform",
    "confusion_matrix",
    "evaluation_sets",
    "main",
    "predict",
    "run_evaluation",
    "summarize",
    "validate",
    "validation_loader",
]

#: Seed of the "unconstrained" copy of the validation set (the same for every run).
UNCONSTRAINED_SEED = 2022
#: Base seed of the condition copies (the same for every run).
CONDITION_SEED = 2023


def condition_parts(size: tuple[int, int]) -> dict[str, A.BasicTransform]:
    """The study's evaluation conditions by name: the parts of the "unconstrained" preset
    that the "baseline" preset (geometry and optics) lacks, each with p = 1, to be applied
    alone. A :class:`~tiaug.presets.Choice` (the occluders) gives one condition per part, and
    those come first (the order the condition copies are seeded in)."""
    geometry = preset_parts("baseline", size)
    added = {n: p for n, p in preset_parts("unconstrained", size).items() if n not in geometry}
    kinds = {n: t for p in added.values() if isinstance(p, Choice) for n, t in p.parts.items()}
    parts = {**kinds, **{n: p for n, p in added.items() if not isinstance(p, Choice)}}
    for part in parts.values():
        part.p = 1.0
    return parts


#: The study's evaluation conditions (:func:`condition_parts`): each occluder kind, the
#: ambient change, background clutter and camera noise of the "unconstrained" preset.
CONDITIONS = tuple(condition_parts((256, 320)))


def condition_transform(name: str, size: tuple[int, int]) -> A.BasicTransform:
    """The transform of one condition (:func:`condition_parts`), with p = 1.

    Raises:
        ValueError: unknown condition.
    """
    parts = condition_parts(size)
    if name not in parts:
        raise ValueError(f"unknown condition {name!r}; known: {', '.join(parts)}")
    return parts[name]


def evaluation_sets(
    source: Source, size: tuple[int, int], *, conditions: bool = False
) -> dict[str, SegmentationDataset]:
    """The validation copies of ``source``: clean, "unconstrained" and (if asked) each condition.

    Every copy is a fixed function of the source (fixed seeds); labels stay amodal.
    """
    sets: dict[str, SegmentationDataset] = {
        "clean": SegmentationDataset(source, size, "none"),
        "unconstrained": SegmentationDataset(
            source, size, "unconstrained", UNCONSTRAINED_SEED, IGNORE_INDEX
        ),
    }
    if conditions:
        for number, (name, part) in enumerate(condition_parts(size).items()):
            seed = sample_seed(CONDITION_SEED, number)
            pipeline = TiAug(transforms=[part], seed=seed)
            sets[name] = SegmentationDataset(source, size, seed=seed, pipeline=pipeline)
    return sets


@torch.inference_mode()
def predict(
    model: nn.Module, image: torch.Tensor, amp_dtype: torch.dtype | None = None
) -> torch.Tensor:
    """Predicted labels (N, H, W) for images (N, 1, H, W); the model must be in eval mode."""
    with torch.autocast(
        image.device.type, dtype=amp_dtype or torch.float32, enabled=amp_dtype is not None
    ):
        return model(image).argmax(1)


def validation_loader(
    dataset: SegmentationDataset,
    context: Distributed,
    batch: int = 8,
    workers: int = 0,
    *,
    persistent: bool = False,
) -> DataLoader:
    """This rank's shard of an evaluation set, in order; ``persistent``: the workers stay
    between passes (the trainer starts them once, before its threads). Nothing is pinned:
    a pinning thread would be running when the next loader forks its workers. The global
    torch RNG is not drawn from (training's dropout stream does not depend on validation)."""
    size = batch_bytes(dataset.size, batch)
    prefetch = shm_prefetch(workers, size, loaders=context.local_world_size, wanted=2)
    return DataLoader(
        dataset,
        batch_size=batch,
        sampler=ShardSampler(len(dataset), context.rank, context.world_size),
        generator=torch.Generator(),  # its own: evaluating leaves the global stream alone
        num_workers=workers,
        worker_init_fn=one_thread_workers(workers),
        prefetch_factor=prefetch,
        persistent_workers=persistent and workers > 0,
    )


def confusion_matrix(
    model: nn.Module,
    loader: DataLoader,
    context: Distributed,
    amp_dtype: torch.dtype | None = None,
) -> ConfusionMatrix:
    """The confusion matrix of ``model`` over ``loader`` (each rank's shard), summed over ranks."""
    matrix = ConfusionMatrix(len(CLASS_NAMES), device=context.device)
    for image, target in loader:
        image = image.to(context.device, non_blocking=True)
        matrix.update(predict(model, image, amp_dtype), target.to(context.device))
    matrix.all_reduce()
    return matrix


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def summarize(matrix: ConfusionMatrix) -> dict[str, Any]:
    """mIoU, per-class IoU (None for absent classes), pixel accuracy and the matrix itself.

    ``all_background_miou`` is the mIoU of predicting background everywhere (a floor).
    """
    iou = matrix.iou().tolist()
    return {
        "miou": matrix.miou(),
        "all_background_miou": all_background_miou(matrix.matrix),
        "iou": {name: _finite_or_none(v) for name, v in zip(CLASS_NAMES, iou, strict=True)},
        "pixel_accuracy": matrix.pixel_accuracy(),
        "confusion": matrix.matrix.tolist(),
    }


def validate(
    model: nn.Module,
    data: SegmentationDataset | DataLoader,
    context: Distributed,
    amp_dtype: torch.dtype | None = None,
    batch: int = 8,
    workers: int = 0,
) -> dict[str, Any]:
    """:func:`summarize` of the model on a dataset (read by :func:`validation_loader` with
    ``batch`` and ``workers``) or a loader; eval mode, the model's mode is restored."""
    loader = (
        data if isinstance(data, DataLoader) else validation_loader(data, context, batch, workers)
    )
    was_training = model.training
    model.eval()
    try:
        return summarize(confusion_matrix(model, loader, context, amp_dtype))
    finally:
        model.train(was_training)


def run_evaluation(
    model: nn.Module,
    datasets: Mapping[str, SegmentationDataset],
    context: Distributed,
    amp_dtype: torch.dtype | None = None,
    *,
    batch: int = 8,
    workers: int = 0,
    out: Path | None = None,
    overlays: int = 8,
) -> dict[str, Any]:
    """Validate on every named dataset; rank 0 writes ``overlays`` PNGs per set to OUT/overlays.

    Returns ``{name: summary, ..., "overlays": [paths]}``.
    """
    report: dict[str, Any] = {
        name: validate(model, dataset, context, amp_dtype, batch, workers)
        for name, dataset in datasets.items()
    }
    paths: list[str] = []
    if context.is_main and out is not None and overlays > 0:
        was_training = model.training
        model.eval()
        for name, dataset in datasets.items():
            for index in range(min(overlays, len(dataset))):
                image, target = dataset[index]
                prediction = predict(model, image[None].to(context.device), amp_dtype)[0]
                path = save_overlay(
                    out / "overlays" / f"{name}_{index:03d}.png",
                    image[0].numpy(),
                    target.numpy(),
                    prediction.cpu().numpy(),
                    CLASS_NAMES,
                    title=f"{name} validation image {index}",
                )
                paths.append(str(path))
        model.train(was_training)
    report["overlays"] = paths
    return report


def _parser() -> OneLineParser:
    parser = OneLineParser(
        prog="python -m examples.evaluate",
        description="Evaluate a checkpoint on the clean and the unconstrained validation set.",
    )
    add = parser.add_argument
    add("checkpoint", type=Path, help="best.pt or last.pt written by examples.train")
    add(
        "--data",
        default=None,
        help="validation data (default: the run's --data), or a folder of real labelled frames",
    )
    add(
        "--layout",
        default=None,
        help="landmark layout of a real folder (ibug68, sftl54; default: from the point count)",
    )
    add(
        "--num-val",
        type=int,
        default=None,
        help="synthetic validation images (default: the run's; a real folder is scored whole)",
    )
    add("--size", type=parse_size, default=None, help="image size HxW (default: the run's)")
    add("--batch", type=int, default=8, help="images per forward pass and process")
    add("--workers", type=int, default=2, help="DataLoader workers per process")
    add("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    add("--amp", default="auto", choices=AMPS, help="mixed precision")
    add(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: evaluation/ next to the checkpoint, so the run's own "
        "eval.json stays)",
    )
    add("--overlays", type=int, default=8, help="overlay PNGs per validation set")
    return parser


def _class_ious(summary: dict[str, Any]) -> str:
    return ", ".join(
        f"{name} {'n/a' if value is None else f'{value:.3f}'}"
        for name, value in summary["iou"].items()
    )


def _datasets(
    args: argparse.Namespace, config: Any, size: tuple[int, int]
) -> dict[str, SegmentationDataset]:
    """The sets to evaluate on: a real folder's (and its glasses split), else the run's
    validation data (or ``--data``) as clean and "unconstrained" copies."""
    if args.data is not None and is_real_folder(Path(args.data)):
        if args.num_val is not None:
            raise UsageError("--num-val applies to synthetic validation data only")
        sources = open_real_sets(args.data, size, config.face_crop, layout=args.layout)
        return {name: SegmentationDataset(source, size) for name, source in sources.items()}
    if args.layout is not None:
        raise UsageError("--layout applies to a folder of real labelled frames only")
    _, val_source = open_run_data(config, data=args.data, num_val=args.num_val, size=size)
    return evaluation_sets(val_source, size)


def evaluate_checkpoint(args: argparse.Namespace) -> dict[str, Any]:
    """Run the evaluation the command line asks for; writes OUT/eval.json on rank 0."""
    if not args.checkpoint.is_file():
        raise UsageError(f"no checkpoint {args.checkpoint}")
    if args.num_val is not None and args.num_val < 1:
        raise UsageError(f"--num-val must be >= 1, got {args.num_val}")
    if args.size is not None and min(args.size) < 16:
        raise UsageError(f"--size must be at least 16x16, got {args.size[0]}x{args.size[1]}")
    if args.batch < 1 or args.workers < 0:
        raise UsageError(
            f"--batch must be >= 1 and --workers >= 0, got {args.batch}, {args.workers}"
        )
    try:
        state, model, config = load_trained_state(args.checkpoint)
        context = setup_distributed(args.device)
    except ValueError as error:
        raise UsageError(str(error)) from None
    try:
        out = make_output_folder(args.out or args.checkpoint.parent / "evaluation", "--out")
        size = args.size or config.size
        model.to(context.device)
        datasets = _datasets(args, config, size)
        report = run_evaluation(
            model,
            datasets,
            context,
            resolve_amp(args.amp, context.device),
            batch=args.batch,
            workers=args.workers,
            out=out,
            overlays=args.overlays,
        )
        report["checkpoint"] = str(args.checkpoint)
        report["iteration"] = state["iteration"]
        if context.is_main:
            (out / "eval.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            for name in datasets:
                print(
                    f"{name}: mIoU {report[name]['miou']:.4f} (all-background predictor: "
                    f"{report[name]['all_background_miou']:.4f}); IoU {_class_ious(report[name])}"
                )
            print(f"report: {out / 'eval.json'}; overlays in {out / 'overlays'}")
        return report
    finally:
        teardown_distributed(context)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; user mistakes give one line on stderr and exit status 2."""
    args = _parser().parse_args(argv)

    def work() -> None:
        evaluate_checkpoint(args)

    return run_command("python -m examples.evaluate", work)


if __name__ == "__main__":
    sys.exit(main())
