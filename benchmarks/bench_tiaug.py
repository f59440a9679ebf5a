"""Time tiaug's transforms per 256x320 float32 image on one core, next to albumentations.

Each row is the median over many calls of ``transform(image=..., mask=...)`` with p=1 on a
synthetic thermal face (degC) and its mask, after a warm-up; every call includes the
albumentations call overhead. Results go to ``benchmarks/results/bench_tiaug.{md,json}``.

    python benchmarks/bench_tiaug.py [--repeats 2000] [--out benchmarks/results]
    python benchmarks/bench_tiaug.py --compare-with ../tiaug-before [--rounds 3]

``--compare-with PATH`` adds a "before" column: the same rows timed against the tiaug
package of another checkout (``PATH/tiaug/src``, e.g. a ``git worktree`` of an older
commit). Both versions then run in two worker processes: ``--rounds`` rounds over all rows,
each row timed by one version then the other (which goes first alternates by round); each
cell is the smallest of its rounds' medians, so a burst of load from other processes inflates
neither column more than the other. The albumentations rows run the same code in both
workers: their difference is the measurement's noise.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
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


def _cases(size: tuple[int, int]) -> list[tuple[str, str, Callable[[], Callable[..., dict]]]]:
    """(group, name, transform factory) rows, every transform forced to p=1; built on
    demand, so that a row the other checkout cannot build fails alone."""
    rows, cols = size
    return [
        (
            "albumentations",
            "CoarseDropout",
            lambda: A.CoarseDropout(
                num_holes_range=(1, 2),
                hole_height_range=(0.05, 0.2),
                hole_width_range=(0.05, 0.2),
                fill=30.0,
                p=1.0,
            ),
        ),
        ("albumentations", "GaussNoise (clips degC to [0, 1])", lambda: A.GaussNoise(p=1.0)),
        (
            "albumentations",
            "GaussianBlur (clips degC to [0, 1])",
            lambda: A.GaussianBlur(sigma_limit=(1.0, 1.2), p=1.0),
        ),
        (
            "albumentations",
            "Rotate (cubic image, nearest mask)",
            lambda: A.Rotate(
                limit=(0, 360),
                interpolation=cv2.INTER_CUBIC,
                mask_interpolation=cv2.INTER_NEAREST,
                border_mode=cv2.BORDER_REPLICATE,
                p=1.0,
            ),
        ),
        ("tiaug", "ThermalOcclusion (reference recipe)", lambda: tiaug.ThermalOcclusion(p=1.0)),
        (
            "tiaug",
            "ThermalOcclusion (soft edges, on the eyes, absolute degC)",
            lambda: tiaug.ThermalOcclusion(
                temperature_mode="absolute",
                temperature=(21.0, 28.0),
                edge_softness=(1.0, 2.0),
                placement="mask",
                placement_classes=(3,),
                p=1.0,
            ),
        ),
        (
            "tiaug",
            "SensorNoise (temporal only)",
            lambda: tiaug.SensorNoise(netd=(0.03, 0.1), p=1.0),
        ),
        (
            "tiaug",
            "SensorNoise (uniform, reference)",
            lambda: tiaug.SensorNoise(netd=(0.0, 0.1), mode="uniform", p=1.0),
        ),
        (
            "tiaug",
            "SensorNoise (temporal + FPN + stripes + quantisation)",
            lambda: tiaug.SensorNoise(
                netd="flir-a65",
                fixed_pattern=0.1,
                row_noise=0.03,
                column_noise=0.03,
                quantization="flir-a65",
                p=1.0,
            ),
        ),
        ("tiaug", "AmbientShift (mask-aware)", lambda: tiaug.AmbientShift(p=1.0)),
        ("tiaug", "BackgroundClutter", lambda: tiaug.BackgroundClutter(p=1.0)),
        ("tiaug", "ThermalBlur", lambda: tiaug.ThermalBlur(p=1.0)),
        ("tiaug", "RandomRescale", lambda: tiaug.RandomRescale(p=1.0)),
        ("tiaug", "CenterCropPad", lambda: tiaug.CenterCropPad(size=(rows, cols))),
        ("tiaug", "CameraExport (AGC, JPEG half the time)", lambda: tiaug.CameraExport(p=1.0)),
        ("pipeline", "TiAug 'baseline' pipeline", lambda: tiaug.TiAug("baseline", size=size)),
        ("pipeline", "TiAug 'samcl' pipeline", lambda: tiaug.TiAug("samcl", size=size)),
        (
            "pipeline",
            "TiAug 'unconstrained' pipeline",
            lambda: tiaug.TiAug("unconstrained", size=size),
        ),
        ("pipeline", "TiAug 'wild' pipeline", lambda: tiaug.TiAug("wild", size=size)),
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


def _time_row(
    transform: Callable[..., dict], face: tuple[np.ndarray, np.ndarray], repeats: int
) -> float:
    """Median ms of one row's calls, the transform seeded with 0."""
    transform.set_random_seed(0)  # type: ignore[attr-defined]
    image, mask = face
    return _median_ms(lambda: transform(image=image, mask=mask), repeats)


