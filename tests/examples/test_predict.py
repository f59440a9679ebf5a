"""examples.predict on synthetic recordings: region temperatures, formats, outputs, errors."""

import csv
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from torch import nn

from examples import facebox, predict, regions
from examples.config import TrainConfig
from examples.data import SegmentationDataset, SyntheticSource
from examples.evaluate import predict as evaluate_predict
from examples.recordings import open_recording
from tiaug import get_camera, synth_face
from tiaug.classes import NOSE
from tiaug.io import read_mask, write_thermal

ROOT = Path(__file__).resolve().parents[2]
SIZE = (64, 80)
FRAMES = 8
DRIFT = 0.25  # degC per frame added to the nose pixels


class Oracle(nn.Module):
    """Predicts a fixed label map (the true mask of the recording's face) for every input."""

    def __init__(self, mask: np.ndarray) -> None:
        super().__init__()
        one_hot = F.one_hot(torch.from_numpy(mask).long(), 6).permute(2, 0, 1)
        self.register_buffer("logits", 10.0 * one_hot[None].float())

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.logits.expand(len(image), -1, -1, -1)


@pytest.fixture(scope="module")
def face():
    return synth_face(seed=0, size=SIZE)


@pytest.fixture
def stack(face) -> np.ndarray:
    """8 frames of one face whose nose warms by DRIFT degC per frame."""
    nose = face.mask == NOSE
    return np.stack([face.image + DRIFT * t * nose for t in range(FRAMES)]).astype(np.float32)


@pytest.fixture
def oracle(monkeypatch, face) -> None:
    """examples.predict loads a model that predicts the true mask, at the recording's size."""
    model, config = Oracle(face.mask).eval(), TrainConfig(size=SIZE)
    monkeypatch.setattr(predict, "load_trained_model", lambda path, device: (model, config))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def _column(rows, name: str, recording: str, column: str = "median_degC") -> np.ndarray:
    picked = [r for r in rows if r["class"] == name and r["recording"] == recording]
    assert [int(r["frame"]) for r in picked] == list(range(len(picked)))
    return np.array([float(r[column]) for r in picked])


def _run(tmp_path: Path, *args: str) -> int:
    return predict.main(["unused.pt", *args, "--out", str(tmp_path / "out")])


def test_nose_temperature_follows_the_drift(oracle, face, stack, tmp_path: Path) -> None:
    np.save(tmp_path / "clip.npy", stack)
    assert _run(tmp_path, str(tmp_path / "clip.npy"), "--batch", "3") == 0
    rows = _rows(tmp_path / "out" / "regions.csv")
    assert len(rows) == FRAMES * 6
    nose = face.mask == NOSE
    drift = DRIFT * np.arange(FRAMES)
    for column, statistic in [("median_degC", np.median), ("mean_degC", np.mean)]:
        expected = statistic(face.image[nose].astype(np.float64)) + drift
        assert _column(rows, "nose", "clip", column) == pytest.approx(expected, abs=1e-3)
    assert _column(rows, "nose", "clip", "pixels") == pytest.approx([nose.sum()] * FRAMES)
    face_median = _column(rows, "face", "clip")
    assert face_median == pytest.approx([face_median[0]] * FRAMES, abs=1e-4)
    folder = tmp_path / "out" / "clip"
    for t in range(FRAMES):
        assert np.array_equal(read_mask(folder / "labels" / f"{t:05d}.png"), face.mask)
        assert (folder / "overlays" / f"{t:05d}.png").is_file()
    assert (folder / "regions.png").stat().st_size > 0


def test_every_recording_format_gives_the_same_temperatures(
    oracle, face, stack, tmp_path: Path
) -> None:
    np.save(tmp_path / "stack.npy", stack)
    tifffile.imwrite(tmp_path / "pages.tif", stack)
    (tmp_path / "frames").mkdir()
    for t, frame in enumerate(stack):
        write_thermal(tmp_path / "frames" / f"frame{t:02d}.npy", frame)
    camera = get_camera("flir-a65")
    counts = np.round((stack - camera.count_offset) / camera.count_step).astype(np.uint16)
    np.save(tmp_path / "counts.npy", counts)
    inputs = ["stack.npy", "pages.tif", "frames", "counts.npy"]
    code = _run(tmp_path, *[str(tmp_path / name) for name in inputs], "--camera", "flir-a65")
    assert code == 0
    rows = _rows(tmp_path / "out" / "regions.csv")
    expected = _column(rows, "nose", "stack")
    assert _column(rows, "nose", "pages") == pytest.approx(expected, abs=1e-4)
    assert _column(rows, "nose", "frames") == pytest.approx(expected, abs=1e-4)
    assert _column(rows, "nose", "counts") == pytest.approx(expected, abs=camera.count_step)
    sources = {r["source"] for r in rows if r["recording"] == "frames"}
    assert len(sources) == FRAMES


