"""Run configuration shared by training, evaluation and the reproduction script."""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
import warnings
from collections.abc import Mapping
from typing import Any, NoReturn

import torch

from examples.models import NETWORKS, network, network_options
from samcl_loss import SAMCLLoss
from tiaug.classes import CLASS_NAMES

__all__ = [
    "AMPS",
    "CLASS_NAMES",
    "IGNORE_INDEX",
    "LOSSES",
    "NUM_CLASSES",
    "OPTIMIZERS",
    "RENAMED",
    "SCHEDULES",
    "STUDY",
    "OneLineParser",
    "TrainConfig",
    "add_network_arguments",
    "current_keys",
    "parse_size",
    "resolve_amp",
]

NUM_CLASSES = len(CLASS_NAMES)
IGNORE_INDEX = 255
#: ``--loss`` choices (``rmi_ce``: RMI + ``ce_weight`` x cross-entropy, the study's control).
LOSSES = ("rmi", "samcl", "ce", "rmi_ce")
#: ``--optimizer`` choices (SGD with momentum is the paper's; AdamW is the study's).
OPTIMIZERS = ("sgd", "adamw")
#: ``--schedule`` choices: poly decay (the paper's) or one-cycle (warm-up then cosine decay).
SCHEDULES = ("poly", "onecycle")
#: ``--amp`` choices (:func:`resolve_amp`).
AMPS = ("auto", "bf16", "fp16", "off")
#: Renamed TrainConfig keys, old name -> new name: a keyword gives a DeprecationWarning,
#: saved configs (checkpoints, reports) load silently (:func:`current_keys`).
RENAMED = {"samcl_weight": "contrastive_weight"}
#: SAMCLLoss's defaults: the SAM-CL options default to the package's own.
_SAMCL = {name: p.default for name, p in inspect.signature(SAMCLLoss).parameters.items()}


