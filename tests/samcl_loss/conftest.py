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
