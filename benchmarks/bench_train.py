"""Training throughput of the four networks (RMI vs SAMCLLoss) and of the TiAug data loader.

For every network, images/s of full training steps (forward under autocast, loss in
float32, backward, SGD step) with ``RMILoss`` and with ``SAMCLLoss`` (RMI base), on a fixed
augmented batch already on the device; the SAM-CL cost is the relative slowdown. Then the
DataLoader's images/s with the "samcl" TiAug preset at 1, 4 and 8 workers: augmentation,
min-max normalisation and collation of faces held in memory (as a dataset in the page
cache), without the synthetic generation itself. Results go to
``benchmarks/results/bench_train_<device>.{md,json}``.

    python benchmarks/bench_train.py                        # CUDA when present: batch 16, 256x320
    python benchmarks/bench_train.py --device cpu --batch 2 --size 64x80 --iters 2 --nets unet
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader

if __package__ in (None, ""):  # run as a file: make the repository's `examples` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import device_name
from examples.config import IGNORE_INDEX, TrainConfig, parse_size, resolve_amp
from examples.data import (
    SegmentationDataset,
    SyntheticSource,
    TrainSampler,
    UsageError,
    make_output_folder,
)
from examples.distributed import resolve_device
from examples.models import MODELS
from examples.train import SegmentationTask, build_criterion

__all__ = ["bench_loader", "bench_network", "main"]

#: H100 images/s of the plain networks (batch 16, 256x320, bf16), from the examples issue.
H100_REFERENCE = {"unet": 340, "attention_unet": 310, "deeplabv3": 270, "hrnetv2": 117}
#: Most SAMCLLoss may slow a training step down, relative to RMI.
MAX_SAMCL_COST = 0.10


class _MemorySource:
    """A list of ``(image degC, mask)`` pairs (a dataset already read into memory)."""

    def __init__(self, pairs: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        self.pairs = list(pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        return self.pairs[index]


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bench_network(
    net: str,
    loss: str,
    batch: tuple[torch.Tensor, torch.Tensor],
    device: torch.device,
    amp_dtype: torch.dtype | None,
    iters: int,
    warmup: int,
) -> float:
    """Training images/s of ``net`` with ``loss`` ("rmi" or "samcl") on one fixed batch."""
    torch.manual_seed(0)
    config = TrainConfig(net=net, loss=loss)
    model = config.build_model()
    criterion = build_criterion(config, torch.Generator().manual_seed(0))
    task = SegmentationTask(model, criterion, amp_dtype).to(device).train()
    optimizer = torch.optim.SGD(task.parameters(), lr=1e-3, momentum=0.9, weight_decay=5e-4)
    image, target = (t.to(device) for t in batch)

    def step() -> None:
        loss_value, _ = task(image, target)
        optimizer.zero_grad(set_to_none=True)
        loss_value.backward()
        optimizer.step()

    for _ in range(warmup):
        step()
    _synchronize(device)
    start = time.perf_counter()
    for _ in range(iters):
        step()
    _synchronize(device)
    return iters * image.shape[0] / (time.perf_counter() - start)


def bench_loader(
    source: _MemorySource, size: tuple[int, int], batch: int, workers: int, batches: int
) -> float:
    """DataLoader images/s with the "samcl" TiAug preset, after the first batch (worker start)."""
    dataset = SegmentationDataset(source, size, "samcl", seed=0, ignore_index=IGNORE_INDEX)
    loader = DataLoader(
        dataset,
        batch_size=batch,
        sampler=TrainSampler(len(dataset), seed=0),
        num_workers=workers,
        drop_last=True,
        prefetch_factor=4 if workers else None,
        persistent_workers=False,
    )
    stream = iter(loader)
    next(stream)
    start = time.perf_counter()
    for _ in range(batches):
        next(stream)
    seconds = time.perf_counter() - start
    del stream
    return batches * batch / seconds


def _markdown(meta: dict[str, Any], networks: list[dict], loaders: list[dict]) -> str:
    lines = [
        f"# Training throughput ({meta['device_type']})",
        "",
        f"`{meta['command']}` on {meta['device']}, {meta['date']}, torch {meta['torch']}; "
        f"batch {meta['batch']}, {meta['size']}, autocast {meta['amp']}, "
        f"{meta['iters']} timed steps after {meta['warmup']} warm-up steps.",
        "",
        "| network | RMI images/s | SAMCLLoss images/s | SAM-CL cost | H100 reference (plain) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in networks:
        cost = row["samcl_cost"]
        verdict = "met" if cost <= MAX_SAMCL_COST else "MISSED"
        lines.append(
            f"| {row['net']} | {row['rmi_images_per_s']:.1f} | "
            f"{row['samcl_images_per_s']:.1f} | {100 * cost:+.1f} % "
            f"(<= {100 * MAX_SAMCL_COST:.0f} %: {verdict}) | {H100_REFERENCE[row['net']]} |"
        )
    lines += [
        "",
        "Data loader, TiAug 'samcl' preset on in-memory synthetic faces, "
        f"batch {meta['batch']}, {meta['loader_batches']} batches:",
        "",
        "| workers | images/s |",
        "|---:|---:|",
        *(f"| {row['workers']} | {row['images_per_s']:.1f} |" for row in loaders),
        "",
    ]
    unet = next((row for row in networks if row["net"] == "unet"), None)
    eight = next((row for row in loaders if row["workers"] == 8), None)
    if unet is not None and eight is not None:
        keeps_up = eight["images_per_s"] >= unet["samcl_images_per_s"]
        lines += [
            f"The loader at 8 workers {'keeps' if keeps_up else 'does NOT keep'} up with U-Net "
            f"training with SAMCLLoss ({eight['images_per_s']:.1f} vs "
            f"{unet['samcl_images_per_s']:.1f} images/s).",
            "",
        ]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--device", default="auto", help="auto (CUDA when present), cpu, cuda or cuda:N")
    add("--batch", type=int, default=16, help="images per step and per loader batch")
    add("--size", type=parse_size, default=(256, 320), help="HxW in pixels")
    add("--iters", type=int, default=20, help="timed training steps per network and loss")
    add("--warmup", type=int, default=5, help="untimed steps first (cuDNN autotuning)")
    add("--nets", default=",".join(MODELS), help="comma-separated networks")
    add("--workers", default="1,4,8", help="comma-separated DataLoader worker counts")
    add("--loader-batches", type=int, default=30, help="timed loader batches per worker count")
    add("--amp", default="auto", choices=("auto", "bf16", "fp16", "off"), help="autocast dtype")
    add("--out", type=Path, default=Path("benchmarks/results"), help="results folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement; write ``OUT/bench_train_<device>.{md,json}``."""
    parser = _parser()
    args = parser.parse_args(argv)
    nets = [n.strip() for n in args.nets.split(",") if n.strip()]
    unknown = [n for n in nets if n not in MODELS]
    if unknown or not nets:
        parser.error(f"unknown network {', '.join(unknown)}; known: {', '.join(MODELS)}")
    try:
        workers = [int(w) for w in args.workers.split(",")]
    except ValueError:
        parser.error(f"--workers: expected comma-separated integers, got {args.workers!r}")
    if min(args.batch, args.iters, args.loader_batches) < 1 or args.warmup < 0 or min(workers) < 0:
        parser.error(
            "--batch, --iters and --loader-batches must be >= 1, --warmup and --workers >= 0"
        )
    try:
        device = resolve_device(args.device)
        make_output_folder(args.out, "--out")
    except (ValueError, UsageError) as error:
        parser.error(str(error))
    # more workers than cores is what the loader rows measure, on purpose
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    amp_dtype = resolve_amp(args.amp, device)

    faces = SyntheticSource(max(4 * args.batch, 64), seed=0, size=args.size)
    source = _MemorySource([faces[i] for i in range(len(faces))])
    dataset = SegmentationDataset(source, args.size, "samcl", seed=0)
    samples = [dataset[(0, i)] for i in range(args.batch)]
    batch = (torch.stack([s[0] for s in samples]), torch.stack([s[1] for s in samples]))

    networks = []
    for net in nets:
        speeds = {
            loss: bench_network(net, loss, batch, device, amp_dtype, args.iters, args.warmup)
            for loss in ("rmi", "samcl")
        }
        cost = speeds["rmi"] / speeds["samcl"] - 1
        networks.append(
            {
                "net": net,
                "rmi_images_per_s": speeds["rmi"],
                "samcl_images_per_s": speeds["samcl"],
                "samcl_cost": cost,
            }
        )
        print(
            f"{net:<15} RMI {speeds['rmi']:8.1f} images/s, SAMCLLoss {speeds['samcl']:8.1f} "
            f"images/s (SAM-CL cost {100 * cost:+.1f} %)",
            flush=True,
        )
    loaders = []
    for count in workers:
        speed = bench_loader(source, args.size, args.batch, count, args.loader_batches)
        loaders.append({"workers": count, "images_per_s": speed})
        print(f"loader, {count} workers: {speed:8.1f} images/s", flush=True)

    meta = {
        "command": "python " + " ".join([sys.argv[0], *(sys.argv[1:] if argv is None else argv)]),
        "date": datetime.date.today().isoformat(),
        "device_type": device.type,
        "device": device_name(device),
        "torch": torch.__version__,
        "batch": args.batch,
        "size": f"{args.size[0]}x{args.size[1]}",
        "amp": str(amp_dtype).removeprefix("torch.") if amp_dtype else "off",
        "iters": args.iters,
        "warmup": args.warmup,
        "loader_batches": args.loader_batches,
    }
    stem = args.out / f"bench_train_{device.type}"
    payload = {**meta, "networks": networks, "loaders": loaders}
    stem.with_suffix(".json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    stem.with_suffix(".md").write_text(_markdown(meta, networks, loaders), encoding="utf-8")
    print(f"wrote {stem.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