@dataclasses.dataclass(init=False)
class TrainConfig:
    """Everything a training run depends on (the options of ``python -m examples.train``).

    Keywords are the fields and the registered networks' options (``base_width`` ...), which
    :meth:`to_dict` gives as plain keys beside the fields.
    """

    net: str = "unet"
    loss: str = "samcl"
    aug: str = "samcl"
    data: str = "synthetic"
    #: Validation data when ``data`` is a folder of real labelled frames (examples.real).
    val_data: str | None = None
    #: A checkpoint whose network weights start the run (fine-tuning); None: from scratch.
    init: str | None = None
    num_train: int = 2000
    num_val: int = 200
    iters: int = 40000
    batch: int = 16
    size: tuple[int, int] = (256, 320)
    lr: float = 0.01
    optimizer: str = "sgd"
    schedule: str = "poly"
    momentum: float = 0.9
    weight_decay: float = 5e-4
    poly_power: float = 0.9
    amp: str = "auto"
    channels_last: bool = False
    workers: int = 4
    threads: int = 0
    seed: int = 0
    device: str = "auto"
    out: str = "runs/train"
    resume: str | None = None
    stop_at: int | None = None
    val_every: int = 1000
    ckpt_every: int = 1000
    log_every: int = 20
    overlays: int = 8
    #: The networks' own options by name (:func:`examples.models.network_options`), every
    #: registered one present: only the chosen network's reach it (:meth:`model_kwargs`).
    net_options: dict[str, Any] = dataclasses.field(default_factory=dict)
    samcl_prediction: str = _SAMCL["prediction"]
    samcl_negatives: str = _SAMCL["negatives"]
    contrastive_weight: float = _SAMCL["contrastive_weight"]
    samcl_margin: float = _SAMCL["margin"]
    ce_weight: float = 0.5
    #: Margin (fraction of the face box's side) of a crop around each synthetic or folder
    #: face, made at the faces' own size before resizing to ``size``; None: whole frame.
    face_crop: float | None = None

    def __init__(self, **values: Any) -> None:
        """The fields, and the networks' options, by keyword: ``TrainConfig(base_width=8)``.

        A renamed keyword (:data:`RENAMED`) is taken under its new name with a
        DeprecationWarning.

        Raises:
            TypeError: a keyword that is neither a field nor a registered network option, or
                a renamed one given under both names.
        """
        old = sorted(values.keys() & RENAMED.keys())
        for name in old:
            warnings.warn(
                f"TrainConfig({name}=...) is deprecated since 2026-12-07: use {RENAMED[name]}=",
                DeprecationWarning,
                stacklevel=2,
            )
        values = current_keys(values)
        registered = network_options()
        options = {name: option.default for name, option in registered.items()}
        options.update(values.pop("net_options", {}))
        options.update({name: values.pop(name) for name in registered.keys() & values.keys()})
        unknown = [*(options.keys() - registered.keys()), *(values.keys() - _FIELD_NAMES)]
        if unknown:
            raise TypeError(f"unknown TrainConfig options: {', '.join(sorted(unknown))}")
        for field in dataclasses.fields(self):
            if field.name != "net_options":
                setattr(self, field.name, values.get(field.name, field.default))
        self.net_options = options

    def model_kwargs(self) -> dict[str, Any]:
        """The chosen network's own options, by constructor keyword (for ``build_model``).

        Raises:
            ValueError: unknown network.
        """
        return {
            option.keyword: self.net_options.get(option.name, option.default)
            for option in network(self.net).options
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain Python types only, the network options as plain keys (stored in checkpoints and
        reports)."""
        values: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            if field.name == "net_options":
                values.update(self.net_options)
            else:
                values[field.name] = getattr(self, field.name)
        values["size"] = list(self.size)
        return values

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainConfig:
        """Inverse of :meth:`to_dict`; saved configs with renamed keys load too."""
        values = current_keys(values)
        values["size"] = tuple(values["size"])
        return cls(**values)


_FIELD_NAMES = {field.name for field in dataclasses.fields(TrainConfig)} - {"net_options"}


def current_keys(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``values`` (TrainConfig keywords, or a saved :meth:`TrainConfig.to_dict`)
    with renamed keys (:data:`RENAMED`) under their new names.

    Raises:
        TypeError: a key given under both its old and its new name.
    """
    both = [f"{old} and {new}" for old, new in RENAMED.items() if old in values and new in values]
    if both:
        raise TypeError(f"TrainConfig options given twice: {', '.join(both)}")
    return {RENAMED.get(key, key): value for key, value in values.items()}


#: The CPU study's preset (``python -m examples.study``, ``--study`` of ``examples.train``):
#: TrainConfig values chosen by measurement (benchmarks/results/study_cpu/feasibility.md) so
#: that the RMI baseline learns all six classes in a few minutes on 2 CPU cores. Faces are
#: generated at 256x320 and cropped around the face (the role of the paper's 768x960 centre
#: crop), then resized to ``size``; a small U-Net trained by AdamW with a one-cycle schedule,
#: validated once, at the end.
STUDY: dict[str, Any] = {
    "net": "unet",
    "base_width": 8,
    "data": "synthetic",
    "face_crop": 0.05,
    "num_train": 512,
    "num_val": 100,
    "size": (96, 120),
    "iters": 1800,
    "batch": 8,
    "optimizer": "adamw",
    "schedule": "onecycle",
    "lr": 6e-3,
    "weight_decay": 1e-4,
    # No loader process: on 2 cores it competes with the two compute threads (the demo's
    # training command took 5 min 30 s with one worker, 4 min 56 s without, same weights,
    # one after the other on 2026-12-07; the README gives `time make demo` runs).
    "workers": 0,
    "val_every": 1800,
    "ckpt_every": 300,
    "log_every": 50,
    "overlays": 2,
    "device": "cpu",
}


def resolve_amp(amp: str, device: torch.device) -> torch.dtype | None:
    """Autocast dtype for ``--amp``, or None for full precision.

    "auto" is bf16 on CUDA when supported (else fp16) and off on CPU; "bf16", "fp16", "off"
    force a choice.
    """
    if amp == "off" or (amp == "auto" and device.type != "cuda"):
        return None
    if amp == "auto":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return {"bf16": torch.bfloat16, "fp16": torch.float16}[amp]


def parse_size(text: str) -> tuple[int, int]:
    """``"HxW"`` in pixels -> (H, W)."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected HxW in pixels (e.g. 256x320), got {text!r}")
    return int(match[1]), int(match[2])


def add_network_arguments(parser: argparse.ArgumentParser) -> None:
    """``--NAME`` for every registered network option (:func:`examples.models.network_options`),
    parsed by the type of its default; the values land under the option names."""
    users: dict[str, list[str]] = {}
    for net, entry in NETWORKS.items():
        for option in entry.options:
            users.setdefault(option.name, []).append(net)
    for name, option in network_options().items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=type(option.default),
            default=option.default,
            help=f"{option.help} ({', '.join(users[name])})",
        )


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line on stderr (exit status 2), without the usage, and
    which takes no abbreviated options (``--dem`` is not ``--demo``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE`` and exit with status 2."""
        self.exit(2, f"{self.prog}: error: {message}\n")
