"""HRNetV2 (Wang et al., 2019): timm's HRNet branches with the HRNetV2 segmentation head."""

from __future__ import annotations

import timm
import torch
import torch.nn.functional as F
from torch import nn

from examples.models.unet import pad_to_multiple

__all__ = ["HRNetV2"]


class HRNetV2(nn.Module):
    """HRNet backbone (four parallel branches at strides 4, 8, 16, 32) + HRNetV2 head.

    The head upsamples every branch to stride 4 (bilinear), concatenates them (720 channels
    for W48: 48 + 96 + 192 + 384), applies a 1x1 conv-BN-ReLU and a 1x1 conv to the classes;
    the logits are upsampled (bilinear) to the input size. Inputs are zero-padded to a
    multiple of 32 (HRNet's fusion needs it) and the logits cropped back.

    Args:
        num_classes: output channels (logits).
        in_channels: input channels (1 for thermal images).
        variant: timm HRNet name, e.g. "hrnet_w48" (the paper's width) or "hrnet_w18_small".
    """

    def __init__(
        self, num_classes: int = 6, in_channels: int = 1, variant: str = "hrnet_w48"
    ) -> None:
        super().__init__()
        known = timm.list_models("hrnet_*")
        if variant not in known:
            raise ValueError(f"unknown HRNet variant {variant!r}; known: {', '.join(known)}")
        self.backbone = timm.create_model(
            variant,
            pretrained=False,
            features_only=True,
            feature_location="",
            out_indices=(1, 2, 3, 4),
            in_chans=in_channels,
        )
        channels = sum(self.backbone.feature_info.channels())
        self.head = nn.Sequential(
            nn.Conv2d(channels, channels, 1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, num_classes, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes, H, W) for an input (N, in_channels, H, W)."""
        rows, cols = x.shape[-2:]
        padded = pad_to_multiple(x, 32)
        branches = self.backbone(padded)
        size = branches[0].shape[-2:]
        features = torch.cat(
            [branches[0]]
            + [
                F.interpolate(b, size=size, mode="bilinear", align_corners=False)
                for b in branches[1:]
            ],
            dim=1,
        )
        logits = F.interpolate(
            self.head(features), size=padded.shape[-2:], mode="bilinear", align_corners=False
        )
        return logits[..., :rows, :cols]