def test_a_raw_camera_file_is_a_recording_of_its_frames(tmp_path: Path) -> None:
    camera = get_camera("flir-a65")
    temperatures = np.linspace(20.0, 36.0, 2 * camera.height * camera.width).reshape(
        2, camera.height, camera.width
    )
    counts = np.round((temperatures - camera.count_offset) / camera.count_step)
    counts.astype("<u2").tofile(tmp_path / "clip.raw")
    recording = open_recording(tmp_path / "clip.raw", camera="flir-a65")
    assert recording.length == 2
    assert recording.is_sequence
    assert recording.frame(1) == pytest.approx(temperatures[1], abs=camera.count_step)
    with pytest.raises(ValueError, match="needs --camera"):
        open_recording(tmp_path / "clip.raw")


def test_a_trained_checkpoint_labels_frames_at_their_own_size(
    trained: Path, stack, tmp_path: Path
) -> None:
    np.save(tmp_path / "clip.npy", stack[:3])
    np.save(tmp_path / "still.npy", stack[0, :50, :70])
    code = predict.main(
        [str(trained), str(tmp_path / "clip.npy"), str(tmp_path / "still.npy"),
         "--out", str(tmp_path / "out"), "--workers", "1"]
    )  # fmt: skip
    assert code == 0
    rows = _rows(tmp_path / "out" / "regions.csv")
    assert len(rows) == 4 * 6
    for recording, shape in [("clip", SIZE), ("still", (50, 70))]:
        labels = read_mask(tmp_path / "out" / recording / "labels" / "00000.png")
        assert labels.shape == shape
        assert labels.max() < 6
        counts = [int(r["pixels"]) for r in rows if r["recording"] == recording]
        assert sum(counts) == shape[0] * shape[1] * (3 if recording == "clip" else 1)
    assert (tmp_path / "out" / "clip" / "regions.png").is_file()
    assert not (tmp_path / "out" / "still" / "regions.png").exists()


def test_labels_equal_the_evaluation_of_the_same_images(trained: Path, tmp_path: Path) -> None:
    model, config = predict.load_trained_model(trained)
    source = SyntheticSource(3, seed=5, size=config.size)
    np.save(tmp_path / "val.npy", np.stack([source[i][0] for i in range(3)]))
    argv = [str(trained), str(tmp_path / "val.npy"), "--out", str(tmp_path), "--batch", "1"]
    assert predict.main(argv) == 0
    dataset = SegmentationDataset(source, config.size, "none")
    for i in range(3):
        expected = evaluate_predict(model, dataset[i][0][None])[0].numpy()
        assert np.array_equal(read_mask(tmp_path / "val" / "labels" / f"{i:05d}.png"), expected)


