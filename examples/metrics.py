"""Segmentation metrics: one confusion matrix over a whole set, per-class IoU and mIoU."""

from __future__ import annotations

import torch
import torch.distributed as dist

__all__ = ["ConfusionMatrix", "all_background_miou", "iou_per_class", "mean_iou"]


def iou_per_class(matrix: torch.Tensor) -> torch.Tensor:
    """Per-class IoU = TP / (TP + FP + FN) of a confusion matrix (rows: truth, cols: prediction).

    A class absent from both the labels and the predictions has IoU NaN.
    """
    matrix = matrix.double()
    true_positive = matrix.diagonal()
    union = matrix.sum(0) + matrix.sum(1) - true_positive
    return torch.where(union > 0, true_positive / union.clamp_min(1), torch.nan)


def mean_iou(matrix: torch.Tensor) -> float:
    """Mean of :func:`iou_per_class` over the classes that occur (background included)."""
    iou = iou_per_class(matrix)
    return float(iou.nanmean()) if bool(iou.isfinite().any()) else float("nan")


def all_background_miou(matrix: torch.Tensor) -> float:
    """mIoU that predicting background (class 0) everywhere would get on the same labels.

    The reference point of a trained model: background IoU is its pixel fraction, every
    other class present in the labels has IoU 0 (so the value is that fraction / C when all
    C classes occur).
    """
    baseline = torch.zeros_like(matrix)
    baseline[:, 0] = matrix.sum(1)
    return mean_iou(baseline)


class ConfusionMatrix:
    """A (C, C) confusion matrix accumulated on the labels' device with ``bincount``.

    Pixels labelled ``ignore_index`` (or any label outside 0..C-1) are skipped.

    Args:
        num_classes: C.
        ignore_index: label of unlabelled pixels.
        device: where the counts live.
    """

    def __init__(
        self, num_classes: int, ignore_index: int = 255, device: torch.device | str = "cpu"
    ) -> None:
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.matrix = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=device)

    def update(self, prediction: torch.Tensor, target: torch.Tensor) -> None:
        """Add a batch: ``prediction`` and ``target`` are integer label maps of one shape."""
        if prediction.shape != target.shape:
            raise ValueError(
                f"prediction shape {tuple(prediction.shape)} differs from target shape "
                f"{tuple(target.shape)}"
            )
        target = target.to(self.matrix.device, torch.int64).flatten()
        prediction = prediction.to(self.matrix.device, torch.int64).flatten()
        valid = (target >= 0) & (target < self.num_classes) & (target != self.ignore_index)
        index = target[valid] * self.num_classes + prediction[valid]
        counts = torch.bincount(index, minlength=self.num_classes**2)
        self.matrix += counts.reshape(self.num_classes, self.num_classes)

    def all_reduce(self) -> None:
        """Sum the counts of every rank (no-op outside a distributed run)."""
        if dist.is_available() and dist.is_initialized():
            dist.all_reduce(self.matrix)

    def iou(self) -> torch.Tensor:
        """Per-class IoU (float64, NaN for classes that never occur)."""
        return iou_per_class(self.matrix)

    def miou(self) -> float:
        """Mean IoU over the classes that occur."""
        return mean_iou(self.matrix)

    def pixel_accuracy(self) -> float:
        """Fraction of labelled pixels predicted correctly."""
        total = int(self.matrix.sum())
        return float(self.matrix.diagonal().sum()) / total if total else float("nan")
