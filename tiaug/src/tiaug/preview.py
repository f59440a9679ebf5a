"""Preview grids: a frame and augmented copies, one degC colour bar set by the face.

Frames larger than a panel are shown, and augmented, at display size (longest side at most
:data:`DISPLAY_SIDE` pixels): a float ``.npy`` file is read in blocks of rows and averaged as
it is read, so memory follows the panel, not the file. NaN pixels stay NaN, as the
transforms keep them, and are drawn in their own colour. Only numpy is imported here; the
pipeline (albumentations) and matplotlib load when used.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tiaug.cameras import Camera
    from tiaug.presets import TiAug

__all__ = [
    "DISPLAY_SIDE",
    "OUTPUT_FORMATS",
    "Frame",
    "PreviewSample",
    "augment_samples",
    "downscale",
    "face_range",
    "output_format",
    "preview_pipeline",
    "read_frame",
    "render_grid",
    "require_matplotlib",
]

#: File formats :func:`render_grid` writes, chosen by the suffix of the path.
OUTPUT_FORMATS = ("png", "jpg", "jpeg", "pdf", "svg", "tif", "tiff", "webp", "eps")
#: Longest side, in pixels, of a frame as shown (and augmented) in a preview panel.
DISPLAY_SIDE = 512
#: Label of padded and ignored pixels in the preview's pipeline.
IGNORE_INDEX = 255
#: Colour of NaN pixels (absent from the colour map).
NAN_COLOUR = "#9e9e9e"
#: Padding is painted in this colour and hatched, so that it never reads as a temperature.
PADDING_COLOUR = "#ffffff"
#: Colour of the hatching (padding ``////``, ignored labels ``xx``).
HATCH_COLOUR = "#707070"
#: Percentiles of the face (or central) region that bound the colour bar.
_FACE_PERCENTILES = (1.0, 99.0)
#: Rows read at once from a file, in display rows (each ``factor`` file rows).
_BLOCK_ROWS = 16
#: Plausibility limits of float degC files (as :func:`tiaug.read_thermal`'s).
_ABSOLUTE_ZERO, _MAX_PLAUSIBLE_DEGC = -273.15, 1000.0
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


# --- frames at display size ---------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Frame:
    """A temperature map as shown: ``image`` (degC, float32, NaN kept) is the file's
    ``shape`` (rows, columns) reduced ``factor`` times (1: as it is); ``nan_count`` NaN
    pixels in the file."""

    image: np.ndarray
    shape: tuple[int, int]
    factor: int
    nan_count: int

    @classmethod
    def of(cls, image: np.ndarray) -> Frame:
        """The display frame of a 2-D array already in memory."""
        factor = display_factor(image.shape)
        nan_count = int(np.count_nonzero(np.isnan(image)))
        return cls(downscale(image, factor), (image.shape[0], image.shape[1]), factor, nan_count)

    def labels(self, mask: np.ndarray) -> np.ndarray:
        """A label map of the file's shape at display size (nearest: block centres)."""
        step, half = self.factor, self.factor // 2
        rows, cols = self.image.shape
        return np.ascontiguousarray(mask[half::step, half::step][:rows, :cols])


