"""One sampled occluder (:class:`Occluder`: a box, a coverage alpha and a temperature map)
and what it does to a frame: the blended image and the covered pixels.

Numpy; images HxW or HxWx1 degC maps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tiaug._checks import restore_shape, to_temperature_map

__all__ = ["Occluder", "apply_occlusion", "coverage_map"]


@dataclass(frozen=True)
class Occluder:
    """One synthetic object, cropped to its bounding box inside the frame.

    Attributes:
        top: first row of the box in the image.
        left: first column of the box in the image.
        alpha: float32 ``(h, w)`` coverage in [0, 1] (soft edges already applied).
        temperature: float32 ``(h, w)`` apparent temperature in degC.
        center: ``(row, col)`` of the object's centre in image pixels (for a joined pair,
            the middle of the pair).
        kind: ``"polygon"``, ``"line"`` (a 2-vertex polygon), ``"stroke"`` or ``"ellipse"``.
        configuration: the configuration it belongs to.
    """

    top: int
    left: int
    alpha: np.ndarray
    temperature: np.ndarray
    center: tuple[float, float]
    kind: str
    configuration: str

    @property
    def box(self) -> tuple[int, int, int, int]:
        """``(top, left, bottom, right)``, bottom/right exclusive."""
        h, w = self.alpha.shape
        return self.top, self.left, self.top + h, self.left + w


def apply_occlusion(image: np.ndarray, occluders: Sequence[Occluder]) -> np.ndarray:
    """Blend ``occluders`` into a float32 copy of ``image`` (the input is not modified).

    Each covered pixel becomes ``(1 - alpha) * T_scene + alpha * T_occluder``, objects in
    order (later on top). Returns the layout of the input (HxW or HxWx1).
    """
    out = np.array(to_temperature_map(image), dtype=np.float32, copy=True)
    for occ in occluders:
        h, w = occ.alpha.shape
        region = out[occ.top : occ.top + h, occ.left : occ.left + w]
        region *= 1.0 - occ.alpha
        region += occ.alpha * occ.temperature
    return restore_shape(out, image)


def coverage_map(
    occluders: Sequence[Occluder], shape: tuple[int, ...], threshold: float = 0.5
) -> np.ndarray:
    """Boolean HxW map of the pixels covered by ``occluders`` (alpha >= ``threshold``)."""
    covered = np.zeros(tuple(shape[:2]), bool)
    for occ in occluders:
        h, w = occ.alpha.shape
        covered[occ.top : occ.top + h, occ.left : occ.left + w] |= occ.alpha >= threshold
    return covered
