"""Readers and writers of tiaug.io, the TFD reader and the shared landmark mask builder."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile
from scipy.spatial import ConvexHull

import tiaug
from tiaug import io
from tiaug.cameras import get_camera
from tiaug.classes import IBUG68_GROUPS, fill_convex_hull, landmarks_to_mask


def test_imports_the_installed_package():
    assert Path(tiaug.__file__).parent.parent.name == "src"


# ---------------------------------------------------------------------------- read_thermal


def _degc(shape=(12, 16), seed=0):
    return (20.0 + 15.0 * np.random.default_rng(seed).random(shape)).astype(np.float32)


def test_npy_degc_read_as_is(tmp_path):
    image = _degc()
    np.save(tmp_path / "a.npy", image)
    out = io.read_thermal(tmp_path / "a.npy")
    assert out.dtype == np.float32
    assert out.shape == image.shape
    np.testing.assert_array_equal(out, image)
    np.save(tmp_path / "b.npy", image.astype(np.float64)[..., None])  # HxWx1, float64
    np.testing.assert_allclose(io.read_thermal(tmp_path / "b.npy"), image)
    # a camera does not reinterpret float degC
    np.testing.assert_array_equal(io.read_thermal(tmp_path / "a.npy", camera="flir-a65"), image)


def test_npy_counts_with_camera_or_scale(tmp_path):
    counts = np.array([[7500, 7600], [7700, 8000]], dtype=np.uint16)
    np.save(tmp_path / "c.npy", counts)
    out = io.read_thermal(tmp_path / "c.npy", camera="flir-a65")
    np.testing.assert_allclose(out, counts * 0.04 - 273.15, atol=1e-4)
    out = io.read_thermal(tmp_path / "c.npy", scale=0.01, offset=-40.0)
    np.testing.assert_allclose(out, counts * 0.01 - 40.0, atol=1e-4)
    # an explicit scale/offset wins over the camera's count format
    out = io.read_thermal(tmp_path / "c.npy", camera="flir-a65", scale=0.01, offset=-40.0)
    np.testing.assert_allclose(out, counts * 0.01 - 40.0, atol=1e-4)
    with pytest.raises(ValueError, match="integer counts"):
        io.read_thermal(tmp_path / "c.npy")
    with pytest.raises(ValueError, match="no linear radiometric"):
        io.read_thermal(tmp_path / "c.npy", camera="seek-compact")
    with pytest.raises(ValueError, match="unknown camera"):
        io.read_thermal(tmp_path / "c.npy", camera="no-such-camera")


def test_pickled_npy_is_refused(tmp_path):
    path = tmp_path / "evil.npy"
    np.save(path, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickled"):
        io.read_thermal(path)
    with pytest.raises(ValueError, match="pickled"):
        io.read_mask(path)


@pytest.mark.parametrize("content", [b"", b"\x00\x01 random bytes " * 10, b"(lp0\nI1\na."])
def test_a_file_without_numpy_header_is_not_called_pickled(tmp_path, content):
    path = tmp_path / "noise.npy"
    path.write_bytes(content)
    for read in (io.read_thermal, io.read_mask):
        with pytest.raises(ValueError, match=r"not a \.npy array") as error:
            read(path)
        assert "pickled" not in str(error.value)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused(tmp_path, bad):
    image = _degc()
    image[3, 4] = bad
    np.save(tmp_path / "x.npy", image)
    with pytest.raises(ValueError, match="NaN or infinite"):
        io.read_thermal(tmp_path / "x.npy")


@pytest.mark.parametrize("shape", [(5,), (2, 6, 7), (6, 7, 3), (1, 2, 3, 4)])
def test_wrong_dimensions_are_refused(tmp_path, shape):
    np.save(tmp_path / "x.npy", np.full(shape, 25.0, np.float32))
    with pytest.raises(ValueError, match="single-channel HxW"):
        io.read_thermal(tmp_path / "x.npy")


def test_missing_file_and_bad_suffix(tmp_path):
    with pytest.raises(FileNotFoundError) as error:
        io.read_thermal(tmp_path / "nope.npy")
    assert error.value.filename == str(tmp_path / "nope.npy")
    (tmp_path / "a.gif").write_bytes(b"GIF89a")
    with pytest.raises(ValueError, match=r"unknown suffix '\.gif'"):
        io.read_thermal(tmp_path / "a.gif")
    with pytest.raises(FileNotFoundError):
        io.read_mask(tmp_path / "nope.png")


def test_implausible_float_values_need_a_scale(tmp_path):
    milli = (_degc() * 1000).astype(np.float32)
    np.save(tmp_path / "m.npy", milli)
    with pytest.raises(ValueError, match="not plausible degC"):
        io.read_thermal(tmp_path / "m.npy")
    np.testing.assert_allclose(
        io.read_thermal(tmp_path / "m.npy", scale=1e-3), milli / 1000, rtol=1e-6
    )
    np.save(tmp_path / "k.npy", np.full((4, 4), 300, np.uint16))
    with pytest.raises(ValueError, match="below absolute zero"):
        io.read_thermal(tmp_path / "k.npy", scale=1.0, offset=-600.0)


def test_tiff_counts_and_float(tmp_path):
    camera = get_camera("flir-boson-640")
    image = _degc((8, 10))
    counts = camera.celsius_to_counts(image)
    assert counts.dtype == np.uint16
    tifffile.imwrite(tmp_path / "c.tif", counts)
    out = io.read_thermal(tmp_path / "c.tif", camera="flir-boson-640")
    np.testing.assert_allclose(out, image, atol=0.006)
    tifffile.imwrite(tmp_path / "f.tiff", image)
    np.testing.assert_array_equal(io.read_thermal(tmp_path / "f.tiff"), image)
    tifffile.imwrite(tmp_path / "b.tif", np.zeros((8, 10), np.uint8))
    with pytest.raises(ValueError, match="8-bit"):
        io.read_thermal(tmp_path / "b.tif", camera="flir-boson-640")
    with pytest.raises(ValueError, match="integer counts"):
        io.read_thermal(tmp_path / "c.tif")


def test_png_16bit_counts_and_8bit_refused(tmp_path):
    camera = get_camera("topdon-tc001")
    image = _degc((9, 11))
    counts = camera.celsius_to_counts(image)
    assert cv2.imwrite(str(tmp_path / "c.png"), counts)
    out = io.read_thermal(tmp_path / "c.png", camera="topdon-tc001")
    np.testing.assert_allclose(out, image, atol=1 / 64)
    assert cv2.imwrite(str(tmp_path / "g.png"), np.full((9, 11), 200, np.uint8))
    with pytest.raises(ValueError, match="8-bit image, not radiometric"):
        io.read_thermal(tmp_path / "g.png", camera="topdon-tc001")
    out = io.read_thermal(tmp_path / "g.png", scale=0.1, offset=10.0)  # explicit: allowed
    np.testing.assert_allclose(out, 30.0, atol=1e-5)
    assert cv2.imwrite(str(tmp_path / "rgb.png"), np.zeros((9, 11, 3), np.uint16))
    with pytest.raises(ValueError, match="3 colour channels"):
        io.read_thermal(tmp_path / "rgb.png", camera="topdon-tc001")
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="not a readable PNG"):
        io.read_thermal(tmp_path / "broken.png", camera="topdon-tc001")


def _a65_frames(k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(7000, 8000, size=(k, 512, 640), dtype=np.uint16)


def test_bin_single_frame_flir_a65(tmp_path):
    frames = _a65_frames(1)
    frames.astype("<u2").tofile(tmp_path / "f.bin")
    out = io.read_thermal(tmp_path / "f.bin", camera="flir-a65")
    assert out.shape == (512, 640)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, frames[0] * 0.04 - 273.15, atol=1e-4)


def test_bin_multi_frame_and_bad_size(tmp_path):
    frames = _a65_frames(3, seed=1)
    frames.astype("<u2").tofile(tmp_path / "f.bin")
    for index in (0, 2, -1):
        out = io.read_thermal(tmp_path / "f.bin", camera="flir-a65", index=index)
        np.testing.assert_allclose(out, frames[index] * 0.04 - 273.15, atol=1e-4)
    with pytest.raises(ValueError, match="out of range"):
        io.read_thermal(tmp_path / "f.bin", camera="flir-a65", index=3)
    with open(tmp_path / "f.bin", "ab") as handle:
        handle.write(b"\x00\x01\x02")
    with pytest.raises(ValueError, match="not a whole number"):
        io.read_thermal(tmp_path / "f.bin", camera="flir-a65")
    with pytest.raises(ValueError, match="needs camera"):
        io.read_thermal(tmp_path / "f.bin")


def test_bin_with_explicit_shape_and_dtype(tmp_path):
    counts = np.arange(6 * 5, dtype="<u2").reshape(6, 5) + 1000
    counts.tofile(tmp_path / "s.raw")
    out = io.read_thermal(tmp_path / "s.raw", shape=(6, 5), dtype="uint16", scale=0.01)
    np.testing.assert_allclose(out, counts * 0.01, atol=1e-5)
    with pytest.raises(ValueError, match="integer counts"):
        io.read_thermal(tmp_path / "s.raw", shape=(6, 5))


# ---------------------------------------------------------------------------- masks


def test_read_mask_png_and_npy(tmp_path):
    mask = np.random.default_rng(0).integers(0, 6, (10, 12)).astype(np.uint8)
    io.write_mask(tmp_path / "m.png", mask)
    np.testing.assert_array_equal(io.read_mask(tmp_path / "m.png"), mask)
    np.save(tmp_path / "m.npy", mask.astype(np.int64))
    out = io.read_mask(tmp_path / "m.npy", like=np.zeros((10, 12, 1)))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, mask)
    with pytest.raises(ValueError, match="differs"):
        io.read_mask(tmp_path / "m.png", like=np.zeros((11, 12)))


def test_read_mask_rejects_bad_labels(tmp_path):
    np.save(tmp_path / "f.npy", np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match="integers"):
        io.read_mask(tmp_path / "f.npy")
    assert cv2.imwrite(str(tmp_path / "rgb.png"), np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match="channels"):
        io.read_mask(tmp_path / "rgb.png")
    assert cv2.imwrite(str(tmp_path / "big.png"), np.full((4, 4), 300, np.uint16))
    with pytest.raises(ValueError, match=r"0\.\.255"):
        io.read_mask(tmp_path / "big.png")


def test_write_thermal_round_trip(tmp_path):
    image = _degc()
    for name in ("w.npy", "w.tif"):
        io.write_thermal(tmp_path / name, image)
        np.testing.assert_array_equal(io.read_thermal(tmp_path / name), image)
    with pytest.raises(ValueError, match="writes"):
        io.write_thermal(tmp_path / "w.png", image)


# ---------------------------------------------------------------------------- landmark masks


def _hull_reference(points_rc: np.ndarray, shape) -> np.ndarray:
    """Pixels whose centres lie in the closed hull (boundary included): qhull's facets."""
    rows, cols = np.indices(shape)
    centres = np.stack([rows.ravel(), cols.ravel()], axis=1).astype(float)
    equations = ConvexHull(points_rc).equations  # normal . x + offset <= 0 inside
    inside = (centres @ equations[:, :2].T + equations[:, 2] <= 1e-9).all(axis=1)
    return inside.reshape(shape)


