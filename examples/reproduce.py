"""Reproduce the paper's comparison (Table 1 and its ablation) on the four networks.

    python -m examples.reproduce                                   # 4 networks x 4 runs, 40k its
    python -m examples.reproduce --iters 2000 --nets unet,hrnetv2  # a shorter schedule
    torchrun --nproc_per_node=8 -m examples.reproduce ...          # DDP, same options

For each network, four runs (same seed, data and schedule):

- ``rmi_baseline``: RMI loss + the "baseline" TiAug preset (geometry only): the paper's
  baseline;
- ``rmi_tiaug``: RMI + the "samcl" preset (TiAug alone);
- ``samcl_tiaug``: SAMCLLoss (softmax anchor, the paper's class-swapped negatives,
  ``negatives="swap"``, not samcl-loss's default) + "samcl" (TiAug + SAM-CL as the paper
  describes it);
- ``samcl_released``: SAMCLLoss with ``prediction="argmax"``, ``negatives="zeros"`` (the
  reference's loss as released: no SAM-CL gradient reaches the network) + "samcl".

Every run writes its own folder under ``--out`` (``NET_VARIANT``); a finished run (its
``eval.json``) is reused and an interrupted one resumed, so the same command continues a
stopped reproduction. The table goes to ``RESULTS/table1.md`` and ``RESULTS/table1.json``
after every run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from examples.cli import (
    OneLineParser,
    add_config_arguments,
    config_values,
    parse_names,
    run_command,
)
from examples.config import TrainConfig, same_result
from examples.data import UsageError
from examples.distributed import setup_distributed, teardown_distributed
from examples.engine import train
from examples.models import NETWORKS
from examples.variants import select

__all__ = ["PAPER", "VARIANTS", "checks", "main", "render_markdown", "run_all"]

#: The four runs per network (:data:`examples.variants.VARIANTS`).
VARIANTS = select("rmi_baseline", "rmi_tiaug", "samcl_tiaug", "samcl_released")

#: The paper's validation mIoU (%) on the Thermal Face Database: Table 1 (RMI baseline and
#: TiAug + SAM-CL) and the ablation (TiAug alone).
PAPER: dict[str, dict[str, float]] = {
    "unet": {"rmi_baseline": 81.36, "rmi_tiaug": 81.91, "samcl_tiaug": 82.11},
    "attention_unet": {"rmi_baseline": 81.39, "rmi_tiaug": 82.29, "samcl_tiaug": 82.85},
    "deeplabv3": {"rmi_baseline": 75.85, "rmi_tiaug": 78.07, "samcl_tiaug": 79.29},
    "hrnetv2": {"rmi_baseline": 78.46, "rmi_tiaug": 78.87, "samcl_tiaug": 78.97},
}

_NOTES = """\
Notes:
- Paper: Joshi et al., BMVC 2022, Table 1 (RMI baseline, TiAug + SAM-CL) and the ablation
  (RMI + TiAug), Thermal Face Database, 40k iterations, batch 16, 256x320. Its ablation gives
  other values for two cells (HRNet RMI 78.13; "DeepLabV3+R101" 75.85/78.07/78.12).
- The paper's numbers were obtained with the reference code, whose SAM-CL term (argmax
  prediction, all-zero negatives) gives the network no gradient: the like-for-like row for the
  paper's "TiAug + SAM-CL" is `samcl_released`; `samcl_tiaug` is the loss as the paper
  describes it.
- The paper ran DeepLabV3+ and an HRNetV2-style head on a dilated ResNet-101; here DeepLabV3
  (ResNet-101, output stride 8) and a real HRNetV2-W48 are trained.
- mIoU over the six classes, background included, from one confusion matrix over the whole
  validation set, of the best checkpoint by clean validation mIoU; "unconstrained" is the
  validation set passed once through the "unconstrained" TiAug preset (fixed seed).
