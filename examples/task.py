"""What a run trains: the network and its loss in one module, and the optimiser."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from examples.config import IGNORE_INDEX, NUM_CLASSES, TrainConfig
from samcl_loss import RMILoss, SAMCLLoss

__all__ = ["RMIWithCrossEntropy", "SegmentationTask", "build_criterion", "build_optimizer"]


class RMIWithCrossEntropy(nn.Module):
    """RMI + ``weight`` x cross-entropy: extra pixel supervision without contrast (a control)."""

    def __init__(self, weight: float = 0.5) -> None:
        super().__init__()
        self.weight = weight
        self.rmi = RMILoss(NUM_CLASSES, ignore_index=IGNORE_INDEX)
        self.ce = nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The loss of logits (N, C, H, W) against labels (N, H, W)."""
        return self.rmi(logits, target) + self.weight * self.ce(logits, target)


def build_criterion(config: TrainConfig, generator: torch.Generator | None = None) -> nn.Module:
    """The loss of ``config.loss``: RMI, SAMCLLoss on RMI, cross-entropy or RMI + CE."""
    if config.loss == "ce":
        return nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)
    if config.loss == "rmi":
        return RMILoss(NUM_CLASSES, ignore_index=IGNORE_INDEX)
    if config.loss == "rmi_ce":
        return RMIWithCrossEntropy(config.ce_weight)
    return SAMCLLoss(
        NUM_CLASSES,
        base_loss="rmi",
        contrastive_weight=config.contrastive_weight,
        margin=config.samcl_margin,
        negatives=config.samcl_negatives,
        prediction=config.samcl_prediction,
        ignore_index=IGNORE_INDEX,
        generator=generator,
    )


def build_optimizer(
    config: TrainConfig, parameters: Iterable[nn.Parameter]
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """The optimiser and per-iteration schedule of ``config``.

    SGD (momentum, weight decay) or AdamW (decoupled weight decay), with poly decay from
    ``lr`` (power ``poly_power``) or a one-cycle schedule peaking at ``lr`` (30 % warm-up,
    then cosine decay) over ``iters`` iterations.
    """
    optimizer: torch.optim.Optimizer
    if config.optimizer == "adamw":
        optimizer = torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay)
    else:
        optimizer = torch.optim.SGD(
            parameters, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay
        )
    if config.schedule == "onecycle":
        return optimizer, torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=config.lr, total_steps=config.iters
        )
    return optimizer, torch.optim.lr_scheduler.PolynomialLR(
        optimizer, total_iters=config.iters, power=config.poly_power
    )


class SegmentationTask(nn.Module):
    """The network and its loss in one module (one DDP wrapper covers both).

    The network runs under autocast when ``autocast_dtype`` is set; the loss is always
    computed in float32 on the logits.

    Returns ``(loss, terms)`` where ``terms`` holds detached parts of the loss (SAMCLLoss:
    ``base``, ``contrastive`` and ``scale0`` .. ``scale3``).
    """

    def __init__(
        self,
        model: nn.Module,
        criterion: nn.Module,
        autocast_dtype: torch.dtype | None = None,
        channels_last: bool = False,
    ) -> None:
        super().__init__()
        self.model = model
        self.criterion = criterion
        self.autocast_dtype = autocast_dtype
        self.channels_last = channels_last

    def forward(
        self, image: torch.Tensor, target: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Loss of the network's prediction for ``image`` against labels ``target`` (any integer
        type: uint8 from the loaders, made int64 here, on the device)."""
        target = target.long()
        if self.channels_last:
            image = image.contiguous(memory_format=torch.channels_last)
        with torch.autocast(
            image.device.type,
            dtype=self.autocast_dtype or torch.float32,
            enabled=self.autocast_dtype is not None,
        ):
            logits = self.model(image)
        logits = logits.float()
        if not isinstance(self.criterion, SAMCLLoss):
            return self.criterion(logits, target), {}
        terms = self.criterion(logits, target, return_terms=True)
        parts = {"base": terms.base.detach(), "contrastive": terms.contrastive.detach()}
        parts.update({f"scale{i}": s.detach() for i, s in enumerate(terms.scales)})
        return terms.total, parts
