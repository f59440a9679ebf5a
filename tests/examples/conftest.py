"""Shared set-up of the examples tests."""

import os
from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _share_the_cores() -> Iterator[None]:
    """Under pytest-xdist, give each worker its share of torch's threads while these tests run.

    Oversubscribed OpenMP threads make the small training steps here many times slower; the
    count is restored afterwards (other packages' tests, e.g. compiled kernels, keep theirs).
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, before // workers))
    yield
    torch.set_num_threads(before)
