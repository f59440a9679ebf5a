"""Labels under occluders: the label policies (keep, background, ignore) and the
``max_hidden`` rule.

Receives the :class:`~tiaug.occlusion.config.LabelConfig` parameters; numpy only.
"""

from __future__ import annotations

import numpy as np

from tiaug._checks import check_mask, restore_shape
from tiaug.occlusion.config import check_label_policy

__all__ = ["apply_label_policy"]


def apply_label_policy(
    mask: np.ndarray,
    coverage: np.ndarray,
    policy: str = "keep",
    ignore_index: int = 255,
    max_hidden: float = 0.5,
) -> np.ndarray:
    """Update a label map for the covered pixels.

    Args:
        mask: HxW (or HxWx1) integer label map; not modified.
        coverage: HxW boolean map of covered pixels (or an alpha map, covered where >= 0.5).
        policy: ``"keep"`` (amodal: the mask is returned unchanged, as the reference does),
            ``"background"`` (covered pixels become 0) or ``"ignore"`` (covered pixels
            become ``ignore_index``).
        ignore_index: label of ignored pixels (padding), and the label ``"ignore"`` gives;
            must fit the mask's dtype for ``"ignore"``.
        max_hidden: a class with more than this fraction of its pixels covered is dropped
            whole (all its pixels get the policy's label). Applies to every class but the
            policy's own label and ``ignore_index`` (uncovered padding stays ignored).

    Returns:
        the updated label map (a new array unless ``policy == "keep"``), same dtype and
        layout as ``mask``.
    """
    check_label_policy(policy)
    if policy == "keep":
        return mask
    labels = np.asarray(mask)
    plane = check_mask(labels, labels.shape[:2])
    covered = _covered(coverage, plane.shape)
    if not 0.0 <= max_hidden <= 1.0:
        raise ValueError(f"max_hidden must lie in [0, 1], got {max_hidden}")
    value = 0 if policy == "background" else int(ignore_index)
    info = np.iinfo(plane.dtype)
    if not info.min <= value <= info.max:
        raise ValueError(f"label {value} does not fit the mask's dtype {plane.dtype}")
    out = plane.copy()
    hidden = plane[covered]
    if hidden.size:
        out[covered] = value
        for label, count in _label_counts(hidden):
            if label in (value, ignore_index):
                continue
            selected = plane == label
            if count > max_hidden * np.count_nonzero(selected):
                out[selected] = value
    return restore_shape(out, labels)


def _covered(coverage: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``coverage`` as a boolean map (an alpha map covers where >= 0.5) of ``shape``."""
    covered = np.asarray(coverage)
    if covered.dtype != bool:
        covered = covered >= 0.5
    if covered.shape != shape:
        raise ValueError(f"coverage shape {covered.shape} differs from the mask's {shape}")
    return covered


def _label_counts(values: np.ndarray) -> zip[tuple[int, int]]:
    """``(label, count)`` of each label present in the non-empty 1-D ``values``, ascending."""
    if values.min() >= 0:  # the usual case: bincount is faster than unique
        counts = np.bincount(values)
        labels = np.flatnonzero(counts)
        counts = counts[labels]
    else:
        labels, counts = np.unique(values, return_counts=True)
    return zip(labels.tolist(), counts.tolist(), strict=True)
