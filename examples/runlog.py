"""A training run's log: metrics.jsonl, TensorBoard, the progress bar, and the running means."""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from examples.distributed import all_reduce_sum

__all__ = ["Meter", "RunLog"]


class _Bar(tqdm):
    """tqdm without its monitor thread, which outlives the bar: the DataLoader workers of a
    later run in this process would fork while it runs."""

    monitor_interval = 0


class RunLog:
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
        """Close the bar, the JSON lines and the TensorBoard writer."""
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


class Meter:
    """Sums of the training values since the last report, and its time."""

    def __init__(self) -> None:
        self.sums: dict[str, torch.Tensor] = {}
        self.count = 0
        self.started = time.perf_counter()

    def add(self, values: dict[str, torch.Tensor]) -> None:
        """Add one iteration's values."""
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + value.float()
        self.count += 1

    def means(self, world_size: int) -> dict[str, float]:
        """The means over iterations and ranks (all ranks call it together)."""
        names = sorted(self.sums)
        means = all_reduce_sum(torch.stack([self.sums[k] for k in names]) / self.count)
        return dict(zip(names, (means / world_size).tolist(), strict=True))
