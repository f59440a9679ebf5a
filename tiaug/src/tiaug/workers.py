"""Independent augmentations in every PyTorch DataLoader worker and every epoch.

A DataLoader copies the dataset, and with it the augmentation pipeline and its random state,
into each worker process (afresh every epoch, unless ``persistent_workers``). AlbumentationsX
then reseeds its pipelines per worker; albumentations 2.0.8 does not, so every worker, and
every epoch, would repeat the same augmentations, seeded pipeline or not.

On albumentations 2.0.8 tiaug's transforms and :class:`~tiaug.TiAug` follow the workers
themselves (:class:`WorkerStreams`): the first call in a new worker process reseeds the
stream from the pipeline's seed and PyTorch's worker seed (``get_worker_info().seed``, drawn
per epoch from the DataLoader's ``generator``). Workers and epochs differ without any
argument, and a run whose torch generator is seeded repeats itself. A stream seeded or set
in the worker itself (``set_random_seed``, e.g. once per sample) is left alone.

:func:`worker_init_fn` is kept for pipelines made of albumentations' own transforms, which
do not follow workers on 2.0.8: ``DataLoader(..., worker_init_fn=tiaug.worker_init_fn)``
reseeds every albumentations pipeline found on the worker's dataset. Neither torch nor
albumentations is imported here.
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = [
    "WorkerStreams",
    "find_pipelines",
    "loader_worker_seed",
    "reseed",
    "stream_seed",
    "worker_init_fn",
]

#: How deep :func:`find_pipelines` looks through wrapping datasets (``Subset``, ``ConcatDataset``).
_MAX_DEPTH = 4


def loader_worker_seed() -> int | None:
    """PyTorch's seed of the current DataLoader worker (``base_seed + worker_id``, the base
    drawn per epoch), or None outside a worker (always when torch is not imported)."""
    if "torch" not in sys.modules:
        return None
    from torch.utils.data import get_worker_info

    info = get_worker_info()
    return None if info is None else int(info.seed)


def stream_seed(seed: int | None, worker_seed: int) -> int:
    """The 64-bit seed of a pipeline's stream in a worker: from the pipeline's own ``seed``
    (None: unseeded) and the worker's, mixed by ``numpy.random.SeedSequence``."""
    # SeedSequence pads with zeros: the flag keeps "unseeded" apart from seed 0
    entropy = [worker_seed, 0] if seed is None else [worker_seed, 1, seed % 2**64]
    return int(np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0])


class WorkerStreams:
    """Mixin (albumentations 2.0.8) for a transform or a composition: a stream of its own in
    each DataLoader worker process, as AlbumentationsX draws.

    Records the process in which the stream was last seeded or set; a call in another
    process that is a DataLoader worker first reseeds the stream with
    :func:`stream_seed` (``self.seed``, the worker's seed). Placed before the albumentations
    base class.
    """

    _stream_pid: int | None = None

    def set_random_seed(self, seed: int | None) -> None:
        super().set_random_seed(seed)  # type: ignore[misc]
        self._stream_pid = os.getpid()

    def set_random_state(self, random_generator: np.random.Generator, py_random: Any) -> None:
        super().set_random_state(random_generator, py_random)  # type: ignore[misc]
        self._stream_pid = os.getpid()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.follow_worker()
        return super().__call__(*args, **kwargs)  # type: ignore[misc]

    def follow_worker(self) -> None:
        """Reseed once in a new DataLoader worker process (see the class)."""
        pid = os.getpid()
        if pid == self._stream_pid:
            return
        worker_seed = loader_worker_seed()
        if worker_seed is not None:
            seed = stream_seed(getattr(self, "seed", None), worker_seed)
            self.set_random_state(np.random.default_rng(seed), random.Random(seed))
        self._stream_pid = pid


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

    Needed only for pipelines of albumentations' own transforms on albumentations 2.0.8
    (tiaug's transforms and ``TiAug`` follow workers themselves). PyTorch gives each worker
    ``base_seed + worker_id``, ``base_seed`` drawn per epoch from the DataLoader's
    ``generator``; outside a worker this does nothing.
    """
    from torch.utils.data import get_worker_info

    info = get_worker_info()
    if info is not None:
        reseed(info.dataset, int(info.seed))
