"""DeepLabV3 (Chen et al., 2017) on a dilated ResNet at output stride 8, one input channel."""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models.segmentation import deeplabv3_resnet50, deeplabv3_resnet101

__all__ = ["BACKBONES", "DeepLabV3"]

BACKBONES = {"resnet101": deeplabv3_resnet101, "resnet50": deeplabv3_resnet50}


class DeepLabV3(nn.Module):
    """torchvision's DeepLabV3 (ASPP rates 12/24/36, output stride 8), no pretrained weights.

    The ResNet stem takes ``in_channels`` channels; the logits are upsampled (bilinear) to
    the input size by torchvision's model.

    Args:
        num_classes: output channels (logits).
        in_channels: input channels (1 for thermal images).
        backbone: "resnet101" (the paper's) or "resnet50".
    """

    def __init__(
        self, num_classes: int = 6, in_channels: int = 1, backbone: str = "resnet101"
    ) -> None:
        super().__init__()
        if backbone not in BACKBONES:
            raise ValueError(
                f"unknown DeepLabV3 backbone {backbone!r}; known: {', '.join(BACKBONES)}"
            )
        self.net = BACKBONES[backbone](
            weights=None, weights_backbone=None, num_classes=num_classes, aux_loss=False
        )
        self.net.backbone.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes, H, W) for an input (N, in_channels, H, W)."""
        return self.net(x)["out"]
