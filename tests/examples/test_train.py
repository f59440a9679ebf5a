"""Training, resume, evaluation, reproduction and the command lines, at tiny sizes on CPU."""

import inspect
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from examples import evaluate, reproduce, resume
from examples import train as train_module
from examples.checkpoint import get_rng_state, load_checkpoint, load_trained_state, save_checkpoint
from examples.config import TrainConfig, resolve_amp
from examples.data import UsageError, sample_seed
from examples.distributed import Distributed
from examples.models import build_model
from examples.run import seed_rank_streams
from examples.task import build_criterion, build_optimizer
from examples.train import main, parse_args, train
from samcl_loss import SAMCLLoss
from tiaug.io import write_mask, write_thermal

ROOT = Path(__file__).resolve().parents[2]
TINY = {
    "net": "unet",
    "base_width": 4,
    "size": (32, 40),
    "iters": 6,
    "batch": 2,
    "workers": 0,
    "num_train": 5,
    "num_val": 3,
    "val_every": 3,
    "ckpt_every": 3,
    "log_every": 2,
    "overlays": 1,
    "device": "cpu",
}


def _config(out: Path, **overrides) -> TrainConfig:
    return TrainConfig(**{**TINY, "out": str(out), **overrides})


@pytest.fixture(scope="module")
def full_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("full")
    train(_config(out))
    return out


def test_resume_reaches_the_same_weights(full_run: Path, tmp_path: Path, monkeypatch) -> None:
    first = train(_config(tmp_path, stop_at=3))
    assert first == {"iteration": 3, "checkpoint": str(tmp_path / "last.pt")}
    assert not (tmp_path / "eval.json").exists()
    # the second half with DataLoader workers: augmentation does not depend on them, and
    # every worker forks while no thread but the loaders' queue feeders runs (not
    # TensorBoard's, tqdm's or a pinning one)
    threads_at_fork = []
    start = multiprocessing.process.BaseProcess.start
    earlier = set(threading.enumerate())  # left by other tests in this process

    def counting_start(process) -> None:
        threads_at_fork.append({t.name for t in threading.enumerate() if t not in earlier})
        start(process)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", counting_start)
    report = train(_config(tmp_path, resume="auto", workers=1))
    # three loaders (training, two validation sets) in training, two in the final evaluation
    assert len(threads_at_fork) == 5
    assert all(names <= {"QueueFeederThread"} for names in threads_at_fork)
    expected, resumed = load_checkpoint(full_run / "last.pt"), load_checkpoint(tmp_path / "last.pt")
    assert resumed["iteration"] == expected["iteration"] == 6
    for part in ("model", "criterion"):
        for key, value in expected[part].items():
            assert torch.equal(value, resumed[part][key]), f"{part}.{key}"
    # one momentum buffer per parameter of the network and the loss, counted from the modules
    # (not from the checkpoint: one saved without optimizer state must fail here)
    config = _config(tmp_path)
    modules = (build_model(config.net, **config.model_kwargs()), build_criterion(config))
    count = sum(1 for module in modules for _ in module.parameters())
    for name, state in (("uninterrupted", expected), ("resumed", resumed)):
        assert sorted(state["optimizer"]["state"]) == list(range(count)), f"{name} run"
    for index in range(count):
        assert torch.equal(
            expected["optimizer"]["state"][index]["momentum_buffer"],
            resumed["optimizer"]["state"][index]["momentum_buffer"],
        ), f"momentum buffer of parameter {index}"
    full_report = json.loads((full_run / "eval.json").read_text())
    assert report["clean"]["confusion"] == full_report["clean"]["confusion"]
    for run in (tmp_path, full_run):
        records = [json.loads(line) for line in (run / "metrics.jsonl").open()]
        assert [r["iteration"] for r in records if "val" in r] == [3, 6]