def _row_repeats(group: str, repeats: int) -> int:
    return repeats // 4 if group == "pipeline" else repeats


def _worker(size: tuple[int, int], face_file: Path) -> int:
    """Serve timings on stdin/stdout: a line ``row repeats`` in, its median ms (or nan) out."""
    with np.load(face_file) as arrays:
        face = (np.array(arrays["image"]), np.array(arrays["mask"]))  # own, aligned buffers
    cases = _cases(size)
    for line in sys.stdin:
        index, repeats = (int(field) for field in line.split())
        try:
            ms = _time_row(cases[index][2](), face, repeats)
        except Exception:  # a row this checkout cannot build or run
            ms = math.nan
        print(ms, flush=True)
    return 0


class _Worker:
    """This script in worker mode, importing tiaug from ``source`` (``PATH/tiaug/src``)."""

    def __init__(self, source: Path, size: tuple[int, int], face_file: Path):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(source), *_pythonpath()])}
        command = [sys.executable, __file__, "--worker", str(face_file), "--size", *map(str, size)]
        self.process = subprocess.Popen(
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        if self.process.stdin is None or self.process.stdout is None:
            raise RuntimeError("the worker's pipes did not open")
        self.requests, self.replies = self.process.stdin, self.process.stdout

    def time(self, index: int, repeats: int) -> float:
        self.requests.write(f"{index} {repeats}\n")
        self.requests.flush()
        return float(self.replies.readline())

    def close(self) -> None:
        self.requests.close()
        self.process.wait()


def _pythonpath() -> list[str]:
    return [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]


def _checkout(path: Path) -> str:
    """``commit 1c7251e (PATH)`` for a git checkout, the path alone outside git."""
    found = subprocess.run(
        ["git", "-C", str(path), "log", "-1", "--format=%h"],
        capture_output=True,
        text=True,
        check=False,
    )
    commit = found.stdout.strip()
    return f"commit {commit} ({path})" if found.returncode == 0 and commit else str(path)


def _selected(size: tuple[int, int], only: list[str]) -> list[int]:
    """Indices of the rows whose name contains one of ``only`` (any case); every row if empty."""
    names = [name.lower() for _, name, _ in _cases(size)]
    wanted = [pattern.lower() for pattern in only]
    return [i for i, name in enumerate(names) if not wanted or any(w in name for w in wanted)]


def _measure(
    size: tuple[int, int], repeats: int, before: Path | None, rounds: int, rows: list[int]
) -> list[dict]:
    """Time the ``rows``: in this process, or with ``before`` in two alternating workers."""
    face = synth_face(0, size=size)
    every = _cases(size)
    cases = [every[i] for i in rows]
    if before is None:
        results = []
        for group, name, factory in cases:
            ms = _time_row(factory(), (face.image, face.mask), _row_repeats(group, repeats))
            results.append({"group": group, "transform": name, "median_ms": ms})
            _print_row(results[-1])
        return results
    with tempfile.TemporaryDirectory() as folder:
        face_file = Path(folder) / "face.npz"
        np.savez(face_file, image=face.image, mask=face.mask)
        here = Path(tiaug.__file__).resolve().parents[1]
        workers = {
            "before_ms": _Worker(before.resolve() / "tiaug" / "src", size, face_file),
            "median_ms": _Worker(here, size, face_file),
        }
        groups = [group for group, _, _ in cases]
        best = _rounds(workers, rows, groups, repeats, rounds)
    results = [{"group": g, "transform": n, **b} for (g, n, _), b in zip(cases, best, strict=True)]
    for result in results:
        _print_row(result)
    return results


def _rounds(
    workers: dict[str, _Worker], rows: list[int], groups: list[str], repeats: int, rounds: int
) -> list[dict[str, float]]:
    """Per row, each worker's smallest median over ``rounds`` rounds over all rows (a burst of
    load hits one round); which worker goes first alternates by round."""
    best = [dict.fromkeys(workers, math.inf) for _ in groups]
    for round_ in range(rounds):
        order = list(workers) if round_ % 2 == 0 else list(workers)[::-1]
        for cell, row, group in zip(best, rows, groups, strict=True):
            for column in order:
                ms = workers[column].time(row, _row_repeats(group, repeats))
                cell[column] = ms if math.isnan(ms) else min(cell[column], ms)
        print(f"round {round_ + 1}/{rounds} done", flush=True)
    for worker in workers.values():
        worker.close()
    return best


def _print_row(result: dict) -> None:
    before = result.get("before_ms")
    column = "" if before is None else f"{before:8.3f} ->"
    print(
        f"{result['group']:<15} {result['transform']:<58} {column}{result['median_ms']:8.3f} ms",
        flush=True,
    )


def _cell(value: float | None) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.3f}"


