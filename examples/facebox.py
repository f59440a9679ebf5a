"""Where to crop a frame for a network trained on crops around the face (``face_crop``).

Such a network saw, in training, a crop around the labelled face (:func:`examples.data.face_box`),
resized to the run's size; on a whole frame, where the face is small, it fails. Without
labels the crop is searched for: windows of the training aspect, 35 %, 45 % and 60 % of the
frame's height, overlapping by two thirds, each prepared as in training; the window where the
network is most confident (mean over pixels of the highest class probability) is the face's.
Only windows centred on the warm part of the frame compete (the middle third of the window
at least as warm, in median, as halfway from the frame's median to its 99th percentile: a
face is the warmest large region of a scene, in degC as in the grey levels of an export), so
a confident guess on a car window or a wall cannot win; when no window is centred on warm
pixels, all compete.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

__all__ = [
    "WINDOW_FRACTIONS",
    "candidate_windows",
    "find_face_window",
    "warm_windows",
]

#: Window heights searched, as fractions of the frame's height.
WINDOW_FRACTIONS = (0.35, 0.45, 0.6)
_OVERLAP = 3  # windows per window side: a stride of a third of the window
_CHUNK = 32  # windows per forward pass

Box = tuple[int, int, int, int]


def _starts(length: int, window: int) -> list[int]:
    steps = max(1, int(np.ceil((length - window) * _OVERLAP / window)))
    return sorted({round(v) for v in np.linspace(0, length - window, steps + 1)})


def candidate_windows(shape: tuple[int, int], aspect: float) -> list[Box]:
    """``(top, left, rows, columns)`` windows of ``aspect`` (rows / columns) inside ``shape``."""
    height, width = shape
    boxes = []
    for fraction in WINDOW_FRACTIONS:
        rows = max(1, round(fraction * height))
        cols = min(width, max(1, round(rows / aspect)))
        boxes += [(t, c, rows, cols) for t in _starts(height, rows) for c in _starts(width, cols)]
    return boxes


def warm_windows(frame: np.ndarray, boxes: list[Box]) -> list[Box]:
    """The ``boxes`` whose middle third is, in median, at least halfway from the frame's
    median to its 99th percentile (all of them when none is)."""
    median, high = np.quantile(frame, [0.5, 0.99])
    threshold = float(median + high) / 2
    warm = []
    for top, left, rows, cols in boxes:
        middle = frame[
            top + rows // 3 : top + rows - rows // 3, left + cols // 3 : left + cols - cols // 3
        ]
        if middle.size and float(np.median(middle)) >= threshold:
            warm.append((top, left, rows, cols))
    return warm or boxes


@torch.inference_mode()
def find_face_window(
    model: nn.Module,
    frame: np.ndarray,
    size: tuple[int, int],
    prepare: Callable[[np.ndarray, tuple[int, int]], torch.Tensor],
    device: torch.device,
    amp_dtype: torch.dtype | None = None,
) -> Box:
    """The warm :func:`candidate_windows` window of ``frame`` where ``model`` is most confident.

    Args:
        model: network in eval mode, on ``device``.
        frame: (H, W) degC or grey levels.
        size: the network's (rows, columns); its aspect is the windows'.
        prepare: turns a degC crop into the network's (1, rows, columns) input.
        device: where the model runs.
        amp_dtype: autocast dtype, or None.
    """
    boxes = warm_windows(frame, candidate_windows(frame.shape, size[0] / size[1]))
    scores = []
    for start in range(0, len(boxes), _CHUNK):
        crops = [
            prepare(np.ascontiguousarray(frame[t : t + r, c : c + w]), size)
            for t, c, r, w in boxes[start : start + _CHUNK]
        ]
        images = torch.stack(crops).to(device)
        with torch.autocast(device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
            logits = model(images)
        scores.append(logits.float().softmax(1).amax(1).mean((1, 2)).cpu())
    return boxes[int(torch.cat(scores).argmax())]
