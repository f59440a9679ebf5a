"""Imports of optional dependencies with a one-line hint when they are missing."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["ALBUMENTATIONS_HINT", "import_transforms"]

ALBUMENTATIONS_HINT = (
    'tiaug\'s transforms need albumentations: pip install "tiaug[albumentations]" '
    '(albumentations 2.0.8, MIT) or "tiaug[albumentationsx]" (AlbumentationsX 2.5, AGPL)'
)


def import_transforms(module: str) -> ModuleType:
    """Import a module of tiaug transforms; without albumentations, fail with the hint."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] != "albumentations":
            raise
        raise ModuleNotFoundError(ALBUMENTATIONS_HINT, name="albumentations") from None
