"""Independent augmentations per DataLoader worker (``tiaug.workers``)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import albumentations as A  # noqa: E402
from torch.utils.data import DataLoader, Dataset, Subset  # noqa: E402

from tiaug._base import ALBUMENTATIONS_X  # noqa: E402
from tiaug.noise.transforms import SensorNoise  # noqa: E402
from tiaug.presets import TiAug  # noqa: E402
from tiaug.workers import find_pipelines, reseed, worker_init_fn  # noqa: E402


class _Noisy(Dataset):
    """Four copies of one constant 6x8 image, each through a seeded noise pipeline."""

    def __init__(self) -> None:
        self.image = np.full((6, 8), 30.0, np.float32)
        self.pipeline = A.Compose([SensorNoise(netd=0.5, p=1.0)], seed=0)

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> np.ndarray:
        return self.pipeline(image=self.image)["image"]


def _samples(seed: int | None, init=worker_init_fn) -> list[np.ndarray]:
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    loader = DataLoader(
        _Noisy(), batch_size=1, num_workers=2, worker_init_fn=init, generator=generator
    )
    return [batch[0].numpy() for batch in loader]


def test_two_workers_draw_different_augmentations_and_a_seeded_run_repeats() -> None:
    first = _samples(seed=0)
    # batch 0 comes from worker 0, batch 1 from worker 1: same input, first draw of each
    assert not np.array_equal(first[0], first[1])
    assert not np.array_equal(first[2], first[3])
    again = _samples(seed=0)
    for one, other in zip(first, again, strict=True):
        np.testing.assert_array_equal(one, other)
    other_seed = _samples(seed=1)
    assert not np.array_equal(first[0], other_seed[0])


def test_without_the_reseed_albumentations_2_workers_repeat_each_other() -> None:
    # the problem solved: albumentations 2.0.8 workers inherit one random state;
    # AlbumentationsX reseeds per worker itself (worker_init_fn is harmless there)
    samples = _samples(seed=0, init=None)
    assert np.array_equal(samples[0], samples[1]) != ALBUMENTATIONS_X


def test_find_pipelines_looks_through_wrappers_and_containers() -> None:
    dataset = _Noisy()
    dataset.extra = {"aug": TiAug("baseline", size=(8, 8), seed=0)}
    found = list(find_pipelines(Subset(dataset, [0, 1])))
    assert len(found) == 2
    assert found[0] is dataset.pipeline
    assert reseed(Subset(dataset, [0]), 5) == 2


def test_reseed_is_deterministic_and_distinct_per_seed() -> None:
    dataset = _Noisy()
    reseed(dataset, 3)
    one = dataset[0]
    reseed(dataset, 3)
    np.testing.assert_array_equal(dataset[0], one)
    reseed(dataset, 4)
    assert not np.array_equal(dataset[0], one)


def test_outside_a_worker_nothing_happens() -> None:
    worker_init_fn(0)
