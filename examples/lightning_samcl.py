"""SAMCLLoss in a Lightning module: the loss is a submodule, so ``self.parameters()``
gives its auxiliary network to the optimizer, Lightning moves it to the device, switches
it to eval mode for validation and wraps it with the model under DDP.

    python -m examples.lightning_samcl [--iters 20] [--seed 0]

Data: synthetic thermal faces with the paper's TiAug preset (``examples.minimal_loop``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence

import lightning as L
import torch
from torch.utils.data import DataLoader, IterableDataset

from examples.minimal_loop import batches
from examples.models import UNet
from samcl_loss import SAMCLLoss

__all__ = ["FaceBatches", "SAMCLSegmenter", "main", "train"]

Batch = tuple[torch.Tensor, torch.Tensor]


class FaceBatches(IterableDataset[Batch]):
    """Endless augmented batches (use with ``DataLoader(..., batch_size=None)``)."""

    def __init__(self, size: tuple[int, int], batch: int, seed: int) -> None:
        self.size, self.batch, self.seed = size, batch, seed

    def __iter__(self) -> Iterator[Batch]:
        return batches(self.size, self.batch, self.seed)


class SAMCLSegmenter(L.LightningModule):
    """A small U-Net trained with SAMCLLoss (RMI base); logs every term of the loss."""

    def __init__(self, num_classes: int = 6, lr: float = 0.01, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.model = UNet(num_classes=num_classes, in_channels=1, base_width=8)
        self.criterion = SAMCLLoss(num_classes, generator=torch.Generator().manual_seed(seed))
        self.lr = lr

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.model(images)

    def training_step(self, batch: Batch, batch_idx: int) -> dict[str, torch.Tensor]:
        images, targets = batch
        terms = self.criterion(self(images), targets, return_terms=True)
        self.log_dict({f"train/{k}": v for k, v in terms.detached().items()})
        return terms  # a mapping with "loss": Lightning backpropagates that one

    def validation_step(self, batch: Batch, batch_idx: int) -> None:
        images, targets = batch  # eval mode: batch-norm statistics are left alone
        self.log("val/loss", self.criterion(self(images), targets))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        # self.parameters() includes self.criterion's: the auxiliary network trains too.
        return torch.optim.SGD(self.parameters(), lr=self.lr, momentum=0.9, weight_decay=5e-4)


def train(
    iters: int = 20,
    size: tuple[int, int] = (64, 80),
    batch: int = 4,
    seed: int = 0,
    module: L.LightningModule | None = None,
) -> tuple[L.LightningModule, dict[str, float]]:
    """Train ``module`` (a new :class:`SAMCLSegmenter` by default) for ``iters`` steps on
    CPU; returns it and the last logged metrics."""
    module = SAMCLSegmenter(seed=seed) if module is None else module
    trainer = L.Trainer(
        max_steps=iters,
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        val_check_interval=iters,
        limit_val_batches=1,
    )
    loader = DataLoader(FaceBatches(size, batch, seed), batch_size=None)
    val_loader = DataLoader(FaceBatches(size, batch, seed + 1), batch_size=None)
    trainer.fit(module, train_dataloaders=loader, val_dataloaders=val_loader)
    return module, {k: float(v) for k, v in trainer.logged_metrics.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: prints the last logged terms."""
    parser = argparse.ArgumentParser(prog="python -m examples.lightning_samcl", description=__doc__)
    parser.add_argument("--iters", type=int, default=20, help="training steps")
    parser.add_argument("--seed", type=int, default=0, help="seed of data, model and loss")
    args = parser.parse_args(argv)
    _, metrics = train(args.iters, seed=args.seed)
    for name, value in sorted(metrics.items()):
        print(f"{name}: {value:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
