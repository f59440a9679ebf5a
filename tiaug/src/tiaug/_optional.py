"""Imports of optional dependencies with a one-line hint when they are missing."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

__all__ = ["ALBUMENTATIONS_HINT", "albumentations_extra", "import_transforms", "lazy_transforms"]

ALBUMENTATIONS_HINT = (
    'tiaug\'s transforms need albumentations: pip install "tiaug[albumentations]" '
    '(albumentations 2.0.8, MIT) or "tiaug[albumentationsx]" (AlbumentationsX 2.5, AGPL)'
)


def _extra_missing(error: ModuleNotFoundError) -> bool:
    """Whether ``error`` comes from the missing albumentations extra (albumentations itself, or
    one of its dependencies such as pydantic when albumentations is not installed either)."""
    if (error.name or "").split(".")[0] == "albumentations":
        return True
    return importlib.util.find_spec("albumentations") is None


@contextlib.contextmanager
def albumentations_extra() -> Iterator[None]:
    """Wrap the imports a module needs from the albumentations extra (albumentations, pydantic):
    without the extra they fail with ``ModuleNotFoundError`` naming it (:data:`ALBUMENTATIONS_HINT`)
    instead of naming whichever dependency happened to be imported first."""
    try:
        yield
    except ModuleNotFoundError as error:
        if not _extra_missing(error):
            raise
        raise ModuleNotFoundError(ALBUMENTATIONS_HINT, name="albumentations") from None


def import_transforms(module: str) -> ModuleType:
    """Import a module of tiaug transforms; without albumentations, fail with the hint."""
    with albumentations_extra():
        imported = importlib.import_module(module)
    return imported


def lazy_transforms(package: str, names: tuple[str, ...]) -> Callable[[str], Any]:
    """A family package's module ``__getattr__`` (PEP 562): the transform classes ``names``
    of ``package.transforms`` are imported (with albumentations) on first access only."""

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(import_transforms(f"{package}.transforms"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
