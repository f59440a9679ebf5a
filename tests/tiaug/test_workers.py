"""Independent augmentations per DataLoader worker and per epoch (``tiaug.workers``)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import albumentations as A  # noqa: E402
from torch.utils.data import DataLoader, Dataset, Subset  # noqa: E402

from tiaug._base import ALBUMENTATIONS_X  # noqa: E402
from tiaug.noise.transforms import SensorNoise  # noqa: E402
from tiaug.presets import TiAug  # noqa: E402
from tiaug.workers import (  # noqa: E402
    find_pipelines,
    loader_worker_seed,
    reseed,
    stream_seed,
    worker_init_fn,
)

#: the pipelines a user may hand a dataset: a seeded and an unseeded A.Compose of tiaug
#: transforms, a TiAug of one transform and a TiAug preset (flips, rotation, OneOf, ...)
PIPELINES = {
    "seeded Compose": lambda: A.Compose([SensorNoise(netd=0.5, p=1.0)], seed=0),
    "unseeded Compose": lambda: A.Compose([SensorNoise(netd=0.5, p=1.0)]),
    "TiAug": lambda: TiAug(transforms=[SensorNoise(netd=0.5, p=1.0)], seed=0),
    "TiAug preset": lambda: TiAug("unconstrained", size=(24, 32), seed=0),
}


class _Faces(Dataset):
    """Four copies of one 24x32 frame, each through ``pipeline``; with ``reseed``, the
    pipeline is reseeded with the sample's index first (as examples/data.py does)."""

    def __init__(self, pipeline: object, reseed: bool = False) -> None:
        rows, cols = np.mgrid[:24, :32]
        self.image = (30.0 + 0.2 * rows - 0.1 * cols).astype(np.float32)
        self.pipeline = pipeline
        self.reseed = reseed

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> np.ndarray:
        if self.reseed:
            self.pipeline.set_random_seed(index)
        return self.pipeline(image=self.image)["image"]


def _epochs(dataset: Dataset, seed: int | None, epochs: int = 2, **loader: object) -> list:
    """Every sample of ``epochs`` passes of a 2-worker loader (batch 0 and 2 from worker 0)."""
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    data = DataLoader(dataset, batch_size=1, num_workers=2, generator=generator, **loader)
    return [batch[0].numpy() for _ in range(epochs) for batch in data]


def _all_distinct(samples: list) -> bool:
    return all(
        not np.array_equal(one, other)
        for i, one in enumerate(samples)
        for other in samples[i + 1 :]
    )


@pytest.mark.parametrize("pipeline", PIPELINES.values(), ids=PIPELINES)
def test_every_worker_and_every_epoch_draws_its_own_augmentations_unasked(pipeline):
    samples = _epochs(_Faces(pipeline()), seed=0)  # no worker_init_fn
    assert len(samples) == 8
    assert _all_distinct(samples)


@pytest.mark.parametrize("pipeline", PIPELINES.values(), ids=PIPELINES)
def test_a_seeded_run_repeats_itself_and_another_seed_differs(pipeline):
    first = _epochs(_Faces(pipeline()), seed=3)
    again = _epochs(_Faces(pipeline()), seed=3)
    for one, other in zip(first, again, strict=True):
        np.testing.assert_array_equal(one, other)
    other_seed = _epochs(_Faces(pipeline()), seed=4, epochs=1)
    assert not np.array_equal(first[0], other_seed[0])


def test_torch_manual_seed_seeds_the_loader_too():
    runs = []
    for _ in range(2):
        torch.manual_seed(7)
        runs.append(_epochs(_Faces(PIPELINES["TiAug"]()), seed=None, epochs=1))
    for one, other in zip(*runs, strict=True):
        np.testing.assert_array_equal(one, other)


@pytest.mark.parametrize("pipeline", PIPELINES.values(), ids=PIPELINES)
def test_a_seed_set_in_the_worker_is_kept(pipeline):
    # examples/data.py reseeds per sample: the result must not depend on the worker
    in_main = [_Faces(pipeline(), reseed=True)[index] for index in range(4)]
    in_workers = _epochs(_Faces(pipeline(), reseed=True), seed=0, epochs=1)
    if ALBUMENTATIONS_X:  # AlbumentationsX mixes the worker seed into set_random_seed itself
        return
    for one, other in zip(in_main, in_workers, strict=True):
        np.testing.assert_array_equal(one, other)


def test_persistent_workers_keep_drawing_new_augmentations():
    samples = _epochs(_Faces(PIPELINES["TiAug"]()), seed=0, persistent_workers=True)
    assert _all_distinct(samples)


@pytest.mark.slow
def test_spawned_workers_draw_their_own_too():
    samples = _epochs(_Faces(PIPELINES["TiAug"]()), seed=0, multiprocessing_context="spawn")
    assert _all_distinct(samples)


def test_the_main_process_stream_is_unchanged():
    # no worker: the pipeline draws exactly its seeded stream, as before
    dataset, reference = _Faces(PIPELINES["TiAug"]()), PIPELINES["TiAug"]()
    for index in range(4):
        np.testing.assert_array_equal(dataset[index], reference(image=dataset.image)["image"])
    assert loader_worker_seed() is None


def test_stream_seed_mixes_the_pipeline_seed_and_the_worker_seed():
    seeds = {stream_seed(seed, worker) for seed in (None, 0, 1) for worker in (0, 1, 2**40)}
    assert len(seeds) == 9
    assert stream_seed(5, 1) == stream_seed(5, 1)
    assert 0 <= stream_seed(-1, 3) < 2**64


def test_worker_init_fn_still_gives_distinct_reproducible_workers():
    first = _epochs(_Faces(PIPELINES["seeded Compose"]()), seed=0, worker_init_fn=worker_init_fn)
    assert _all_distinct(first)
    again = _epochs(_Faces(PIPELINES["seeded Compose"]()), seed=0, worker_init_fn=worker_init_fn)
    for one, other in zip(first, again, strict=True):
        np.testing.assert_array_equal(one, other)


def test_find_pipelines_looks_through_wrappers_and_containers() -> None:
    dataset = _Faces(PIPELINES["seeded Compose"]())
    dataset.extra = {"aug": TiAug("baseline", size=(8, 8), seed=0)}
    found = list(find_pipelines(Subset(dataset, [0, 1])))
    assert len(found) == 2
    assert found[0] is dataset.pipeline
    assert reseed(Subset(dataset, [0]), 5) == 2


def test_reseed_is_deterministic_and_distinct_per_seed() -> None:
    dataset = _Faces(PIPELINES["seeded Compose"]())
    reseed(dataset, 3)
    one = dataset[0]
    reseed(dataset, 3)
    np.testing.assert_array_equal(dataset[0], one)
    reseed(dataset, 4)
    assert not np.array_equal(dataset[0], one)


def test_outside_a_worker_nothing_happens() -> None:
    worker_init_fn(0)
