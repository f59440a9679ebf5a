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
    "read_known_palette",
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


_CHUNK = 4096  # colours compared with a table at once: (4096, 256, 3) float32, 12 MB


def _unique_colours(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The picture's distinct (k, 3) colours and, per pixel, the index of its colour."""
    colours, inverse = np.unique(rgb.reshape(-1, 3), axis=0, return_inverse=True)
    return colours, inverse.reshape(-1)


def _nearest(colours: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest table colour and its distance, for (k, 3) colours.

    Chunks of :data:`_CHUNK` colours keep the memory bounded (a JPEG has tens of thousands
    of distinct colours); the squared distances are sums of integers, exact in float32.
    """
    index = np.empty(len(colours), dtype=np.intp)
    distance = np.empty(len(colours), dtype=np.float32)
    reference = table[None, :, :].astype(np.float32)
    for start in range(0, len(colours), _CHUNK):
        chunk = colours[start : start + _CHUNK]
        diff = chunk[:, None, :].astype(np.float32) - reference
        squared = np.einsum("kjc,kjc->kj", diff, diff)
        nearest = squared.argmin(axis=1)
        index[start : start + len(chunk)] = nearest
        distance[start : start + len(chunk)] = np.sqrt(squared[np.arange(len(chunk)), nearest])
    return index, distance


def _match(
    colours: np.ndarray, inverse: np.ndarray, table: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """The table index of each distinct colour, and the pixels' mean and 99th-percentile
    distance to the table (``colours``, ``inverse``: :func:`_unique_colours`)."""
    index, distance = _nearest(colours, table)
    per_pixel = distance[inverse]
    return index, float(per_pixel.mean()), float(np.percentile(per_pixel, 99))


def _fits(mean: float, p99: float) -> bool:
    return mean <= _MEAN_DISTANCE and p99 <= _P99_DISTANCE


def _levels(index: np.ndarray, inverse: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    return index[inverse].astype(np.uint8).reshape(rgb.shape[:2])


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
    colours, inverse = _unique_colours(array)
    index, mean, p99 = _match(colours, inverse, PALETTES[palette])
    if not _fits(mean, p99):
        raise ValueError(
            f"the picture's colours are not the {palette!r} palette's (RGB distance {mean:.1f} "
            f"on average, {p99:.1f} at the 99th percentile; at most {_MEAN_DISTANCE:g} and "
            f"{_P99_DISTANCE:g})"
        )
    return _levels(index, inverse, array)


def detect_palette(rgb: np.ndarray) -> str | None:
    """The known palette that ``rgb`` (HxWx3 uint8) was drawn with, or None if none fits."""
    found = read_known_palette(np.asarray(rgb))
    return None if found is None else found[0]


def read_known_palette(rgb: np.ndarray) -> tuple[str, np.ndarray] | None:
    """The known palette that ``rgb`` (HxWx3 uint8) was drawn with and the picture's levels
    in it (:func:`detect_palette`, then :func:`palette_to_levels`, with the picture's colours
    found once), or None if no palette fits. Among palettes that fit, the closest on average
    wins; on a tie the first of :data:`PALETTES` (grey pictures read as white-hot)."""
    colours, inverse = _unique_colours(rgb)
    best: tuple[float, str, np.ndarray] | None = None
    for name, table in PALETTES.items():
        index, mean, p99 = _match(colours, inverse, table)
        if _fits(mean, p99) and (best is None or mean < best[0]):
            best = (mean, name, index)
    return None if best is None else (best[1], _levels(best[2], inverse, rgb))
