"""benchmarks/bench_train.py runs end to end at a tiny size on the CPU."""

import json
from pathlib import Path

import pytest
import torch

from benchmarks import bench_train
from examples.models import MODELS


def test_bench_train_writes_both_result_files(tmp_path: Path, capsys) -> None:
    argv = [
        "--device", "cpu", "--batch", "2", "--size", "32x40", "--iters", "1", "--warmup", "0",
        "--nets", "unet", "--workers", "0,1", "--loader-batches", "1", "--out", str(tmp_path),
    ]  # fmt: skip
    assert bench_train.main(argv) == 0
    result = json.loads((tmp_path / "bench_train_cpu.json").read_text())
    assert result["command"].endswith("--out " + str(tmp_path))
    assert result["device_type"] == "cpu"
    assert (result["batch"], result["size"], result["amp"]) == (2, "32x40", "off")
    (network,) = result["networks"]
    assert network["net"] == "unet"
    assert network["rmi_images_per_s"] > 0
    assert network["samcl_images_per_s"] > 0
    assert network["samcl_cost"] == pytest.approx(
        network["rmi_images_per_s"] / network["samcl_images_per_s"] - 1
    )
    assert [row["workers"] for row in result["loaders"]] == [0, 1]
    assert all(row["images_per_s"] > 0 for row in result["loaders"])
    markdown = (tmp_path / "bench_train_cpu.md").read_text()
    assert "| unet |" in markdown
    assert "SAM-CL cost" in markdown
    assert "wrote" in capsys.readouterr().out


def test_bench_train_rejects_unknown_networks(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        bench_train.main(["--nets", "vit"])
    assert stop.value.code == 2
    assert "unknown network vit" in capsys.readouterr().err


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_bench_train_on_cuda_uses_autocast(tmp_path: Path) -> None:
    argv = [
        "--device", "cuda", "--batch", "2", "--size", "64x80", "--iters", "1", "--warmup", "1",
        "--workers", "1", "--loader-batches", "1", "--out", str(tmp_path),
    ]  # fmt: skip
    assert bench_train.main(argv) == 0
    result = json.loads((tmp_path / "bench_train_cuda.json").read_text())
    assert result["amp"] in ("bfloat16", "float16")
    assert [row["net"] for row in result["networks"]] == list(MODELS)
