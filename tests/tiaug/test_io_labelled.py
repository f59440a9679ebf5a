"""Real labelled frames: pictures (degC or relative), palettes, landmark files, layouts."""

from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile

from tiaug import io as tio
from tiaug.classes import LANDMARK_LAYOUTS, get_layout, landmarks_to_mask, layout_for_points
from tiaug.io.flir import has_flir_records
from tiaug.io.palettes import PALETTES, detect_palette, palette_to_levels
from tiaug.synth import synth_face

SFTL54 = LANDMARK_LAYOUTS["sftl54"]


def _ramp_levels() -> np.ndarray:
    return np.tile(np.arange(256, dtype=np.uint8), (12, 1))


def _write_rgb(path: Path, rgb: np.ndarray, **params: int) -> Path:
    flags = [cv2.IMWRITE_JPEG_QUALITY, params["quality"]] if "quality" in params else []
    assert cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), flags)
    return path


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_a_palette_picture_reads_back_as_its_levels(tmp_path, name):
    levels = _ramp_levels()
    rgb = PALETTES[name][levels]
    assert detect_palette(rgb) == ("white_hot" if name == "black_hot" else name)
    assert np.array_equal(palette_to_levels(rgb, name), levels)
    image = tio.read_image(_write_rgb(tmp_path / "frame.png", rgb), palette=name)
    assert (image.unit, image.palette, image.pixels.dtype) == ("relative", name, np.uint8)
    assert np.array_equal(image.pixels, levels)


def test_a_jpeg_in_iron_is_detected_and_read_within_a_few_levels(tmp_path):
    levels = cv2.resize(_ramp_levels(), (256, 64), interpolation=cv2.INTER_NEAREST)
    path = _write_rgb(tmp_path / "iron.jpg", PALETTES["iron"][levels], quality=92)
    image = tio.read_image(path)
    assert image.palette == "iron"
    assert np.abs(image.pixels.astype(int) - levels).max() <= 12


def test_colours_of_no_known_palette_are_refused(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    path = _write_rgb(tmp_path / "photo.png", rgb)
    with pytest.raises(ValueError, match=r"photo\.png: a colour picture whose colours match no"):
        tio.read_image(path)
    with pytest.raises(ValueError, match=r"not the 'iron' palette's \(RGB distance"):
        tio.read_image(path, palette="iron")
    with pytest.raises(ValueError, match=r"^unknown palette 'sepia'; known: white_hot"):
        palette_to_levels(rgb, "sepia")


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".bmp", ".tif"])
def test_grey_exports_are_relative_levels(tmp_path, suffix):
    levels = _ramp_levels()
    path = tmp_path / f"frame{suffix}"
    if suffix == ".tif":
        tifffile.imwrite(path, levels)
    else:
        assert cv2.imwrite(str(path), levels)
    image = tio.read_image(path)
    assert (image.unit, image.is_temperature, image.pixels.dtype) == ("relative", False, np.uint8)
    tolerance = 3 if suffix == ".jpg" else 0
    assert np.abs(image.pixels.astype(int) - levels).max() <= tolerance


@pytest.mark.parametrize("suffix", [".jpg", ".bmp"])
def test_a_conversion_of_a_picture_without_counts_is_refused(tmp_path, suffix):
    path = tmp_path / f"frame{suffix}"
    assert cv2.imwrite(str(path), _ramp_levels())
    for conversion in ({"scale": 0.04}, {"camera": "flir-a65"}):
        with pytest.raises(ValueError, match=rf"frame\{suffix}: a \{suffix} picture holds no"):
            tio.read_image(path, **conversion)


def test_black_hot_grey_is_inverted_and_a_grey_picture_has_no_colour_palette(tmp_path):
    path = tmp_path / "frame.png"
    cv2.imwrite(str(path), _ramp_levels())
    assert np.array_equal(tio.read_image(path, palette="black_hot").pixels, 255 - _ramp_levels())
    with pytest.raises(ValueError, match=r"a grey picture cannot be in the 'iron' palette"):
        tio.read_image(path, palette="iron")
    with pytest.raises(ValueError, match=r"^unknown palette 'sepia'; known: white_hot, black_"):
        tio.read_image(path, palette="sepia")  # a registry's unknown name lists the known ones


