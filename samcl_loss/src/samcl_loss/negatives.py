"""Class-swapped negatives: random derangements of the class channels."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["random_derangement", "swap_classes"]


def random_derangement(n: int, generator: torch.Generator | None = None) -> Tensor:
    r"""Draw a permutation of ``0..n-1`` with no fixed point, uniformly at random.

    Rejection sampling: uniform permutations are drawn until one has no fixed point, so
    every derangement is equally likely. The acceptance rate tends to :math:`1/e`, i.e.
    about 2.7 draws on average.

    Args:
        n: number of elements, at least 2.
        generator: a CPU ``torch.Generator`` for reproducible draws; the global generator
            when ``None``.

    Returns:
        An int64 CPU tensor ``p`` of shape (n,) with ``p[i] != i`` for every ``i``.

    Raises:
        ValueError: if ``n < 2`` or the generator is not a CPU generator.
    """
    if n < 2:
        raise ValueError(f"a derangement needs n >= 2 elements, got n={n}")
    if generator is not None and generator.device.type != "cpu":
        raise ValueError(f"generator must be a CPU torch.Generator, got device {generator.device}")
    identity = torch.arange(n)
    while True:
        perm = torch.randperm(n, generator=generator)
        if not bool((perm == identity).any()):
            return perm


def swap_classes(maps: Tensor, permutation: Tensor) -> Tensor:
    r"""Permute the class channels (dim 1) of ``maps``.

    .. math::
        \text{out}[:, c] = \text{maps}[:, \text{permutation}[c]]

    The spatial layout is kept; with a derangement every class lands on another channel.

    Args:
        maps: tensor of shape (N, C, ...).
        permutation: int64 tensor of shape (C,).

    Returns:
        A new tensor with the same shape, dtype and device as ``maps``.
    """
    if maps.dim() < 2:
        raise ValueError(f"maps must have a class axis (N, C, ...), got shape {tuple(maps.shape)}")
    if tuple(permutation.shape) != (maps.shape[1],):
        raise ValueError(
            f"permutation must have shape ({maps.shape[1]},) for maps of shape "
            f"{tuple(maps.shape)}, got shape {tuple(permutation.shape)}"
        )
    return maps.index_select(1, permutation.to(device=maps.device, dtype=torch.long))
