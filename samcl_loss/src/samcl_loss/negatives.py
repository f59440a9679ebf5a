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
    "reflect_negative",
    "shift_negative",
    "swap_classes",
    "swap_negative",
    "zeros_negative",
]

NegativeFn = Callable[[Tensor, "torch.Generator | None"], Tensor]


def random_derangement(n: int, *, generator: torch.Generator | None = None) -> Tensor:
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
    return swap_classes(positive, random_derangement(positive.shape[1], generator=generator))


def _move_valid_labels(
    positive: Tensor, offset: Callable[[Tensor, Tensor, Tensor], Tensor]
) -> Tensor:
    """Give each valid pixel the labels of another valid pixel of its sample.

    The valid (labelled) pixels of each sample are ranked in raster order; the pixel of rank
    ``r`` takes the one-hot labels of the pixel of rank ``offset(r, count, columns)`` (ranks
    modulo ``count``, the sample's number of valid pixels; ``columns``: its number of
    columns holding one). A permutation of the valid labels: every valid pixel gets one
    class, every class keeps exactly its area, ignored pixels stay zero. Batched, no host
    synchronisation.
    """
    if positive.dim() != 4:
        raise ValueError(f"positive must have shape (N, C, H, W), got {tuple(positive.shape)}")
    n, c, h, w = positive.shape
    valid = positive.sum(1) > 0  # (N, H, W)
    flat = valid.flatten(1)
    count = flat.sum(1, keepdim=True)
    columns = valid.any(1).sum(1, keepdim=True)
    rank = flat.long().cumsum(1) - 1
    source_rank = offset(rank, count, columns) % count.clamp_min(1)
    slot = torch.where(flat, rank, h * w)  # ignored pixels write to a spare slot
    at_rank = torch.zeros(n, h * w + 1, dtype=torch.long, device=positive.device)
    at_rank.scatter_(1, slot, torch.arange(h * w, device=positive.device).expand(n, -1))
    source = at_rank.gather(1, source_rank.clamp_min(0))
    moved = positive.flatten(2).gather(2, source.unsqueeze(1).expand(-1, c, -1))
    return (moved * flat.unsqueeze(1)).view_as(positive)


def reflect_negative(positive: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """The target's valid labels turned half a turn: right classes in the wrong places.

    The valid pixels of each sample, in raster order, take the labels of the valid pixels in
    reverse order: on a fully labelled map (or a rectangle of valid pixels inside an ignored
    border) a rotation by 180 degrees about its centre; with irregular ignored areas, the
    same reversal of the valid content. Every valid pixel gets one class, every class keeps
    exactly its area and its local structure (a rotated 3x3 neighbourhood), so neither class
    areas nor region statistics tell the positive from the negative; only comparing with the
    prediction does, and the scale-0 distance does not change when ignored border is added.
    A target symmetric under the half turn is its own negative. Deterministic (``generator``
    is unused).
    """
    return _move_valid_labels(positive, lambda rank, count, columns: count - 1 - rank)


def shift_negative(positive: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """The target's valid labels moved by half the valid region: right classes, wrong places.

    The valid pixels of each sample, in raster order, take the labels of the valid pixel
    ``k`` places further on (cyclically), ``k`` being half their number plus half the
    number of columns holding one: on a fully labelled map a circular shift by about half
    its height and width (content wraps onto the map's edges, where RMI's region vectors
    lose part of it, so the scale-0 distance of a full map differs from that of the same
    content inside an ignored border); with ignored pixels the same shift of the valid
    content alone. Every valid pixel gets one class and every class keeps exactly its area.
    Deterministic (``generator`` is unused).
    """
    return _move_valid_labels(
        positive, lambda rank, count, columns: rank + count // 2 + columns // 2
    )


def zeros_negative(positive: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """The reference code's negative: all zeros (for ablation)."""
    return torch.zeros_like(positive)


NEGATIVES: dict[str, NegativeFn] = {
    "reflect": reflect_negative,
    "shift": shift_negative,
    "swap": swap_negative,
    "zeros": zeros_negative,
}
"""Negative kinds of :class:`~samcl_loss.samcl.SAMCLLoss`, by name."""
