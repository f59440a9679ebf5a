"""Independent augmentations in every PyTorch DataLoader worker.

A DataLoader copies the dataset, and with it the augmentation pipeline and its random state,
into each worker process: without a reseed every worker draws the same augmentations, seeded
pipeline or not. Pass :func:`worker_init_fn` to the DataLoader::

    loader = DataLoader(dataset, num_workers=4, worker_init_fn=tiaug.worker_init_fn,
                        generator=torch.Generator().manual_seed(0))

Each worker then reseeds the albumentations pipelines it finds on its dataset copy from
PyTorch's per-worker seed (``torch.utils.data.get_worker_info().seed``): workers differ, every
epoch draws afresh, and a DataLoader given a seeded ``generator`` reproduces its run. Neither
torch nor albumentations is imported until a worker calls it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["find_pipelines", "reseed", "worker_init_fn"]

#: How deep :func:`find_pipelines` looks through wrapping datasets (``Subset``, ``ConcatDataset``).
_MAX_DEPTH = 4


def _is_pipeline(value: object) -> bool:
    """An albumentations transform or composition (anything reseedable by seed)."""
    is_albumentations = any(
        base.__module__.startswith("albumentations") for base in type(value).__mro__
    )
    return is_albumentations and callable(getattr(value, "set_random_seed", None))


def find_pipelines(dataset: object, depth: int = _MAX_DEPTH) -> Iterator[Any]:
    """Yield the albumentations pipelines held by ``dataset``'s attributes (also inside lists,
    tuples, dicts and wrapped datasets such as ``Subset.dataset`` or ``ConcatDataset.datasets``).
    """
    if _is_pipeline(dataset):
        yield dataset
        return
    if depth <= 0:
        return
    if isinstance(dataset, dict):
        values: list[object] = list(dataset.values())
    elif isinstance(dataset, (list, tuple)):
        values = list(dataset)
    else:
        values = list(getattr(dataset, "__dict__", {}).values())
    for value in values:
        if isinstance(value, (dict, list, tuple)) or hasattr(value, "__dict__"):
            yield from find_pipelines(value, depth - 1)


def reseed(dataset: object, seed: int) -> int:
    """Reseed every pipeline of ``dataset`` from ``seed`` (the i-th from ``(seed, i)``, so two
    pipelines of one dataset draw independently). Returns how many were reseeded."""
    count = 0
    for index, pipeline in enumerate(find_pipelines(dataset)):
        state = np.random.SeedSequence([seed % 2**64, index]).generate_state(1)[0]
        pipeline.set_random_seed(int(state))
        count += 1
    return count


def worker_init_fn(worker_id: int) -> None:
    """``DataLoader(worker_init_fn=...)``: reseed the worker's pipelines from its torch seed.

    PyTorch gives each worker ``base_seed + worker_id``, ``base_seed`` drawn per epoch from the
    DataLoader's ``generator``; outside a worker this does nothing.
    """
    from torch.utils.data import get_worker_info

    info = get_worker_info()
    if info is not None:
        reseed(info.dataset, int(info.seed))