def _reference_mask(points: np.ndarray, groups: dict, shape) -> np.ndarray:
    """Independent implementation of docs/method.md section 4 (order chin .. nose, later wins)."""
    mask = np.zeros(shape, np.uint8)
    order = [
        (1, ["chin"]),
        (2, ["outermouth"]),
        (3, ["leye"]),
        (3, ["reye"]),
        (4, ["leyebrow"]),
        (4, ["reyebrow"]),
        (5, ["centernose", "bottomnose"]),
    ]
    for value, names in order:
        indices = [i for name in names for i in groups[name]]
        mask[_hull_reference(points[indices], shape)] = value
    return mask


def _face_points() -> np.ndarray:
    """A hand-placed 68-point face in a 120x160 image, [row, col]."""
    pts = np.zeros((68, 2))
    t = np.linspace(0.0, np.pi, 17)
    pts[0:17] = np.stack([50 + 60 * np.sin(t), 80 - 50 * np.cos(t)], axis=1)  # chin 50..110
    pts[17:22] = [(38, 45), (35, 51), (34, 57), (35, 63), (38, 69)]
    pts[22:27] = [(38, 91), (35, 97), (34, 103), (35, 109), (38, 115)]
    pts[27:31] = [(48, 80), (56, 80), (64, 80), (72, 80)]
    pts[31:36] = [(74, 72), (76, 76), (77, 80), (76, 84), (74, 88)]
    pts[36:42] = [(50, 48), (46, 53), (46, 60), (50, 65), (54, 60), (54, 53)]
    pts[42:48] = [(50, 95), (46, 100), (46, 107), (50, 112), (54, 107), (54, 100)]
    a = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    pts[48:60] = np.stack([90 - 6 * np.sin(a), 80 - 16 * np.cos(a)], axis=1)
    a = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    pts[60:68] = np.stack([90 - 2 * np.sin(a), 80 - 10 * np.cos(a)], axis=1)
    return pts


