"""Preview grids: an image and augmented copies with one shared degC colour bar."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "OUTPUT_FORMATS",
    "PreviewSample",
    "augment_samples",
    "output_format",
    "render_grid",
    "require_matplotlib",
]

#: File formats :func:`render_grid` writes, chosen by the suffix of the path.
OUTPUT_FORMATS = ("png", "jpg", "jpeg", "pdf", "svg", "tif", "tiff", "webp", "eps")
_MATPLOTLIB_HINT = "preview grids need matplotlib: pip install 'tiaug[preview]'"

_CONTOUR_COLOURS = ("#00e5ff", "#76ff03", "#ffea00", "#ff4081", "#e040fb", "#ffffff", "#40c4ff")


def require_matplotlib() -> None:
    """Raise ``ModuleNotFoundError`` with an install hint when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ModuleNotFoundError:
        raise ModuleNotFoundError(_MATPLOTLIB_HINT, name="matplotlib") from None


def output_format(path: str | Path) -> str:
    """The format of ``path`` from its suffix; ``ValueError`` unless it is in OUTPUT_FORMATS."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in OUTPUT_FORMATS:
        shown = repr(Path(path).suffix) if suffix else "no suffix"
        raise ValueError(
            f"{path}: cannot write an image with {shown}; use one of .{', .'.join(OUTPUT_FORMATS)}"
        )
    return suffix


@dataclass(frozen=True)
class PreviewSample:
    """One panel of a preview: a degC image, its label map (or None) and a title."""

    image: np.ndarray
    mask: np.ndarray | None
    title: str


def augment_samples(
    image: np.ndarray,
    mask: np.ndarray | None,
    transform: Callable[..., dict[str, np.ndarray]],
    n: int,
) -> list[PreviewSample]:
    """The original and ``n`` outputs of ``transform`` (an albumentations pipeline)."""
    samples = [PreviewSample(image, mask, "original")]
    for index in range(1, n + 1):
        data = {"image": image} if mask is None else {"image": image, "mask": mask}
        out = transform(**data)
        samples.append(PreviewSample(out["image"], out.get("mask"), f"augmented #{index}"))
    return samples


def _plane(array: np.ndarray) -> np.ndarray:
    """The HxW plane drawn for an HxW or HxWxC array (its first channel)."""
    array = np.asarray(array)
    return array[..., 0] if array.ndim == 3 else array


def _colour_range(samples: Sequence[PreviewSample]) -> tuple[float, float]:
    """Robust shared degC range (0.5th to 99.5th percentile of the finite values of every
    panel together; (0, 1) when there are none)."""
    values = np.concatenate([np.ravel(sample.image) for sample in samples])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    low, high = np.percentile(values, [0.5, 99.5])
    return float(low), float(max(high, low + 1e-3))


def render_grid(
    samples: Sequence[PreviewSample],
    path: str | Path,
    *,
    class_names: Sequence[str] = (),
    ignore_index: int = 255,
    columns: int | None = None,
    title: str | None = None,
    cmap: str = "inferno",
) -> Path:
    """Draw ``samples`` in a grid with one degC colour bar and mask contours; write it.

    The format follows the suffix of ``path`` (:data:`OUTPUT_FORMATS`), and the file is
    written at ``path`` exactly. Class ``c`` of a mask (``c >= 1``) is outlined in its own
    colour; pixels equal to ``ignore_index`` are hatched grey. Returns the path written.

    Raises:
        ModuleNotFoundError: matplotlib is not installed (``pip install 'tiaug[preview]'``).
        ValueError: no samples, or a suffix not in :data:`OUTPUT_FORMATS`.
        OSError: the file cannot be written.
    """
    require_matplotlib()
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    if not samples:
        raise ValueError("nothing to draw: no samples")
    file_format = output_format(path)
    columns = columns or min(len(samples), 3 if len(samples) <= 9 else 4)
    rows = math.ceil(len(samples) / columns)
    vmin, vmax = _colour_range(samples)
    fig = Figure(figsize=(3.2 * columns + 1.2, 2.7 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    classes_seen: set[int] = set()
    artist = None
    for ax, sample in zip(axes.flat, samples, strict=False):
        image = _plane(sample.image)
        artist = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_title(sample.title, fontsize=9)
        ax.set_axis_off()
        if sample.mask is None or min(sample.mask.shape[:2]) < 2:  # no contour in one line
            continue
        mask = _plane(sample.mask)
        ignored = mask == ignore_index
        if ignored.any():
            ax.contourf(ignored, levels=[0.5, 1.5], colors="none", hatches=["////"])
        for label in np.unique(mask[~ignored]):
            if label == 0:
                continue
            colour = _CONTOUR_COLOURS[(int(label) - 1) % len(_CONTOUR_COLOURS)]
            ax.contour(mask == label, levels=[0.5], colors=[colour], linewidths=0.8)
            classes_seen.add(int(label))
    for ax in axes.flat[len(samples) :]:
        ax.set_axis_off()
    assert artist is not None  # samples is not empty
    bar = fig.colorbar(artist, ax=axes, shrink=0.9, extend="both")
    bar.set_label("temperature (degC)")
    if classes_seen:
        handles = [
            Line2D(
                [],
                [],
                color=_CONTOUR_COLOURS[(label - 1) % len(_CONTOUR_COLOURS)],
                label=class_names[label] if label < len(class_names) else f"class {label}",
            )
            for label in sorted(classes_seen)
        ]
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, format=file_format)
    return path