def test_run_writes_checkpoints_logs_report_and_overlays(full_run: Path) -> None:
    state = load_checkpoint(full_run / "last.pt")
    assert set(state) >= {
        "model", "criterion", "optimizer", "scheduler", "scaler", "rng",
        "iteration", "config",
    }  # fmt: skip
    assert any(key.startswith("auxiliary.") for key in state["criterion"])
    assert state["scheduler"]["last_epoch"] == 6
    best = load_checkpoint(full_run / "best.pt")
    assert best["iteration"] in (3, 6)
    records = [json.loads(line) for line in (full_run / "metrics.jsonl").open()]
    train_records = [r for r in records if "train" in r]
    assert [r["iteration"] for r in train_records] == [2, 4, 6]
    assert set(train_records[0]["train"]) == {
        "loss", "base", "contrastive", "scale0", "scale1", "scale2", "scale3",
    }  # fmt: skip
    assert train_records[0]["lr"] == pytest.approx(0.01 * (1 - 2 / 6) ** 0.9)
    assert [r["iteration"] for r in records if "val" in r] == [3, 6]
    assert len(list((full_run / "tb").glob("events.out.tfevents.*"))) == 1
    report = json.loads((full_run / "eval.json").read_text())
    pixels = TINY["num_val"] * 32 * 40
    assert sum(map(sum, report["clean"]["confusion"])) == pixels
    assert 0 < report["clean"]["miou"] <= 1
    confusion = report["clean"]["confusion"]
    present = sum(1 for row in confusion if sum(row))
    assert report["clean"]["all_background_miou"] == pytest.approx(
        sum(confusion[0]) / pixels / present
    )
    assert 0 < report["unconstrained"]["miou"] <= 1
    assert set(report["clean"]["iou"]) == {
        "background",
        "face",
        "mouth",
        "eyes",
        "eyebrows",
        "nose",
    }
    assert report["iterations"] == 6
    assert report["iteration"] == best["iteration"]
    assert sorted(p.name for p in (full_run / "overlays").iterdir()) == [
        "clean_000.png", "unconstrained_000.png",
    ]  # fmt: skip


def test_evaluate_recomputes_the_training_report(full_run: Path, tmp_path: Path, capsys) -> None:
    code = evaluate.main(
        [str(full_run / "best.pt"), "--out", str(tmp_path), "--workers", "0", "--overlays", "1"]
    )
    assert code == 0
    report = json.loads((tmp_path / "eval.json").read_text())
    expected = json.loads((full_run / "eval.json").read_text())
    for name in ("clean", "unconstrained"):
        assert report[name]["confusion"] == expected[name]["confusion"]
    assert (tmp_path / "overlays" / "clean_000.png").is_file()
    assert "clean: mIoU" in capsys.readouterr().out


@pytest.mark.parametrize(("loss", "aug"), [("ce", "none"), ("rmi", "unconstrained")])
def test_other_losses_and_augmentations_train(tmp_path: Path, loss: str, aug: str) -> None:
    report = train(_config(tmp_path, loss=loss, aug=aug, iters=2, val_every=2, overlays=0))
    assert report["config"]["loss"] == loss
    assert "scale0" not in json.loads((tmp_path / "metrics.jsonl").open().readline())["train"]


def test_study_optimiser_crop_and_control_loss_train(tmp_path: Path) -> None:
    overrides = {"optimizer": "adamw", "schedule": "onecycle", "face_crop": 0.1}
    report = train(_config(tmp_path, loss="rmi_ce", iters=2, val_every=2, overlays=0, **overrides))
    assert {k: report["config"][k] for k in overrides} == overrides
    assert report["config"]["loss"] == "rmi_ce"


def test_one_cycle_peaks_at_the_learning_rate() -> None:
    config = TrainConfig(optimizer="adamw", schedule="onecycle", lr=4e-3, iters=100)
    optimizer, scheduler = build_optimizer(config, [torch.nn.Parameter(torch.zeros(1))])
    assert isinstance(optimizer, torch.optim.AdamW)
    rates = []
    for _ in range(config.iters):
        optimizer.step()
        scheduler.step()
        rates.append(scheduler.get_last_lr()[0])
    assert max(rates) == pytest.approx(4e-3, rel=1e-3)
    assert 25 <= rates.index(max(rates)) <= 35
    assert rates[-1] < 1e-3 * max(rates)