def test_sixteen_bit_png_is_relative_unless_a_conversion_says_degc(tmp_path):
    counts = np.full((8, 8), 30815, np.uint16)
    path = tmp_path / "frame.png"
    cv2.imwrite(str(path), counts)
    relative = tio.read_image(path)
    assert (relative.unit, relative.pixels.dtype) == ("relative", np.uint16)
    degc = tio.read_image(path, scale=0.01, offset=-273.15)
    assert degc.unit == "degC"
    np.testing.assert_allclose(degc.pixels, 35.0, atol=1e-4)


def test_arrays_float_degc_unsigned_relative_other_integers_refused(tmp_path):
    np.save(tmp_path / "t.npy", np.full((4, 5), 34.5, np.float32))
    np.save(tmp_path / "g.npy", np.arange(20, dtype=np.uint8).reshape(4, 5))
    np.save(tmp_path / "i.npy", np.arange(20, dtype=np.int16).reshape(4, 5))
    assert tio.read_image(tmp_path / "t.npy").unit == "degC"
    assert tio.read_image(tmp_path / "g.npy").unit == "relative"
    with pytest.raises(ValueError, match=r"i\.npy: int16 values are neither degC"):
        tio.read_image(tmp_path / "i.npy")


def test_unknown_suffix_and_unreadable_pictures(tmp_path):
    (tmp_path / "a.gif").write_bytes(b"GIF89a")
    (tmp_path / "b.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match=r"a\.gif: unknown suffix '\.gif'; readable: \.npy"):
        tio.read_image(tmp_path / "a.gif")
    with pytest.raises(ValueError, match=r"b\.png: not a readable PNG picture"):
        tio.read_image(tmp_path / "b.png")
    with pytest.raises(FileNotFoundError):
        tio.read_image(tmp_path / "missing.png")


def test_flir_records_are_found_in_the_jpeg_headers(tmp_path):
    ok, plain = cv2.imencode(".jpg", np.zeros((8, 8), np.uint8))
    assert ok
    plain = plain.tobytes()
    payload = b"FLIR\x00\x01\x00\x00" + bytes(32)
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    (tmp_path / "flir.jpg").write_bytes(plain[:2] + segment + plain[2:])
    (tmp_path / "plain.jpg").write_bytes(plain)
    (tmp_path / "text.jpg").write_bytes(b"hello")
    assert has_flir_records(tmp_path / "flir.jpg")
    assert not has_flir_records(tmp_path / "plain.jpg")
    assert not has_flir_records(tmp_path / "text.jpg")


def test_intensity_to_degc_maps_the_span_linearly():
    out = tio.intensity_to_degc(np.array([0, 255], np.uint8), 20.0, 40.0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [20.0, 40.0])
    np.testing.assert_allclose(tio.intensity_to_degc(np.array([65535], np.uint16), 0, 1), [1.0])
    with pytest.raises(ValueError, match=r"^levels must be uint8 or uint16 grey levels"):
        tio.intensity_to_degc(np.zeros(2, np.float32), 20, 40)
    with pytest.raises(ValueError, match=r"^need finite low < high in degC"):
        tio.intensity_to_degc(np.zeros(2, np.uint8), 40, 20)


def test_thermal_transforms_refuse_relative_levels_in_one_line():
    from tiaug import ThermalOcclusion

    with pytest.raises(TypeError, match=r"^image has dtype uint8: this transform needs temper"):
        ThermalOcclusion(p=1.0)(image=np.zeros((32, 32), np.uint8))


# --- landmarks -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def face():
    return synth_face(3, (120, 160))


@pytest.mark.parametrize(("layout", "confidence"), [("sftl54", True), ("ibug68", False)])
def test_yolo_pose_points_come_back_in_pixels(tmp_path, face, layout, confidence):
    points = SFTL54.from_68(face.landmarks) if layout == "sftl54" else face.landmarks
    written = np.full(len(points), 0.98) if confidence else None
    path = tio.write_landmarks(tmp_path / "frame.txt", points, face.image.shape, written)
    marks = tio.read_landmarks(path, image_shape=face.image.shape)
    assert marks.layout.name == layout
    np.testing.assert_allclose(marks.points, points, atol=1e-4)
    assert (marks.confidence is not None) == confidence


def test_sftl54_mask_is_the_tfd_recipe_with_a_four_point_mouth(face):
    points = SFTL54.from_68(face.landmarks)
    mask = landmarks_to_mask(points, face.image.shape, "sftl54")
    reference = face.landmarks.copy()
    reference[48:60] = np.repeat(points[48:52], 3, axis=0)  # the same four mouth points
    assert np.array_equal(mask, landmarks_to_mask(reference, face.image.shape))
    assert {1, 2, 3, 4, 5} <= set(np.unique(mask).tolist())


def test_pts_files_are_one_based(tmp_path, face):
    tio.write_landmarks(tmp_path / "f.pts", face.landmarks, face.image.shape)
    assert (tmp_path / "f.pts").read_text().startswith("version: 1\nn_points: 68\n{\n")
    first = (tmp_path / "f.pts").read_text().splitlines()[3]
    assert [float(v) for v in first.split()] == pytest.approx(face.landmarks[0, ::-1] + 1, abs=1e-3)
    marks = tio.read_landmarks(tmp_path / "f.pts")
    assert marks.layout.name == "ibug68"
    assert marks.confidence is None
    np.testing.assert_allclose(marks.points, face.landmarks, atol=1e-3)


def test_landmark_file_errors(tmp_path, face):
    tio.write_landmarks(tmp_path / "one.txt", face.landmarks, face.image.shape, np.ones(68))
    line = (tmp_path / "one.txt").read_text()
    (tmp_path / "two.txt").write_text(line + line)
    (tmp_path / "odd.txt").write_text("0 0.5 0.5 0.2 0.2 0.1 0.2 0.3 0.4\n")
    (tmp_path / "bad.pts").write_text("version: 1\nn_points: 3\n{\n1 2\n}\n")
    (tmp_path / "f.xml").write_text("<x/>")
    with pytest.raises(ValueError, match=r"two\.txt: expected one face \(one line\), found 2"):
        tio.read_landmarks(tmp_path / "two.txt", image_shape=(120, 160))
    with pytest.raises(ValueError, match=r"odd\.txt: cannot tell the layout of 4 point values"):
        tio.read_landmarks(tmp_path / "odd.txt", image_shape=(120, 160))
    with pytest.raises(ValueError, match=r"one\.txt: YOLO pose coordinates are fractions"):
        tio.read_landmarks(tmp_path / "one.txt")
    with pytest.raises(ValueError, match=r"204 point values do not fit the sftl54 layout"):
        tio.read_landmarks(tmp_path / "one.txt", image_shape=(120, 160), layout="sftl54")
    with pytest.raises(ValueError, match=r"bad\.pts: n_points is 3 but 2 values follow"):
        tio.read_landmarks(tmp_path / "bad.pts")
    with pytest.raises(ValueError, match=r"f\.xml: unknown landmark suffix '\.xml'"):
        tio.read_landmarks(tmp_path / "f.xml")
    with pytest.raises(ValueError, match=r"f\.pts: a \.pts file holds no confidences"):
        tio.write_landmarks(tmp_path / "f.pts", face.landmarks, face.image.shape, np.ones(68))


def test_layout_registry_lookups():
    assert layout_for_points(54) is LANDMARK_LAYOUTS["sftl54"]
    assert get_layout(LANDMARK_LAYOUTS["ibug68"]).num_points == 68
    with pytest.raises(ValueError, match=r"^no landmark layout has 5 points \(known: ibug68"):
        layout_for_points(5)
    with pytest.raises(ValueError, match=r"^unknown landmark layout 'dlib5'; known: ibug68"):
        get_layout("dlib5")


# --- folders -------------------------------------------------------------------------------


def _landmarked_folder(root: Path, face) -> None:
    levels = np.clip((face.image - 20.0) * 15.0, 0, 255).astype(np.uint8)
    points = SFTL54.from_68(face.landmarks)
    for sequence in ("1_Man_NoGlasses", "1_Man_Glasses1"):
        folder = root / sequence
        folder.mkdir(parents=True)
        for frame in ("a", "b"):
            cv2.imwrite(str(folder / f"{frame}.jpg"), levels)
            tio.write_landmarks(folder / f"{frame}.txt", points, face.image.shape, np.ones(54))
    cv2.imwrite(str(root / "unlabelled.png"), levels)


def test_landmarked_frames_are_paired_and_read_with_their_masks(tmp_path, face):
    _landmarked_folder(tmp_path, face)
    pairs = tio.list_landmarked_frames(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p, _ in pairs] == [
        "1_Man_Glasses1/a.jpg",
        "1_Man_Glasses1/b.jpg",
        "1_Man_NoGlasses/a.jpg",
        "1_Man_NoGlasses/b.jpg",
    ]
    frame = tio.read_labelled_frame(*pairs[0])
    assert frame.image.unit == "relative"
    assert frame.landmarks.layout.name == "sftl54"
    expected = landmarks_to_mask(SFTL54.from_68(face.landmarks), face.image.shape, "sftl54")
    assert np.array_equal(frame.mask, expected)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"no pictures with a landmark file of the same name"):
        tio.list_landmarked_frames(tmp_path / "empty")


