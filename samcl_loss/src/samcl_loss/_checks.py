"""Validation shared by the losses of this package: constructor arguments and inputs."""

from __future__ import annotations

import math
import numbers

import torch
from torch import Tensor

try:
    from torch.compiler import is_compiling
except ImportError:  # torch < 2.3
    from torch._dynamo import is_compiling

__all__ = [
    "check_choice",
    "check_class_weight",
    "check_input_size",
    "check_int",
    "check_real",
    "check_shapes",
    "check_values",
    "clean_logits",
    "is_compiling",
    "min_input_size",
    "split_target",
]

REDUCTIONS = ("mean", "sum", "none")


def _shape(x: Tensor) -> tuple[int, ...]:
    return tuple(x.shape)


def check_choice(name: str, value: object, choices: tuple[object, ...]) -> None:
    """Raise a ValueError when ``value`` is not one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


def check_int(name: str, value: object, minimum: int) -> int:
    """``value`` as an int; a ValueError unless it is an integer (not a bool) >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_real(name: str, value: object, minimum: float = -math.inf) -> float:
    """``value`` as a float; a ValueError unless it is a finite real number >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return float(value)


def _region_positions(radius: int) -> int:
    r"""Least region positions per side of the pooled map: :math:`k > \sqrt 2\,R`."""
    return math.isqrt(2 * radius**2) + 1


def min_input_size(*, radius: int = 3, pool_size: int = 3, pool_stride: int = 3) -> int:
    r"""Smallest H and W that :class:`RMILoss` and :class:`SAMCLLoss` accept: 19 by default.

    After pooling (kernel ``pool_size``, stride ``pool_stride``, padding
    ``(pool_size - 1) // 2``) each side must hold :math:`k > \sqrt 2\,R` positions of the
    :math:`R \times R` regions, so that a map has :math:`M = k^2 > 2R^2` regions: random
    logits explain about :math:`R^2/(M-1)` of the target's region variance by chance, at
    most half at the minimum. Measured with the defaults (random and face-like labels,
    logits ``3 * randn``), random logits explain 44-48 % at 19x19 (7x7 pooled, 25 regions),
    78 % at 16x16, 12 % at 32x32 and 0.8 % at 96x120: near the minimum the RMI term tells a
    prediction from noise only weakly; at 9x9 and below (one region) it is a constant.
    """
    pooled = _region_positions(radius) + radius - 1
    return (pooled - 1) * pool_stride + pool_size - 2 * ((pool_size - 1) // 2)


def check_input_size(
    loss: str,
    height: int,
    width: int,
    *,
    radius: int = 3,
    pool_size: int = 3,
    pool_stride: int = 3,
) -> None:
    """Raise a ValueError naming ``loss`` when H or W is below :func:`min_input_size`."""
    minimum = min_input_size(radius=radius, pool_size=pool_size, pool_stride=pool_stride)
    if min(height, width) < minimum:
        k = _region_positions(radius)
        raise ValueError(
            f"input of size {height}x{width} is too small for {loss}: H and W must be >= "
            f"{minimum} (radius={radius}, pool_size={pool_size}, pool_stride={pool_stride}: "
            f"at least {k}x{k} regions after pooling; with fewer, random logits explain over "
            "half of the target's region variance by chance)"
        )


def check_class_weight(weight: object, num_classes: int) -> Tensor | None:
    """Per-class weights as a float tensor of shape (C,), or ``None``; a ValueError if bad.

    Checked on the host once, at construction: C finite, non-negative values, not all 0.
    """
    if weight is None:
        return None
    try:
        values = torch.as_tensor(weight, dtype=torch.float32, device="cpu")
    except (TypeError, ValueError, RuntimeError):
        message = f"weight must be a sequence of {num_classes} numbers, got {weight!r}"
        raise ValueError(message) from None
    if values.shape != (num_classes,):
        raise ValueError(
            f"weight must have shape ({num_classes},) (one per class), got {_shape(values)}"
        )
    if not bool(torch.isfinite(values).all()) or bool((values < 0).any()):
        raise ValueError(f"weight must be finite and >= 0, got {values.tolist()}")
    if not bool((values > 0).any()):
        raise ValueError("weight must have a positive value for at least one class")
    return values


def check_shapes(logits: Tensor, target: Tensor, num_classes: int | None = None) -> None:
    """Validate the shapes, dtypes and devices of a (logits, target) pair (no device sync).

    Raises:
        ValueError: naming the offending shape, dtype or device.
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
    if logits.numel() == 0:
        raise ValueError(f"logits must not be empty, got shape {_shape(logits)}")
    if num_classes is not None and c != num_classes:
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


def check_values(logits: Tensor, target: Tensor, valid: Tensor, ignore_index: int) -> None:
    """Raise a ValueError for labels >= C that are not ``ignore_index``, or for non-finite
    logits at valid pixels.

    Both conditions are reduced on the device and read on the host together: one
    synchronisation per call. Skipped while ``torch.compile`` traces.
    """
    if is_compiling() or target.numel() == 0:
        return
    num_classes = logits.shape[1]
    bad_label = (target >= num_classes) & (target != ignore_index)
    bad_logit = ~torch.isfinite(logits).all(1) & valid
    flags = torch.stack([bad_label.any(), bad_logit.any()]).tolist()
    if flags[0]:
        raise ValueError(
            f"target contains value {int(target[bad_label].max())} >= num_classes={num_classes} "
            f"that is not ignore_index={ignore_index}"
        )
    if flags[1]:
        raise ValueError(
            f"logits are not finite at {int(bad_logit.sum())} valid pixel(s) "
            "(non-finite logits at ignored pixels are fine)"
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


def clean_logits(logits: Tensor, valid: Tensor) -> Tensor:
    """``logits`` with 0 at invalid pixels: whatever they hold there (NaN, inf) cannot
    reach a value or a gradient (``torch.where`` sends no gradient to the other branch)."""
    return torch.where(valid.unsqueeze(1), logits, 0.0)
