"""The ``tiaug`` command: preview augmentations, write synthetic datasets, list cameras.

``tiaug --help`` and ``tiaug --version`` import neither albumentations nor torch: the
commands import what they need when they run.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tiaug import __version__
from tiaug._preset_names import PRESETS
from tiaug.cameras import CAMERAS, list_cameras
from tiaug.preview import OUTPUT_FORMATS, output_format

if TYPE_CHECKING:
    import numpy as np

    from tiaug.preview import Frame

__all__ = ["PRESET_NAMES", "main"]

T = TypeVar("T")

#: The names of :data:`tiaug.presets.PRESETS` (from a module that imports no albumentations).
PRESET_NAMES = PRESETS
#: largest image side (pixels) ``tiaug synth --size`` accepts
_MAX_SIDE = 8192

#: Python argument names in library messages -> the options of this command line
#: (``scale=1e-3`` becomes ``--scale 1e-3``, ``scale=`` alone ``--scale``)
_OPTION_NAMES = re.compile(r"\b(scale|offset|camera)=([-+\w.]+)?")
#: library advice -> the command line's
_ADVICE = (
    ("overwrite=True", "--overwrite"),
    ("subtract 273.15", "subtract 273.15 (--offset -273.15)"),
)
#: smallest frame side (pixels) ``tiaug preview`` draws
_MIN_SIDE = 8


class InputError(click.ClickException):
    """A user mistake (bad file, unknown name): one line on stderr, exit status 2."""

    exit_code = 2


def _option(match: re.Match[str]) -> str:
    return f"--{match[1]} {match[2]}" if match[2] else f"--{match[1]}"


def _cli_message(error: BaseException | str) -> str:
    """One line, with the library's Python argument names replaced by the options."""
    message = _OPTION_NAMES.sub(_option, " ".join(str(error).split()))
    for advice, option in _ADVICE:
        message = message.replace(advice, option)
    return message


def _guard(action: Callable[[], T]) -> T:
    """Run ``action``, turning the library's input errors into one-line CLI errors."""
    try:
        return action()
    except FileNotFoundError as error:
        raise InputError(f"file not found: {error.filename or error}") from None
    except ModuleNotFoundError as error:  # an optional extra (flyr, matplotlib) is missing
        raise click.ClickException(str(error)) from None
    except (ValueError, OSError) as error:
        raise InputError(_cli_message(error)) from None


def _parse_size(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", value)
    if not match or not all(8 <= int(side) <= _MAX_SIDE for side in (match[1], match[2])):
        raise click.BadParameter(
            f"expected HxW in pixels, each in 8..{_MAX_SIDE} (e.g. 256x320), got {value!r}"
        )
    return int(match[1]), int(match[2])


def _writable_output(path: Path) -> None:
    """Fail early, in one line, when the preview cannot be written at ``path``."""
    if path.is_dir():
        raise InputError(f"-o/--output {path}: is a folder; give a file name")
    try:
        output_format(path)
    except ValueError as error:
        raise InputError(f"-o/--output {error}") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(
            f"-o/--output {path}: cannot create its folder ({error.strerror})"
        ) from None
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"-o/--output {path}: not writable (permission denied)")