class Warm(nn.Module):
    """Labels face where the prepared input is above the middle of its range; records inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[torch.Tensor] = []

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        self.inputs.append(image)
        face = 10.0 * (image > 0).float()
        return torch.cat([10.0 - face, face, torch.zeros_like(face).expand(-1, 4, -1, -1)], 1)


def test_a_network_trained_on_face_crops_gets_the_face_window(monkeypatch, tmp_path: Path) -> None:
    frame = np.full((64, 80), 22.0, dtype=np.float32)
    frame[20:40, 30:50] = 34.0
    np.save(tmp_path / "clip.npy", np.stack([frame, frame]))
    model, config = Warm(), TrainConfig(size=(32, 40), face_crop=0.05)
    monkeypatch.setattr(predict, "load_trained_model", lambda path, device: (model, config))
    searched = []
    monkeypatch.setattr(
        predict, "find_face_window", lambda *args: searched.append(args[1]) or (16, 24, 32, 40)
    )
    assert _run(tmp_path, str(tmp_path / "clip.npy")) == 0
    assert len(searched) == 1  # once per recording, on its first frame
    assert np.array_equal(searched[0], frame)
    assert all(image.shape[-2:] == (32, 40) for image in model.inputs)
    expected = np.zeros((64, 80), dtype=np.uint8)
    expected[20:40, 30:50] = 1
    for number in range(2):
        labels = read_mask(tmp_path / "out" / "clip" / "labels" / f"{number:05d}.png")
        assert np.array_equal(labels, expected)


def test_the_face_window_is_searched_again_every_n_frames(monkeypatch, tmp_path: Path) -> None:
    frames = np.full((5, 64, 80), 22.0, dtype=np.float32)
    frames[:, 20:40, 30:50] = 34.0
    np.save(tmp_path / "clip.npy", frames)
    model, config = Warm(), TrainConfig(size=(32, 40), face_crop=0.05)
    monkeypatch.setattr(predict, "load_trained_model", lambda path, device: (model, config))
    windows = iter([(16, 24, 32, 40), (0, 0, 32, 40), (16, 24, 32, 40)])
    monkeypatch.setattr(predict, "find_face_window", lambda *args: next(windows))
    assert _run(tmp_path, str(tmp_path / "clip.npy"), "--search-every", "2") == 0
    faces = [
        int((read_mask(tmp_path / "out" / "clip" / "labels" / f"{n:05d}.png") == 1).sum())
        for n in range(5)
    ]
    # frames 2 and 3 get the top-left window, which holds only part of the warm square
    assert faces == [400, 400, 12 * 10, 12 * 10, 400]


class Dot(nn.Module):
    """Confident when the brightest input pixel lies at the centre of the input."""

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        n, _, rows, cols = image.shape
        brightest = image.flatten(1).argmax(1)
        off_centre = ((brightest // cols) / rows - 0.5) ** 2 + (
            (brightest % cols) / cols - 0.5
        ) ** 2
        logits = torch.zeros(n, 6, rows, cols)
        logits[:, 1] = 10.0 * (1 - 4 * off_centre)[:, None, None]
        return logits


def test_the_face_window_is_where_the_network_is_most_confident() -> None:
    frame = np.full((128, 160), 22.0, dtype=np.float32)
    frame[70, 100] = 36.0
    top, left, rows, cols = facebox.find_face_window(
        Dot(), frame, (32, 40), predict.prepare, torch.device("cpu")
    )
    assert abs(top + rows / 2 - 70) <= rows / 6 + 1
    assert abs(left + cols / 2 - 100) <= cols / 6 + 1


class Confident(nn.Module):
    """Equally sure of every pixel of the left half of the frame it is given a window of:
    confidence grows with the share of dark pixels (as a network fooled by a car window)."""

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        dark = 20.0 * (image < 0).float().mean((1, 2, 3), keepdim=True).expand_as(image)
        return torch.cat([dark, torch.zeros_like(image).expand(-1, 5, -1, -1)], 1)


def test_only_windows_centred_on_warm_pixels_compete() -> None:
    """A model confident on a cold window (a car window beside the driver) does not take
    the face window away from the warm face."""
    frame = np.full((120, 160), 20.0, dtype=np.float32)
    frame[30:90, 60:110] = 34.0  # the face
    boxes = facebox.candidate_windows(frame.shape, 0.8)
    warm = facebox.warm_windows(frame, boxes)
    assert 0 < len(warm) < len(boxes)
    for top, left, rows, cols in warm:
        assert 30 <= top + rows / 2 < 90
        assert 60 <= left + cols / 2 < 110
    top, left, rows, cols = facebox.find_face_window(
        Confident(), frame, (32, 40), predict.prepare, torch.device("cpu")
    )
    assert (top, left, rows, cols) in warm
    flat = np.full((60, 80), 20.0, dtype=np.float32)
    assert facebox.warm_windows(flat, facebox.candidate_windows(flat.shape, 0.8))


@given(
    shape=st.tuples(st.integers(8, 300), st.integers(8, 300)),
    aspect=st.floats(0.5, 2.0),
)
def test_candidate_windows_lie_inside_the_frame(shape, aspect) -> None:
    windows = facebox.candidate_windows(shape, aspect)
    assert windows
    for top, left, rows, cols in windows:
        assert top >= 0
        assert left >= 0
        assert top + rows <= shape[0]
        assert left + cols <= shape[1]


def _garbage(path: Path) -> str:
    path.write_bytes(b"not an array")
    return str(path)


@pytest.mark.parametrize(
    ("make", "extra", "message"),
    [
        (lambda p, s: _garbage(p / "bad.npy"), [], "not a readable .npy"),
        (lambda p, s: (np.save(p / "4d.npy", s[None]), str(p / "4d.npy"))[1], [], "shape"),
        (lambda p, s: str(p / "missing.tif"), [], "no such file"),
        (lambda p, s: (p / "empty").mkdir() or str(p / "empty"), [], "no picture files"),
        (
            lambda p, s: (np.save(p / "c.npy", s.astype(np.int32)), str(p / "c.npy"))[1],
            [],
            "c.npy: int32 values are neither degC (float) nor 8/16-bit grey levels",
        ),
    ],
    ids=["unreadable", "wrong-shape", "missing", "empty-folder", "signed-counts"],
)
def test_bad_inputs_give_one_line_and_status_2(
    oracle, stack, tmp_path: Path, capsys, make, extra, message
) -> None:
    assert _run(tmp_path, make(tmp_path, stack), *extra) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("python -m examples.predict: error: ")
    assert message in err


def test_exports_without_temperatures_give_grey_level_columns(oracle, stack, tmp_path) -> None:
    """8-bit frames (a (T, H, W) stack of grey levels, or a folder of JPEGs) are relative
    intensities: regions.csv says grey levels, never degC."""
    levels = np.clip((stack - 20.0) * 15.0, 0, 255).astype(np.uint8)
    np.save(tmp_path / "clip.npy", levels)
    assert _run(tmp_path, str(tmp_path / "clip.npy")) == 0
    rows = _rows(tmp_path / "out" / "regions.csv")
    assert "median_level" in rows[0]
    assert not any(key.endswith("_degC") for key in rows[0])
    nose = _column(rows, "nose", "clip", "median_level")
    assert np.all(np.diff(nose) >= 0)  # the drift, in grey levels
    (tmp_path / "jpegs").mkdir()
    for number, frame in enumerate(levels[:2]):
        cv2.imwrite(str(tmp_path / "jpegs" / f"{number}.jpg"), frame)
    assert _run(tmp_path, str(tmp_path / "jpegs")) == 0
    assert "max_level" in _rows(tmp_path / "out" / "regions.csv")[0]


def test_mixing_temperatures_and_grey_levels_gives_status_2(oracle, stack, tmp_path, capsys):
    np.save(tmp_path / "degc.npy", stack[:2])
    np.save(tmp_path / "levels.npy", stack[:2].astype(np.uint8))
    assert _run(tmp_path, str(tmp_path / "degc.npy"), str(tmp_path / "levels.npy")) == 2
    assert "mix temperatures (degC) and relative grey levels" in capsys.readouterr().err


def test_an_unreadable_frame_in_a_folder_gives_status_2(oracle, stack, tmp_path, capsys) -> None:
    (tmp_path / "frames").mkdir()
    write_thermal(tmp_path / "frames" / "a.npy", stack[0])
    _garbage(tmp_path / "frames" / "b.npy")
    assert _run(tmp_path, str(tmp_path / "frames")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "frames/b.npy: " in err


@pytest.mark.parametrize("content", [b"junk", None], ids=["not-torch", "foreign-dict"])
def test_a_checkpoint_that_is_not_ours_gives_status_2(
    content, stack, tmp_path: Path, capsys
) -> None:
    checkpoint = tmp_path / "other.pt"
    if content is None:
        torch.save({"state_dict": {"w": torch.zeros(2)}}, checkpoint)
    else:
        checkpoint.write_bytes(content)
    np.save(tmp_path / "clip.npy", stack)
    code = predict.main([str(checkpoint), str(tmp_path / "clip.npy"), "--out", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not a checkpoint written by examples.train" in err


def test_command_line_reports_a_missing_checkpoint(tmp_path: Path) -> None:
    argv = ["-m", "examples.predict", str(tmp_path / "no.pt"), str(tmp_path)]
    argv += ["--out", str(tmp_path / "out")]
    result = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "no.pt: no such file" in result.stderr


@settings(max_examples=30, deadline=None)
@given(
    temperature=arrays(np.float32, (5, 7), elements=st.floats(-20, 60, width=32)),
    labels=arrays(np.uint8, (5, 7), elements=st.integers(0, 5)),
)
def test_region_temperatures_are_the_statistics_of_each_region(temperature, labels) -> None:
    table = regions.region_temperatures(temperature, labels)
    assert table[:, 0].sum() == labels.size
    for label in range(6):
        region = temperature[labels == label].astype(np.float64)
        if region.size == 0:
            assert np.isnan(table[label, 1:]).all()
            continue
        expected = [region.mean(), np.median(region), *np.percentile(region, [5, 95]), region.max()]
        assert table[label, 1:] == pytest.approx(expected)
        assert table[label, 3] <= table[label, 2] <= table[label, 4] <= table[label, 5]
