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

from examples.config import (
    AMPS,
    OneLineParser,
    TrainConfig,
    add_network_arguments,
    current_keys,
    parse_size,
)
from examples.data import UsageError
from examples.distributed import setup_distributed, teardown_distributed
from examples.models import NETWORKS, network_options
from examples.train import train

__all__ = ["PAPER", "VARIANTS", "checks", "main", "render_markdown", "run_all"]

#: The four runs per network: TrainConfig overrides and a description.
VARIANTS: dict[str, tuple[dict[str, Any], str]] = {
    "rmi_baseline": ({"loss": "rmi", "aug": "baseline"}, "RMI, baseline aug (paper's baseline)"),
    "rmi_tiaug": ({"loss": "rmi", "aug": "samcl"}, "RMI + TiAug"),
    "samcl_tiaug": (
        {"loss": "samcl", "aug": "samcl", "samcl_negatives": "swap"},
        "TiAug + SAM-CL",
    ),
    "samcl_released": (
        {
            "loss": "samcl",
            "aug": "samcl",
            "samcl_prediction": "argmax",
            "samcl_negatives": "zeros",
        },
        "TiAug + SAM-CL as released (argmax, zero negatives)",
    ),
}

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


def _config_for(net: str, variant: str, base: TrainConfig, out: Path) -> TrainConfig:
    overrides, _ = VARIANTS[variant]
    values = base.to_dict()
    values.update(overrides)
    values.update({"net": net, "out": str(out / f"{net}_{variant}"), "resume": None})
    return TrainConfig.from_dict(values)


# Options that do not change a run's result (a finished run is reused across them).
_IRRELEVANT = {
    "out",
    "resume",
    "stop_at",
    "workers",
    "device",
    "overlays",
    "log_every",
    "ckpt_every",
}


def _same_run(report: dict[str, Any], config: TrainConfig) -> bool:
    saved = current_keys(report.get("config", {}))
    wanted = config.to_dict()
    return all(saved.get(k) == v for k, v in wanted.items() if k not in _IRRELEVANT)


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
    lines += ["", "Runs: " + "; ".join(f"`{k}`: {d}" for k, (_, d) in VARIANTS.items()) + ".", ""]
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
                config = _config_for(net, variant, base, out)
                report_path = Path(config.out) / "eval.json"
                report = None
                if report_path.is_file():
                    report = json.loads(report_path.read_text(encoding="utf-8"))
                    if not _same_run(report, config):
                        report = None
                if report is None:
                    if (Path(config.out) / "last.pt").is_file():
                        config.resume = "auto"
                    report = train(config)
                rows.append(
                    {
                        "net": net,
                        "variant": variant,
                        "clean_miou": report["clean"]["miou"],
                        "unconstrained_miou": report["unconstrained"]["miou"],
                        "best_iteration": report["iteration"],
                        "iterations": report["iterations"],
                        "seed": config.seed,
                        "device": report["device"],
                        "world_size": report["world_size"],
                        "train_time_s": report["train_time_s"],
                        "clean_iou": report["clean"]["iou"],
                        "unconstrained_iou": report["unconstrained"]["iou"],
                    }
                )
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


def _names(text: str, known: Sequence[str], what: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise UsageError(
            f"unknown {what} {', '.join(unknown) or text!r}; known: {', '.join(known)}"
        )
    return names


def _parser() -> OneLineParser:
    defaults = TrainConfig()
    parser = OneLineParser(
        prog="python -m examples.reproduce",
        description="Train the four networks x four runs of the paper's comparison; write "
        "RESULTS/table1.md and .json.",
    )
    add = parser.add_argument
    add("--nets", default=",".join(NETWORKS), help="comma-separated networks")
    add("--variants", default=",".join(VARIANTS), help="comma-separated runs")
    add("--iters", type=int, default=defaults.iters, help="training iterations per run")
    add("--val-every", type=int, default=None, help="validation period (default min(1000, iters))")
    add("--batch", type=int, default=defaults.batch, help="global batch")
    add("--size", type=parse_size, default=defaults.size, help="training size HxW")
    add("--seed", type=int, default=defaults.seed, help="seed of every run")
    add("--data", default=defaults.data, help="synthetic, a `tiaug synth` folder or a TFD folder")
    add("--num-train", type=int, default=defaults.num_train, help="synthetic training images")
    add("--num-val", type=int, default=defaults.num_val, help="synthetic validation images")
    add("--workers", type=int, default=8, help="DataLoader workers per process")
    add("--amp", default=defaults.amp, choices=AMPS, help="precision")
    add(
        "--channels-last",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="channels-last memory format (default: on for CUDA, off on the CPU)",
    )
    add("--device", default=defaults.device, help="auto, cpu, cuda or cuda:N")
    add_network_arguments(parser)
    add("--overlays", type=int, default=4, help="overlay PNGs per validation set and run")
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
        data=args.data,
        num_train=args.num_train,
        num_val=args.num_val,
        iters=args.iters,
        batch=args.batch,
        size=args.size,
        amp=args.amp,
        channels_last=channels_last,
        workers=args.workers,
        seed=args.seed,
        device=args.device,
        val_every=val_every,
        ckpt_every=val_every,
        overlays=args.overlays,
        **{name: getattr(args, name) for name in network_options()},
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; user mistakes give one line on stderr and exit status 2."""
    args = _parser().parse_args(argv)
    try:
        nets = _names(args.nets, list(NETWORKS), "network")
        variants = _names(args.variants, list(VARIANTS), "run")
        base = _base_config(args)
        arguments = sys.argv[1:] if argv is None else argv
        command = " ".join(["python -m examples.reproduce", *arguments])
        run_all(nets, variants, base, args.out, args.results, command)
    except UsageError as error:
        print(f"python -m examples.reproduce: error: {error}", file=sys.stderr)
        return 2
    print(f"table: {args.results / 'table1.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
