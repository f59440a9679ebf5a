"""The ``tiaug`` command: preview augmentations, write synthetic datasets, list cameras."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from tiaug import __version__
from tiaug.cameras import CAMERAS, get_camera, list_cameras

__all__ = ["main"]

T = TypeVar("T")


class InputError(click.ClickException):
    """A user mistake (bad file, unknown name): one line on stderr, exit status 2."""

    exit_code = 2


def _guard(action: Callable[[], T]) -> T:
    """Run ``action``, turning the library's input errors into one-line CLI errors."""
    try:
        return action()
    except FileNotFoundError as error:
        raise InputError(f"file not found: {error.filename or error}") from None
    except (ValueError, OSError) as error:
        raise InputError(" ".join(str(error).split())) from None


def _parse_size(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", value)
    if not match or min(int(match[1]), int(match[2])) < 8:
        raise click.BadParameter(f"expected HxW in pixels, each >= 8 (e.g. 256x320), got {value!r}")
    return int(match[1]), int(match[2])


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
    help="Label map (PNG or .npy, HxW integers) drawn as contours.",
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
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the pipeline.")
@click.option(
    "--preset",
    default="samcl",
    show_default=True,
    help="TiAug preset: samcl, baseline or unconstrained.",
)
@click.option(
    "--camera",
    default=None,
    help="Camera preset: converts raw counts of IMAGE to degC and sets the sensor "
    "noise of the 'unconstrained' preset (see `tiaug cameras`).",
)
@click.option(
    "-o",
    "--output",
    default="preview.png",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="PNG to write.",
)
def preview(
    image: Path | None,
    mask: Path | None,
    num: int,
    seed: int,
    preset: str,
    camera: str | None,
    output: Path,
) -> None:
    """Show IMAGE and NUM augmented copies in a grid with a shared degC colour bar.

    IMAGE is a temperature map (.npy in degC, or counts in .npy/.tif/.png/.bin with
    --camera). Without IMAGE a built-in synthetic face and its mask are used.
    """
    from tiaug import io
    from tiaug.presets import PRESETS, TiAug
    from tiaug.preview import augment_samples, render_grid
    from tiaug.synth import CLASS_NAMES, synth_face

    if preset not in PRESETS:
        raise InputError(f"unknown preset {preset!r}; known presets: {', '.join(PRESETS)}")
    if camera is not None:
        _guard(lambda: get_camera(camera))
    if image is None:
        if mask is not None:
            raise InputError("--mask needs an IMAGE")
        face = synth_face(seed)
        temperature, labels, source = face.image, face.mask, "built-in synthetic face"
    else:
        temperature = _guard(lambda: io.read_thermal(image, camera=camera))
        labels = None if mask is None else _guard(lambda: io.read_mask(mask, like=temperature))
        source = image.name
    pipeline = TiAug(preset, size=temperature.shape[:2], camera=camera, seed=seed)
    samples = augment_samples(temperature, labels, pipeline, num)
    written = render_grid(
        samples,
        output,
        class_names=CLASS_NAMES,
        title=f"tiaug preset '{preset}' on {source} (seed {seed})",
    )
    click.echo(str(written))


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
@click.option("--seed", default=0, show_default=True, type=int, help="Generator seed.")
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
    """Write NUM synthetic thermal faces to OUTDIR ({train,val}/{image,label})."""
    from tiaug.synth import write_dataset

    writer = _guard(
        lambda: write_dataset(
            outdir, num, seed=seed, size=size, val_fraction=val_fraction, overwrite=overwrite
        )
    )
    with click.progressbar(writer, length=num, label="synthetic faces") as bar:
        for _ in bar:
            pass
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
