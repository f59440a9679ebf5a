"""FLIR radiometric JPEGs through flyr, on a file built here (raw counts + Planck calibration)."""

import math
import struct
import sys

import cv2
import numpy as np
import pytest

from tiaug import io

# Planck constants of the kind FLIR cameras store (R1, R2, B, F, O); emissivity 1 and
# distance 0 make flyr's conversion T = B / ln(R1 / (R2 (counts + O)) + F) exactly.
R1, R2, B, F, O = 21106.77, 0.012545258, 1501.0, 1.0, -7340  # noqa: E741 (the names of the constants)


def _counts(celsius: np.ndarray) -> np.ndarray:
    kelvin = celsius + 273.15
    return np.rint(R1 / (R2 * (np.exp(B / kelvin) - F)) - O).astype(np.uint16)


def _celsius(counts: np.ndarray) -> np.ndarray:
    return B / np.log(R1 / (R2 * (counts.astype(np.float64) + O)) + F) - 273.15


def _record_entry(kind: int, offset: int, length: int) -> bytes:
    return struct.pack(">HHIIII12x", kind, 1, 100, 1, offset, length)


def _camera_info() -> bytes:
    info = bytearray(900)
    floats = {32: 1.0, 36: 0.0, 40: 293.15, 44: 293.15, 48: 293.15, 52: 1.0, 60: 0.5}
    floats |= {88: R1, 92: B, 96: F, 112: 0.006569, 116: 0.01262, 120: -0.002276}
    floats |= {124: -0.00667, 128: 1.9, 780: R2}
    for offset, value in floats.items():
        info[offset : offset + 4] = struct.pack("<f", value)
    info[776:780] = struct.pack("<i", O)
    return bytes(info)


def flir_jpeg(counts: np.ndarray) -> bytes:
    """A minimal FLIR radiometric JPEG: a visible JPEG with one APP1 ``FLIR`` segment."""
    height, width = counts.shape
    raw = struct.pack("<HHH", 2, width, height).ljust(32, b"\0")
    raw += counts.astype("<u2").tobytes()
    info = _camera_info()
    # record directory at 0x40 with four entries: flyr reads entry i at offset 32 i, so the
    # two real records (raw data, camera info) sit at entries 2 and 3
    raw_offset = 0x40 + 4 * 32
    info_offset = raw_offset + len(raw)
    header = b"FFF\0".ljust(20, b"\0") + struct.pack(">III", 100, 0x40, 4)
    header = header.ljust(0x40, b"\0")
    directory = header + _record_entry(1, raw_offset, len(raw) - 32)
    directory += _record_entry(32, info_offset, len(info))
    fff = directory.ljust(raw_offset, b"\0") + raw + info
    segment = b"FLIR\0\x01\x00\x00" + fff
    app1 = b"\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment
    ok, jpeg = cv2.imencode(".jpg", np.zeros((height, width), np.uint8))
    assert ok
    data = jpeg.tobytes()
    return data[:2] + app1 + data[2:]


@pytest.fixture
def scene():
    rng = np.random.default_rng(0)
    celsius = 22.0 + 12.0 * rng.random((12, 16))
    return celsius


def test_flir_jpeg_temperatures_match_the_calibration(tmp_path, scene):
    pytest.importorskip("flyr")
    counts = _counts(scene)
    path = tmp_path / "flir.jpg"
    path.write_bytes(flir_jpeg(counts))
    image = io.read_thermal(path)
    assert image.dtype == np.float32
    assert image.shape == scene.shape
    np.testing.assert_allclose(image, _celsius(counts), atol=1e-3)
    # the counts round to about 0.01-0.02 degC here
    assert np.abs(image - scene).max() < 0.05
    assert math.isclose(float(io.read_flir_jpeg(path)[0, 0]), float(image[0, 0]))


def test_flir_jpeg_refuses_scale_and_plain_jpegs(tmp_path, scene):
    pytest.importorskip("flyr")
    path = tmp_path / "flir.jpeg"
    path.write_bytes(flir_jpeg(_counts(scene)))
    with pytest.raises(ValueError, match="carries its own calibration"):
        io.read_thermal(path, scale=0.01)
    plain = tmp_path / "photo.jpg"
    cv2.imwrite(str(plain), np.zeros((8, 8), np.uint8))
    with pytest.raises(ValueError, match=r"photo\.jpg: not a FLIR radiometric JPEG"):
        io.read_thermal(plain)


def test_missing_flyr_gives_the_install_hint(tmp_path, monkeypatch, scene):
    path = tmp_path / "flir.jpg"
    path.write_bytes(flir_jpeg(_counts(scene)))
    monkeypatch.setitem(sys.modules, "flyr", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'tiaug\[flir\]'"):
        io.read_thermal(path)
