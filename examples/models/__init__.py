"""The paper's four segmentation networks, built by name."""

from __future__ import annotations

from typing import Any

from torch import nn

from examples.models.attention_unet import AttentionUNet
from examples.models.deeplabv3 import DeepLabV3
from examples.models.hrnetv2 import HRNetV2
from examples.models.unet import UNet

__all__ = ["MODELS", "AttentionUNet", "DeepLabV3", "HRNetV2", "UNet", "build_model"]

MODELS: dict[str, type[nn.Module]] = {
    "unet": UNet,
    "attention_unet": AttentionUNet,
    "deeplabv3": DeepLabV3,
    "hrnetv2": HRNetV2,
}


def build_model(name: str, num_classes: int = 6, in_channels: int = 1, **kwargs: Any) -> nn.Module:
    """A network of :data:`MODELS` by name, randomly initialised (nothing is downloaded).

    Args:
        name: "unet", "attention_unet", "deeplabv3" or "hrnetv2".
        num_classes: output channels (logits).
        in_channels: input channels.
        **kwargs: the network's own options (``base_width`` for the U-Nets, ``backbone``
            for DeepLabV3, ``variant`` for HRNetV2).

    Raises:
        ValueError: unknown name.
    """
    if name not in MODELS:
        raise ValueError(f"unknown network {name!r}; known networks: {', '.join(MODELS)}")
    return MODELS[name](num_classes=num_classes, in_channels=in_channels, **kwargs)
