"""Pixel losses usable as SAM-CL's base loss: masked cross-entropy and soft Dice."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from samcl_loss._checks import check_inputs, split_target
from samcl_loss.rmi import one_hot_target

__all__ = ["DiceLoss", "MaskedCrossEntropyLoss"]


class MaskedCrossEntropyLoss(nn.Module):
    r"""Cross-entropy averaged over the valid pixels of the batch.

    .. math::
        \mathcal{L} = \frac{\sum_p v_p\,(-\log \mathrm{softmax}(x_p)_{y_p})}{\max(1, \sum_p v_p)}

    Unlike ``nn.CrossEntropyLoss(ignore_index=...)`` it gives 0 (not NaN) when every pixel
    is ignored, and it also ignores negative labels. Computed in float32 (float64 for
    float64 logits).

    Args:
        num_classes: number of classes C.
        ignore_index: label of unlabeled pixels.
    """

    def __init__(self, num_classes: int, ignore_index: int = 255) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """Loss for logits (N, C, H, W) and target (N, H, W); a scalar."""
        check_inputs(logits, target, self.num_classes, self.ignore_index)
        valid, safe = split_target(target, self.num_classes, self.ignore_index)
        return self.masked_loss(logits, safe, valid)

    def masked_loss(self, logits: Tensor, safe: Tensor, valid: Tensor) -> Tensor:
        """The loss from validated inputs: ``safe`` labels (0 where invalid) and ``valid``."""
        scores = logits.to(torch.promote_types(logits.dtype, torch.float32))
        ce = F.cross_entropy(scores, safe, reduction="none")
        ce = torch.where(valid, ce, torch.zeros_like(ce))
        return ce.sum() / valid.sum().clamp_min(1)


class DiceLoss(nn.Module):
    r"""Soft multi-class Dice loss on softmax probabilities, over the valid pixels.

    With :math:`p` the softmax probabilities and :math:`y` the one-hot target, both times
    the valid mask, and sums over the batch and the pixels:

    .. math::
        \mathcal{L} = \frac{1}{|K|}\sum_{c \in K}
        \Big(1 - \frac{2\sum p_c y_c + s}{\max(\sum p_c + \sum y_c + s,\ \epsilon)}\Big)

    where :math:`K` is the set of classes present in the (valid) target; 0 when none is.

    Args:
        num_classes: number of classes C.
        ignore_index: label of unlabeled pixels.
        smooth: :math:`s`, added to numerator and denominator.
        eps: lower bound :math:`\epsilon` of the denominator.
    """

    def __init__(
        self, num_classes: int, ignore_index: int = 255, smooth: float = 0.0, eps: float = 1e-7
    ) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.smooth = smooth
        self.eps = eps

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """Loss for logits (N, C, H, W) and target (N, H, W); a scalar."""
        check_inputs(logits, target, self.num_classes, self.ignore_index)
        valid, safe = split_target(target, self.num_classes, self.ignore_index)
        return self.masked_loss(logits, safe, valid)

    def masked_loss(self, logits: Tensor, safe: Tensor, valid: Tensor) -> Tensor:
        """The loss from validated inputs: ``safe`` labels (0 where invalid) and ``valid``."""
        dtype = torch.promote_types(logits.dtype, torch.float32)
        probs = logits.to(dtype).softmax(1) * valid.unsqueeze(1)
        onehot = one_hot_target(safe, valid, self.num_classes, dtype)
        dims = (0, 2, 3)
        intersection = (probs * onehot).sum(dims)
        cardinality = probs.sum(dims) + onehot.sum(dims)
        dice = (2.0 * intersection + self.smooth) / (cardinality + self.smooth).clamp_min(self.eps)
        present = onehot.sum(dims) > 0
        loss = torch.where(present, 1.0 - dice, torch.zeros_like(dice)).sum()
        return loss / present.sum().clamp_min(1)
