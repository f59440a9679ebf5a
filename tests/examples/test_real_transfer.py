"""benchmarks.real_transfer and benchmarks.face_window_real on a fixture folder."""

import json

import numpy as np
import pytest

from benchmarks import real_transfer


def test_real_transfer_writes_every_condition_and_pair(trained, real_folder, tmp_path, monkeypatch):
    tiny = {name: (frames and 1, 2, lr, init) for name, (frames, _, lr, init) in
            real_transfer.CONDITIONS.items()}  # fmt: skip
    monkeypatch.setattr(real_transfer, "CONDITIONS", tiny)
    argv = [
        str(trained), "--data", str(real_folder), "--driver-pattern", r"^\d+_Man_([^_]+)_",
        "--seeds", "2", "--out", str(tmp_path / "runs"), "--results", str(tmp_path / "r"),
    ]  # fmt: skip
    assert real_transfer.main(argv) == 0
    payload = json.loads((tmp_path / "r" / "real_transfer.json").read_text())
    directions = {row["direction"] for row in payload["table"]}
    assert directions == {"Glasses1 -> NoGlasses", "NoGlasses -> Glasses1"}
    conditions = {row["condition"] for row in payload["table"]}
    assert conditions == {"synthetic_only", *tiny}
    assert len(payload["comparisons"]) == 4  # 2 pairs x 2 directions
    first = (tmp_path / "runs" / "Glasses1_reference_seed0" / "best.pt").stat().st_mtime
    # finished runs are reused, whatever the thread count
    assert real_transfer.main([*argv, "--threads", "2"]) == 0
    assert (tmp_path / "runs" / "Glasses1_reference_seed0" / "best.pt").stat().st_mtime == first
    assert "finetune_10 - scratch_10" in (tmp_path / "r" / "real_transfer.md").read_text()


def test_face_window_benchmark_reports_every_sequence(trained, real_folder, tmp_path, monkeypatch):
    import sys

    from benchmarks import face_window_real

    out = tmp_path / "window.md"
    argv = ["face_window_real", str(trained), "--data", str(real_folder), "--out", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    face_window_real.main()
    text = out.read_text()
    assert "| 1_Man_NoGlasses_Normal | 2 |" in text
    assert "All 4 frames: face box inside the window" in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--directions", "Glasses1-Woman"], "--directions: unknown driver 'Woman'; found "),
        (["--directions", "Glasses1"], "--directions: 'Glasses1' is not A-B with two drivers"),
        (["--driver-pattern", r"^\d+_Man_"], "has no group to name the driver"),
        (["--driver-pattern", r"^(\d+_Man_"], "_Man_': missing ), unterminated subpattern"),
        (["--driver-pattern", r"^(\d+)_"], "need two drivers or more (--driver-pattern), found 1"),
    ],
)
def test_real_transfer_mistakes_are_one_line(
    trained, real_folder, tmp_path, capsys, extra, message
):
    argv = [str(trained), "--data", str(real_folder), "--out", str(tmp_path), *extra]
    argv = (
        argv if "--driver-pattern" in extra else [*argv, "--driver-pattern", r"^\d+_Man_([^_]+)_"]
    )
    with pytest.raises(SystemExit) as stopped:
        real_transfer.main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("python -m benchmarks.real_transfer: error: ")
    assert message in err
    assert not (tmp_path / "drivers").exists()  # nothing trained


def test_face_window_benchmark_refuses_a_folder_without_frames(
    trained, tmp_path, capsys, monkeypatch
):
    import sys

    from benchmarks import face_window_real

    argv = ["face_window_real", str(trained), "--data", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as stopped:
        face_window_real.main()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m benchmarks.face_window_real: error: ")
    assert "no pictures with a landmark file" in err


def test_the_labelled_face_box_leaves_out_ignored_pixels():
    from benchmarks.face_window_real import face_box

    mask = np.full((10, 12), 255, np.uint8)  # a label map padded with ignored pixels
    mask[2:8, 3:9] = 0
    mask[4:6, 5:8] = 1
    assert face_box(mask) == (4, 5, 2, 3)
    with pytest.raises(ValueError, match="no labelled face"):
        face_box(np.zeros((4, 4), np.uint8))
