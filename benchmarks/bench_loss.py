"""Time forward + backward of cross-entropy, RMILoss and SAMCLLoss on CPU (and CUDA if present).

Each row is the median over timed calls of ``loss(logits, target)`` followed by
``backward()`` on random (N, C, H, W) float32 logits and a random label map with a 2.5 %
ignored border, after warm-up calls. The criteria are interleaved (one call of each per
round) so that a shared machine slows them alike and the ratios to RMILoss hold. CPU runs
use one thread by default; CUDA timings use CUDA events around each call. Results go to
``benchmarks/results/bench_loss_<device>.{md,json}``.

    python benchmarks/bench_loss.py [--devices cpu cuda] [--cpu-batch 4] [--cpu-size 128x160]
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

import samcl_loss
from samcl_loss import AuxiliaryNetwork, RMILoss, SAMCLLoss

if __package__ in (None, ""):  # run as a file: make the repository's `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import device_name

IGNORE_INDEX = 255
# Targets of the samcl-loss issue: ms on the H100 (N=16, C=6, 256x320), CPU ratio to RMI.
CUDA_TARGETS_MS = {"RMILoss": 2.5, "SAMCLLoss (RMI base)": 6.0}
CPU_MAX_RATIO_TO_RMI = {"SAMCLLoss (RMI base)": 1.5}


class _CrossEntropy(nn.Module):
    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(logits, target, ignore_index=IGNORE_INDEX)


def _criteria(num_classes: int) -> dict[str, nn.Module]:
    generator = torch.Generator().manual_seed(0)
    return {
        "cross-entropy": _CrossEntropy(),
        "RMILoss": RMILoss(num_classes),
        "SAMCLLoss (RMI base)": SAMCLLoss(num_classes, generator=generator),
        "SAMCLLoss (RMI base, check_inputs=False)": SAMCLLoss(
            num_classes, generator=generator, check_inputs=False
        ),
        "SAMCLLoss (RMI base, auxiliary input_pool=2)": SAMCLLoss(
            num_classes, generator=generator, auxiliary=AuxiliaryNetwork(num_classes, input_pool=2)
        ),
        # a critic 16x cheaper than the paper's: what the rest of the loss costs
        "SAMCLLoss (RMI base, auxiliary input_pool=4)": SAMCLLoss(
            num_classes, generator=generator, auxiliary=AuxiliaryNetwork(num_classes, input_pool=4)
        ),
        "SAMCLLoss (CE base)": SAMCLLoss(num_classes, base_loss="ce", generator=generator),
    }


def _inputs(
    batch: int, num_classes: int, size: tuple[int, int], device: torch.device
) -> tuple[Tensor, Tensor]:
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(batch, num_classes, *size, generator=generator)
    target = torch.randint(0, num_classes, (batch, *size), generator=generator)
    border = max(1, size[0] // 40)  # 2.5 % of the rows
    target[:, :border] = IGNORE_INDEX
    return logits.to(device).requires_grad_(), target.to(device)


def _time_ms(step: Callable[[], None], device: torch.device) -> float:
    if device.type == "cuda":
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        step()
        end.record()
        torch.cuda.synchronize()
        return start.elapsed_time(end)
    begin = time.perf_counter()
    step()
    return (time.perf_counter() - begin) * 1e3


def bench_device(
    device: torch.device,
    batch: int,
    num_classes: int,
    size: tuple[int, int],
    warmup: int,
    repeats: int,
) -> list[dict]:
    """Median forward + backward ms of every criterion on one device, interleaved."""
    logits, target = _inputs(batch, num_classes, size, device)
    steps = {}
    for name, criterion in _criteria(num_classes).items():
        criterion.to(device)

        def step(criterion: nn.Module = criterion) -> None:
            logits.grad = None
            criterion.zero_grad(set_to_none=True)
            criterion(logits, target).backward()

        steps[name] = step
    times: dict[str, list[float]] = {name: [] for name in steps}
    for index in range(warmup + repeats):
        for name, step in steps.items():
            ms = _time_ms(step, device)
            if index >= warmup:
                times[name].append(ms)
    rows = []
    rmi_ms = statistics.median(times["RMILoss"])
    for name, values in times.items():
        ms = statistics.median(values)
        row = {"loss": name, "median_ms": ms, "ratio_to_rmi": ms / rmi_ms}
        targets = CUDA_TARGETS_MS if device.type == "cuda" else CPU_MAX_RATIO_TO_RMI
        row["target"] = targets.get(name)
        rows.append(row)
        print(f"{device.type:<5} {name:<44} {ms:9.2f} ms {ms / rmi_ms:6.2f}x", flush=True)
    return rows


def _target_cell(row: dict, device_type: str) -> str:
    target = row["target"]
    if target is None:
        return ""
    if device_type == "cuda":
        met = row["median_ms"] <= target
        return f"<= {target} ms ({'met' if met else 'MISSED'})"
    met = row["ratio_to_rmi"] <= target
    return f"<= {target}x RMI ({'met' if met else 'MISSED'})"


def write_results(out: Path, meta: dict, rows: list[dict]) -> Path:
    """Write ``bench_loss_<device>.{json,md}`` and return the Markdown path."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"bench_loss_{meta['device_type']}"
    stem.with_suffix(".json").write_text(json.dumps({**meta, "results": rows}, indent=2) + "\n")
    lines = [
        f"# Loss timings ({meta['device_type']})",
        "",
        f"`{meta['command']}` on {meta['device']}, {meta['date']}, torch {meta['torch']}; "
        f"forward + backward, float32 logits (N={meta['batch']}, C={meta['num_classes']}, "
        f"{meta['size']}, {meta['threads']} thread(s)), median of {meta['repeats']} "
        "interleaved calls.",
        "",
        "| loss | ms / call | x RMILoss | target |",
        "|---|---:|---:|---|",
        *(
            f"| {r['loss']} | {r['median_ms']:.2f} | {r['ratio_to_rmi']:.2f} | "
            f"{_target_cell(r, meta['device_type'])} |"
            for r in rows
        ),
        "",
    ]
    path = stem.with_suffix(".md")
    path.write_text("\n".join(lines))
    return path


