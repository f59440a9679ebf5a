"""SAM-CL negatives: wrong label maps built from the one-hot target.

A negative kind is one function ``(positive, generator) -> negative`` taking the one-hot
target map (N, C, H, W), zero at ignored pixels, and returning a map of the same shape,
plus one entry in :data:`NEGATIVES`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

__all__ = [
    "NEGATIVES",
    "NegativeFn",
    "random_derangement",
    "shift_negative",
    "swap_classes",
    "swap_negative",
    "zeros_negative",
]

NegativeFn = Callable[[Tensor, "torch.Generator | None"], Tensor]


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
        A new tensor with the same shape, dtype and device as ``maps``. A CPU
        ``permutation`` is applied by slicing, without a host-to-device copy.
    """
    if maps.dim() < 2:
        raise ValueError(f"maps must have a class axis (N, C, ...), got shape {tuple(maps.shape)}")
    if tuple(permutation.shape) != (maps.shape[1],):
        raise ValueError(
            f"permutation must have shape ({maps.shape[1]},) for maps of shape "
            f"{tuple(maps.shape)}, got shape {tuple(permutation.shape)}"
        )
    if permutation.device.type == "cpu":  # slices: no index tensor copied to the device
        return torch.stack([maps[:, i] for i in permutation.tolist()], 1)
    return maps.index_select(1, permutation.long())


def swap_negative(positive: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """The paper's negative: the class channels permuted by a fresh random derangement.

    Same layout, every class on a wrong channel. The class areas move with the classes, so
    a critic can tell this negative from the positive by channel areas alone (the most
    frequent class always changes channel).
    """
    return swap_classes(positive, random_derangement(positive.shape[1], generator))


def shift_negative(positive: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """The target circularly shifted by half its size: right classes in the wrong places.

    ``roll`` by ``(H // 2, W // 2)`` pixels over (H, W), then set to zero where the
    positive is (ignored pixels), so both maps are zero at the same pixels. Every class
    keeps its channel and (up to ignored pixels) its area, so channel areas no longer tell
    the positive from the negative; only comparing with the prediction does. Deterministic
    (``generator`` is unused).
    """
    if positive.dim() != 4:
        raise ValueError(f"positive must have shape (N, C, H, W), got {tuple(positive.shape)}")
    h, w = positive.shape[-2:]
    shifted = positive.roll((h // 2, w // 2), dims=(-2, -1))
    return shifted * positive.sum(1, keepdim=True)


def zeros_negative(positive: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """The reference code's negative: all zeros (for ablation)."""
    return torch.zeros_like(positive)


NEGATIVES: dict[str, NegativeFn] = {
    "shift": shift_negative,
    "swap": swap_negative,
    "zeros": zeros_negative,
}
"""Negative kinds of :class:`~samcl_loss.samcl.SAMCLLoss`, by name."""
