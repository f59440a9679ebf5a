"""One-hot label maps shared by the losses."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["one_hot_target"]


def one_hot_target(safe: Tensor, valid: Tensor, num_classes: int, dtype: torch.dtype) -> Tensor:
    """One-hot (N, C, H, W) map of ``safe`` labels (N, H, W), zero at invalid pixels."""
    n, h, w = safe.shape
    out = torch.zeros(n, num_classes, h, w, dtype=dtype, device=safe.device)
    return out.scatter_(1, safe.unsqueeze(1), valid.unsqueeze(1).to(dtype))
