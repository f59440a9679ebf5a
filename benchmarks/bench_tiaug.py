"""Time tiaug's transforms per 256x320 float32 image on one core, next to albumentations.

Each row is the median over many calls of ``transform(image=..., mask=...)`` with p=1 on a
synthetic thermal face (degC) and its mask, after a warm-up; every call includes the
albumentations call overhead. Results go to ``benchmarks/results/bench_tiaug.{md,json}``.

    python benchmarks/bench_tiaug.py [--repeats 2000] [--out benchmarks/results]
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import albumentations as A  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402

import tiaug  # noqa: E402
from tiaug.synth import synth_face  # noqa: E402

if __package__ in (None, ""):  # run as a file: make the repository's `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import cpu_name  # noqa: E402

cv2.setNumThreads(1)

# Targets of the tiaug issue on the project's 2-core machine, ms per image.
TARGETS_MS = {
    "ThermalOcclusion (reference recipe)": 0.3,
    "TiAug 'samcl' pipeline": 3.0,
}


def _cases(size: tuple[int, int]) -> list[tuple[str, str, Callable[..., dict]]]:
    """(group, name, transform) rows, every transform forced to p=1."""
    rows, cols = size
    return [
        (
            "albumentations",
            "CoarseDropout",
            A.CoarseDropout(
                num_holes_range=(1, 2),
                hole_height_range=(0.05, 0.2),
                hole_width_range=(0.05, 0.2),
                fill=30.0,
                p=1.0,
            ),
        ),
        ("albumentations", "GaussNoise (clips degC to [0, 1])", A.GaussNoise(p=1.0)),
        (
            "albumentations",
            "GaussianBlur (clips degC to [0, 1])",
            A.GaussianBlur(sigma_limit=(1.0, 1.2), p=1.0),
        ),
        (
            "albumentations",
            "Rotate (cubic image, nearest mask)",
            A.Rotate(
                limit=(0, 360),
                interpolation=cv2.INTER_CUBIC,
                mask_interpolation=cv2.INTER_NEAREST,
                border_mode=cv2.BORDER_REPLICATE,
                p=1.0,
            ),
        ),
        ("tiaug", "ThermalOcclusion (reference recipe)", tiaug.ThermalOcclusion(p=1.0)),
        (
            "tiaug",
            "ThermalOcclusion (soft edges, on the eyes, absolute degC)",
            tiaug.ThermalOcclusion(
                temperature_mode="absolute",
                temperature=(21.0, 28.0),
                edge_softness=(1.0, 2.0),
                placement="mask",
                placement_classes=(3,),
                p=1.0,
            ),
        ),
        ("tiaug", "SensorNoise (temporal only)", tiaug.SensorNoise(netd=(0.03, 0.1), p=1.0)),
        (
            "tiaug",
            "SensorNoise (uniform, reference)",
            tiaug.SensorNoise(netd=(0.0, 0.1), mode="uniform", p=1.0),
        ),
        (
            "tiaug",
            "SensorNoise (temporal + FPN + stripes + quantisation)",
            tiaug.SensorNoise(
                netd="flir-a65",
                fixed_pattern=0.1,
                row_noise=0.03,
                column_noise=0.03,
                quantization="flir-a65",
                p=1.0,
            ),
        ),
        ("tiaug", "AmbientShift (mask-aware)", tiaug.AmbientShift(p=1.0)),
        ("tiaug", "BackgroundClutter", tiaug.BackgroundClutter(p=1.0)),
        ("tiaug", "ThermalBlur", tiaug.ThermalBlur(p=1.0)),
        ("tiaug", "RandomRescale", tiaug.RandomRescale(p=1.0)),
        ("tiaug", "CenterCropPad", tiaug.CenterCropPad(rows, cols)),
        ("pipeline", "TiAug 'baseline' pipeline", tiaug.TiAug("baseline", size=size)),
        ("pipeline", "TiAug 'samcl' pipeline", tiaug.TiAug("samcl", size=size)),
        ("pipeline", "TiAug 'unconstrained' pipeline", tiaug.TiAug("unconstrained", size=size)),
    ]


def _median_ms(call: Callable[[], object], repeats: int) -> float:
    for _ in range(max(10, repeats // 20)):
        call()
    times = np.empty(repeats)
    for index in range(repeats):
        start = time.perf_counter()
        call()
        times[index] = time.perf_counter() - start
    return float(np.median(times) * 1e3)


def _target_cell(result: dict) -> str:
    return "" if result["target_ms"] is None else f"<= {result['target_ms']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2000, help="timed calls per transform")
    parser.add_argument("--size", type=int, nargs=2, default=(256, 320), metavar=("H", "W"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args(argv)
    size = (int(args.size[0]), int(args.size[1]))
    face = synth_face(0, size=size)
    results = []
    for group, name, transform in _cases(size):
        transform.set_random_seed(0)
        pipeline_repeats = args.repeats // 4 if group == "pipeline" else args.repeats
        ms = _median_ms(lambda t=transform: t(image=face.image, mask=face.mask), pipeline_repeats)
        target = TARGETS_MS.get(name)
        results.append({"group": group, "transform": name, "median_ms": ms, "target_ms": target})
        verdict = ""
        if target is not None:
            verdict = "  (target met)" if ms <= target else "  (TARGET MISSED)"
        print(f"{group:<15} {name:<58} {ms:8.3f} ms{verdict}", flush=True)

    meta = {
        "command": "python " + " ".join([sys.argv[0], *(argv or sys.argv[1:])]),
        "date": datetime.date.today().isoformat(),
        "cpu": cpu_name(),
        "threads": 1,
        "image": f"{size[0]}x{size[1]} float32 degC + uint8 mask (synthetic face)",
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "albumentations": A.__version__,
            "opencv": cv2.__version__,
            "tiaug": tiaug.__version__,
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_tiaug.json").write_text(json.dumps({**meta, "results": results}, indent=2))
    lines = [
        "# tiaug transform timings",
        "",
        f"`{meta['command']}` on {meta['cpu']}, one thread, {meta['date']}; "
        f"{meta['image']}; median of many calls, p=1, including albumentations' call overhead.",
        "",
        "| group | transform | ms / image | target |",
        "|---|---|---:|---:|",
        *(
            f"| {r['group']} | {r['transform']} | {r['median_ms']:.3f} | {_target_cell(r)} |"
            for r in results
        ),
        "",
    ]
    (args.out / "bench_tiaug.md").write_text("\n".join(lines))
    print(f"wrote {args.out / 'bench_tiaug.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
