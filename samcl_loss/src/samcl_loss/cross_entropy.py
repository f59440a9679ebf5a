"""Cross-entropy over the valid pixels: :func:`masked_cross_entropy` and its module."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from samcl_loss._base import PixelLoss
from samcl_loss._checks import (
    REDUCTIONS,
    check_choice,
    check_shapes,
    check_values,
    clean_logits,
    split_target,
)

__all__ = ["MaskedCrossEntropyLoss", "masked_cross_entropy", "weighted_pixel_cross_entropy"]


def masked_cross_entropy(
    logits: Tensor,
    target: Tensor,
    *,
    weight: Tensor | None = None,
    ignore_index: int = 255,
    reduction: str = "mean",
    check_inputs: bool = True,
) -> Tensor:
    r"""Cross-entropy of logits (N, C, H, W) against labels (N, H, W), over valid pixels.

    With :math:`v_p` the valid mask (``0 <= y_p < C``, ``y_p != ignore_index``) and
    :math:`w` the class weights (1 without ``weight``):

    .. math::
        \ell_p = v_p\, w_{y_p} \big(-\log \mathrm{softmax}(x_p)_{y_p}\big), \qquad
        \text{mean} = \frac{\sum_p \ell_p}{\sum_p v_p w_{y_p}}

    as ``F.cross_entropy(..., weight=weight, ignore_index=ignore_index)``, except that a
    batch without a valid pixel gives 0 (not NaN), negative labels are ignored too and
    non-finite logits at ignored pixels reach neither the value nor the gradient.
    Computed in float32 (float64 for float64 logits).

    Args:
        logits: (N, C, H, W) raw scores.
        target: (N, H, W) integer labels.
        weight: optional (C,) class weights.
        ignore_index: label of unlabeled pixels.
        reduction: ``"mean"`` (above), ``"sum"`` or ``"none"`` (:math:`\ell`, (N, H, W)).
        check_inputs: check the label values and that logits are finite at valid pixels
            (one host-device synchronisation); shapes are always checked.
    """
    check_choice("reduction", reduction, REDUCTIONS)
    ce, pixel_weight = weighted_pixel_cross_entropy(
        logits, target, weight=weight, ignore_index=ignore_index, check_inputs=check_inputs
    )
    if reduction == "none":
        return ce
    if reduction == "sum":
        return ce.sum()
    total = pixel_weight.sum()
    return torch.where(total > 0, ce.sum() / total.clamp_min(1e-12), torch.zeros_like(total))


def weighted_pixel_cross_entropy(
    logits: Tensor,
    target: Tensor,
    *,
    weight: Tensor | None = None,
    ignore_index: int = 255,
    check_inputs: bool = True,
) -> tuple[Tensor, Tensor]:
    r"""Per-pixel :math:`\ell_p` of :func:`masked_cross_entropy` and the pixel weights
    :math:`v_p w_{y_p}` it is normalised by (both (N, H, W), 0 at ignored pixels)."""
    check_shapes(logits, target)
    valid, safe = split_target(target, logits.shape[1], ignore_index)
    if check_inputs:
        check_values(logits, target, valid, ignore_index)
    scores = clean_logits(logits, valid).to(torch.promote_types(logits.dtype, torch.float32))
    if weight is not None:
        weight = weight.to(device=scores.device, dtype=scores.dtype)
    ce = F.cross_entropy(scores, safe, weight=weight, reduction="none")
    ce = torch.where(valid, ce, torch.zeros_like(ce))
    pixel_weight = valid.to(ce.dtype) if weight is None else weight[safe] * valid
    return ce, pixel_weight


class MaskedCrossEntropyLoss(PixelLoss):
    """Module form of :func:`masked_cross_entropy` (see there for the formula).

    Args:
        num_classes: number of classes C (checked against the logits).
        weight: optional per-class weights, C finite values >= 0, like
            ``nn.CrossEntropyLoss``'s (a buffer: it follows ``.to(device)``).
        ignore_index: label of unlabeled pixels; negative labels are ignored as well.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (per pixel, (N, H, W)).
        check_inputs: check label values and finiteness (one device synchronisation).
    """

    def __init__(
        self,
        num_classes: int,
        *,
        weight: Tensor | None = None,
        ignore_index: int = 255,
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

    def extra_repr(self) -> str:
        return (
            f"num_classes={self.num_classes}, ignore_index={self.ignore_index}, "
            f"reduction={self.reduction!r}"
        )

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """Loss of logits (N, C, H, W) against labels (N, H, W)."""
        check_shapes(logits, target, self.num_classes)
        return masked_cross_entropy(
            logits,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            check_inputs=self.check_inputs,
        )
