"""Every ```python block of the three READMEs runs as written.

Each block runs alone, in a fresh namespace holding only what its README says the reader
brings (``SETUPS``: a dataset, a model, a loader of two small batches, a device...), in a
temporary working directory; tracebacks point at the README's own lines. A new block is
collected by itself; bash blocks are not run.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
from torch import nn

import tiaug

ROOT = Path(__file__).resolve().parents[2]
READMES = ("README.md", "tiaug/README.md", "samcl_loss/README.md")
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_OPENING_TAG = re.compile(r"^```(\S+)", re.MULTILINE)

Namespace = dict[str, object]


def python_blocks(readme: str) -> list[tuple[int, str]]:
    """(number of lines before the code, code) of every python block of ``readme``."""
    text = (ROOT / readme).read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)), m.group(1)) for m in _PYTHON_BLOCK.finditer(text)]


@contextmanager
def _top_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Namespace]:
    """README.md's block brings everything it uses."""
    yield {}


@contextmanager
def _tiaug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Namespace]:
    """tiaug/README.md leaves the reader's ``dataset`` to the reader."""
    yield {"dataset": tiaug.SyntheticFaces(2, seed=0, size=(64, 80))}


class _Registry(dict[str, type]):
    """MMSegmentation's ``MODELS`` registry, as far as the README uses it."""

    def register_module(self, module: type) -> type:
        self[module.__name__] = module
        return module


def _mmseg_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """``mmseg.registry`` for this test when MMSegmentation is not installed (it is not a
    development dependency); samcl_loss.mmseg itself imports nothing from it."""
    if importlib.util.find_spec("mmseg") is not None:
        return
    registry = types.ModuleType("mmseg.registry")
    registry.MODELS = _Registry()  # type: ignore[attr-defined]
    package = types.ModuleType("mmseg")
    package.registry = registry  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mmseg", package)
    monkeypatch.setitem(sys.modules, "mmseg.registry", registry)


def _two_batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    return [
        (torch.randn(2, 1, 32, 40, generator=g), torch.randint(0, 6, (2, 32, 40), generator=g))
        for _ in range(2)
    ]


def _unet(num_classes: int) -> nn.Module:
    """A one-layer stand-in for the reader's network."""
    return nn.Conv2d(1, num_classes, 3, padding=1)


@contextmanager
def _samcl_loss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Namespace]:
    """samcl_loss/README.md leaves to the reader: a model and its class (``UNet``), a
    device, a loader (two batches here), a log function and, for DDP, a process group (one
    gloo process here)."""
    _mmseg_stand_in(monkeypatch)
    dist.init_process_group("gloo", init_method=f"file://{tmp_path}/store", rank=0, world_size=1)
    logged: list[object] = []
    try:
        yield {
            "device": "cpu",
            "model": _unet(6),
            "UNet": _unet,
            "loader": _two_batches(),
            "log": logged.append,
        }
    finally:
        dist.destroy_process_group()


Setup = Callable[[Path, pytest.MonkeyPatch], AbstractContextManager[Namespace]]
SETUPS: dict[str, Setup] = {
    "README.md": _top_level,
    "tiaug/README.md": _tiaug,
    "samcl_loss/README.md": _samcl_loss,
}
BLOCKS = [
    pytest.param(readme, index, id=f"{readme}[{index}]")
    for readme in READMES
    for index in range(len(python_blocks(readme)))
]


@pytest.mark.parametrize("readme", READMES)
def test_every_python_block_is_found(readme: str) -> None:
    """A block tagged ``py``, ``python3``, ``pycon``... would be skipped silently: refuse it."""
    tags = _OPENING_TAG.findall((ROOT / readme).read_text(encoding="utf-8"))
    assert [t for t in tags if t.startswith("py")] == ["python"] * len(python_blocks(readme))
    assert python_blocks(readme)


@pytest.mark.parametrize(("readme", "index"), BLOCKS)
@pytest.mark.filterwarnings("ignore:This DataLoader will create:UserWarning")  # 4 workers, 2 cores
def test_python_block_runs(
    readme: str, index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines_before, code = python_blocks(readme)[index]
    monkeypatch.chdir(tmp_path)
    with SETUPS[readme](tmp_path, monkeypatch) as namespace:
        namespace["__name__"] = "__readme__"
        exec(compile("\n" * lines_before + code, str(ROOT / readme), "exec"), namespace)
