"""Real labelled folders in the examples: framing, the glasses split, evaluate and study."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from examples import evaluate, study
from examples.data import FaceCropSource, SegmentationDataset, UsageError, minmax_normalize
from examples.real import (
    RealSource,
    is_real_folder,
    list_real_frames,
    open_real_sets,
    wears_glasses,
)
from tiaug import io as tio
from tiaug.classes import CLASS_NAMES


def test_paths_say_whether_glasses_are_worn() -> None:
    root = Path("/data")
    assert wears_glasses(root / "1_Man_NoGlasses_Normal" / "a.jpg", root) is False
    assert wears_glasses(root / "no-glasses" / "a.jpg", root) is False
    assert wears_glasses(root / "1_Woman_Glasses2_Yawning" / "a.jpg", root) is True
    assert wears_glasses(root / "driver3" / "a.jpg", root) is None


def test_real_sets_are_framed_like_the_runs_validation_and_split_by_glasses(real_folder) -> None:
    sets = open_real_sets(real_folder, (32, 40), 0.05)
    assert {name: len(source) for name, source in sets.items()} == {
        "real": 4,
        "real_glasses": 2,
        "real_no_glasses": 2,
    }
    pairs = list_real_frames(real_folder)
    expected = FaceCropSource(RealSource(pairs), (32, 40), 0.05)
    for index in range(4):
        image, mask = sets["real"][index]
        assert image.shape == mask.shape == (32, 40)
        assert np.array_equal(image, expected[index][0])
        assert np.array_equal(mask, expected[index][1])
    first_glasses = sets["real_glasses"][0][0]
    assert np.array_equal(first_glasses, sets["real"][0][0])  # Glasses1 sorts first
    whole = open_real_sets(real_folder, (60, 80), None)["real"][0]
    assert whole[0].shape == (60, 80)  # a run without face crops sees the whole frame


def test_grey_levels_reach_the_network_as_fractions_min_max_normalised(real_folder) -> None:
    pairs = list_real_frames(real_folder)
    image, _ = RealSource(pairs)[0]
    levels = tio.read_image(pairs[0][0]).pixels
    assert np.array_equal(image, levels.astype(np.float32) / 255)
    tensor, _ = SegmentationDataset(RealSource(pairs), image.shape)[0]
    assert np.array_equal(tensor[0].numpy(), minmax_normalize(image))


def test_real_folder_detection_and_errors(real_folder, tmp_path) -> None:
    assert is_real_folder(real_folder)
    assert not is_real_folder(tmp_path)
    with pytest.raises(UsageError, match=r"no pictures with a landmark file"):
        list_real_frames(tmp_path)
    with pytest.raises(UsageError, match=r"^unknown layout 'dlib'; known: ibug68, sftl54$"):
        open_real_sets(real_folder, (32, 40), None, layout="dlib")


def test_a_reader_missing_its_extra_is_a_usage_error(real_folder, monkeypatch) -> None:
    hint = "reading FLIR radiometric JPEGs needs flyr: pip install 'tiaug[flir]'"

    def without_flyr(*args, **kwargs):
        raise ImportError(hint)

    monkeypatch.setattr(tio, "read_labelled_frame", without_flyr)
    with pytest.raises(UsageError, match=r"needs flyr: pip install 'tiaug\[flir\]'$"):
        RealSource(list_real_frames(real_folder))


def test_evaluate_scores_a_checkpoint_on_a_real_folder(trained, real_folder, tmp_path, capsys):
    out = tmp_path / "eval"
    argv = [str(trained), "--data", str(real_folder), "--out", str(out), "--workers", "0"]
    assert evaluate.main([*argv, "--overlays", "1"]) == 0
    report = json.loads((out / "eval.json").read_text())
    assert {"real", "real_glasses", "real_no_glasses"} <= set(report)
    total = np.array(report["real"]["confusion"]).sum()
    parts = sum(np.array(report[n]["confusion"]).sum() for n in ("real_glasses", "real_no_glasses"))
    assert total == parts == 4 * 32 * 40
    printed = capsys.readouterr().out
    assert "real_no_glasses: mIoU" in printed
    assert "IoU background" in printed
    assert len(report["overlays"]) == 3
    assert evaluate.main([*argv, "--layout", "sftl54", "--overlays", "0"]) == 0
    code = evaluate.main([str(trained), "--layout", "sftl54", "--out", str(out)])
    assert code == 2
    assert "--layout applies to a folder of real labelled frames" in capsys.readouterr().err
    assert evaluate.main([*argv, "--num-val", "2"]) == 2
    assert "--num-val applies to synthetic validation data only" in capsys.readouterr().err


def _run(variant: str, seed: int, real: float) -> dict:
    sets = {name: {"miou": real + delta, "iou": {}} for name, delta in
            (("real", 0.0), ("real_glasses", -0.05), ("real_no_glasses", 0.05))}  # fmt: skip
    return {
        "variant": variant,
        "seed": seed,
        "clean": {"miou": 0.6, "iou": {}},
        "unconstrained": 0.5,
        "conditions": dict.fromkeys(study.CONDITIONS, 0.5),
        "real": sets,
        "run_time_s": 1.0,
    }


def test_study_reports_the_real_sets_with_paired_differences() -> None:
    runs = [_run(v, s, r + 0.01 * s) for s in range(3) for v, r in
            (("samcl_tiaug", 0.3), ("rmi_baseline", 0.2))]  # fmt: skip
    assert study.study_sets(runs)[-3:] == ("real", "real_glasses", "real_no_glasses")
    summary = study.summarize_runs(runs)
    real = [c for c in summary["comparisons"] if c["set"] == "real" and c["b"] == "rmi_baseline"]
    assert real[0]["mean_diff"] == pytest.approx(0.1)
    without = [{k: v for k, v in run.items() if k != "real"} for run in runs]
    assert "real" not in study.study_sets([*runs[:1], *without[1:]])


def test_study_page_gives_real_per_class_iou_with_intervals() -> None:
    runs = [_run("rmi_baseline", seed, 0.2) for seed in range(3)]
    for seed, run in enumerate(runs):
        ious = {name: 0.1 * seed for name in CLASS_NAMES}
        run["clean"]["iou"] = ious
        run["real"] = {name: {**cell, "iou": {**ious, "eyes": None}}
                       for name, cell in run["real"].items()}  # fmt: skip
    meta = {"command": "c", "date": "d", "machine": "m", "runs_done": 3, "run_time_min": 1.0,
            "preset": {}, "sets": list(study.study_sets(runs))}  # fmt: skip
    page = study.render_markdown({"meta": meta, "runs": runs, **study.summarize_runs(runs)})
    real_rows = page.split("Real per-class IoU %")[1].split("Variants:")[0]
    row = "| rmi_baseline | real_no_glasses | 10.0 [-14.8, 34.8] | 10.0 [-14.8, 34.8] |"
    assert row in real_rows
    assert "| n/a |" in real_rows  # eyes: no IoU in any run
    assert "| rmi_baseline | clean | 10.0 | 10.0 |" in page


def test_fine_tuning_on_real_frames_starts_from_the_checkpoint(trained, real_folder, tmp_path):
    from examples.checkpoint import load_checkpoint
    from examples.config import TrainConfig
    from examples.train import train

    options = dict(
        base_width=4, size=(32, 40), batch=2, workers=0, val_every=1, ckpt_every=1,
        log_every=1, overlays=0, device="cpu", data=str(real_folder / "1_Man_Glasses1_Yawning"),
        val_data=str(real_folder / "1_Man_NoGlasses_Normal"), aug="baseline", loss="rmi",
        face_crop=0.05, num_train=1,
    )  # fmt: skip
    zero = train(TrainConfig(**options, iters=1, lr=1e-12, init=str(trained), out=str(tmp_path)))
    assert set(zero) >= {"clean"}
    assert "unconstrained" not in zero  # real frames: evaluated as they are
    weights = load_checkpoint(tmp_path / "last.pt")["model"]
    for name, value in load_checkpoint(trained)["model"].items():
        if value.is_floating_point() and "running" not in name:
            assert torch.allclose(weights[name], value, atol=1e-6), name
    with pytest.raises(UsageError, match=r"--aug samcl needs temperatures; .* grey levels"):
        train(TrainConfig(**{**options, "aug": "samcl"}, iters=1, out=str(tmp_path / "b")))
    with pytest.raises(UsageError, match=r"real labelled frames trains with --val-data"):
        train(TrainConfig(**{**options, "val_data": None}, iters=1, out=str(tmp_path / "c")))
    other = TrainConfig(**{**options, "base_width": 8}, iters=1, init=str(trained), out=".")
    with pytest.raises(UsageError, match=r"--init .*: its network \(unet, \{'base_width': 4\}\)"):
        train(other)


def test_a_finished_run_is_scored_again_on_another_real_folder_only(tmp_path, monkeypatch):
    from examples.config import STUDY, TrainConfig

    config = TrainConfig(**{**STUDY, "out": str(tmp_path / "run")})
    (tmp_path / "run").mkdir()
    calls = []

    def evaluate_best(config, names, real=None):
        calls.append((tuple(names), real))
        return {"real": {"miou": 0.4, "iou": {}}}

    monkeypatch.setattr(study, "_evaluate_best", evaluate_best)
    saved = {**_run("rmi_wild", 0, 0.3), "real_folder": str((tmp_path / "a").resolve())}
    saved["config"] = config.to_dict()
    (tmp_path / "run" / "study_run.json").write_text(json.dumps(saved))
    same = study._one_run(config, "rmi_wild", real=tmp_path / "a")
    assert same["real"]["real"]["miou"] == 0.3
    assert calls == []  # scored on that folder already: reused as saved
    other = study._one_run(config, "rmi_wild", real=tmp_path / "b")
    assert calls == [((), tmp_path / "b")]  # only the real sets, of the new folder
    assert other["real"] == {"real": {"miou": 0.4, "iou": {}}}
    assert other["real_folder"] == str((tmp_path / "b").resolve())
    assert other["clean"] == saved["clean"]


def test_a_thermal_face_database_folder_is_not_taken_for_real_frames(tmp_path) -> None:
    from tiaug.synth import synth_face

    face = synth_face(0, (64, 80))
    labels = [{"label": name, "mask": list(idx)} for name, idx in tio.IBUG68_GROUPS.items()]
    for name in ("sub001_01", "sub002_01"):
        np.save(tmp_path / f"{name}.npy", face.image)
        doc = {"landmarks": {"points": face.landmarks.tolist()}, "labels": labels}
        (tmp_path / f"{name}.ljson").write_text(json.dumps(doc))
    assert not is_real_folder(tmp_path)
    (tmp_path / "sub001_01.npy").rename(tmp_path / "driver_a.npy")
    (tmp_path / "sub001_01.ljson").rename(tmp_path / "driver_a.ljson")
    assert is_real_folder(tmp_path)  # degC frames with Menpo landmarks, not the TFD's names