def display_factor(shape: Sequence[int]) -> int:
    """The integer reduction that brings the longest side within :data:`DISPLAY_SIDE` (but
    keeps the short side at 8 pixels or more)."""
    wanted = math.ceil(max(shape[0], shape[1]) / DISPLAY_SIDE)
    return max(1, min(wanted, min(shape[0], shape[1]) // 8))


def _block_means(rows: np.ndarray, factor: int) -> np.ndarray:
    """Means of the finite values of each ``factor`` x ``factor`` block of ``rows``; NaN
    where half a block or more is NaN. Rows and columns that do not fill a block are left
    out."""
    height, width = rows.shape[0] // factor, rows.shape[1] // factor
    blocks = rows[: height * factor, : width * factor].reshape(height, factor, width, factor)
    finite = np.isfinite(blocks)
    count = finite.sum(axis=(1, 3))
    total = np.where(finite, blocks, 0.0).sum(axis=(1, 3), dtype=np.float64)
    means = (total / np.maximum(count, 1)).astype(np.float32)
    means[2 * count <= factor * factor] = np.nan
    return means


def downscale(image: np.ndarray, factor: int) -> np.ndarray:
    """``image`` (HxW degC) reduced ``factor`` times by block means, NaN-aware; the last
    rows and columns that do not fill a block are left out. ``factor`` 1 returns it as is."""
    if factor == 1:
        return np.asarray(image, dtype=np.float32)
    step = _BLOCK_ROWS * factor
    parts = [
        _block_means(np.asarray(image[start : start + step], np.float32), factor)
        for start in range(0, image.shape[0], step)
    ]
    return np.concatenate(parts)


def _npy_layout(path: Path) -> tuple[tuple[int, int], np.dtype, int] | None:
    """(rows, columns), dtype and data offset of a C-ordered 2-D (or HxWx1) float ``.npy``;
    None for anything else (counts, pickles, archives...), which ``read_thermal`` reads."""
    try:
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError):
        return None
    if not isinstance(mapped, np.memmap):
        return None
    shape, dtype, offset = mapped.shape, mapped.dtype, int(mapped.offset)
    contiguous = bool(mapped.flags.c_contiguous)
    del mapped
    if len(shape) == 3 and shape[2] == 1:
        shape = shape[:2]
    if dtype.kind != "f" or len(shape) != 2 or not contiguous or 0 in shape:
        return None
    return (int(shape[0]), int(shape[1])), dtype, offset


def _stream_npy(path: Path, shape: tuple[int, int], dtype: np.dtype, offset: int) -> Frame:
    """Read a float ``.npy`` block by block, reducing each block as it comes: memory is the
    display frame plus one block of rows."""
    factor = display_factor(shape)
    step = _BLOCK_ROWS * factor
    parts, nan_count, infinite = [], 0, 0
    low, high = math.inf, -math.inf
    for start in range(0, shape[0], step):
        count = min(step, shape[0] - start) * shape[1]
        skip = offset + start * shape[1] * dtype.itemsize
        rows = np.fromfile(path, dtype=dtype, count=count, offset=skip).reshape(-1, shape[1])
        rows = rows.astype(np.float32, copy=False)
        nan_count += int(np.count_nonzero(np.isnan(rows)))
        infinite += int(np.count_nonzero(np.isinf(rows)))
        finite = rows[np.isfinite(rows)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
        parts.append(_block_means(rows, factor))
    if infinite:
        raise ValueError(f"{path}: holds {infinite} infinite values")
    _check_plausible(path, low, high)
    return Frame(np.concatenate(parts), shape, factor, nan_count)


def _check_plausible(path: Path, low: float, high: float) -> None:
    """The range checks :func:`tiaug.read_thermal` applies to float degC data."""
    if low < _ABSOLUTE_ZERO - 1e-3:
        raise ValueError(
            f"{path}: values down to {low:.6g} degC lie below absolute zero; "
            "check the scale/offset or camera"
        )
    if high > _MAX_PLAUSIBLE_DEGC:
        raise ValueError(
            f"{path}: values up to {high:.6g} are not plausible degC; give scale=/offset= "
            "(e.g. scale=1e-3 for milli-degC) or camera= to convert them"
        )


def read_frame(
    path: str | Path,
    *,
    camera: str | Camera | None = None,
    scale: float | None = None,
    offset: float | None = None,
) -> Frame:
    """Read a temperature map for display.

    A float degC ``.npy`` (no ``scale``/``offset``) is streamed and may hold NaN (kept, and
    counted); every other file goes through :func:`tiaug.read_thermal` (which refuses NaN)
    and is reduced after reading.

    Raises:
        FileNotFoundError, ValueError: as :func:`tiaug.read_thermal`, and for infinite or
            implausible values of a streamed file.
    """
    path = Path(path)
    if path.suffix.lower() == ".npy" and scale is None and offset is None and path.is_file():
        layout = _npy_layout(path)
        if layout is not None:
            return _stream_npy(path, *layout)
    from tiaug.io import read_thermal

    return Frame.of(read_thermal(path, camera=camera, scale=scale, offset=offset))


# --- augmented samples ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PreviewSample:
    """One panel: a degC image, its label map (or None), a title, and for an output of the
    pipeline the pixels it padded and the transforms that fired (None for the original)."""

    image: np.ndarray
    mask: np.ndarray | None
    title: str
    padding: np.ndarray | None = None
    fired: tuple[str, ...] | None = None


def preview_pipeline(
    preset: str, size: tuple[int, int], *, camera: str | Camera | None, seed: int
) -> TiAug:
    """The TiAug preset as previewed: it reports the transforms that fired and pads label maps
    with :data:`IGNORE_INDEX`."""
    from tiaug.presets import TiAug

    return TiAug(
        preset,
        size=size,
        ignore_index=IGNORE_INDEX,
        camera=camera,
        seed=seed,
        save_applied_params=True,
    )


def augment_samples(
    image: np.ndarray,
    mask: np.ndarray | None,
    transform: Callable[..., dict[str, Any]],
    n: int,
) -> list[PreviewSample]:
    """The original and ``n`` outputs of ``transform`` (a :func:`preview_pipeline`: an
    albumentations pipeline that pads label maps with :data:`IGNORE_INDEX` and saves the
    applied parameters).

    Padding is found, with or without ``mask``, from a blank label map passed as the
    ``masks`` target (which no tiaug transform reads).
    """
    samples = [PreviewSample(image, mask, "original")]
    blank = np.zeros((1, *image.shape[:2]), np.uint8)
    for index in range(1, n + 1):
        data: dict[str, Any] = {"image": image, "masks": blank}
        if mask is not None:
            data["mask"] = mask
        out = transform(**data)
        fired = tuple(name.rsplit(".", 1)[-1] for name, _ in out.get("applied_transforms", ()))
        padded = np.asarray(out["masks"][0]) == IGNORE_INDEX
        sample = PreviewSample(out["image"], out.get("mask"), f"augmented #{index}", padded, fired)
        samples.append(sample)
    return samples


# --- drawing --------------------------------------------------------------------------------


def _plane(array: np.ndarray) -> np.ndarray:
    """The HxW plane drawn for an HxW or HxWxC array (its first channel)."""
    array = np.asarray(array)
    return array[..., 0] if array.ndim == 3 else array


def face_range(
    image: np.ndarray, mask: np.ndarray | None, ignore_index: int = IGNORE_INDEX
) -> tuple[float, float]:
    """The degC colour range of a preview: robust percentiles (1st, 99th) of the face.

    The face is the labelled pixels of ``mask`` (neither background 0 nor ``ignore_index``),
    or, without labels, the central half of the frame in each direction: cold cups, hot
    drinks and walls outside it do not flatten the face's colours. NaN is left out; (0, 1)
    when no finite value remains.
    """
    plane = _plane(image)
    labels = None if mask is None else _plane(mask)
    face = None if labels is None else (labels != 0) & (labels != ignore_index)
    if face is not None and face.any():
        region = plane[face]
    else:
        rows, cols = plane.shape
        region = plane[rows // 4 : rows - rows // 4, cols // 4 : cols - cols // 4]
    values = region[np.isfinite(region)]
    if values.size == 0:
        return 0.0, 1.0
    low, high = np.percentile(values, _FACE_PERCENTILES)
    return float(low), float(max(high, low + 1e-3))


def _panel_title(sample: PreviewSample) -> str:
    """The title, the NaN count when there are NaN pixels, and the transforms that fired."""
    nans = int(np.count_nonzero(np.isnan(_plane(sample.image))))
    head = f"{sample.title}, {nans} NaN px" if nans else sample.title
    if sample.fired is None:
        return head
    fired = ", ".join(sample.fired) if sample.fired else "nothing fired"
    return "\n".join([head, *textwrap.wrap(fired, width=44)])


def _hatch(ax: Any, region: np.ndarray, pattern: str, fill: str | None = None) -> bool:
    """Hatch the pixels of ``region`` (a boolean map), painted ``fill`` first when given;
    whether there were any."""
    if not region.any() or min(region.shape) < 2:
        return False
    if fill is not None:
        from matplotlib.colors import ListedColormap

        solid = ListedColormap([fill]).with_extremes(bad=(0.0, 0.0, 0.0, 0.0))
        ax.imshow(np.where(region, 0.0, np.nan), cmap=solid, interpolation="nearest")
    ax.contourf(region, levels=[0.5, 1.5], colors="none", hatches=[pattern])
    return True


def _legend_handles(classes: set[int], class_names: Sequence[str], marks: set[str]) -> list:
    """Legend entries: each outlined class, then padding, ignored labels and NaN if shown."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Line2D(
            [],
            [],
            color=_CONTOUR_COLOURS[(label - 1) % len(_CONTOUR_COLOURS)],
            label=class_names[label] if label < len(class_names) else f"class {label}",
        )
        for label in sorted(classes)
    ]
    if "padding" in marks:
        handles.append(Patch(facecolor=PADDING_COLOUR, hatch="////", label="padding"))
    if "ignored" in marks:
        handles.append(Patch(facecolor="none", hatch="xx", label=f"label {IGNORE_INDEX} (ignored)"))
    if "nan" in marks:
        handles.append(Patch(facecolor=NAN_COLOUR, label="NaN (no data)"))
    return handles


def _draw_panel(
    ax: Any, sample: PreviewSample, cmap: Any, limits: tuple[float, float], ignore_index: int
) -> tuple[Any, set[int], set[str]]:
    """One panel: the image, hatched padding and ignored labels, class outlines. Returns the
    image artist, the classes outlined and the marks drawn ("padding", "ignored", "nan")."""
    image = _plane(sample.image)
    artist = ax.imshow(image, cmap=cmap, vmin=limits[0], vmax=limits[1], interpolation="nearest")
    ax.set_title(_panel_title(sample), fontsize=7)
    ax.set_axis_off()
    marks = {"nan"} if np.isnan(image).any() else set()
    padding = np.zeros(image.shape, bool) if sample.padding is None else _plane(sample.padding)
    if _hatch(ax, padding, "////", PADDING_COLOUR):
        marks.add("padding")
    classes: set[int] = set()
    if sample.mask is None or min(sample.mask.shape[:2]) < 2:  # no contour in one line
        return artist, classes, marks
    mask = _plane(sample.mask)
    if _hatch(ax, (mask == ignore_index) & ~padding, "xx"):
        marks.add("ignored")
    for label in np.unique(mask[mask != ignore_index]):
        if label == 0:
            continue
        colour = _CONTOUR_COLOURS[(int(label) - 1) % len(_CONTOUR_COLOURS)]
        ax.contour(mask == label, levels=[0.5], colors=[colour], linewidths=0.8)
        classes.add(int(label))
    return artist, classes, marks


def render_grid(
    samples: Sequence[PreviewSample],
    path: str | Path,
    *,
    class_names: Sequence[str] = (),
    ignore_index: int = IGNORE_INDEX,
    columns: int | None = None,
    title: str | None = None,
    cmap: str = "inferno",
) -> Path:
    """Draw ``samples`` in a grid with one degC colour bar and mask contours; write it.

    The colour range is :func:`face_range` of the first sample (the original), with arrows
    for values beyond it; NaN pixels are grey, counted in the panel's title. Class ``c`` of a
    mask (``c >= 1``) is outlined in its own colour; padding is hatched ``////``, other
    pixels labelled ``ignore_index`` ``xx``; a legend names what is drawn. The format follows
    the suffix of ``path`` (:data:`OUTPUT_FORMATS`); the file is written at ``path`` exactly.
    Returns the path written.

    Raises:
        ModuleNotFoundError: matplotlib is not installed (``pip install 'tiaug[preview]'``).
        ValueError: no samples, or a suffix not in :data:`OUTPUT_FORMATS`.
        OSError: the file cannot be written.
    """
    require_matplotlib()
    import matplotlib

    if not samples:
        raise ValueError("nothing to draw: no samples")
    file_format = output_format(path)
    with matplotlib.rc_context({"hatch.color": HATCH_COLOUR, "hatch.linewidth": 0.8}):
        figure = _figure(samples, class_names, ignore_index, columns, title, cmap)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=110, format=file_format)
    return path


def _figure(
    samples: Sequence[PreviewSample],
    class_names: Sequence[str],
    ignore_index: int,
    columns: int | None,
    title: str | None,
    cmap: str,
) -> Any:
    """The preview's matplotlib figure (see :func:`render_grid`)."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    columns = columns or min(len(samples), 3 if len(samples) <= 9 else 4)
    rows = math.ceil(len(samples) / columns)
    limits = face_range(samples[0].image, samples[0].mask, ignore_index)
    colours = colormaps[cmap].with_extremes(bad=NAN_COLOUR)
    fig = Figure(figsize=(3.2 * columns + 1.2, 2.9 * rows + 0.8), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    classes: set[int] = set()
    marks: set[str] = set()
    for ax, sample in zip(axes.flat, samples, strict=False):
        artist, seen, drawn = _draw_panel(ax, sample, colours, limits, ignore_index)
        classes |= seen
        marks |= drawn
    for ax in axes.flat[len(samples) :]:
        ax.set_axis_off()
    bar = fig.colorbar(artist, ax=axes, shrink=0.9, extend="both")
    bar.set_label("temperature (degC), range of the face")
    handles = _legend_handles(classes, class_names, marks)
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
