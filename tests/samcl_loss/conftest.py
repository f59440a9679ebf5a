"""Shared fixtures for the samcl_loss tests."""

from pathlib import Path

import pytest
import torch

import samcl_loss


@pytest.fixture(autouse=True, scope="session")
def _installed_package():
    """The tests must exercise the installed package, not the top-level source folder."""
    assert Path(samcl_loss.__file__).parts[-3:] == ("src", "samcl_loss", "__init__.py")


def _make_batch(n, c, h, w, *, seed=0, ignore_frac=0.0, ignore_index=255, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    logits = (3 * torch.randn(n, c, h, w, generator=g)).to(dtype).requires_grad_()
    target = torch.randint(0, c, (n, h, w), generator=g)
    if ignore_frac > 0:
        target[torch.rand(n, h, w, generator=g) < ignore_frac] = ignore_index
    return logits, target


@pytest.fixture
def make_batch():
    """Factory: random logits (requiring grad) and an int64 target, optionally with
    a fraction of ignored pixels."""
    return _make_batch


def _face_masks(n: int, height: int, width: int, seed: int) -> torch.Tensor:
    """(n, height, width) labels: background ~90 %, an elliptic face with five small parts
    (mouth, two eyes, two eyebrows, nose: labels 2-5), at a random place and size."""
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(
        torch.arange(height, dtype=torch.float32),
        torch.arange(width, dtype=torch.float32),
        indexing="ij",
    )
    masks = torch.zeros(n, height, width, dtype=torch.long)
    for mask in masks:
        low, span = torch.tensor([0.35, 0.35, 0.18, 0.13]), torch.tensor([0.25, 0.3, 0.06, 0.04])
        cy, cx, ry, rx = (low + span * torch.rand(4, generator=g)).tolist()  # fractions
        cy, ry, cx, rx = cy * height, ry * height, cx * width, rx * width
        parts = [(0, 0, 1, 1, 1), (0.55, 0, 0.1, 0.35, 2), (0.15, 0, 0.2, 0.1, 5)]
        parts += [(-0.2, s * 0.4, 0.07, 0.15, 3) for s in (-1, 1)]
        parts += [(-0.4, s * 0.4, 0.05, 0.25, 4) for s in (-1, 1)]
        for dy, dx, ay, ax, label in parts:
            inside = ((yy - cy - dy * ry) / (ay * ry)) ** 2 + ((xx - cx - dx * rx) / (ax * rx)) ** 2
            mask[inside <= 1] = label
    return masks


@pytest.fixture
def make_face_masks():
    """Factory ``(n, height, width, seed) -> labels``: face-like label maps."""
    return _face_masks


@pytest.fixture(scope="session")
def face_labels() -> torch.Tensor:
    """(2, 48, 64) face-like label maps (seed 0)."""
    return _face_masks(2, 48, 64, 0)