def _write_tfd(folder: Path, base: str, image: np.ndarray, points: np.ndarray, groups=None):
    groups = IBUG68_GROUPS if groups is None else groups
    np.save(folder / f"{base}.npy", image)
    doc = {
        "version": 2,
        "landmarks": {"points": points.tolist(), "connectivity": []},
        "labels": [{"label": name, "mask": list(idx)} for name, idx in groups.items()],
    }
    (folder / f"{base}.ljson").write_text(json.dumps(doc))
    return folder / f"{base}.npy"


def test_standard_groups_cover_68_points_once():
    indices = sorted(i for idx in IBUG68_GROUPS.values() for i in idx)
    assert indices == list(range(68))
    assert IBUG68_GROUPS["leyebrow"] == (17, 18, 19, 20, 21)
    assert IBUG68_GROUPS["leye"] == (36, 37, 38, 39, 40, 41)
    assert IBUG68_GROUPS["outermouth"] == tuple(range(48, 60))


def test_tfd_pair_classes_land_in_the_hulls(tmp_path):
    shape = (120, 160)
    milli = np.full(shape, 25_000, np.int32)
    milli[40:110, 30:130] = 34_000
    path = _write_tfd(tmp_path, "sub007_01", milli, _face_points())
    image, mask = io.read_tfd_pair(path)
    assert image.dtype == np.float32
    assert mask.dtype == np.uint8
    assert mask.shape == shape
    assert image[0, 0] == pytest.approx(25.0)
    assert image[60, 80] == pytest.approx(34.0)
    assert mask[51, 56] == 3  # eye over face (below the jaw hull's top edge at row 50)
    assert mask[47, 56] == 3  # eye above the face hull
    assert mask[36, 57] == 4  # eyebrow, outside the face hull: painted over background
    assert mask[65, 80] == 5  # nose over face
    assert mask[90, 80] == 2  # mouth (the inner mouth adds nothing)
    assert mask[85, 45] == 1  # cheek: face
    assert mask[20, 80] == 0
    assert mask[115, 80] == 0
    assert mask[60, 10] == 0
    assert mask[49, 80] == 5  # top of the nose bridge, above the jaw hull
    assert set(np.unique(mask)) == {0, 1, 2, 3, 4, 5}
    np.testing.assert_array_equal(mask, _reference_mask(_face_points(), IBUG68_GROUPS, shape))