def _size(text: str) -> tuple[int, int]:
    try:
        rows, cols = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HxW in pixels, got {text!r}") from None
    return rows, cols


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", nargs="+", default=["cpu", "cuda"], choices=["cpu", "cuda"])
    parser.add_argument("--cpu-batch", type=int, default=4, help="N on CPU")
    parser.add_argument("--cuda-batch", type=int, default=16, help="N on CUDA")
    parser.add_argument("--classes", type=int, default=6)
    parser.add_argument("--cpu-size", type=_size, default=(128, 160), help="HxW in pixels")
    parser.add_argument("--cuda-size", type=_size, default=(256, 320), help="HxW in pixels")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (30 CPU, 100 CUDA)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error(f"--repeats must be >= 1, got {args.repeats}")
    if min(args.cpu_batch, args.cuda_batch, args.threads) < 1 or args.classes < 2:
        parser.error("--cpu-batch, --cuda-batch and --threads must be >= 1, --classes >= 2")
    command = "python " + " ".join([sys.argv[0], *(sys.argv[1:] if argv is None else argv)])
    torch.set_num_threads(args.threads)
    for name in args.devices:
        if name == "cuda" and not torch.cuda.is_available():
            print("cuda  not available, skipped")
            continue
        device = torch.device(name)
        batch = args.cuda_batch if name == "cuda" else args.cpu_batch
        size = args.cuda_size if name == "cuda" else args.cpu_size
        repeats = (100 if name == "cuda" else 30) if args.repeats is None else args.repeats
        warmup = 10 if name == "cuda" else 3
        rows = bench_device(device, batch, args.classes, size, warmup, repeats)
        meta = {
            "command": command,
            "date": datetime.date.today().isoformat(),
            "device_type": name,
            "device": device_name(device),
            "torch": torch.__version__,
            "samcl_loss": samcl_loss.__version__,
            "batch": batch,
            "num_classes": args.classes,
            "size": f"{size[0]}x{size[1]}",
            "threads": args.threads if name == "cpu" else None,
            "repeats": repeats,
        }
        print(f"wrote {write_results(args.out, meta, rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
