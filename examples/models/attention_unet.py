"""Attention U-Net (Oktay et al., 2018): the U-Net with additive attention gates on the skips."""

from __future__ import annotations

import torch
from torch import nn

from examples.models.unet import UNet

__all__ = ["AttentionGate", "AttentionUNet"]


class AttentionGate(nn.Module):
    """Additive attention gate: ``skip * sigmoid(psi(relu(W_x skip + W_g gate)))``.

    The gating signal is the decoder's upsampled features, at the skip's resolution.

    Args:
        skip_channels: channels of the skip connection.
        gate_channels: channels of the gating signal.
        inter_channels: channels of the intermediate space (F_int).
    """

    def __init__(self, skip_channels: int, gate_channels: int, inter_channels: int) -> None:
        super().__init__()
        self.skip_proj = nn.Sequential(
            nn.Conv2d(skip_channels, inter_channels, 1, bias=False),
            nn.BatchNorm2d(inter_channels),
        )
        self.gate_proj = nn.Sequential(
            nn.Conv2d(gate_channels, inter_channels, 1, bias=False),
            nn.BatchNorm2d(inter_channels),
        )
        self.psi = nn.Sequential(
            nn.ReLU(inplace=True),
            nn.Conv2d(inter_channels, 1, 1, bias=False),
            nn.BatchNorm2d(1),
            nn.Sigmoid(),
        )

    def forward(self, skip: torch.Tensor, gate: torch.Tensor) -> torch.Tensor:
        """The skip features weighted by the attention coefficients (N, 1, H, W)."""
        return skip * self.psi(self.skip_proj(skip) + self.gate_proj(gate))


class AttentionUNet(UNet):
    """U-Net whose skip connections pass through additive attention gates (F_int = C / 2).

    Args:
        num_classes: output channels (logits).
        in_channels: input channels (1 for thermal images).
        base_width: channels of the first level (64 = the paper's 64..1024).
    """

    def __init__(self, num_classes: int = 6, in_channels: int = 1, base_width: int = 64) -> None:
        super().__init__(num_classes, in_channels, base_width)
        widths = [base_width * 2**i for i in reversed(range(self.depth))]
        self.gates = nn.ModuleList(AttentionGate(w, w, max(w // 2, 1)) for w in widths)

    def merge(self, level: int, skip: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
        """Concatenate the gated skip connection with the upsampled decoder features."""
        return torch.cat([self.gates[level](skip, up), up], dim=1)