def test_image_and_label_folders_pair_by_stem(tmp_path, face):
    (tmp_path / "image").mkdir()
    (tmp_path / "label").mkdir()
    levels = np.clip((face.image - 20.0) * 15.0, 0, 255).astype(np.uint8)
    cv2.imwrite(str(tmp_path / "image" / "f1.png"), levels)
    tio.write_mask(tmp_path / "label" / "f1.png", face.mask)
    pairs = tio.list_labelled_pairs(tmp_path)
    frame = tio.read_labelled_frame(*pairs[0])
    assert np.array_equal(frame.mask, face.mask)
    assert frame.landmarks is None
    cv2.imwrite(str(tmp_path / "image" / "f2.png"), levels)
    with pytest.raises(ValueError, match=r"1 picture without a label map in .*label \(e\.g\. f2"):
        tio.list_labelled_pairs(tmp_path)


def test_palette_matching_in_chunks_reads_the_same_levels(tmp_path, monkeypatch):
    """Colours are compared with a palette a chunk at a time (bounded memory): the chunk
    size changes neither the levels nor the detected palette."""
    from tiaug.io import palettes

    levels = cv2.resize(_ramp_levels(), (256, 64), interpolation=cv2.INTER_NEAREST)
    path = _write_rgb(tmp_path / "iron.jpg", PALETTES["iron"][levels], quality=80)
    whole = tio.read_image(path)
    monkeypatch.setattr(palettes, "_CHUNK", 7)
    chunked = tio.read_image(path)
    assert chunked.palette == whole.palette == "iron"
    assert np.array_equal(chunked.pixels, whole.pixels)
    assert np.array_equal(palette_to_levels(PALETTES["rainbow"][levels], "rainbow"), levels)


def test_yolo_points_marked_not_labelled_become_nan(tmp_path, face):
    points = SFTL54.from_68(face.landmarks)
    confidence = np.full(len(points), 0.9)
    path = tio.write_landmarks(tmp_path / "f.txt", points, face.image.shape, confidence)
    values = path.read_text().split()
    values[5 + 3 * 30 : 5 + 3 * 31] = ["0", "0", "0"]  # point 30 (nose tip) not labelled
    path.write_text(" ".join(values))
    marks = tio.read_landmarks(path, image_shape=face.image.shape)
    assert np.isnan(marks.points[30]).all()
    assert np.isfinite(np.delete(marks.points, 30, axis=0)).all()
    with pytest.raises(ValueError, match=r"f\.txt: landmark groups \['centernose', 'bottomnose'\]"):
        tio.read_labelled_frame(_frame(tmp_path, face), path)


def _frame(root: Path, face) -> Path:
    levels = np.clip((face.image - 20.0) * 15.0, 0, 255).astype(np.uint8)
    cv2.imwrite(str(root / "f.png"), levels)
    return root / "f.png"
