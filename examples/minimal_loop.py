"""tiaug + SAMCLLoss in a plain PyTorch loop: the README's snippet, runnable.

    python -m examples.minimal_loop [--iters 20] [--seed 0]

Synthetic thermal faces are augmented with the "wild" TiAug preset, min-max scaled to
[-1, 1] (as in training) and fed to a small U-Net trained with SAMCLLoss; the loss owns an
auxiliary network, so its parameters go to the optimizer too. ``examples.train`` is the
full trainer (four networks, AMP, DDP, resume, validation).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence

import numpy as np
import torch

import tiaug
from examples.data import minmax_normalize
from examples.models import UNet
from samcl_loss import SAMCLLoss

__all__ = ["batches", "main", "train_loop"]


def batches(
    size: tuple[int, int], batch: int, seed: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless augmented batches: images (N, 1, H, W) in [-1, 1], labels (N, H, W) int64."""
    faces = tiaug.SyntheticFaces(32, seed=seed, size=size)
    augment = tiaug.TiAug("wild", size=size, seed=seed)  # an albumentations Compose
    rng = np.random.default_rng(seed)
    while True:
        picked = [faces[int(i)] for i in rng.integers(len(faces), size=batch)]
        samples = [augment(image=face.image, mask=face.mask) for face in picked]
        images = np.stack([minmax_normalize(s["image"]) for s in samples])[:, None]
        labels = np.stack([s["mask"] for s in samples]).astype(np.int64)
        yield torch.from_numpy(images), torch.from_numpy(labels)


def train_loop(
    iters: int = 20, size: tuple[int, int] = (64, 80), batch: int = 4, seed: int = 0
) -> list[float]:
    """Train a small U-Net for ``iters`` steps on CPU; returns the loss of each step."""
    torch.manual_seed(seed)
    model = UNet(num_classes=6, in_channels=1, base_width=8)
    criterion = SAMCLLoss(num_classes=6, generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.SGD(
        list(model.parameters()) + list(criterion.parameters()),  # the loss owns a small network
        lr=0.01,
        momentum=0.9,
        weight_decay=5e-4,
    )
    losses = []
    for _, (images, targets) in zip(range(iters), batches(size, batch, seed), strict=False):
        loss = criterion(model(images), targets)  # logits (N,C,H,W), int64 (N,H,W)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: prints the mean loss of every 5 steps."""
    parser = argparse.ArgumentParser(prog="python -m examples.minimal_loop", description=__doc__)
    parser.add_argument("--iters", type=int, default=20, help="training steps")
    parser.add_argument("--seed", type=int, default=0, help="seed of data, model and loss")
    args = parser.parse_args(argv)
    losses = train_loop(args.iters, seed=args.seed)
    for start in range(0, len(losses), 5):
        window = losses[start : start + 5]
        print(f"steps {start + 1}-{start + len(window)}: mean loss {np.mean(window):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
