"""The configuration every pixel loss of the package shares."""

from __future__ import annotations

from torch import Tensor, nn

from samcl_loss._checks import REDUCTIONS, check_choice, check_class_weight, check_int

__all__ = ["PixelLoss"]


class PixelLoss(nn.Module):
    """Base of the pixel losses: validates and stores the arguments they all take.

    Args:
        num_classes: number of classes C (at least 1).
        weight: optional per-class weights of shape (C,), kept as a buffer.
        ignore_index: label of unlabeled pixels.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        check_inputs: check label values and finiteness (one device synchronisation).
    """

    weight: Tensor | None

    def __init__(
        self,
        num_classes: int,
        *,
        weight: Tensor | None,
        ignore_index: int,
        reduction: str,
        check_inputs: bool,
    ) -> None:
        super().__init__()
        self.num_classes = check_int("num_classes", num_classes, 1)
        self.ignore_index = check_int("ignore_index", ignore_index, -(2**63))
        check_choice("reduction", reduction, REDUCTIONS)
        self.register_buffer("weight", check_class_weight(weight, self.num_classes))
        self.reduction = reduction
        self.check_inputs = check_inputs