def _require_matplotlib() -> None:
    from tiaug.preview import require_matplotlib

    try:
        require_matplotlib()
    except ModuleNotFoundError as error:
        raise click.ClickException(str(error)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tiaug")
def main() -> None:
    """Thermal (LWIR) image augmentation: previews, synthetic faces, camera presets."""
    # albumentations (imported lazily by the commands) would otherwise look for updates online.
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")


@main.command()
@click.argument("image", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--mask",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Label map (PNG, .npy or .tif; HxW integers 0..255) drawn as contours.",
)
@click.option(
    "-n",
    "--num",
    "num",
    default=8,
    show_default=True,
    type=click.IntRange(1, 63),
    help="Number of augmented samples.",
)
@click.option(
    "--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the pipeline."
)
@click.option(
    "--preset",
    default="samcl",
    show_default=True,
    type=click.Choice(PRESET_NAMES),
    help="TiAug preset.",
)
@click.option(
    "--camera",
    default=None,
    type=click.Choice(list_cameras(), case_sensitive=False),
    metavar="NAME",
    help="Camera preset, one of `tiaug cameras`: converts integer counts of IMAGE to degC, "
    "gives the frame size of raw .bin/.raw files and the sensor noise of 'unconstrained'.",
)
@click.option(
    "--scale",
    type=float,
    default=None,
    help="degC per stored unit of IMAGE: T = value x SCALE + OFFSET (e.g. 0.001 for a "
    "milli-degC file, 0.04 for 40 mK counts); overrides the camera's count format.",
)
@click.option(
    "--offset",
    type=float,
    default=None,
    help="degC at stored value 0 (e.g. -273.15 for counts in kelvin); default 0 with --scale.",
)
@click.option(
    "-o",
    "--output",
    default="preview.png",
    show_default=True,
    type=click.Path(path_type=Path),
    help=f"Image file to write, in the format of its suffix: {', '.join(OUTPUT_FORMATS)}. "
    "Missing folders are created.",
)
def preview(
    image: Path | None,
    mask: Path | None,
    num: int,
    seed: int,
    preset: str,
    camera: str | None,
    scale: float | None,
    offset: float | None,
    output: Path,
) -> None:
    """Show IMAGE and NUM augmented copies in a grid with a shared degC colour bar.

    IMAGE is a temperature map: .npy or .tif in degC, or integer counts in .npy, .tif,
    16-bit .png or raw .bin/.raw with --camera or --scale/--offset; a FLIR radiometric
    .jpg needs the flir extra (pip install 'tiaug[flir]'). Without IMAGE a built-in
    synthetic face and its mask are used. Prints the path written.

    Frames larger than a panel are shown, and augmented, at most 512 pixels long; NaN
    pixels of a degC .npy are kept (grey, counted). The colours span the face (the
    labelled pixels, or the central region); padding is hatched; each panel lists the
    transforms that fired.
    """
    _require_matplotlib()
    _writable_output(output)
    if image is None and (mask is not None or scale is not None or offset is not None):
        raise InputError("--mask, --scale and --offset need an IMAGE")
    if image is not None and image.suffix.lower() in (".bin", ".raw") and camera is None:
        raise InputError(f"{image}: a raw frame file needs --camera (frame size and count type)")

    from tiaug.preview import Frame, augment_samples, preview_pipeline, read_frame, render_grid
    from tiaug.synth import CLASS_NAMES, synth_face

    labels: np.ndarray | None
    if image is None:
        face = synth_face(seed)
        frame, labels, source = Frame.of(face.image), face.mask, "built-in synthetic face"
    else:
        frame = _guard(lambda: read_frame(image, camera=camera, scale=scale, offset=offset))
        _check_frame_size(image, frame.shape)
        labels = None if mask is None else _read_labels(mask, frame)
        source = image.name
    size = frame.image.shape[:2]
    pipeline = _guard(lambda: preview_pipeline(preset, size, camera=camera, seed=seed))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        samples = _guard(lambda: augment_samples(frame.image, labels, pipeline, num))
    for message in dict.fromkeys(_cli_message(warning.message) for warning in caught):
        click.echo(f"Warning: {message}", err=True)
    title = f"tiaug preset '{preset}' on {source} (seed {seed}){_display_note(frame)}"
    written = _guard(lambda: render_grid(samples, output, class_names=CLASS_NAMES, title=title))
    click.echo(str(written))


def _read_labels(mask: Path, frame: Frame) -> np.ndarray:
    """The label map of ``mask`` (the frame file's shape) at the frame's display size."""
    import numpy as np

    from tiaug.io import read_mask

    like = np.broadcast_to(np.float32(0), frame.shape)  # the file's shape, no memory
    return frame.labels(_guard(lambda: read_mask(mask, like=like)))


def _check_frame_size(image: Path, shape: tuple[int, int]) -> None:
    """Refuse, in one line, a frame too small to preview."""
    if min(shape) < _MIN_SIDE:
        raise InputError(
            f"{image}: {shape[0]}x{shape[1]} pixels; tiaug preview needs at least "
            f"{_MIN_SIDE}x{_MIN_SIDE}"
        )


def _display_note(frame: Frame) -> str:
    """The title's note on a reduced frame and on the NaN pixels of the file."""
    notes = []
    if frame.factor > 1:
        rows, cols = frame.image.shape[:2]
        notes.append(
            f"{frame.shape[0]}x{frame.shape[1]} px shown and augmented at {rows}x{cols} "
            f"(1/{frame.factor})"
        )
    if frame.nan_count:
        notes.append(f"{frame.nan_count} NaN px in the file")
    return "\n" + "; ".join(notes) if notes else ""


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-n",
    "--num",
    "num",
    required=True,
    type=click.IntRange(1, None),
    help="Number of samples to write.",
)
@click.option(
    "--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Generator seed."
)
@click.option(
    "--size",
    default="256x320",
    show_default=True,
    callback=_parse_size,
    help="Image size HxW in pixels.",
)
@click.option(
    "--val-fraction",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Fraction of samples written to the val split.",
)
@click.option("--overwrite", is_flag=True, help="Replace a dataset already in OUTDIR.")
def synth(
    outdir: Path,
    num: int,
    seed: int,
    size: tuple[int, int],
    val_fraction: float,
    overwrite: bool,
) -> None:
    """Write NUM synthetic thermal faces to OUTDIR ({train,val}/{image,label}).

    Images are float32 degC .npy files, labels 8-bit PNGs; prints OUTDIR.
    """
    from tiaug.synth import write_dataset

    with contextlib.ExitStack() as stack:
        bars: list[Any] = []  # opened at the first sample: an argument error stays one line

        def advance(_sample: object) -> None:
            if not bars:  # on stderr: stdout holds OUTDIR only
                bar = click.progressbar(length=num, label="synthetic faces", file=sys.stderr)
                bars.append(stack.enter_context(bar))
            bars[0].update(1)

        _guard(
            lambda: write_dataset(
                outdir,
                num,
                seed=seed,
                size=size,
                val_fraction=val_fraction,
                overwrite=overwrite,
                progress=advance,
            )
        )
    click.echo(str(outdir))


@main.command()
def cameras() -> None:
    """List the camera presets (resolution, NETD, raw count format)."""
    click.echo(f"{'name':<16} {'W x H':>10} {'NETD degC':>10}  count format")
    for name in list_cameras():
        camera = CAMERAS[name]
        if camera.count_step is None:
            counts = f"{camera.count_dtype}, no linear calibration"
        else:
            formula = f"T = counts x {camera.count_step:g} {camera.count_offset:+g}"
            counts = f"{camera.count_dtype}, {formula}"
        size = f"{camera.width} x {camera.height}"
        click.echo(f"{name:<16} {size:>10} {camera.netd:>10.3f}  {counts}")
