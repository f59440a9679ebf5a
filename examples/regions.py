"""What ``examples.predict`` writes: label maps, overlays, region temperatures and plots.

Under OUT: ``regions.csv`` (one row per frame and class, :func:`csv_columns`: temperatures
in degC for radiometric inputs, grey levels for relative ones, never mixed; empty for an
absent class); per input NAME, ``NAME/labels/FFFFF.png`` (label map),
``NAME/overlays/FFFFF.png`` (the frame in grey, the labels over it) and, for recordings,
``NAME/regions.png`` (each region's median over time).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from examples.config import CLASS_NAMES
from examples.overlays import PALETTE, save_label_overlay
from examples.recordings import Recording, common_unit
from tiaug import io as tio

__all__ = ["STATISTICS", "RegionWriter", "csv_columns", "region_temperatures"]

#: The per-region statistics of ``regions.csv``, in column order.
STATISTICS = ("mean", "median", "p5", "p95", "max")
#: Column suffix and plot label of each unit of the inputs.
_UNITS = {"degC": ("degC", "temperature (degC)"), "relative": ("level", "grey level (relative)")}


def csv_columns(unit: str) -> tuple[str, ...]:
    """Columns of ``regions.csv`` for inputs in ``unit``: ``mean_degC``... for temperatures,
    ``mean_level``... for the relative grey levels of exports (no temperatures)."""
    suffix = _UNITS[unit][0]
    return ("recording", "frame", "source", "class", "pixels",
            *(f"{name}_{suffix}" for name in STATISTICS))  # fmt: skip


def region_temperatures(
    temperature: np.ndarray, labels: np.ndarray, num_classes: int = len(CLASS_NAMES)
) -> np.ndarray:
    """(num_classes, 6) per class: pixels, mean, median, 5th and 95th percentile, max, in
    the frame's unit (degC, or grey levels for an export without temperatures).

    The statistics of an absent class are NaN.
    """
    table = np.full((num_classes, 6), np.nan)
    values = temperature.astype(np.float64).ravel()
    flat = labels.ravel()
    for label in range(num_classes):
        region = values[flat == label]
        table[label, 0] = region.size
        if region.size:
            p5, median, p95 = np.percentile(region, [5, 50, 95])
            table[label, 1:] = region.mean(), median, p5, p95, region.max()
    return table


def _cell(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.4f}"


class RegionWriter:
    """Writes label maps, overlays and CSV rows frame by frame, then plots the recordings.

    Args:
        out: output folder.
        recordings: the inputs (their frame counts, sources, names), all of one unit.
        fps: frame rate, for a time axis in seconds (None: frame numbers).

    Raises:
        ValueError: the inputs mix temperatures and relative grey levels.
    """

    def __init__(self, out: Path, recordings: Sequence[Recording], fps: float | None) -> None:
        self.unit = common_unit(recordings)
        self.out = out
        self.recordings = recordings
        self.fps = fps
        self.names = _unique_names(recordings)
        self.medians = [np.full((rec.length, len(CLASS_NAMES)), np.nan) for rec in recordings]
        out.mkdir(parents=True, exist_ok=True)
        self.file = (out / "regions.csv").open("w", newline="", encoding="utf-8")
        self.csv = csv.writer(self.file)
        self.csv.writerow(csv_columns(self.unit))

    def add(self, recording: int, number: int, temperature: np.ndarray, labels: np.ndarray) -> None:
        """Write frame ``number`` of recording ``recording``: its label map, overlay and rows."""
        folder = self.out / self.names[recording]
        (folder / "labels").mkdir(parents=True, exist_ok=True)
        tio.write_mask(folder / "labels" / f"{number:05d}.png", labels)
        save_label_overlay(folder / "overlays" / f"{number:05d}.png", temperature, labels)
        table = region_temperatures(temperature, labels)
        self.medians[recording][number] = table[:, 2]
        source = self.recordings[recording].sources[number]
        for name, row in zip(CLASS_NAMES, table, strict=True):
            self.csv.writerow(
                [self.names[recording], number, source, name, int(row[0])]
                + [_cell(v) for v in row[1:]]
            )

    def close(self) -> None:
        """Close the CSV file."""
        self.file.close()

    def plot(self) -> None:
        """Plot each recording's region medians over time (``NAME/regions.png``)."""
        for name, recording, medians in zip(self.names, self.recordings, self.medians, strict=True):
            if recording.is_sequence:
                label = _UNITS[self.unit][1]
                _plot_medians(self.out / name / "regions.png", medians, self.fps, name, label)


def _unique_names(recordings: Sequence[Recording]) -> list[str]:
    """Output folder names: each input's stem, numbered when two inputs share one."""
    names: list[str] = []
    for recording in recordings:
        name = recording.path.stem or "input"
        names.append(name if name not in names else f"{name}-{len(names)}")
    return names


def _plot_medians(
    path: Path, medians: np.ndarray, fps: float | None, title: str, quantity: str
) -> None:
    """Median ``quantity`` of each region (background left out) against time."""
    time = np.arange(len(medians)) / fps if fps else np.arange(len(medians))
    figure = Figure(figsize=(8, 4), dpi=100, layout="constrained")
    ax = figure.subplots()
    for label, name in enumerate(CLASS_NAMES[1:], start=1):
        ax.plot(time, medians[:, label], color=PALETTE[label] / 255.0, label=name, marker=".")
    ax.set_xlabel("time (s)" if fps else "frame")
    ax.set_ylabel(f"median {quantity}")
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    figure.savefig(path)
