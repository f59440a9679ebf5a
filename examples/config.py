"""A run's configuration, said once: every field with its help, choices and role.

:class:`TrainConfig` is what a training run depends on. Each field carries a :class:`Spec`
(``dataclasses.fields(TrainConfig)[i].metadata["spec"]``): its ``--help`` text, its choices
(taken from the registries that define them: networks, TiAug presets, SAM-CL negatives and
predictions) and its :class:`Role`. The command lines (:mod:`examples.cli`), the resume
check (:func:`resume_keys`) and the reuse of finished runs (:func:`same_result`) are derived
from them.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import inspect
import re
import warnings
from collections.abc import Callable, Collection, Mapping
from typing import Any

import torch
from torch import nn

from examples.models import NETWORKS, build_model, network, network_options
from samcl_loss import NEGATIVES, PREDICTIONS, SAMCLLoss
from tiaug._preset_names import PRESETS
from tiaug.classes import CLASS_NAMES

__all__ = [
    "AMPS",
    "AUGMENTATIONS",
    "CLASS_NAMES",
    "IGNORE_INDEX",
    "LOSSES",
    "NUM_CLASSES",
    "OPTIMIZERS",
    "RENAMED",
    "RUN_ONLY",
    "SCHEDULES",
    "STUDY",
    "Role",
    "Spec",
    "TrainConfig",
    "applies",
    "current_keys",
    "parse_size",
    "resolve_amp",
    "resume_keys",
    "same_result",
    "specs",
]

NUM_CLASSES = len(CLASS_NAMES)
IGNORE_INDEX = 255
#: ``--loss`` choices (``rmi_ce``: RMI + ``ce_weight`` x cross-entropy, the study's control).
LOSSES = ("rmi", "samcl", "ce", "rmi_ce")
#: ``--aug`` choices: no augmentation or a TiAug preset.
AUGMENTATIONS = ("none", *PRESETS)
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


def parse_size(text: str) -> tuple[int, int]:
    """``"HxW"`` in pixels -> (H, W)."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected HxW in pixels (e.g. 256x320), got {text!r}")
    return int(match[1]), int(match[2])


class Role(enum.Enum):
    """What a field is to a run's result."""

    #: The trained weights depend on it: a resumed run must keep its value.
    RESULT = "result"
    #: The reports depend on it, but a resumed run may change it.
    RESUMABLE = "resumable"
    #: Where or how the run goes: no result depends on it.
    RUN_ONLY = "run-only"


@dataclasses.dataclass(frozen=True)
class Spec:
    """What the command lines and the checks know of a :class:`TrainConfig` field.

    Attributes:
        help: its ``--help`` text.
        role: its :class:`Role`.
        choices: the values it may take (a live registry is read when used), or None.
        listed: the choices are listed in the help and checked when the run starts (one line
            naming them) instead of by the command line's parser.
        parse: the command line's type when the default's type will not do.
        flags: other ``add_argument`` keywords (``nargs``, ``const``).
        losses: the losses it is an option of (None: every loss); a run of another loss does
            not depend on it, so resuming and reusing runs ignore it there.
    """

    help: str
    role: Role
    choices: Collection[str] | None = None
    listed: bool = False
    parse: Callable[[str], Any] | None = None
    flags: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    losses: Collection[str] | None = None


def _field(default: Any, role: Role, help: str, **spec: Any) -> Any:
    """A TrainConfig field with its :class:`Spec`."""
    return dataclasses.field(default=default, metadata={"spec": Spec(help, role, **spec)})


_RESULT, _RESUMABLE, _RUN = Role.RESULT, Role.RESUMABLE, Role.RUN_ONLY
_SAMCL_ONLY = ("samcl",)


