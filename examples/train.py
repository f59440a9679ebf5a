"""Train a thermal face segmentation network with TiAug and SAM-CL.

    python -m examples.train --net unet --loss samcl --aug samcl --iters 40000 --out runs/unet
    torchrun --nproc_per_node=8 -m examples.train --net hrnetv2 ...   # DDP, same options
    python -m examples.train --demo                                   # a few minutes on a CPU

Defaults follow the paper: batch 16 (over all ranks), 256x320, SGD lr 0.01 momentum 0.9
weight decay 5e-4, poly lr (power 0.9), AMP on GPU, one input channel, per-image min-max to
[-1, 1] after augmentation, no pretrained weights. Rank 0 writes everything under ``--out``:
``last.pt`` / ``best.pt`` checkpoints, ``metrics.jsonl``, TensorBoard logs (``tb/``),
``eval.json`` and prediction overlays (``overlays/``).

This module is the command line: its options are :class:`~examples.config.TrainConfig`'s
fields (:func:`examples.cli.add_config_arguments`); :func:`examples.engine.train` runs them.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from examples.cli import OneLineParser, add_config_arguments, option_name, run_command
from examples.config import RENAMED, STUDY, TrainConfig
from examples.engine import train
from examples.task import SegmentationTask, build_criterion  # benchmarks/bench_train.py's

__all__ = [
    "DEMO",
    "SegmentationTask",
    "build_criterion",
    "main",
    "parse_args",
    "train",
]


#: Options of ``--demo``: the study's preset (:data:`examples.config.STUDY`) with TiAug's
#: "wild" preset (upright heads, scene physics and occluders, the camera's noise and 8-bit
#: export: what carries best to real recordings, benchmarks/results/real_levers.md) and the
#: RMI loss: the study's ``rmi_wild``, which SAM-CL did not improve on (``samcl_wild``,
#: benchmarks/results/study_cpu/study.md); a few minutes on 2 CPU cores.
DEMO: dict[str, Any] = {
    **STUDY,
    "loss": "rmi",
    "aug": "wild",
    "overlays": 4,
    "out": "outputs/demo",
}


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
        namespace.renamed = [*namespace.renamed, (option_string, option_name(self.dest))]


def _parser() -> OneLineParser:
    parser = OneLineParser(
        prog="python -m examples.train",
        description="Train a thermal face segmentation network with TiAug and SAM-CL.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    presets = ", ".join(f"{k}={v}" for k, v in DEMO.items())
    parser.add_argument(
        "--demo",
        action="store_true",
        help=f"small CPU run: {presets} (explicit options still win)",
    )
    parser.add_argument(
        "--study",
        action="store_true",
        help="the CPU study's preset (examples.config.STUDY; explicit options still win)",
    )
    add_config_arguments(parser)
    defaults = TrainConfig()
    for old, new in RENAMED.items():
        parser.add_argument(
            option_name(old),
            dest=new,
            type=type(getattr(defaults, new)),
            action=_RenamedOption,
            default=argparse.SUPPRESS,
            help=argparse.SUPPRESS,
        )
    parser.set_defaults(renamed=[])
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

    def work() -> None:
        train(config)

    return run_command("python -m examples.train", work)


if __name__ == "__main__":
    sys.exit(main())
