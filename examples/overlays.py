"""PNG overlays of predictions: input, ground truth and prediction side by side, or one
frame with its predicted labels laid over it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.image import imsave
from matplotlib.patches import Patch

__all__ = ["PALETTE", "blend", "colorize", "save_label_overlay", "save_overlay"]

#: RGB colour of each class: background, face, mouth, eyes, eyebrows, nose.
PALETTE = np.array(
    [[0, 0, 0], [230, 159, 0], [213, 94, 0], [86, 180, 233], [0, 158, 115], [204, 121, 167]],
    dtype=np.uint8,
)
_IGNORED = np.array([128, 128, 128], dtype=np.uint8)


def colorize(labels: np.ndarray) -> np.ndarray:
    """An (H, W, 3) uint8 RGB picture of a label map; unknown labels (e.g. 255) are grey."""
    labels = np.asarray(labels)
    known = labels < len(PALETTE)
    rgb = np.broadcast_to(_IGNORED, (*labels.shape, 3)).copy()
    rgb[known] = PALETTE[labels[known]]
    return rgb


def blend(image: np.ndarray, labels: np.ndarray, alpha: float = 0.55) -> np.ndarray:
    """(H, W, 3) RGB in [0, 1]: the image in grey (min to max), label colours laid over it
    with opacity ``alpha`` (background left clear)."""
    low, high = float(image.min()), float(image.max())
    grey = (image - low) / (high - low) if high > low else np.zeros_like(image)
    base = np.repeat(grey[..., None], 3, axis=-1)
    colour = colorize(labels) / 255.0
    weight = np.where(labels[..., None] == 0, 0.0, alpha)
    return (1 - weight) * base + weight * colour


def save_overlay(
    path: str | Path,
    image: np.ndarray,
    target: np.ndarray,
    prediction: np.ndarray,
    class_names: Sequence[str],
    title: str = "",
    alpha: float = 0.55,
) -> Path:
    """Write a PNG with three panels: the input, the ground truth and the prediction.

    Args:
        path: PNG file to write (folders are created).
        image: (H, W) input as fed to the network.
        target: (H, W) label map (ignored pixels drawn grey).
        prediction: (H, W) predicted labels.
        class_names: legend entries, one per class.
        title: figure title.
        alpha: opacity of the label colours.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image = np.asarray(image, dtype=np.float64)
    figure = Figure(figsize=(9.6, 3.6), dpi=100, layout="constrained")
    axes = figure.subplots(1, 3)
    panels = [
        ("input", blend(image, np.zeros(image.shape, dtype=np.uint8), alpha)),
        ("ground truth", blend(image, np.asarray(target), alpha)),
        ("prediction", blend(image, np.asarray(prediction), alpha)),
    ]
    for ax, (name, picture) in zip(axes, panels, strict=True):
        ax.imshow(picture, interpolation="nearest")
        ax.set_title(name)
        ax.set_axis_off()
    handles = [
        Patch(color=PALETTE[i] / 255.0, label=name)
        for i, name in enumerate(class_names[: len(PALETTE)])
    ]
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    if title:
        figure.suptitle(title)
    figure.savefig(path)
    return path


def save_label_overlay(
    path: str | Path, image: np.ndarray, labels: np.ndarray, alpha: float = 0.55
) -> Path:
    """Write :func:`blend` of ``image`` and ``labels`` as a PNG at the image's own size."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = blend(np.asarray(image, dtype=np.float64), np.asarray(labels), alpha)
    imsave(path, np.clip(picture, 0.0, 1.0))
    return path
