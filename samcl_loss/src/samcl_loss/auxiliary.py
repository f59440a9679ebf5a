"""The auxiliary network of SAM-CL: three coarser views of a class map."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm as _spectral_norm

from samcl_loss._checks import check_choice

__all__ = ["AuxiliaryNetwork"]


class _PointwiseConv(nn.Conv2d):
    """Bias-free 1x1 convolution computed as a channel contraction.

    Same parameters and result as ``nn.Conv2d(c, c, 1, bias=False)``; with few channels
    the contraction is memory-bound, and on CPU it runs several times faster than the
    oneDNN convolution (forward and backward).
    """

    def __init__(self, channels: int) -> None:
        super().__init__(channels, channels, 1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return torch.einsum("oc,bchw->bohw", self.weight.flatten(1), x)


def _conv(channels: int, kernel: int, stride: int, spectral: bool) -> nn.Module:
    conv: nn.Conv2d
    if kernel == 1:
        conv = _PointwiseConv(channels)
    else:
        conv = nn.Conv2d(
            channels,
            channels,
            kernel,
            stride=stride,
            padding=kernel // 2,
            bias=False,
            padding_mode="reflect",
        )
    return _spectral_norm(conv) if spectral else conv


def _norm(kind: str, channels: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "sync":
        return nn.SyncBatchNorm(channels)
    return nn.GroupNorm(1, channels)


def _unit(channels: int, kernel: int, stride: int, norm: str, spectral: bool) -> list[nn.Module]:
    return [_conv(channels, kernel, stride, spectral), _norm(norm, channels), nn.ReLU(inplace=True)]


class AuxiliaryNetwork(nn.Module):
    r"""Width-preserving network giving SAM-CL's four scales of a class map.

    Every layer has ``channels`` (= number of classes) channels and no bias; 3x3
    convolutions use reflect padding::

        down block = conv1x1 -> norm -> ReLU -> conv3x3 (stride 2) -> norm -> ReLU
        x1 = down(x0);  x2 = down(x1);  x3 = conv1x1 -> norm -> ReLU (x2)

    The output is ``(x0, x1, x2, x3)``: the input map itself, then sizes
    :math:`\lceil H/2\rceil`, :math:`\lceil H/4\rceil`, :math:`\lceil H/4\rceil`.
    Unlike the reference, the 1x1 convolutions have no padding (the reference pads them
    by 1, which only adds a 2-pixel border computed from zeros at every 1x1 layer); this
    keeps the scales aligned with the down-sampled validity masks of
    :meth:`downsample_mask`. Inputs must be at least 3x3.

    Args:
        channels: number of channels (classes).
        norm: ``"batch"`` (BatchNorm2d), ``"sync"`` (SyncBatchNorm, for DDP) or
            ``"group"`` (GroupNorm with one group, independent of the batch).
        spectral_norm: wrap every convolution in spectral normalisation.
    """

    def __init__(self, channels: int, norm: str = "batch", spectral_norm: bool = False) -> None:
        super().__init__()
        check_choice("norm", norm, ("batch", "group", "sync"))
        self.down1 = nn.Sequential(
            *_unit(channels, 1, 1, norm, spectral_norm), *_unit(channels, 3, 2, norm, spectral_norm)
        )
        self.down2 = nn.Sequential(
            *_unit(channels, 1, 1, norm, spectral_norm), *_unit(channels, 3, 2, norm, spectral_norm)
        )
        self.head = nn.Sequential(*_unit(channels, 1, 1, norm, spectral_norm))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Map (B, C, H, W) to the four scales ``(x0, x1, x2, x3)``."""
        x1 = self.down1(x)
        x2 = self.down2(x1)
        return x, x1, x2, self.head(x2)

    @staticmethod
    def downsample_mask(mask: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Validity mask (B, 1, H, W) at the four scales, in {0, 1}.

        A coarse position is valid when any input pixel under its 3x3 stride-2 window is
        valid (max pooling with the geometry of the strided convolutions).
        """
        m1 = F.max_pool2d(mask, 3, 2, 1)
        m2 = F.max_pool2d(m1, 3, 2, 1)
        return mask, m1, m2, m2