def _change(result: dict) -> str:
    before, after = result.get("before_ms"), result["median_ms"]
    if before is None or math.isnan(before) or math.isnan(after):
        return ""
    return f"{round(100.0 * (after / before - 1.0)):+d}%"


def _table(results: list[dict], compare: bool) -> list[str]:
    if not compare:
        return [
            "| group | transform | ms / image | target |",
            "|---|---|---:|---:|",
            *(
                f"| {r['group']} | {r['transform']} | {_cell(r['median_ms'])} | {_target_cell(r)} |"
                for r in results
            ),
        ]
    return [
        "| group | transform | before, ms | ms / image | change | target |",
        "|---|---|---:|---:|---:|---:|",
        *(
            f"| {r['group']} | {r['transform']} | {_cell(r['before_ms'])} | "
            f"{_cell(r['median_ms'])} | {_change(r)} | {_target_cell(r)} |"
            for r in results
        ),
    ]


def _target_cell(result: dict) -> str:
    return "" if result["target_ms"] is None else f"<= {result['target_ms']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2000, help="timed calls per transform")
    parser.add_argument("--size", type=int, nargs=2, default=(256, 320), metavar=("H", "W"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument(
        "--compare-with",
        type=Path,
        metavar="PATH",
        help="another checkout whose tiaug (PATH/tiaug/src) fills a 'before' column",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds with --compare-with")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="time only the rows whose name contains TEXT (repeatable); prints, writes nothing",
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    size = (int(args.size[0]), int(args.size[1]))
    if args.worker is not None:
        return _worker(size, args.worker)
    rows = _selected(size, args.only)
    if not rows:
        parser.error(f"no row matches --only {args.only}")
    if args.compare_with is not None and not (args.compare_with / "tiaug/src/tiaug").is_dir():
        parser.error(f"--compare-with {args.compare_with}: no tiaug/src/tiaug in that checkout")
    results = _measure(size, args.repeats, args.compare_with, max(1, args.rounds), rows)
    for result in results:
        result["target_ms"] = TARGETS_MS.get(result["transform"])
    if args.only:
        print("\n".join(_table(results, args.compare_with is not None)))
        return 0

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
    if args.compare_with is not None:
        meta["before"] = _checkout(args.compare_with)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_tiaug.json").write_text(json.dumps({**meta, "results": results}, indent=2))
    how = "median of many calls"
    if args.compare_with is not None:
        how = (
            f"before: tiaug at {meta['before']}; each cell the smallest of {args.rounds} "
            "rounds' medians, rounds over all rows, the two versions in turn (compare the two "
            "columns of one run, not figures from runs at other times)"
        )
    lines = [
        "# tiaug transform timings",
        "",
        f"`{meta['command']}` on {meta['cpu']}, one thread, {meta['date']}; "
        f"{meta['image']}; {how}; p=1, including albumentations' call overhead.",
        "",
        *_table(results, args.compare_with is not None),
        "",
    ]
    (args.out / "bench_tiaug.md").write_text("\n".join(lines))
    print(f"wrote {args.out / 'bench_tiaug.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
