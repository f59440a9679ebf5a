"""What a synthetic-trained model and a few real labels buy on real faces of another person.

    python -m benchmarks.real_transfer CKPT --data ../shared/data/real-dev \\
        --out runs/real_transfer --results benchmarks/results/real_transfer

The frames of the real folder are grouped by driver (the sequence folder's name,
``--driver-pattern``). For each direction A -> B (train on A's frames, score on all of B's,
framed like the checkpoint's validation images) and seed:

- ``synthetic_only``: the checkpoint itself, no real label (scored once);
- ``reference``: from scratch on every frame of A (the real-trained reference);
- ``scratch_N``: from scratch on N frames of A, evenly spread over its sorted frames;
- ``finetune_N``: the checkpoint fine-tuned on the same N frames.

Every run is the checkpoint's network and framing with the RMI loss and the "upright"
augmentation (geometry only: the frames hold grey levels, not degC), AdamW one-cycle:
``reference`` 1800 iterations at lr 6e-3, ``scratch_N`` 600 at 6e-3, ``finetune_N`` 300 at
1e-3. Writes ``RESULTS/real_transfer.{json,md}``: mIoU per condition (mean and 95 %
t-interval over seeds) and the paired differences ``finetune_N - scratch_N`` by seed.
Finished runs are reused, so directions can run in separate processes and a final call
with all of them writes the results.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from examples.checkpoint import load_trained_model
from examples.cli import OneLineParser
from examples.config import TrainConfig, same_result
from examples.data import SegmentationDataset, UsageError
from examples.distributed import setup_distributed, teardown_distributed
from examples.evaluate import validate
from examples.real import list_real_frames, open_real_sets
from examples.stats import mean_ci, paired_differences, percent, verdict
from examples.train import train

#: condition -> (frames of A: None for all, iterations, peak lr, starts from the checkpoint)
CONDITIONS: dict[str, tuple[int | None, int, float, bool]] = {
    "reference": (None, 1800, 6e-3, False),
    "scratch_10": (10, 600, 6e-3, False),
    "finetune_10": (10, 300, 1e-3, True),
    "scratch_30": (30, 600, 6e-3, False),
    "finetune_30": (30, 300, 1e-3, True),
}
PAIRS = (("finetune_10", "scratch_10"), ("finetune_30", "scratch_30"))


def drivers(folder: Path, pattern: str) -> dict[str, list[Path]]:
    """Sequence folders of ``folder`` by driver (the pattern's first group).

    Raises:
        UsageError: a bad folder or pattern.
    """
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise UsageError(f"--driver-pattern {pattern!r}: {error}") from None
    if compiled.groups < 1:
        raise UsageError(f"--driver-pattern {pattern!r} has no group to name the driver")
    groups: dict[str, list[Path]] = {}
    for picture, _ in list_real_frames(folder):
        match = compiled.search(picture.parent.name)
        if match:
            groups.setdefault(match[1], [])
            if picture.parent not in groups[match[1]]:
                groups[match[1]].append(picture.parent)
    return groups


def directions(text: str | None, groups: dict[str, list[Path]]) -> list[tuple[str, str]]:
    """The ``(train on, score on)`` driver pairs of ``--directions`` (``A-B,B-A``; default:
    every ordered pair of drivers).

    Raises:
        UsageError: fewer than two drivers, a malformed direction or an unknown driver.
    """
    if not text:
        pairs = [(a, b) for a in groups for b in groups if a != b]
        if not pairs:
            found = ", ".join(groups) or "none"
            raise UsageError(f"need two drivers or more (--driver-pattern), found {found}")
        return pairs
    pairs = []
    for item in text.split(","):
        names = item.split("-")
        if len(names) != 2 or names[0] == names[1]:
            raise UsageError(f"--directions: {item!r} is not A-B with two drivers")
        unknown = [name for name in names if name not in groups]
        if unknown:
            raise UsageError(
                f"--directions: unknown driver {unknown[0]!r}; found {', '.join(groups)}"
            )
        pairs.append((names[0], names[1]))
    return pairs


def driver_folder(root: Path, name: str, sequences: Sequence[Path]) -> Path:
    """A folder of links to one driver's sequences."""
    folder = root / "drivers" / name
    folder.mkdir(parents=True, exist_ok=True)
    for sequence in sequences:
        link = folder / sequence.name
        if not link.exists():
            link.symlink_to(sequence.resolve(), target_is_directory=True)
    return folder


@functools.lru_cache(maxsize=4)
def _scoring_frames(
    folder: Path, size: tuple[int, int], face_crop: float | None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """A real folder's framed ``(image, mask)`` pairs, decoded once for every run scored."""
    source = open_real_sets(folder, size, face_crop)["real"]
    return [source[index] for index in range(len(source))]


def score(checkpoint: Path, folder: Path) -> dict[str, Any]:
    """mIoU and per-class IoU of a checkpoint on a real folder (its own framing)."""
    model, config = load_trained_model(checkpoint, torch.device("cpu"))
    frames = _scoring_frames(folder, tuple(config.size), config.face_crop)
    context = setup_distributed("cpu")
    try:
        report = validate(model, SegmentationDataset(frames, config.size), context)
    finally:
        teardown_distributed(context)
    return {"miou": report["miou"], "iou": report["iou"]}


def run(
    base: TrainConfig, init: Path, condition: str, seed: int, train_on: Path, out: Path
) -> Path:
    """Train one run (or reuse a finished one whose result it is: thread counts and other
    run-only settings may differ); returns its best checkpoint."""
    frames, iters, lr, fine_tune = CONDITIONS[condition]
    values = {
        **base.to_dict(),
        "data": str(train_on),
        "val_data": str(train_on),
        "num_train": frames or 10**6,
        "iters": iters,
        "val_every": iters,
        "ckpt_every": iters,
        "lr": lr,
        "seed": seed,
        "init": str(init) if fine_tune else None,
        "out": str(out),
        "overlays": 0,
    }
    config = TrainConfig.from_dict(values)
    recorded = out / "run.json"
    if not recorded.is_file() or not same_result(json.loads(recorded.read_text()), config):
        shutil.rmtree(out, ignore_errors=True)
        train(config)
        recorded.write_text(json.dumps(config.to_dict()))
    return out / "best.pt"


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per direction and condition: mean and interval; per pair: paired differences."""
    table, comparisons = [], []
    for direction in sorted({r["direction"] for r in runs}):
        mine = [r for r in runs if r["direction"] == direction]
        for condition in ["synthetic_only", *CONDITIONS]:
            values = [r["miou"] for r in mine if r["condition"] == condition]
            if values:
                mean, low, high = mean_ci(values)
                table.append({"direction": direction, "condition": condition, "n": len(values),
                              "mean": mean, "ci95": [low, high]})  # fmt: skip
        for a, b in PAIRS:
            by_seed = {
                c: {r["seed"]: r["miou"] for r in mine if r["condition"] == c} for c in (a, b)
            }
            diffs = paired_differences(by_seed[a], by_seed[b])
            if len(diffs) >= 2:
                mean, low, high = mean_ci(diffs)
                comparisons.append({"direction": direction, "a": a, "b": b, "n": len(diffs),
                                    "mean_diff": mean, "ci95": [low, high],
                                    "verdict": verdict(low, high)})  # fmt: skip
    return {"table": table, "comparisons": comparisons}


def markdown(payload: dict[str, Any]) -> str:
    """The results as a Markdown page."""
    meta = payload["meta"]
    lines = [
        "# Real labels vs synthetic faces, across drivers",
        "",
        f"`{meta['command']}`; {meta['date']}; checkpoint `{meta['checkpoint']}`.",
        "",
        "mIoU % on the other driver's frames, mean over seeds [95 % t-interval]:",
        "",
        "| train on -> score on | condition | seeds | mIoU % |",
        "| --- | --- | ---: | --- |",
    ]
    for row in payload["table"]:
        cells = (row["direction"], row["condition"], row["n"], percent(row["mean"], *row["ci95"]))
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    lines += [
        "",
        "Paired by seed, mIoU points:",
        "",
        "| direction | a - b | seeds | mean [95 %] | verdict |",
    ]
    lines += ["| --- | --- | ---: | --- | --- |"]
    for row in payload["comparisons"]:
        difference = percent(row["mean_diff"], *row["ci95"], signed=True)
        cells = (row["direction"], f"{row['a']} - {row['b']}", row["n"], difference, row["verdict"])
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = OneLineParser(
        prog="python -m benchmarks.real_transfer", description=__doc__.splitlines()[0]
    )
    add = parser.add_argument
    add("checkpoint", type=Path, help="synthetic-trained checkpoint (examples.train)")
    add("--data", type=Path, required=True, help="folder of real labelled frames")
    add("--driver-pattern", default=r"^\d+_([^_]+)_", help="regex: group 1 names the driver")
    add("--directions", default=None, help="e.g. Man-Woman,Woman-Man (default: every pair)")
    add("--seeds", type=int, default=5, help="seeds per condition (reference: at most 3)")
    add("--threads", type=int, default=1, help="torch threads")
    add("--out", type=Path, default=Path("runs/real_transfer"), help="folder of the runs")
    add("--results", type=Path, default=None, help="folder of real_transfer.json and .md")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        groups = drivers(args.data, args.driver_pattern)
        pairs = directions(args.directions, groups)
    except UsageError as error:
        parser.error(str(error))
    _, saved = load_trained_model(args.checkpoint, torch.device("cpu"))
    base = TrainConfig(**{**saved.to_dict(), "loss": "rmi", "aug": "upright",
                          "optimizer": "adamw", "schedule": "onecycle", "weight_decay": 1e-4,
                          "threads": args.threads, "workers": 0, "device": "cpu"})  # fmt: skip
    runs = []
    for a, b in pairs:
        train_on = driver_folder(args.out, a, groups[a])
        score_on = driver_folder(args.out, b, groups[b])
        direction = f"{a} -> {b}"
        runs.append({"direction": direction, "condition": "synthetic_only", "seed": 0,
                     **score(args.checkpoint, score_on)})  # fmt: skip
        for condition in CONDITIONS:
            for seed in range(min(args.seeds, 3) if condition == "reference" else args.seeds):
                out = args.out / f"{a}_{condition}_seed{seed}"
                best = run(base, args.checkpoint, condition, seed, train_on, out)
                runs.append({"direction": direction, "condition": condition, "seed": seed,
                             **score(best, score_on)})  # fmt: skip
    command = " ".join(["python -m benchmarks.real_transfer", *(argv or sys.argv[1:])])
    meta = {"command": command, "date": str(datetime.date.today()),
            "checkpoint": str(args.checkpoint)}  # fmt: skip
    payload = {"meta": meta, "runs": runs, **summarize(runs)}
    results = args.results or args.out / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "real_transfer.json").write_text(json.dumps(payload, indent=2) + "\n")
    (results / "real_transfer.md").write_text(markdown(payload))
    print(markdown(payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
