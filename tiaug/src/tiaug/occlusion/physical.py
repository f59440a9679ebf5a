"""Occluders of the real world as named building blocks: glasses, hand, hair, drink, scarf.

Each block is a recipe, the keyword arguments of :class:`OcclusionConfig` (and so of
:class:`tiaug.ThermalOcclusion`) in :data:`OCCLUDERS`, and a function that draws it with an
explicit generator. Temperatures follow docs/physics.md (approximate, change them freely).
Every block varies smoothly inside (no per-pixel texture: real objects have gradients, not
speckle) and carries the frame's own camera noise (``carry_noise``), so that no object is
found by its noise level:

- ``glasses``: two lenses centred on the eyes of the mask (``"eyes"`` placement: the
  separation and tilt of the eyes, each lens grown until it covers its eye), near the
  room temperature (glass is opaque in LWIR; lens 0-4 degC above the room seen in the
  frame, emissivity 0.90-0.94 mixing in the reflected scene);
- ``hand``: a large blob at body-surface temperature (30-35 degC) over the lower face;
- ``hair``: 2-4 thin strands, 3-8 degC above the room, smooth texture, over face and brows;
- ``drink``: a cup or can over the mouth, cold (5-15 degC) or hot (40-60 degC), equally likely;
- ``scarf``: fabric over mouth and nose, 2-10 degC above the room, emissivity 0.77-0.98.

Compose them like any occluders::

    rng = np.random.default_rng(0)
    objects = glasses(image, mask, rng=rng) + hair(image, mask, rng=rng)
    out = apply_occlusion(image, objects)

or as transforms: ``ThermalOcclusion(**OCCLUDERS["glasses"], p=0.5)``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np

from tiaug.occlusion.functional import EyePair, Occluder, OcclusionConfig, sample_occluders

__all__ = [
    "OCCLUDERS",
    "drink",
    "glasses",
    "hair",
    "hand",
    "occluder_config",
    "scarf",
]

_ONE = {"configurations": ("single",), "configuration_weights": None}

#: name -> keyword arguments of OcclusionConfig / ThermalOcclusion (read-only)
OCCLUDERS: MappingProxyType[str, dict[str, Any]] = MappingProxyType(
    {
        "glasses": {
            "configurations": ("joined",),
            "configuration_weights": None,
            "shapes": ("ellipse",),
            "size": (0.035, 0.06),
            "ellipse_aspect": (0.6, 0.9),
            "bar_width": (0.01, 0.025),
            "temperature_mode": "ambient",
            "temperature": (0.0, 4.0),
            "emissivity": (0.9, 0.94),
            "texture": (0.0, 0.2),
            "texture_kind": "smooth",
            "carry_noise": True,
            "edge_softness": (0.5, 1.5),
            "placement": "eyes",
            "placement_classes": (3, 5),
        },
        "hand": {
            **_ONE,
            "shapes": ("polygon", "stroke"),
            "num_vertices": (5, 12),
            "size": (0.12, 0.22),
            "irregularity": (0.2, 0.6),
            "spikiness": (0.1, 0.4),
            "temperature_mode": "absolute",
            "temperature": (30.0, 35.0),
            "texture": (0.0, 0.5),
            "texture_kind": "smooth",
            "carry_noise": True,
            "edge_softness": (1.0, 3.0),
            "placement": "mask",
            "placement_classes": (1, 2, 5),
        },
        "hair": {
            "configurations": ("independent",),
            "configuration_weights": None,
            "num_independent": (2, 4),
            "shapes": ("stroke",),
            "stroke_width": (0.01, 0.04),
            "size": (0.08, 0.2),
            "temperature_mode": "ambient",
            "temperature": (3.0, 8.0),
            "texture": (0.2, 0.8),
            "texture_kind": "smooth",
            "carry_noise": True,
            "edge_softness": (0.5, 2.0),
            "placement": "mask",
            "placement_classes": (1, 4),
        },
        "drink": {
            **_ONE,
            "shapes": ("ellipse", "polygon"),
            "num_vertices": (4, 8),
            "size": (0.1, 0.2),
            "irregularity": (0.0, 0.2),
            "spikiness": (0.0, 0.1),
            "temperature_mode": "absolute",
            "temperature": ((5.0, 15.0), (40.0, 60.0)),
            "texture": (0.0, 0.3),
            "texture_kind": "smooth",
            "carry_noise": True,
            "edge_softness": (0.5, 2.0),
            "placement": "mask",
            "placement_classes": (2,),
        },
        "scarf": {
            **_ONE,
            "num_vertices": (6, 12),
            "size": (0.15, 0.25),
            "irregularity": (0.0, 0.3),
            "spikiness": (0.0, 0.2),
            "temperature_mode": "ambient",
            "temperature": (2.0, 10.0),
            "emissivity": (0.77, 0.98),
            "texture": (0.3, 1.0),
            "texture_kind": "smooth",
            "carry_noise": True,
            "edge_softness": (1.0, 2.0),
            "placement": "mask",
            "placement_classes": (2, 5),
        },
    }
)


def occluder_config(name: str, **overrides: Any) -> OcclusionConfig:
    """The validated :class:`OcclusionConfig` of a named occluder, with ``overrides``."""
    try:
        recipe = OCCLUDERS[name]
    except KeyError:
        raise ValueError(f"unknown occluder {name!r}; known: {', '.join(OCCLUDERS)}") from None
    return OcclusionConfig(**{**recipe, **overrides})


def _draw(
    name: str,
    image: np.ndarray,
    mask: np.ndarray | None,
    overrides: dict[str, Any],
    rng: np.random.Generator,
) -> list[Occluder]:
    return sample_occluders(image, mask, occluder_config(name, **overrides), rng=rng)


def glasses(
    image: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    rng: np.random.Generator,
    eyes: EyePair | None = None,
    **overrides: Any,
) -> list[Occluder]:
    """A pair of glasses over the eyes, near the room temperature.

    The eyes come from ``eyes`` (e.g. :func:`~tiaug.occlusion.functional.eyes_from_landmarks`)
    or from ``mask`` (class 3). Without two eyes the pair is placed on the eyes/nose classes
    of the mask, or anywhere. ``overrides``: any :class:`OcclusionConfig` field (e.g.
    ``temperature=(-2, 2)``).
    """
    config = occluder_config("glasses", **overrides)
    return sample_occluders(image, mask, config, eyes=eyes, rng=rng)


def hand(
    image: np.ndarray, mask: np.ndarray | None = None, *, rng: np.random.Generator, **overrides: Any
) -> list[Occluder]:
    """A hand (30-35 degC, soft edges) over face, mouth or nose of ``mask``."""
    return _draw("hand", image, mask, overrides, rng)


def hair(
    image: np.ndarray, mask: np.ndarray | None = None, *, rng: np.random.Generator, **overrides: Any
) -> list[Occluder]:
    """2-4 strands of hair, 3-8 degC above the room, over face or eyebrows of ``mask``."""
    return _draw("hair", image, mask, overrides, rng)


def drink(
    image: np.ndarray, mask: np.ndarray | None = None, *, rng: np.random.Generator, **overrides: Any
) -> list[Occluder]:
    """A cup or can, cold (5-15 degC) or hot (40-60 degC), over the mouth of ``mask``."""
    return _draw("drink", image, mask, overrides, rng)


def scarf(
    image: np.ndarray, mask: np.ndarray | None = None, *, rng: np.random.Generator, **overrides: Any
) -> list[Occluder]:
    """Fabric (a scarf or face mask, 2-10 degC above the room) over mouth and nose."""
    return _draw("scarf", image, mask, overrides, rng)