def test_tfd_paint_order_later_wins(tmp_path):
    points = _face_points()
    points[27] = (48, 58)  # nose bridge top inside the left eye: nose is painted after eyes
    points[17:22, 0] += 12  # left eyebrow pulled down over the left eye: brows after eyes
    path = _write_tfd(tmp_path, "sub001_02", np.full((120, 160), 30_000, np.int32), points)
    _, mask = io.read_tfd_pair(path)
    reference = _reference_mask(points, IBUG68_GROUPS, (120, 160))
    np.testing.assert_array_equal(mask, reference)
    eye = _hull_reference(points[36:42], (120, 160))
    brow = _hull_reference(points[17:22], (120, 160))
    nose = _hull_reference(points[27:36], (120, 160))
    assert (eye & nose).any()
    assert (eye & brow & ~nose).any()
    assert (mask[eye & nose] == 5).all()
    assert (mask[eye & brow & ~nose] == 4).all()
    assert (mask[_hull_reference(points[48:60], (120, 160))] == 2).all()


def test_tfd_reader_uses_the_file_labels(tmp_path):
    """Groups come from the ljson's labels, not from fixed indices."""
    points = _face_points()
    order = np.random.default_rng(3).permutation(68)
    inverse = np.argsort(order)
    groups = {name: [int(inverse[i]) for i in idx] for name, idx in IBUG68_GROUPS.items()}
    image = np.full((120, 160), 30_000, np.int32)
    a = _write_tfd(tmp_path, "sub002_a", image, points)
    b = _write_tfd(tmp_path, "sub002_b", image, points[order], groups)
    np.testing.assert_array_equal(io.read_tfd_pair(a)[1], io.read_tfd_pair(b)[1])


