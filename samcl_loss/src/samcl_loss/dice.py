"""Soft multi-class Dice loss as segmentation_models_pytorch computes it: :func:`dice_loss`
and its module."""

from __future__ import annotations

import torch
from torch import Tensor

from samcl_loss._base import PixelLoss
from samcl_loss._checks import (
    REDUCTIONS,
    check_choice,
    check_real,
    check_shapes,
    check_values,
    clean_logits,
    split_target,
)
from samcl_loss._onehot import one_hot_target

__all__ = ["DiceLoss", "dice_loss"]


def dice_loss(
    logits: Tensor,
    target: Tensor,
    *,
    weight: Tensor | None = None,
    ignore_index: int = 255,
    smooth: float = 0.0,
    eps: float = 1e-7,
    reduction: str = "mean",
    check_inputs: bool = True,
) -> Tensor:
    r"""Soft Dice loss on softmax probabilities over the valid pixels of the batch.

    With :math:`p` the softmax probabilities and :math:`y` the one-hot target, both times
    the valid mask, sums over the batch and the pixels, and :math:`[\cdot]` whether class
    :math:`c` occurs in the valid target:

    .. math::
        \ell_c = \Big(1 - \frac{\sum p_c y_c + s}
        {\max(\tfrac12(\sum p_c + \sum y_c) + s,\ \epsilon)}\Big)\,
        [\textstyle\sum y_c > 0], \qquad
        \text{mean} = \frac{\sum_c w_c \ell_c}{\sum_c w_c}

    Without ``weight`` this is ``smp.losses.DiceLoss(mode="multiclass", smooth=s, eps=eps,
    ignore_index=...)`` of segmentation_models_pytorch 0.6 (its Tversky form with
    alpha = beta = 1/2, so ``s`` counts twice in the usual ``(2I + 2s) / (P + Y + 2s)``;
    older smp releases added ``s`` once): a class absent from the batch counts as 0 and the mean
    runs over all C classes (so a batch with few classes gets a smaller loss).

    Args:
        logits: (N, C, H, W) raw scores.
        target: (N, H, W) integer labels.
        weight: optional (C,) class weights :math:`w` (1 without).
        ignore_index: label of unlabeled pixels; negative labels are ignored too.
        smooth: :math:`s`, added to numerator and denominator of the formula above.
        eps: lower bound :math:`\epsilon` of the denominator.
        reduction: ``"mean"`` (above), ``"sum"`` (:math:`\sum_c w_c\ell_c`) or ``"none"``
            (:math:`w_c \ell_c`, shape (C,)).
        check_inputs: check label values and finiteness (one device synchronisation).
    """
    check_choice("reduction", reduction, REDUCTIONS)
    check_shapes(logits, target)
    num_classes = logits.shape[1]
    valid, safe = split_target(target, num_classes, ignore_index)
    if check_inputs:
        check_values(logits, target, valid, ignore_index)
    dtype = torch.promote_types(logits.dtype, torch.float32)
    probs = clean_logits(logits, valid).to(dtype).softmax(1) * valid.unsqueeze(1)
    onehot = one_hot_target(safe, valid, num_classes, dtype)
    dims = (0, 2, 3)
    intersection = (probs * onehot).sum(dims)
    cardinality = probs.sum(dims) + onehot.sum(dims)
    dice = (intersection + smooth) / (0.5 * cardinality + smooth).clamp_min(eps)
    loss = (1.0 - dice) * (onehot.sum(dims) > 0)
    if weight is not None:
        loss = loss * weight.to(device=loss.device, dtype=dtype)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / (num_classes if weight is None else weight.sum().to(dtype))


class DiceLoss(PixelLoss):
    """Module form of :func:`dice_loss` (see there for the formula and smp's semantics).

    Args:
        num_classes: number of classes C (checked against the logits).
        weight: optional per-class weights (a buffer).
        ignore_index: label of unlabeled pixels.
        smooth: added to numerator and denominator.
        eps: lower bound of the denominator.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per class, (C,)).
        check_inputs: check label values and finiteness (one device synchronisation).
    """

    def __init__(
        self,
        num_classes: int,
        *,
        weight: Tensor | None = None,
        ignore_index: int = 255,
        smooth: float = 0.0,
        eps: float = 1e-7,
        reduction: str = "mean",
        check_inputs: bool = True,
    ) -> None:
        super().__init__(
            num_classes,
            weight=weight,
            ignore_index=ignore_index,
            reduction=reduction,
            check_inputs=check_inputs,
        )
        self.smooth = check_real("smooth", smooth, 0.0)
        self.eps = check_real("eps", eps, 0.0)

    def extra_repr(self) -> str:
        return (
            f"num_classes={self.num_classes}, ignore_index={self.ignore_index}, "
            f"smooth={self.smooth}, eps={self.eps}, reduction={self.reduction!r}"
        )

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """Loss of logits (N, C, H, W) against labels (N, H, W)."""
        check_shapes(logits, target, self.num_classes)
        return dice_loss(
            logits,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            smooth=self.smooth,
            eps=self.eps,
            reduction=self.reduction,
            check_inputs=self.check_inputs,
        )
