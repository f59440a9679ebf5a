"""Input validation shared by the losses of this package."""

from __future__ import annotations

import torch
from torch import Tensor

try:
    from torch.compiler import is_compiling
except ImportError:  # torch < 2.3
    from torch._dynamo import is_compiling

__all__ = ["check_choice", "check_inputs", "is_compiling", "split_target"]


def _shape(x: Tensor) -> tuple[int, ...]:
    return tuple(x.shape)


def check_choice(name: str, value: object, choices: tuple[object, ...]) -> None:
    """Raise a ValueError when ``value`` is not one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


def check_inputs(logits: Tensor, target: Tensor, num_classes: int, ignore_index: int) -> None:
    """Validate a (logits, target) pair for a segmentation loss.

    Shape and dtype checks cost nothing. The value check (a class index >= ``num_classes``
    that is not ``ignore_index``) reduces the target to one boolean and reads it on the host:
    one device synchronisation per call. It is skipped while ``torch.compile`` traces, where
    such pixels are then silently treated as ignored.

    Args:
        logits: raw scores, shape (N, C, H, W), floating point.
        target: class indices, shape (N, H, W), integer dtype.
        num_classes: the expected C.
        ignore_index: label value that marks unlabeled pixels.

    Raises:
        ValueError: naming the offending shape, dtype or value.
    """
    if not isinstance(logits, Tensor) or not isinstance(target, Tensor):
        raise ValueError(
            f"logits and target must be tensors, got {type(logits).__name__} "
            f"and {type(target).__name__}"
        )
    if logits.dim() != 4:
        raise ValueError(f"logits must be 4-D (N, C, H, W), got shape {_shape(logits)}")
    if not logits.is_floating_point():
        raise ValueError(f"logits must be floating point, got dtype {logits.dtype}")
    n, c, h, w = logits.shape
    if c != num_classes:
        raise ValueError(
            f"logits must have num_classes={num_classes} channels (dim 1), "
            f"got shape {_shape(logits)}"
        )
    if _shape(target) != (n, h, w):
        raise ValueError(
            f"target must have shape (N, H, W) = {(n, h, w)} to match logits of shape "
            f"{_shape(logits)}, got shape {_shape(target)}"
        )
    if target.is_floating_point() or target.is_complex() or target.dtype == torch.bool:
        raise ValueError(
            f"target must hold integer class indices (int64), got dtype {target.dtype}"
        )
    if target.device != logits.device:
        raise ValueError(
            f"logits and target must be on the same device, got {logits.device} and {target.device}"
        )
    if is_compiling() or target.numel() == 0:
        return
    bad = (target >= num_classes) & (target != ignore_index)
    if bool(bad.any()):
        value = int(target[bad].max())
        raise ValueError(
            f"target contains value {value} >= num_classes={num_classes} that is not "
            f"ignore_index={ignore_index}"
        )


def split_target(target: Tensor, num_classes: int, ignore_index: int) -> tuple[Tensor, Tensor]:
    """Split a label map into a validity mask and labels that are safe to index with.

    A pixel is valid when ``0 <= target < num_classes`` and ``target != ignore_index``;
    invalid pixels get label 0 in the safe map (and must be masked by the caller). The
    input is not modified.

    Returns:
        ``(valid, safe)``: a bool tensor and an int64 tensor, both of the target's shape.
    """
    target = target.long()
    valid = (target >= 0) & (target < num_classes) & (target != ignore_index)
    return valid, torch.where(valid, target, torch.zeros_like(target))
