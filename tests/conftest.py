"""Suite-wide test configuration: tests marked ``gpu`` are skipped without CUDA; property
tests have no per-example time limit."""

import pytest
from hypothesis import settings

# A per-example deadline fails on a busy machine (a CI runner's shared cores), not on slow
# code: the suite's time is bounded as a whole (make test, under 15 minutes).
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    gpu_items = [item for item in items if "gpu" in item.keywords]
    if not gpu_items or _cuda_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA")
    for item in gpu_items:
        item.add_marker(skip)
