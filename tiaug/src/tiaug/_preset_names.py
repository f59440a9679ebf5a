"""The names of TiAug's presets, importable without albumentations (the command line's)."""

from __future__ import annotations

__all__ = ["PRESETS", "TEMPERATURE_FREE_PRESETS"]

#: The presets :func:`tiaug.presets.build_preset` builds.
PRESETS = ("baseline", "samcl", "unconstrained", "upright", "wild")
#: Presets of geometry and blur only, which need no temperatures: they apply to the relative
#: grey levels of exports too (as floats, e.g. levels / 255).
TEMPERATURE_FREE_PRESETS = ("baseline", "upright")
