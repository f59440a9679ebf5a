"""Process-group helpers: the same code runs on one CPU, one GPU or under ``torchrun``."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

__all__ = [
    "Distributed",
    "all_gather_objects",
    "all_reduce_sum",
    "barrier",
    "resolve_device",
    "setup_distributed",
    "teardown_distributed",
]


@dataclass(frozen=True)
class Distributed:
    """Where this process runs: its rank among ``world_size`` (``local_world_size`` of them
    on this machine) and its device."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device
    owns_group: bool
    local_world_size: int = 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the only process that writes files."""
        return self.rank == 0


def resolve_device(name: str = "auto") -> torch.device:
    """``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` as a device.

    Raises:
        ValueError: an unknown device, or CUDA asked for but not available.
    """
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} asked for but CUDA is not available")
    try:
        return torch.device(name)
    except RuntimeError:
        raise ValueError(f"unknown device {name!r}; use auto, cpu, cuda or cuda:N") from None


def setup_distributed(device: str = "auto") -> Distributed:
    """Join the ``torchrun`` process group when ``WORLD_SIZE`` > 1 (NCCL on CUDA, else gloo).

    Args:
        device: "auto" (CUDA when available), "cpu", "cuda" or "cuda:N" (one process).

    Raises:
        ValueError: an unknown device, or CUDA asked for but not available.
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    local_world_size = int(os.environ.get("LOCAL_WORLD_SIZE", str(world_size)))
    target = resolve_device(device)
    if target.type == "cuda" and target.index is None:  # one process per GPU
        target = torch.device("cuda", local_rank)
    if target.type == "cuda":
        torch.cuda.set_device(target)
    owns_group = False
    if world_size > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if target.type == "cuda" else "gloo")
        owns_group = True
    return Distributed(rank, world_size, local_rank, target, owns_group, local_world_size)


def teardown_distributed(context: Distributed) -> None:
    """Leave the process group if :func:`setup_distributed` created it."""
    if context.owns_group and dist.is_initialized():
        dist.destroy_process_group()


def all_reduce_sum(tensor: torch.Tensor) -> torch.Tensor:
    """Sum ``tensor`` over ranks in place (no-op outside a distributed run); returns it."""
    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(tensor)
    return tensor


def all_gather_objects(value: object) -> list[object]:
    """Every rank's ``value``, in rank order (``[value]`` outside a distributed run)."""
    if not (dist.is_available() and dist.is_initialized()):
        return [value]
    values: list[object] = [None] * dist.get_world_size()
    dist.all_gather_object(values, value)
    return values


def barrier() -> None:
    """Wait for every rank (no-op outside a distributed run)."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