def _write_folder(root: Path, drop_label: bool = False, label_shape=(32, 40)) -> None:
    """A `tiaug synth`-style folder (train/ and val/, two pairs each) with one defect."""
    for split in ("train", "val"):
        (root / split / "image").mkdir(parents=True)
        (root / split / "label").mkdir(parents=True)
        for i in range(2):
            write_thermal(root / split / "image" / f"{i}.npy", np.full((32, 40), 30.0))
            if not (drop_label and split == "val" and i == 1):
                write_mask(root / split / "label" / f"{i}.png", np.zeros(label_shape, np.uint8))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--net", "segformer"], "unknown network 'segformer'; known networks: unet"),
        (["--data", "{tmp}/nolabel"], "1 image without a label"),
        (["--data", "{tmp}/badshape"], "image shape (32, 40) differs from its label's (16, 20)"),
        (["--loss", "dice"], "unknown loss 'dice'"),
        (["--aug", "heavy"], "unknown aug 'heavy'"),
        (["--data", "{tmp}/missing"], "missing does not exist"),
        (["--data", "{tmp}/empty"], "no images found"),
        (["--resume"], "no checkpoint"),
        (["--size", "8x8"], "--size must be at least 16x16"),
        (["--iters", "0"], "--iters must be >= 1"),
        (["--size", "big"], "expected HxW in pixels"),
        (["--amp", "fp8"], "invalid choice: 'fp8'"),
        (["--lr", "-1"], "--lr must be > 0"),
        (["--base-width", "0"], "base_width must be >= 1"),
        (["--dem"], "unrecognized arguments: --dem"),  # no abbreviations of the presets
        (["--out", "{tmp}/file.txt/run"], "--out {tmp}/file.txt/run: cannot write there"),
    ],
)
def test_bad_input_is_one_line_and_status_2(tmp_path: Path, capsys, args, message) -> None:
    _write_folder(tmp_path / "nolabel", drop_label=True)
    _write_folder(tmp_path / "badshape", label_shape=(16, 20))
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("a file, not a folder")
    argv = ["--out", str(tmp_path / "run"), "--device", "cpu"]
    argv += [a.format(tmp=tmp_path) for a in args]  # a later --out wins
    message = message.format(tmp=tmp_path)
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse
        code = stop.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "run").exists()  # a mistake leaves no output folder behind


