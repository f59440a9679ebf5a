"""The CPU study: statistics, evaluation sets, and a tiny whole study with its resume."""

import json
import math
from pathlib import Path

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from examples import evaluate, study
from examples.config import CLASS_NAMES, STUDY, TrainConfig
from examples.data import open_data
from examples.evaluate import CONDITIONS, evaluation_sets
from examples.stats import mean_ci, paired_differences, t_quantile, verdict
from examples.train import train
from tiaug.presets import Choice
from tiaug.transforms import ThermalBlur, ThermalOcclusion

TINY = {
    **STUDY,
    "base_width": 4,
    "size": (32, 40),
    "iters": 4,
    "batch": 2,
    "workers": 0,
    "num_train": 4,
    "num_val": 2,
    "val_every": 4,
    "ckpt_every": 2,
    "log_every": 2,
    "overlays": 0,
}


def test_t_interval_of_three_values() -> None:
    assert t_quantile(2) == pytest.approx(4.302653, abs=1e-6)
    assert t_quantile(4) == pytest.approx(2.776445, abs=1e-6)
    mean, low, high = mean_ci([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert (low, high) == pytest.approx((2 - 4.302653 / math.sqrt(3), 2 + 4.302653 / math.sqrt(3)))


def test_one_value_has_no_interval_and_none_is_an_error() -> None:
    mean, low, high = mean_ci([0.5])
    assert mean == 0.5
    assert math.isnan(low)
    assert math.isnan(high)
    with pytest.raises(ValueError, match="at least one"):
        mean_ci([])
    with pytest.raises(ValueError, match="df >= 1"):
        t_quantile(0)


@given(st.lists(st.floats(-1, 1), min_size=2, max_size=8))
def test_interval_holds_the_mean_and_is_symmetric(values: list[float]) -> None:
    mean, low, high = mean_ci(values)
    assert low <= mean + 1e-12
    assert mean <= high + 1e-12
    assert mean - low == pytest.approx(high - mean, abs=1e-9)


def test_paired_differences_use_common_seeds_and_verdicts_need_zero_outside() -> None:
    assert paired_differences({0: 0.5, 1: 0.7, 2: 0.1}, {1: 0.6, 0: 0.4}) == pytest.approx(
        [0.1, 0.1]
    )
    assert verdict(0.01, 0.02) == "better"
    assert verdict(-0.02, -0.01) == "worse"
    assert verdict(-0.01, 0.02) == "no difference shown"


def test_condition_sets_are_fixed_and_keep_amodal_labels() -> None:
    _, val = open_data("synthetic", (32, 40), num_train=1, num_val=2, seed=0, face_crop=0.1)
    sets = evaluation_sets(val, (32, 40), conditions=True)
    again = evaluation_sets(val, (32, 40), conditions=True)
    assert list(sets) == ["clean", "unconstrained", *CONDITIONS]
    clean_image, clean_mask = sets["clean"][0]
    for name in CONDITIONS:
        image, mask = sets[name][0]
        assert torch.equal(mask, clean_mask), name
        assert not torch.equal(image, clean_image), name
        assert torch.equal(image, again[name][0][0]), name


def test_the_conditions_are_the_named_parts_of_the_preset(monkeypatch) -> None:
    """A part added to the "unconstrained" preset (or a kind to its occluders) is a condition,
    with no other edit; the earlier ones keep their names, order and seeds."""
    assert CONDITIONS == (
        "glasses", "hand", "hair", "drink", "reference_occluder", "ambient", "clutter",
        "camera_noise",
    )  # fmt: skip
    preset_parts = evaluate.preset_parts

    def with_more(preset, size, **kwargs):
        parts = preset_parts(preset, size, **kwargs)
        if preset == "unconstrained":
            occluders = parts["occluders"]
            scarf = ThermalOcclusion(p=1.0)
            parts["occluders"] = Choice({**occluders.parts, "scarf": scarf}, occluders.p)
            parts["haze"] = ThermalBlur(sigma=(2.0, 2.5), p=0.5)
        return parts

    _, val = open_data("synthetic", (32, 40), num_train=1, num_val=1, seed=0, face_crop=0.1)
    before = evaluation_sets(val, (32, 40), conditions=True)
    monkeypatch.setattr(evaluate, "preset_parts", with_more)
    names = list(evaluate.condition_parts((32, 40)))
    assert names == [*CONDITIONS[:5], "scarf", *CONDITIONS[5:], "haze"]
    assert evaluate.condition_transform("haze", (32, 40)).p == 1.0
    after = evaluation_sets(val, (32, 40), conditions=True)
    assert list(after) == ["clean", "unconstrained", *names]
    assert not torch.equal(after["haze"][0][0], after["clean"][0][0])
    for name in CONDITIONS[:5]:  # seeded by position: those before the new kind are unchanged
        assert torch.equal(after[name][0][0], before[name][0][0]), name


def _check_schema(payload: dict) -> None:
    assert [(r["variant"], r["seed"]) for r in payload["runs"]] == [
        ("rmi_baseline", 0),
        ("samcl_tiaug", 0),
        ("rmi_baseline", 1),
        ("samcl_tiaug", 1),
    ]
    for run in payload["runs"]:
        assert set(run["clean"]["iou"]) == set(CLASS_NAMES)
        assert 0 <= run["clean"]["miou"] <= 1
        assert 0 <= run["unconstrained"] <= 1
        assert set(run["conditions"]) == set(CONDITIONS)
        assert all(0 <= v <= 1 for v in run["conditions"].values())
    sets = {c["set"] for c in payload["comparisons"]}
    assert sets == {"clean", "unconstrained", *CONDITIONS}
    for row in payload["comparisons"]:
        assert (row["a"], row["b"]) == ("samcl_tiaug", "rmi_baseline")
        low, high = row["ci95"]
        assert low <= row["mean_diff"] <= high


def test_tiny_study_writes_the_schema_resumes_and_reuses(tmp_path: Path, monkeypatch) -> None:
    base = TrainConfig(**TINY)
    out, results = tmp_path / "runs", tmp_path / "results"
    stopped = study._run_config(base, "rmi_baseline", 0, out)
    stopped.stop_at = 2
    train(stopped)
    resumed: list[str | None] = []

    def spy(config: TrainConfig) -> dict:
        resumed.append(config.resume)
        return train(config)

    monkeypatch.setattr(study, "train", spy)
    runs = study.run_study(base, ["rmi_baseline", "samcl_tiaug"], 2, out, results, "tiny")
    assert resumed == ["auto", None, None, None]
    payload = json.loads((results / "study.json").read_text())
    _check_schema(payload)
    assert payload["runs"] == runs
    assert (results / "study.png").stat().st_size > 0
    assert "samcl_tiaug - rmi_baseline" in (results / "study.md").read_text()

    def refuse(config: TrainConfig) -> dict:
        raise AssertionError(f"{config.out} trained again")

    monkeypatch.setattr(study, "train", refuse)
    for path in out.glob("*/study_run.json"):  # as written before samcl_weight was renamed
        saved = json.loads(path.read_text())
        saved["config"]["samcl_weight"] = saved["config"].pop("contrastive_weight")
        path.write_text(json.dumps(saved))
    assert study.run_study(base, ["rmi_baseline", "samcl_tiaug"], 2, out, results) == runs

    def constant(model, data, context, batch) -> dict:  # a changed evaluation set
        return {"miou": 0.25, "iou": dict.fromkeys(CLASS_NAMES, 0.25)}

    monkeypatch.setattr(study, "validate", constant)
    again = study.run_study(base, ["rmi_baseline", "samcl_tiaug"], 2, out, results, "", True)
    for before, after in zip(runs, again, strict=True):
        assert after["train_time_s"] == before["train_time_s"]  # not trained again
        assert after["clean"] == {"miou": 0.25, "iou": dict.fromkeys(CLASS_NAMES, 0.25)}
        assert after["unconstrained"] == 0.25
        assert after["conditions"] == dict.fromkeys(CONDITIONS, 0.25)
    assert json.loads((results / "study.json").read_text())["runs"] == again
    assert study.run_study(base, ["rmi_baseline", "samcl_tiaug"], 2, out, results) == again


def test_unknown_variant_is_one_line_and_status_2(capsys) -> None:
    assert study.main(["--variants", "rmi_baseline,nope"]) == 2
    assert capsys.readouterr().err.strip().endswith(f"known: {', '.join(study.VARIANTS)}")


def test_unwritable_results_fail_before_any_run(tmp_path: Path, capsys) -> None:
    (tmp_path / "file.txt").write_text("a file, not a folder")
    argv = ["--out", str(tmp_path / "runs"), "--results", str(tmp_path / "file.txt" / "r")]
    assert study.main(argv) == 2
    assert "--results" in capsys.readouterr().err
    assert not list((tmp_path / "runs").iterdir())  # nothing trained


def test_an_interval_touching_zero_shows_no_difference() -> None:
    assert verdict(0.0, 0.02) == "no difference shown"
    assert verdict(-0.02, 0.0) == "no difference shown"
    assert verdict(0.0, 0.0) == "no difference shown"
