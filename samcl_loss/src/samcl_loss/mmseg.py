"""SAMCLLoss with MMSegmentation's loss interface (no mmseg import needed).

Register it once and name it in a decode head's ``loss_decode``::

    from mmseg.registry import MODELS
    from samcl_loss.mmseg import MMSegSAMCLLoss

    MODELS.register_module(module=MMSegSAMCLLoss)
    loss_decode = dict(type="MMSegSAMCLLoss", num_classes=6, loss_weight=1.0)
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from samcl_loss.samcl import SAMCLLoss

__all__ = ["MMSegSAMCLLoss"]


class MMSegSAMCLLoss(nn.Module):
    """:class:`~samcl_loss.SAMCLLoss` called as MMSegmentation calls its losses.

    A decode head calls ``loss(seg_logits, seg_label, weight=seg_weight,
    ignore_index=...)`` and stores the scalar under :attr:`loss_name`; the loss is a
    submodule of the head, so the auxiliary network's parameters reach the optimizer
    with the model's.

    Args:
        num_classes: number of classes C.
        loss_weight: factor on the loss.
        loss_name: the key of the loss dict; it must contain ``"loss"`` for MMSegmentation
            to backpropagate it.
        **kwargs: the other arguments of :class:`~samcl_loss.SAMCLLoss` (``ignore_index``
            and ``reduction="mean"`` among them).
    """

    def __init__(
        self,
        num_classes: int,
        *,
        loss_weight: float = 1.0,
        loss_name: str = "loss_samcl",
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if "loss" not in loss_name:
            raise ValueError(
                f"loss_name must contain 'loss' to be backpropagated, got {loss_name!r}"
            )
        self.criterion = SAMCLLoss(num_classes, **kwargs)
        if self.criterion.reduction != "mean":
            raise ValueError("MMSegSAMCLLoss needs reduction='mean' (a scalar per call)")
        self.loss_weight = float(loss_weight)
        self._loss_name = loss_name

    @property
    def loss_name(self) -> str:
        """Key of this loss in MMSegmentation's loss dict."""
        return self._loss_name

    def forward(
        self,
        cls_score: Tensor,
        label: Tensor,
        *,
        weight: Tensor | None = None,
        ignore_index: int | None = None,
        avg_factor: float | None = None,
        reduction_override: str | None = None,
    ) -> Tensor:
        """``loss_weight * SAMCLLoss(cls_score, label)``.

        Args:
            cls_score: (N, C, H, W) logits at the label's size.
            label: (N, H, W) labels.
            weight: optional per-pixel weights (N, H, W), as MMSegmentation's pixel
                samplers give them (0 or 1): pixels of weight 0 are ignored, the others
                count fully (SAM-CL's distances are per-sample means, not weighted sums).
            ignore_index: the head's ignore label; mapped onto the loss's own.
            avg_factor: not supported (the loss is not a sum over pixels): must be None.
            reduction_override: None or ``"mean"``.
        """
        if avg_factor is not None:
            raise ValueError("MMSegSAMCLLoss does not take avg_factor (a per-sample mean loss)")
        if reduction_override not in (None, "mean"):
            raise ValueError(f"MMSegSAMCLLoss reduces by 'mean' only, got {reduction_override!r}")
        own = self.criterion.ignore_index
        if ignore_index is not None and ignore_index != own:
            label = label.masked_fill(label == ignore_index, own)
        if weight is not None:
            if weight.shape != label.shape:
                raise ValueError(
                    f"weight must have the label's shape {tuple(label.shape)}, "
                    f"got {tuple(weight.shape)}"
                )
            label = label.masked_fill(weight == 0, own)
        loss = self.criterion(cls_score, label)
        assert isinstance(loss, Tensor)  # not return_terms
        return self.loss_weight * loss
