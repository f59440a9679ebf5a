"""FLIR radiometric JPEGs, read through the optional ``flyr`` package (``tiaug[flir]``).

A FLIR radiometric JPEG (FLIR ONE, E- and T-series, ...) holds a visible picture plus, in
its APP1 ``FLIR`` segments, the raw sensor counts and the camera's calibration (Planck
constants, emissivity, distance, reflected and atmospheric temperatures). ``flyr`` turns
the counts into temperatures with that calibration; this module only wires it in.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from tiaug.io._files import existing_file

__all__ = ["FLIR_SUFFIXES", "has_flir_records", "read_flir_jpeg"]

#: Suffixes read as FLIR radiometric JPEGs.
FLIR_SUFFIXES = (".jpg", ".jpeg")

_HINT = "reading FLIR radiometric JPEGs needs flyr: pip install 'tiaug[flir]'"
# what flyr raises on a JPEG without (complete) FLIR records
_FLYR_ERRORS = (ValueError, KeyError, IndexError, TypeError, OSError, struct.error)


def read_flir_jpeg(path: str | Path) -> np.ndarray:
    """The temperature map of a FLIR radiometric JPEG (float32 degC, HxW).

    Converted with the calibration stored in the file (its emissivity, distance and
    reflected temperature included).

    Raises:
        FileNotFoundError: the file does not exist.
        ModuleNotFoundError: ``flyr`` is not installed (the message says how to install it).
        ValueError: the file is not a FLIR radiometric JPEG.
    """
    path = existing_file(path)
    try:
        import flyr
    except ModuleNotFoundError:
        raise ModuleNotFoundError(_HINT, name="flyr") from None
    try:
        celsius = flyr.unpack(str(path)).celsius
    except _FLYR_ERRORS as error:
        raise ValueError(
            f"{path}: not a FLIR radiometric JPEG ({type(error).__name__}: {error})"
        ) from None
    return np.ascontiguousarray(celsius, dtype=np.float32)


_SOI, _SOS, _APP1 = b"\xff\xd8", 0xDA, 0xE1
_FLIR_ID = b"FLIR\x00"


def has_flir_records(path: str | Path) -> bool:
    """True when the JPEG at ``path`` carries FLIR records (an APP1 segment named ``FLIR``).

    Reads the segment headers before the image data only; needs no ``flyr``. A file that is
    not a JPEG gives False.
    """
    with open(existing_file(path), "rb") as file:
        if file.read(2) != _SOI:
            return False
        while True:
            header = file.read(4)
            if len(header) < 4 or header[0] != 0xFF or header[1] == _SOS:
                return False
            payload = struct.unpack(">H", header[2:])[0] - 2
            start = file.tell()
            if header[1] == _APP1 and file.read(len(_FLIR_ID)) == _FLIR_ID:
                return True
            file.seek(start + payload)
