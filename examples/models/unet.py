"""U-Net (Ronneberger et al., 2015) with batch norm, as run in the paper: widths 64..1024."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from samcl_loss import PointwiseConv2d

__all__ = ["DoubleConv", "UNet", "pad_to_multiple"]


class DoubleConv(nn.Sequential):
    """Two 3x3 conv-BN-ReLU layers (same padding)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(
            nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )


def pad_to_multiple(x: torch.Tensor, multiple: int) -> torch.Tensor:
    """Zero-pad the bottom and right of an (N, C, H, W) tensor to multiples of ``multiple``.

    Zero is the middle of the [-1, 1] input range, like TiAug's padding.
    """
    rows, cols = x.shape[-2:]
    pad_rows, pad_cols = -rows % multiple, -cols % multiple
    if pad_rows or pad_cols:
        x = F.pad(x, (0, pad_cols, 0, pad_rows))
    return x


class UNet(nn.Module):
    """U-Net: four 2x down steps (max-pool), four transposed-conv up steps, skip concatenation.

    Inputs of any size are padded to a multiple of 16 and the logits cropped back, so the
    output always has the input's height and width.

    Args:
        num_classes: output channels (logits).
        in_channels: input channels (1 for thermal images).
        base_width: channels of the first level; level i has ``base_width * 2**i``
            (64 = the paper's 64..1024).
    """

    depth = 4

    def __init__(self, num_classes: int = 6, in_channels: int = 1, base_width: int = 64) -> None:
        super().__init__()
        if base_width < 1:
            raise ValueError(f"base_width must be >= 1, got {base_width}")
        widths = [base_width * 2**i for i in range(self.depth + 1)]
        self.encoders = nn.ModuleList([DoubleConv(in_channels, widths[0])])
        self.encoders.extend(DoubleConv(widths[i], widths[i + 1]) for i in range(self.depth))
        self.ups = nn.ModuleList(
            nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2)
            for i in reversed(range(self.depth))
        )
        self.decoders = nn.ModuleList(
            DoubleConv(2 * widths[i], widths[i]) for i in reversed(range(self.depth))
        )
        self.head = PointwiseConv2d(widths[0], num_classes, bias=True)

    def merge(self, level: int, skip: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
        """Combine a skip connection with the upsampled decoder features (concatenation)."""
        return torch.cat([skip, up], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes, H, W) for an input (N, in_channels, H, W)."""
        rows, cols = x.shape[-2:]
        x = pad_to_multiple(x, 2**self.depth)
        skips = []
        for i, encoder in enumerate(self.encoders):
            x = encoder(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        x = skips.pop()
        for level, (up, decoder) in enumerate(zip(self.ups, self.decoders, strict=True)):
            x = decoder(self.merge(level, skips.pop(), up(x)))
        return self.head(x)[..., :rows, :cols]
