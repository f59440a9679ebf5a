"""Colour palettes of thermal exports, and colour pictures turned back into intensities.

A palette maps 256 intensity levels (0 coldest .. 255 warmest) to RGB colours. A colour
picture exported with a known palette is read back as the levels whose colours are nearest
to its pixels; a picture whose colours lie far from every known palette is refused, since
guessing would give silent garbage. :data:`PALETTES` holds the known ones; a new palette is
one entry (a ``(256, 3)`` uint8 array, coldest first).

The ``iron`` and ``rainbow`` entries are this package's renderings of those common palettes
(anchor colours joined linearly); a vendor's version differs in detail and will usually be
refused: add the vendor's table to :data:`PALETTES` to read it.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "PALETTES",
    "detect_palette",
    "palette_to_levels",
]

_LEVELS = np.linspace(0.0, 1.0, 256)


def _ramp(anchors: str) -> np.ndarray:
    """A (256, 3) uint8 table joining anchors linearly; ``anchors`` reads
    ``"position RRGGBB, ..."`` (positions in [0, 1], colours in hex)."""
    pairs = [item.split() for item in anchors.split(",")]
    positions = [float(position) for position, _ in pairs]
    colours = np.array([[int(rgb[k : k + 2], 16) for k in (0, 2, 4)] for _, rgb in pairs])
    channels = [np.interp(_LEVELS, positions, colours[:, k]) for k in range(3)]
    return np.round(np.stack(channels, axis=1)).astype(np.uint8)


#: Palette name -> (256, 3) uint8 RGB table, coldest level first.
PALETTES: dict[str, np.ndarray] = {
    "white_hot": _ramp("0 000000, 1 ffffff"),
    "black_hot": _ramp("0 ffffff, 1 000000"),
    "iron": _ramp(
        "0 000000, 0.15 1e006e, 0.35 8c0096, 0.55 dc323c, 0.75 fa9600, 0.9 ffe13c, 1 ffffff"
    ),
    "rainbow": _ramp("0 0000ff, 0.25 00ffff, 0.5 00ff00, 0.75 ffff00, 1 ff0000"),
}

#: A picture matches a palette when its pixels' RGB distance to the nearest palette colour
#: is at most this on average and at the 99th percentile (JPEG leaves a few units).
_MEAN_DISTANCE, _P99_DISTANCE = 6.0, 24.0


def _nearest(colours: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest table colour and its distance, for (k, 3) colours."""
    diff = colours[:, None, :].astype(np.float32) - table[None, :, :].astype(np.float32)
    squared = np.einsum("kjc,kjc->kj", diff, diff)
    index = squared.argmin(axis=1)
    return index, np.sqrt(squared[np.arange(len(colours)), index])


def _match(rgb: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Levels (uint8, HxW) of ``rgb`` in ``table``, and the mean and 99th-percentile distance."""
    colours, inverse = np.unique(rgb.reshape(-1, 3), axis=0, return_inverse=True)
    index, distance = _nearest(colours, table)
    per_pixel = distance[inverse.reshape(-1)]
    levels = index[inverse.reshape(-1)].astype(np.uint8).reshape(rgb.shape[:2])
    return levels, float(per_pixel.mean()), float(np.percentile(per_pixel, 99))


def palette_to_levels(rgb: np.ndarray, palette: str) -> np.ndarray:
    """The intensity levels (uint8 HxW, 0 coldest) of an RGB picture drawn with ``palette``.

    Raises:
        ValueError: unknown palette, not an HxWx3 uint8 picture, or colours too far from
            the palette's (the distances are in the message).
    """
    if palette not in PALETTES:
        raise ValueError(f"unknown palette {palette!r}; known: {', '.join(PALETTES)}")
    array = np.asarray(rgb)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise ValueError(f"expected an HxWx3 uint8 RGB picture, got {array.shape} {array.dtype}")
    levels, mean, p99 = _match(array, PALETTES[palette])
    if mean > _MEAN_DISTANCE or p99 > _P99_DISTANCE:
        raise ValueError(
            f"the picture's colours are not the {palette!r} palette's (RGB distance {mean:.1f} "
            f"on average, {p99:.1f} at the 99th percentile; at most {_MEAN_DISTANCE:g} and "
            f"{_P99_DISTANCE:g})"
        )
    return levels


def detect_palette(rgb: np.ndarray) -> str | None:
    """The known palette that ``rgb`` (HxWx3 uint8) was drawn with, or None if none fits."""
    best: tuple[float, str] | None = None
    for name, table in PALETTES.items():
        _, mean, p99 = _match(np.asarray(rgb), table)
        if mean <= _MEAN_DISTANCE and p99 <= _P99_DISTANCE and (best is None or mean < best[0]):
            best = (mean, name)
    return None if best is None else best[1]