def test_tfd_reader_errors(tmp_path):
    image = np.full((120, 160), 30_000, np.int32)
    groups = {k: v for k, v in IBUG68_GROUPS.items() if k != "bottomnose"}
    path = _write_tfd(tmp_path, "sub003_01", image, _face_points(), groups)
    with pytest.raises(ValueError, match="bottomnose"):
        io.read_tfd_pair(path)
    np.save(tmp_path / "sub004.npy", image)
    with pytest.raises(FileNotFoundError):
        io.read_tfd_pair(tmp_path / "sub004.npy")
    (tmp_path / "sub005.ljson").write_text('{"points": []}')
    np.save(tmp_path / "sub005.npy", image)
    with pytest.raises(ValueError, match="Menpo landmark JSON"):
        io.read_tfd_pair(tmp_path / "sub005.npy")
    points = _face_points().tolist()
    points[30] = None  # a missing landmark in the nose group
    doc = {
        "landmarks": {"points": points},
        "labels": [{"label": k, "mask": list(v)} for k, v in IBUG68_GROUPS.items()],
    }
    (tmp_path / "sub006.ljson").write_text(json.dumps(doc))
    np.save(tmp_path / "sub006.npy", image)
    with pytest.raises(ValueError, match="NaN"):
        io.read_tfd_pair(tmp_path / "sub006.npy")


def test_landmarks_to_mask_checks_its_input():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        landmarks_to_mask(np.zeros((68, 3)), (10, 10))
    with pytest.raises(ValueError, match="only 10 points"):
        landmarks_to_mask(np.zeros((10, 2)), (10, 10))


def test_fill_convex_hull_matches_a_reference_on_random_hulls():
    rng = np.random.default_rng(0)
    for trial in range(60):
        points = rng.uniform(-4, 36, (int(rng.integers(3, 12)), 2))
        if trial % 2:
            points = np.round(points)  # pixel centres exactly on hull edges
        mask = np.zeros((32, 32), np.uint8)
        fill_convex_hull(mask, points, 7)
        np.testing.assert_array_equal(mask == 7, _hull_reference(points, (32, 32)))


# ---------------------------------------------------------------------------- TFD helpers


def test_tfd_crop_resize_shapes_and_nearest_labels():
    height, width = 768, 1024
    image = np.tile(np.arange(width, dtype=np.float32), (height, 1))
    mask = (np.arange(width)[None, :] % 6 * np.ones((height, 1))).astype(np.uint8)
    out, labels = io.tfd_crop_resize(image, mask)
    assert out.shape == (256, 320)
    assert out.dtype == np.float32
    assert labels.shape == (256, 320)
    assert labels.dtype == np.uint8
    # centre crop drops 32 columns each side; the output column j samples crop column 3j + 1
    expected = (np.arange(320) * 3 + 1 + 32) % 6
    np.testing.assert_array_equal(labels[0], expected)
    np.testing.assert_allclose(out[0], np.arange(320) * 3 + 1 + 32, atol=1e-3)  # area mean
    alone, none = io.tfd_crop_resize(image)
    assert none is None
    assert alone.shape == (256, 320)
    with pytest.raises(ValueError, match="smaller than the crop"):
        io.tfd_crop_resize(image[:700])


