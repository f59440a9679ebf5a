"""Thermal camera presets: resolution, NETD and the radiometric count format.

Figures come from datasheets (see docs/physics.md). NETD is the 1-sigma temporal
noise in degC (= K); the count format maps raw integer counts to degC as
``T = counts * count_step + count_offset``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CAMERAS", "Camera", "get_camera", "list_cameras"]

_KELVIN_OFFSET = -273.15


@dataclass(frozen=True)
class Camera:
    """A thermal camera model.

    Attributes:
        name: preset name, lower case with dashes.
        width: image width in pixels.
        height: image height in pixels.
        netd: noise-equivalent temperature difference in degC (1-sigma temporal noise).
        count_step: degC per raw count, or ``None`` when the camera has no published linear
            radiometric format (raw counts cannot be converted).
        count_offset: degC at count 0.
        count_dtype: numpy dtype name of a raw frame on disk (e.g. ``"uint16"``).
        description: one line: what it is, where it is used, what is approximate.
    """

    name: str
    width: int
    height: int
    netd: float
    count_step: float | None
    count_offset: float
    count_dtype: str
    description: str

    @property
    def shape(self) -> tuple[int, int]:
        """Frame shape as (rows, columns) = (height, width) in pixels."""
        return (self.height, self.width)

    @property
    def radiometric(self) -> bool:
        """Whether raw counts convert linearly to degC."""
        return self.count_step is not None

    def counts_to_celsius(self, counts: np.ndarray) -> np.ndarray:
        """Convert raw counts to a float32 temperature map in degC."""
        if self.count_step is None:
            raise ValueError(
                f"camera {self.name!r} has no linear radiometric count format; "
                "give an explicit scale and offset instead"
            )
        return (np.asarray(counts, dtype=np.float64) * self.count_step + self.count_offset).astype(
            np.float32
        )

    def celsius_to_counts(self, temperature: np.ndarray) -> np.ndarray:
        """Convert degC to raw counts (rounded, clipped to the count dtype's range)."""
        if self.count_step is None:
            raise ValueError(f"camera {self.name!r} has no linear radiometric count format")
        info = np.iinfo(np.dtype(self.count_dtype))
        above_offset = np.asarray(temperature, np.float64) - self.count_offset
        counts = np.rint(above_offset / self.count_step)
        return np.clip(counts, info.min, info.max).astype(self.count_dtype)


CAMERAS: dict[str, Camera] = {
    camera.name: camera
    for camera in (
        Camera(
            "infratec-hd820",
            1024,
            768,
            0.04,
            0.001,
            0.0,
            "int32",
            "InfraTec VarioCAM HD 820 of the Thermal Face Database; NETD approx. 0.03-0.05 K; "
            "files hold milli-degC",
        ),
        Camera(
            "flir-a655sc",
            640,
            480,
            0.03,
            0.01,
            _KELVIN_OFFSET,
            "uint16",
            "FLIR A655sc, NETD < 0.03 K, 16-bit; count format assumed TLinear 0.01 K",
        ),
        Camera(
            "flir-a65",
            640,
            512,
            0.05,
            0.04,
            _KELVIN_OFFSET,
            "uint16",
            "FLIR A65 (SAM-CL inference .bin frames, iBVP); NETD approx. 0.05 K; "
            "T = counts x 0.04 - 273.15",
        ),
        Camera(
            "flir-boson-640",
            640,
            512,
            0.04,
            0.01,
            _KELVIN_OFFSET,
            "uint16",
            "FLIR Boson 640 radiometric, NETD < 0.04 K, TLinear 0.01 K",
        ),
        Camera(
            "flir-boson-320",
            320,
            256,
            0.04,
            0.01,
            _KELVIN_OFFSET,
            "uint16",
            "FLIR Boson 320 radiometric, NETD < 0.04 K, TLinear 0.01 K",
        ),
        Camera(
            "flir-lepton-3.5",
            160,
            120,
            0.05,
            0.01,
            _KELVIN_OFFSET,
            "uint16",
            "FLIR Lepton 3.5, NETD < 0.05 K, 14-bit sensor; TLinear 0.01 K (counts / 100 - 273.15)",
        ),
        Camera(
            "flir-one-pro",
            160,
            120,
            0.07,
            None,
            0.0,
            "uint16",
            "FLIR ONE Pro phone camera, NETD approx. 0.07 K; radiometric JPEG (Planck "
            "calibration in the file, read by tiaug.read_thermal): no linear count format",
        ),
        Camera(
            "topdon-tc001",
            256,
            192,
            0.04,
            1 / 64,
            _KELVIN_OFFSET,
            "uint16",
            "Topdon TC001 USB camera, NETD <= 0.04 K; T = counts / 64 - 273.15",
        ),
        Camera(
            "infiray-p2",
            256,
            192,
            0.04,
            1 / 64,
            _KELVIN_OFFSET,
            "uint16",
            "InfiRay P2 Pro USB camera, NETD <= 0.04 K; T = counts / 64 - 273.15",
        ),
        Camera(
            "seek-compact",
            206,
            156,
            0.07,
            None,
            0.0,
            "uint16",
            "Seek Thermal Compact, NETD approx. 0.07 K; 14-bit raw counts without a published "
            "linear calibration",
        ),
    )
}


def list_cameras() -> list[str]:
    """Names of all camera presets, sorted."""
    return sorted(CAMERAS)


def get_camera(name: str | Camera) -> Camera:
    """Return the preset called ``name`` (a :class:`Camera` passes through).

    Raises:
        ValueError: if no preset has that name; the message lists the known names.
    """
    if isinstance(name, Camera):
        return name
    key = str(name).strip().lower()
    try:
        return CAMERAS[key]
    except KeyError:
        raise ValueError(
            f"unknown camera {name!r}; known cameras: {', '.join(list_cameras())}"
        ) from None
