"""The paper's four segmentation networks, built by name, and their own options.

A network is one module and one :data:`NETWORKS` entry: its constructor and the options it
takes. Each :class:`Option` becomes a run option (a :class:`~examples.config.TrainConfig`
keyword, a checkpoint key and a ``--flag`` of the command lines) without further edits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from torch import nn

from examples.models.attention_unet import AttentionUNet
from examples.models.deeplabv3 import DeepLabV3
from examples.models.hrnetv2 import HRNetV2
from examples.models.unet import UNet

__all__ = [
    "MODELS",
    "NETWORKS",
    "AttentionUNet",
    "DeepLabV3",
    "HRNetV2",
    "Network",
    "Option",
    "UNet",
    "build_model",
    "network",
    "network_options",
]


@dataclass(frozen=True)
class Option:
    """A network's constructor option, exposed as a run option.

    Attributes:
        name: the run option (TrainConfig keyword, checkpoint key, ``--name`` with dashes);
            unique among all networks' options.
        keyword: the constructor's keyword.
        default: its value unless given (its type parses the command line; not None).
        help: what it sets, for ``--help``.
    """

    name: str
    keyword: str
    default: Any
    help: str


@dataclass(frozen=True)
class Network:
    """A network: ``build(num_classes=, in_channels=, **options)`` and the options it takes."""

    build: Callable[..., nn.Module]
    options: tuple[Option, ...] = ()


_WIDTH = Option("base_width", "base_width", 64, "width of the first level (64 = the paper's)")

#: The networks by name (the ``--net`` choices).
NETWORKS: dict[str, Network] = {
    "unet": Network(UNet, (_WIDTH,)),
    "attention_unet": Network(AttentionUNet, (_WIDTH,)),
    "deeplabv3": Network(
        DeepLabV3, (Option("deeplab_backbone", "backbone", "resnet101", "resnet101 or resnet50"),)
    ),
    "hrnetv2": Network(
        HRNetV2,
        (Option("hrnet_variant", "variant", "hrnet_w48", "timm HRNet, e.g. hrnet_w18_small"),),
    ),
}
#: The earlier name of :data:`NETWORKS` (benchmarks/bench_train.py lists networks by it).
MODELS = NETWORKS


def network(name: str) -> Network:
    """The :data:`NETWORKS` entry of ``name``.

    Raises:
        ValueError: unknown name.
    """
    if name not in NETWORKS:
        raise ValueError(f"unknown network {name!r}; known networks: {', '.join(NETWORKS)}")
    return NETWORKS[name]


def network_options() -> dict[str, Option]:
    """Every registered network's options by run-option name, in registry order.

    Raises:
        ValueError: two different options share a name.
    """
    options: dict[str, Option] = {}
    for entry in NETWORKS.values():
        for option in entry.options:
            if options.setdefault(option.name, option) != option:
                raise ValueError(f"two different network options are named {option.name!r}")
    return options


def build_model(name: str, num_classes: int = 6, in_channels: int = 1, **kwargs: Any) -> nn.Module:
    """A network of :data:`NETWORKS` by name, randomly initialised (nothing is downloaded).

    Args:
        name: "unet", "attention_unet", "deeplabv3", "hrnetv2" or another registered name.
        num_classes: output channels (logits).
        in_channels: input channels.
        **kwargs: the network's own options by constructor keyword (``base_width`` for the
            U-Nets, ``backbone`` for DeepLabV3, ``variant`` for HRNetV2).

    Raises:
        ValueError: unknown name.
    """
    return network(name).build(num_classes=num_classes, in_channels=in_channels, **kwargs)
