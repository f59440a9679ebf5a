"""benchmarks.real_transfer and benchmarks.face_window_real on a fixture folder."""

import json

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
    assert real_transfer.main(argv) == 0  # finished runs are reused
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