"""


def checks(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the table must show, per network with the runs it needs (mIoU differences).

    ``over_baseline``: TiAug + SAM-CL minus the RMI baseline on the unconstrained set (must be
    > 0); ``over_tiaug_clean`` / ``over_tiaug_unconstrained``: TiAug + SAM-CL minus TiAug
    alone (the SAM-CL term's own contribution, must be > 0).
    """
    runs = {(row["net"], row["variant"]): row for row in rows}
    found = []
    for net in dict.fromkeys(row["net"] for row in rows):
        samcl, baseline, tiaug = (
            runs.get((net, v)) for v in ("samcl_tiaug", "rmi_baseline", "rmi_tiaug")
        )
        if samcl is None or baseline is None or tiaug is None:
            continue
        found.append(
            {
                "net": net,
                "over_baseline": samcl["unconstrained_miou"] - baseline["unconstrained_miou"],
                "over_tiaug_clean": samcl["clean_miou"] - tiaug["clean_miou"],
                "over_tiaug_unconstrained": (
                    samcl["unconstrained_miou"] - tiaug["unconstrained_miou"]
                ),
            }
        )
    return found


def render_markdown(rows: Sequence[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The table of measured (and the paper's) mIoU, in Markdown."""
    lines = [
        "# Table 1, reproduced",
        "",
        f"`{meta['command']}`, table written {meta['date']}, last run on {meta['device']}: "
        f"data `{meta['data']}`, "
        f"{meta['iters']} iterations, batch {meta['batch']}, {meta['size'][0]}x{meta['size'][1]}, "
        f"seed {meta['seed']}.",
        "",
        "| network | run | clean mIoU % | unconstrained mIoU % | paper mIoU % | best it. / its. "
        "| train time |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        paper = PAPER.get(row["net"], {}).get(row["variant"])
        minutes = row["train_time_s"] / 60
        lines.append(
            f"| {row['net']} | {row['variant']} | {100 * row['clean_miou']:.2f} "
            f"| {100 * row['unconstrained_miou']:.2f} | {'' if paper is None else f'{paper:.2f}'} "
            f"| {row['best_iteration']} / {row['iterations']} | {minutes:.1f} min |"
        )
    runs = "; ".join(f"`{name}`: {variant.description}" for name, variant in VARIANTS.items())
    lines += ["", f"Runs: {runs}.", ""]
    found = checks(rows)
    if found:
        lines += [
            "Does the method work? mIoU points of `samcl_tiaug` over the RMI baseline "
            "(unconstrained set) and over TiAug alone (`rmi_tiaug`); all must be > 0.",
            "",
            "| network | over baseline, unconstrained | over TiAug, clean "
            "| over TiAug, unconstrained | holds |",
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for row in found:
            deltas = [
                row[k] for k in ("over_baseline", "over_tiaug_clean", "over_tiaug_unconstrained")
            ]
            cells = " | ".join(f"{100 * d:+.2f}" for d in deltas)
            lines.append(f"| {row['net']} | {cells} | {'yes' if min(deltas) > 0 else 'no'} |")
        lines.append("")
    return "\n".join(lines) + "\n" + _NOTES


def _report(config: TrainConfig) -> dict[str, Any]:
    """The run's ``eval.json`` when a run of ``config`` wrote it, else the report of training
    it (resumed from its ``last.pt`` when there is one)."""
    path = Path(config.out) / "eval.json"
    if path.is_file():
        report = json.loads(path.read_text(encoding="utf-8"))
        if same_result(report.get("config", {}), config):
            return report
    if (Path(config.out) / "last.pt").is_file():
        config.resume = "auto"
    return train(config)


def _row(net: str, variant: str, seed: int, report: dict[str, Any]) -> dict[str, Any]:
    """The table's row of a run's report."""
    return {
        "net": net,
        "variant": variant,
        "clean_miou": report["clean"]["miou"],
        "unconstrained_miou": report["unconstrained"]["miou"],
        "best_iteration": report["iteration"],
        "iterations": report["iterations"],
        "seed": seed,
        "device": report["device"],
        "world_size": report["world_size"],
        "train_time_s": report["train_time_s"],
        "clean_iou": report["clean"]["iou"],
        "unconstrained_iou": report["unconstrained"]["iou"],
    }


def run_all(
    nets: Sequence[str],
    variants: Sequence[str],
    base: TrainConfig,
    out: Path,
    results: Path,
    command: str = "python -m examples.reproduce",
) -> list[dict[str, Any]]:
    """Train (or reuse) every (network, variant) run; rank 0 rewrites the table after each.

    ``command`` is the command line recorded with the table.
    """
    try:
        context = setup_distributed(base.device)
    except ValueError as error:
        raise UsageError(str(error)) from None
    rows: list[dict[str, Any]] = []
    try:
        for net in nets:
            for variant in variants:
                run = {"net": net, "out": str(out / f"{net}_{variant}"), "resume": None}
                config = VARIANTS[variant].config(base, **run)
                rows.append(_row(net, variant, config.seed, _report(config)))
                if context.is_main:
                    _write(rows, base, results, command)
    finally:
        teardown_distributed(context)
    return rows


def _write(rows: list[dict[str, Any]], base: TrainConfig, results: Path, command: str) -> None:
    meta = {
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "device": rows[-1]["device"],
        "data": base.data,
        "iters": base.iters,
        "batch": base.batch,
        "size": list(base.size),
        "seed": base.seed,
        "config": base.to_dict(),
    }
    results.mkdir(parents=True, exist_ok=True)
    payload = {"meta": meta, "paper_miou_percent": PAPER, "runs": rows, "checks": checks(rows)}
    (results / "table1.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    (results / "table1.md").write_text(render_markdown(rows, meta), encoding="utf-8")


#: The run options the command line sets, besides --val-every and --channels-last.
_OPTIONS = (
    "iters", "batch", "size", "seed", "data", "num_train", "num_val", "workers", "amp",
    "device", "net_options", "overlays",
)  # fmt: skip


def _parser() -> OneLineParser:
    parser = OneLineParser(
        prog="python -m examples.reproduce",
        description="Train the four networks x four runs of the paper's comparison; write "
        "RESULTS/table1.md and .json.",
    )
    add = parser.add_argument
    add("--nets", default=",".join(NETWORKS), help="comma-separated networks")
    add("--variants", default=",".join(VARIANTS), help="comma-separated runs")
    add_config_arguments(parser, _OPTIONS, workers=8, overlays=4)
    add("--val-every", type=int, default=None, help="validation period (default min(1000, iters))")
    add(
        "--channels-last",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="channels-last memory format (default: on for CUDA, off on the CPU)",
    )
    add("--out", type=Path, default=Path("runs/table1"), help="folder of the runs")
    add("--results", type=Path, default=Path("benchmarks/results"), help="folder of the table")
    return parser


def _uses_cuda(device: str) -> bool:
    return device.startswith("cuda") or (device == "auto" and torch.cuda.is_available())


def _base_config(args: argparse.Namespace) -> TrainConfig:
    """The options every run shares, from the command line."""
    val_every = min(1000, args.iters) if args.val_every is None else args.val_every
    channels_last = _uses_cuda(args.device) if args.channels_last is None else args.channels_last
    return TrainConfig(
        **config_values(args, _OPTIONS),
        channels_last=channels_last,
        val_every=val_every,
        ckpt_every=val_every,
    )


def _reproduce(args: argparse.Namespace, command: str) -> str:
    """Check the names, then train (or reuse) every run; returns where the table is."""
    nets = parse_names(args.nets, list(NETWORKS), "network")
    variants = parse_names(args.variants, list(VARIANTS), "run")
    run_all(nets, variants, _base_config(args), args.out, args.results, command)
    return f"table: {args.results / 'table1.md'}"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; user mistakes give one line on stderr and exit status 2."""
    args = _parser().parse_args(argv)
    arguments = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m examples.reproduce", *arguments])
    return run_command("python -m examples.reproduce", lambda: _reproduce(args, command))


if __name__ == "__main__":
    sys.exit(main())