def test_evaluate_bad_input_is_one_line_and_status_2(tmp_path: Path, capsys) -> None:
    assert evaluate.main([str(tmp_path / "none.pt")]) == 2
    err = capsys.readouterr().err
    assert err == f"python -m examples.evaluate: error: no checkpoint {tmp_path / 'none.pt'}\n"
    for name, content in (("bad.pt", b"not a checkpoint"), ("metrics.jsonl", b'{"a": 1}\n')):
        (tmp_path / name).write_bytes(content)
        assert evaluate.main([str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert "not a checkpoint written by examples.train" in err
        assert err.count("\n") == 1


def test_unknown_device_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    assert main(["--out", str(tmp_path / "run"), "--device", "bogus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m examples.train: error: unknown device 'bogus'; use auto")
    assert err.count("\n") == 1


def test_resume_from_another_run_is_refused(full_run: Path, tmp_path: Path, capsys) -> None:
    argv = [
        "--resume",
        str(full_run / "last.pt"),
        "--out",
        str(tmp_path),
        "--net",
        "attention_unet",
    ]
    assert main([*argv, "--base-width", "4", "--size", "32x40", "--iters", "6"]) == 2
    assert "was written by another run: net 'unet' != 'attention_unet'" in capsys.readouterr().err


def test_resume_with_another_autocast_dtype_is_refused(tmp_path: Path, capsys) -> None:
    assert train(_config(tmp_path, amp="bf16", stop_at=1))["iteration"] == 1
    assert load_checkpoint(tmp_path / "last.pt")["amp"] == "bf16"
    argv = ["--resume", "--out", str(tmp_path), "--amp", "fp16", "--device", "cpu"]
    tiny = ["--base-width", "4", "--size", "32x40", "--iters", "6", "--batch", "2"]
    assert main([*argv, *tiny, "--num-train", "5", "--num-val", "3"]) == 2
    assert capsys.readouterr().err == (
        f"python -m examples.train: error: {tmp_path / 'last.pt'} was written by another run: "
        "amp 'bf16' != 'fp16'\n"
    )


def test_command_line_error_from_a_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "examples.train", "--net", "segformer", "--device", "cpu"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NO_ALBUMENTATIONS_UPDATE": "1"},
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "python -m examples.train: error: unknown network 'segformer'; known networks: "
        "unet, attention_unet, deeplabv3, hrnetv2"
    ]


def test_demo_options_and_explicit_overrides() -> None:
    config = parse_args(["--demo", "--iters", "5"])
    assert (config.net, config.net_options["base_width"], config.loss, config.aug) == (
        "unet",
        8,
        "rmi",
        "wild",
    )
    assert config.size == (96, 120)
    assert config.iters == 5
    assert parse_args(["--demo"]).iters == 1800  # the study's rmi_wild, as measured
    assert config.device == "cpu"
    assert config.samcl_negatives == "swap"
    assert parse_args([]).batch == 16
    study = parse_args(["--study", "--lr", "0.001"])
    assert (study.optimizer, study.schedule, study.face_crop, study.lr) == (
        "adamw",
        "onecycle",
        0.05,
        0.001,
    )
    paper = parse_args([])
    assert (paper.optimizer, paper.schedule, paper.face_crop) == ("sgd", "poly", None)


def test_samcl_options_default_to_the_package() -> None:
    package = inspect.signature(SAMCLLoss).parameters
    options = ("samcl_prediction", "samcl_negatives", "contrastive_weight", "samcl_margin")
    for config in (TrainConfig(), parse_args([])):
        values = [getattr(config, name) for name in options]
        assert values == [package[name.removeprefix("samcl_")].default for name in options]
    assert TrainConfig().samcl_negatives == "swap"


def test_the_former_weight_name_is_deprecated_but_taken() -> None:
    with pytest.warns(DeprecationWarning, match=r"samcl_weight=.*use contrastive_weight="):
        assert TrainConfig(samcl_weight=0.3).contrastive_weight == 0.3
    with pytest.warns(
        DeprecationWarning, match=r"--samcl-weight is deprecated.*--contrastive-weight"
    ):
        assert parse_args(["--samcl-weight", "0.3"]).contrastive_weight == 0.3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_args(["--contrastive-weight", "0.3"]).contrastive_weight == 0.3
        saved = {**TrainConfig().to_dict(), "samcl_weight": 0.3}
        del saved["contrastive_weight"]
        assert TrainConfig.from_dict(saved).contrastive_weight == 0.3  # silently: old files
        assert "--samcl-weight" not in train_module._parser().format_help()
    with pytest.raises(TypeError, match="given twice: samcl_weight and contrastive_weight"):
        TrainConfig.from_dict({**saved, "contrastive_weight": 0.3})


def _with_former_weight_key(state: dict) -> dict:
    config = dict(state["config"])
    config["samcl_weight"] = config.pop("contrastive_weight")
    return {**state, "config": config}


def test_checkpoints_with_the_former_weight_key_load_and_resume(
    full_run: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.pt"
    save_checkpoint(_with_former_weight_key(load_checkpoint(full_run / "last.pt")), old)
    assert load_trained_state(old)[2] == TrainConfig.from_dict(
        load_checkpoint(full_run / "last.pt")["config"]
    )
    run = SimpleNamespace(config=_config(tmp_path), amp_dtype=None)
    state = load_checkpoint(old)
    assert resume.differences(state, run) == []
    state["config"]["samcl_weight"] = 0.3
    assert resume.differences(state, run) == ["contrastive_weight 0.3 != 0.5"]
    # resumed halfway from a checkpoint with the former key: the uninterrupted run's weights
    train(_config(tmp_path, stop_at=3))
    last = tmp_path / "last.pt"
    save_checkpoint(_with_former_weight_key(load_checkpoint(last)), last)
    train(_config(tmp_path, resume="auto"))
    expected, resumed = load_checkpoint(full_run / "last.pt"), load_checkpoint(last)
    assert resumed["iteration"] == 6
    for key, value in expected["model"].items():
        assert torch.equal(value, resumed["model"][key]), key


def test_amp_resolution() -> None:
    cpu = torch.device("cpu")
    assert resolve_amp("auto", cpu) is None
    assert resolve_amp("off", cpu) is None
    assert resolve_amp("bf16", cpu) is torch.bfloat16
    assert resolve_amp("fp16", cpu) is torch.float16


def test_reproduce_writes_the_table_and_reuses_finished_runs(tmp_path: Path) -> None:
    argv = [
        "--nets", "unet", "--iters", "2", "--batch", "2", "--size", "32x40", "--num-train", "4",
        "--num-val", "2", "--base-width", "4", "--workers", "0", "--overlays", "0",
        "--device", "cpu", "--out", str(tmp_path / "runs"), "--results", str(tmp_path / "res"),
    ]  # fmt: skip
    assert reproduce.main(argv) == 0
    table = json.loads((tmp_path / "res" / "table1.json").read_text())
    runs = {(r["net"], r["variant"]): r for r in table["runs"]}
    assert set(runs) == {("unet", v) for v in reproduce.VARIANTS}
    for run in runs.values():
        assert 0 < run["clean_miou"] <= 1
        assert 0 < run["unconstrained_miou"] <= 1
        assert (run["iterations"], run["seed"], run["world_size"]) == (2, 0, 1)
        assert run["device"].startswith("cpu")
        assert run["train_time_s"] > 0
    assert table["meta"]["iters"] == 2
    assert table["meta"]["command"] == "python -m examples.reproduce " + " ".join(argv)
    assert table["meta"]["device"].startswith("cpu")
    assert [c["net"] for c in table["checks"]] == ["unet"]
    assert set(table["checks"][0]) == {
        "net", "over_baseline", "over_tiaug_clean", "over_tiaug_unconstrained",
    }  # fmt: skip
    released = json.loads((tmp_path / "runs" / "unet_samcl_released" / "eval.json").read_text())
    assert released["config"]["samcl_prediction"] == "argmax"
    assert released["config"]["samcl_negatives"] == "zeros"
    paper = json.loads((tmp_path / "runs" / "unet_samcl_tiaug" / "eval.json").read_text())
    assert paper["config"]["samcl_negatives"] == "swap"  # the paper's, not the package default
    # as released, the SAM-CL term sends no gradient to the network: it trains like RMI alone
    weights = {
        variant: load_checkpoint(tmp_path / "runs" / f"unet_{variant}" / "last.pt")["model"]
        for variant in ("rmi_tiaug", "samcl_released", "samcl_tiaug")
    }
    same = [torch.equal(weights["rmi_tiaug"][k], v) for k, v in weights["samcl_released"].items()]
    assert all(same)
    same = [torch.equal(weights["rmi_tiaug"][k], v) for k, v in weights["samcl_tiaug"].items()]
    assert not all(same)
    assert (
        json.loads((tmp_path / "runs" / "unet_rmi_baseline" / "eval.json").read_text())["config"][
            "aug"
        ]
        == "baseline"
    )
    markdown = (tmp_path / "res" / "table1.md").read_text()
    assert all(f"| unet | {variant} |" in markdown for variant in reproduce.VARIANTS)
    assert "81.36" in markdown
    assert "| unet | rmi_baseline |" in markdown
    assert "Does the method work?" in markdown
    for path in (tmp_path / "runs").glob("*/eval.json"):  # as written before the rename
        report = json.loads(path.read_text())
        report["config"]["samcl_weight"] = report["config"].pop("contrastive_weight")
        path.write_text(json.dumps(report))
    stamp = (tmp_path / "runs" / "unet_rmi_tiaug" / "eval.json").stat().st_mtime_ns
    assert reproduce.main(argv) == 0
    assert (tmp_path / "runs" / "unet_rmi_tiaug" / "eval.json").stat().st_mtime_ns == stamp


def test_reproduce_channels_last_is_on_for_cuda_and_trains_on_the_cpu(tmp_path: Path) -> None:
    parser = reproduce._parser()
    assert reproduce._base_config(parser.parse_args(["--device", "cuda"])).channels_last
    assert not reproduce._base_config(parser.parse_args(["--device", "cpu"])).channels_last
    argv = [
        "--nets", "unet", "--variants", "rmi_tiaug", "--iters", "2", "--batch", "2",
        "--size", "32x40", "--num-train", "4", "--num-val", "2", "--base-width", "4",
        "--workers", "0", "--overlays", "0", "--device", "cpu", "--channels-last",
        "--out", str(tmp_path / "runs"), "--results", str(tmp_path / "res"),
    ]  # fmt: skip
    assert reproduce.main(argv) == 0
    report = json.loads((tmp_path / "runs" / "unet_rmi_tiaug" / "eval.json").read_text())
    assert report["config"]["channels_last"] is True
    assert 0 < report["clean"]["miou"] <= 1
    # the same run in the default memory format reaches the same weights, up to rounding
    config = TrainConfig.from_dict(
        {**report["config"], "channels_last": False, "out": str(tmp_path / "plain")}
    )
    train(config)
    last = load_checkpoint(tmp_path / "runs" / "unet_rmi_tiaug" / "last.pt")["model"]
    plain = load_checkpoint(tmp_path / "plain" / "last.pt")["model"]
    torch.manual_seed(config.seed)  # the runs' initial weights
    start = config.build_model().state_dict()
    for key, value in plain.items():
        if value.is_floating_point():
            # the memory format changes float rounding, which RMI's log-determinants of
            # nearly singular region covariances amplify (up to ~6 % of the two steps' change
            # here); a format that trained differently would differ by about the change itself
            step = (value - start[key]).abs().max()
            assert (value - last[key]).abs().max() <= 0.2 * step + 1e-6, key


def test_reproduce_rejects_unknown_names(capsys) -> None:
    assert reproduce.main(["--nets", "unet,vit"]) == 2
    assert "unknown network 'vit'; known: unet, attention_unet" in capsys.readouterr().err


@pytest.mark.slow
def test_torchrun_two_processes_write_once(tmp_path: Path) -> None:
    out = tmp_path / "ddp"
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
        "-m", "examples.train", "--net", "unet", "--base-width", "4", "--size", "32x40",
        "--iters", "2", "--batch", "4", "--workers", "0", "--num-train", "8", "--num-val", "5",
        "--val-every", "2", "--log-every", "1", "--overlays", "1", "--device", "cpu",
        "--out", str(out),
    ]  # fmt: skip
    env = {**os.environ, "NO_ALBUMENTATIONS_UPDATE": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == [
        "best.pt", "eval.json", "last.pt", "metrics.jsonl", "overlays", "tb",
    ]  # fmt: skip
    assert len(list((out / "tb").iterdir())) == 1
    iterations = [json.loads(line)["iteration"] for line in (out / "metrics.jsonl").open()]
    assert iterations == [1, 2, 2]
    report = json.loads((out / "eval.json").read_text())
    assert report["world_size"] == 2
    streams = load_checkpoint(out / "last.pt")["rng"]  # each rank's own (dropout differs)
    assert len(streams) == 2
    assert not torch.equal(streams[0]["torch"], streams[1]["torch"])
    assert sum(map(sum, report["clean"]["confusion"])) == 5 * 32 * 40
    assert result.stdout.count("best checkpoint") == 1
    assert not list(out.glob(".*.tmp"))


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present")
def test_cuda_without_cuda_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    assert main(["--device", "cuda", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "python -m examples.train: error: device 'cuda' asked for but CUDA is not available\n"
    )


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_training_with_autocast_and_resume(tmp_path: Path) -> None:
    cuda = {"device": "cuda", "amp": "auto", "workers": 2}
    assert train(_config(tmp_path, stop_at=3, **cuda))["iteration"] == 3
    report = train(_config(tmp_path, resume="auto", **cuda))
    assert report["device"] == torch.cuda.get_device_name()
    assert report["config"]["amp"] == "auto"
    assert 0 < report["clean"]["miou"] <= 1
    assert load_checkpoint(tmp_path / "last.pt")["iteration"] == 6


def test_resume_with_another_learning_rate_is_refused(full_run: Path) -> None:
    config = _config(full_run, resume=str(full_run / "last.pt"), lr=TINY.get("lr", 0.01) * 3)
    with pytest.raises(UsageError, match=r"was written by another run: lr "):
        train(config)


def _rank(rank: int, world_size: int) -> SimpleNamespace:
    context = Distributed(rank, world_size, rank, torch.device("cpu"), owns_group=False)
    return SimpleNamespace(context=context, config=TrainConfig(seed=7))


def test_each_rank_draws_its_own_stream_and_one_process_keeps_the_seed() -> None:
    def draws(rank: int, world_size: int) -> torch.Tensor:
        torch.manual_seed(7)
        run = _rank(rank, world_size)
        seed_rank_streams(run.config, run.context)
        return torch.rand(8)

    torch.manual_seed(7)
    seed_stream = torch.rand(8)
    assert torch.equal(draws(0, 1), seed_stream)
    assert not torch.equal(draws(0, 2), draws(1, 2))
    assert torch.equal(draws(1, 2), draws(1, 2))


def test_resume_restores_each_ranks_own_stream() -> None:
    states = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        states.append(get_rng_state())
    resume.restore_rng(states, _rank(1, 2))
    assert torch.equal(torch.get_rng_state(), states[1]["torch"])
    # a checkpoint of another world size (or of one state): the first, reseeded per rank
    resume.restore_rng(states[0], _rank(1, 2))
    torch.manual_seed(sample_seed(7, 4, 1))
    assert torch.equal(torch.get_rng_state(), get_rng_state()["torch"])
    resume.restore_rng(states, _rank(0, 1))
    assert torch.equal(torch.get_rng_state(), states[0]["torch"])