def test_subject_split():
    names = ["sub007_01.npy", "sub001_03.npy", "data/sub091_x.npy", "SUB009_1.npy", "sub100.npy"]
    train, val = io.split_tfd_by_subject(names)
    assert val == ["sub007_01.npy", "data/sub091_x.npy", "SUB009_1.npy"]
    assert train == ["sub001_03.npy", "sub100.npy"]
    assert io.tfd_subject("x/sub012_a.npy") == "sub012"
    assert len(io.TFD_VAL_SUBJECTS) == 16
    assert len(set(io.TFD_VAL_SUBJECTS)) == 16
    pairs = [(Path("sub013_1.npy"), Path("sub013_1.ljson")), (Path("sub002.npy"), Path("b"))]
    train, val = io.split_tfd_by_subject(pairs)
    assert val == pairs[:1]
    assert train == pairs[1:]
    for bad in ("subject7.npy", "img_007.npy", "sub0071.npy", "sub007_sub008.npy"):
        with pytest.raises(ValueError, match="subNNN"):
            io.tfd_subject(bad)


def test_list_tfd_pairs(tmp_path):
    image = np.full((120, 160), 30_000, np.int32)
    (tmp_path / "a").mkdir()
    _write_tfd(tmp_path / "a", "sub002_01", image, _face_points())
    _write_tfd(tmp_path, "sub001_01", image, _face_points())
    np.save(tmp_path / "sub003_01.npy", image)
    with pytest.raises(ValueError, match=r"1 image without a \.ljson"):
        io.list_tfd_pairs(tmp_path)
    pairs = io.list_tfd_pairs(tmp_path, strict=False)
    assert [p[0].name for p in pairs] == ["sub002_01.npy", "sub001_01.npy"]
    assert all(ljson.suffix == ".ljson" for _, ljson in pairs)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"no \.npy"):
        io.list_tfd_pairs(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        io.list_tfd_pairs(tmp_path / "missing")


def test_list_dataset_pairs(tmp_path):
    for split in ("train", "val"):
        (tmp_path / split / "image").mkdir(parents=True)
        (tmp_path / split / "label").mkdir(parents=True)
    for name in ("b", "a"):
        io.write_thermal(tmp_path / "train" / "image" / f"{name}.npy", _degc())
        io.write_mask(tmp_path / "train" / "label" / f"{name}.png", np.zeros((12, 16), np.uint8))
    io.write_mask(tmp_path / "train" / "label" / "orphan.png", np.zeros((12, 16), np.uint8))
    pairs = io.list_dataset_pairs(tmp_path, "train")
    assert [(i.name, lab.name) for i, lab in pairs] == [("a.npy", "a.png"), ("b.npy", "b.png")]
    with pytest.raises(ValueError, match="no images"):
        io.list_dataset_pairs(tmp_path, "val")
    io.write_thermal(tmp_path / "val" / "image" / "c.npy", _degc())
    with pytest.raises(ValueError, match="1 image without a label"):
        io.list_dataset_pairs(tmp_path, "val")
    with pytest.raises(FileNotFoundError):
        io.list_dataset_pairs(tmp_path, "test")


def test_io_is_split_by_job_and_keeps_its_names():
    from tiaug.io import dataset, flir, masks, tfd, thermal

    assert io.read_thermal is thermal.read_thermal
    assert io.write_thermal is thermal.write_thermal
    assert io.read_flir_jpeg is flir.read_flir_jpeg
    assert io.read_mask is masks.read_mask
    assert io.write_mask is masks.write_mask
    assert io.read_tfd_pair is tfd.read_tfd_pair
    assert io.list_dataset_pairs is dataset.list_dataset_pairs
    for name in io.__all__:
        assert getattr(io, name) is not None, name
    assert {".jpg", ".jpeg", ".npy", ".bin"} <= set(io.IMAGE_SUFFIXES)
    # photos are no dataset images: folder scans of a layout never pick up JPEGs
    assert not {".jpg", ".jpeg"} & set(dataset.DATASET_IMAGE_SUFFIXES)