@dataclasses.dataclass(init=False)
class TrainConfig:
    """Everything a training run depends on (the options of ``python -m examples.train``).

    Keywords are the fields and the registered networks' options (``base_width`` ...), which
    :meth:`to_dict` gives as plain keys beside the fields.
    """

    net: str = _field("unet", _RESULT, "network", choices=NETWORKS, listed=True)
    loss: str = _field("samcl", _RESULT, "loss", choices=LOSSES, listed=True)
    aug: str = _field("samcl", _RESULT, "augmentation", choices=AUGMENTATIONS, listed=True)
    data: str = _field(
        "synthetic", _RESULT,
        "'synthetic', a folder written by `tiaug synth`, a Thermal Face Database folder, or a "
        "folder of real labelled frames (with --val-data)",
    )  # fmt: skip
    val_data: str | None = _field(
        None, _RESULT, "folder of real labelled frames to validate on, when --data is such a folder"
    )
    init: str | None = _field(
        None, _RESULT,
        "checkpoint whose network weights start the run (fine-tuning; same --net options)",
    )  # fmt: skip
    num_train: int = _field(
        2000, _RESULT,
        "synthetic training images (a real --data folder: at most this many frames, evenly "
        "spread)",
    )  # fmt: skip
    num_val: int = _field(200, _RESUMABLE, "synthetic validation images")
    iters: int = _field(40000, _RESULT, "training iterations")
    batch: int = _field(16, _RESULT, "global batch (over all processes)")
    size: tuple[int, int] = _field(
        (256, 320), _RESULT, "training size HxW in pixels", parse=parse_size
    )
    lr: float = _field(0.01, _RESULT, "initial (poly) or peak (one-cycle) lr")
    optimizer: str = _field("sgd", _RESULT, "optimiser", choices=OPTIMIZERS)
    schedule: str = _field("poly", _RESULT, "lr schedule", choices=SCHEDULES)
    momentum: float = _field(0.9, _RESULT, "SGD momentum")
    weight_decay: float = _field(5e-4, _RESULT, "weight decay")
    poly_power: float = _field(0.9, _RESULT, "poly lr power")
    #: Resumable: the engine compares the autocast dtype it resolves to instead.
    amp: str = _field(
        "auto", _RESUMABLE,
        "mixed precision (auto: bf16 on CUDA when supported, else fp16; off on CPU)",
        choices=AMPS,
    )  # fmt: skip
    channels_last: bool = _field(False, _RESUMABLE, "channels-last memory format")
    workers: int = _field(4, _RUN, "DataLoader workers per process")
    threads: int = _field(
        0, _RUN, "CPU threads of the main process (torch.set_num_threads; 0: torch's default)"
    )
    seed: int = _field(0, _RESULT, "seed of weights, data and shuffling")
    device: str = _field("auto", _RUN, "auto, cpu, cuda or cuda:N")
    out: str = _field("runs/train", _RUN, "output folder")
    resume: str | None = _field(
        None, _RUN, "continue from a checkpoint (default OUT/last.pt)",
        flags={"nargs": "?", "const": "auto"},
    )  # fmt: skip
    stop_at: int | None = _field(
        None, _RUN, "stop after this iteration (checkpoint saved; continue with --resume)"
    )
    val_every: int = _field(1000, _RESUMABLE, "validate every K iterations")
    ckpt_every: int = _field(1000, _RUN, "write OUT/last.pt every K iterations")
    log_every: int = _field(20, _RUN, "log every K iterations")
    overlays: int = _field(8, _RUN, "validation images drawn as PNG overlays (per set)")
    #: The networks' own options by name (:func:`examples.models.network_options`), every
    #: registered one present: only the chosen network's reach it (:meth:`model_kwargs`).
    net_options: dict[str, Any] = dataclasses.field(
        default_factory=dict,
        metadata={"spec": Spec("the networks' own options (one flag each)", _RESULT)},
    )
    samcl_prediction: str = _field(
        _SAMCL["prediction"], _RESULT, "SAMCLLoss anchor", choices=PREDICTIONS, losses=_SAMCL_ONLY
    )
    samcl_negatives: str = _field(
        _SAMCL["negatives"], _RESULT,
        "SAMCLLoss negatives (swap: the paper's; reflect, shift: critics that cannot cheat)",
        choices=NEGATIVES, losses=_SAMCL_ONLY,
    )  # fmt: skip
    contrastive_weight: float = _field(
        _SAMCL["contrastive_weight"], _RESULT, "weight of the SAM-CL term", losses=_SAMCL_ONLY
    )
    samcl_margin: float = _field(_SAMCL["margin"], _RESULT, "triplet margin", losses=_SAMCL_ONLY)
    ce_weight: float = _field(0.5, _RESULT, "CE weight of rmi_ce", losses=("rmi_ce",))
    face_crop: float | None = _field(
        None, _RESULT,
        "crop synthetic/folder faces with this margin (fraction of the face box) before "
        "resizing (default: no crop)",
    )  # fmt: skip

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

    def build_model(self) -> nn.Module:
        """The run's network, randomly initialised: one input channel, :data:`NUM_CLASSES`.

        Raises:
            ValueError: unknown network, or a bad option of it.
        """
        return build_model(self.net, NUM_CLASSES, 1, **self.model_kwargs())

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


def specs() -> dict[str, Spec]:
    """Every field's :class:`Spec` by field name, in field order."""
    return {field.name: field.metadata["spec"] for field in dataclasses.fields(TrainConfig)}


_FIELD_NAMES = set(specs()) - {"net_options"}
#: Fields no result depends on: a finished run is reused across them (study, reproduce).
RUN_ONLY = frozenset(name for name, spec in specs().items() if spec.role is Role.RUN_ONLY)


def resume_keys() -> frozenset[str]:
    """The keys of :meth:`TrainConfig.to_dict` a resumed run must keep: the result fields
    and every registered network option (read now: a network registered later counts)."""
    fields = {name for name, spec in specs().items() if spec.role is Role.RESULT}
    return frozenset((fields - {"net_options"}) | network_options().keys())


def applies(name: str, loss: str) -> bool:
    """Whether option ``name`` can change a run of ``loss`` (:attr:`Spec.losses`)."""
    spec = specs().get(name)
    return spec is None or spec.losses is None or loss in spec.losses


def same_result(saved: Mapping[str, Any], config: TrainConfig) -> bool:
    """Whether a saved config (:meth:`TrainConfig.to_dict`, renamed keys allowed) gives the
    result of ``config``: every value but the :data:`RUN_ONLY` ones and other losses' options
    equal."""
    saved = current_keys(saved)
    return all(
        saved.get(k) == v
        for k, v in config.to_dict().items()
        if k not in RUN_ONLY and applies(k, config.loss)
    )


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
