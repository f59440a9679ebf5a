"""The CPU robustness study: seeds x variants of one network, with statistics over seeds.

    python -m examples.study                       # 5 seeds x the variants, the STUDY preset
    python -m examples.study --seeds 2 --variants rmi_baseline,samcl_tiaug
    python -m examples.study --results benchmarks/results/study_cpu   # the committed study
    python -m examples.study --real ../shared/data/real-dev            # also on real faces

Every run trains the :data:`examples.config.STUDY` preset with its variant's options and one
seed (the seed fixes the data, the initial weights and the augmentation stream, so runs of
one seed are paired), then is evaluated on the clean validation set, the "unconstrained"
copy and one copy per condition (:data:`examples.evaluate.CONDITIONS`) and, with ``--real
DIR``, on a folder of real labelled frames (:mod:`examples.real`: every frame, and frames
with and without glasses apart when the paths say so). Runs go seed by seed
(all variants of seed 0, then seed 1, ...), so a partial study already gives paired
comparisons. A finished run's ``study_run.json`` is reused and a stopped run resumed: the
same command continues a stopped study; ``--reevaluate`` evaluates finished runs' best
checkpoints again (after a change of the evaluation copies' physics, without retraining).
After every run the results are rewritten:
``RESULTS/study.json``, ``study.md`` and ``study.png`` (RESULTS: ``OUT/results`` unless
``--results`` says otherwise; ``make study`` writes the committed
``benchmarks/results/study_cpu``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from examples.checkpoint import load_checkpoint
from examples.cli import (
    OneLineParser,
    add_config_arguments,
    config_values,
    parse_names,
    run_command,
)
from examples.config import (
    CLASS_NAMES,
    IGNORE_INDEX,
    NUM_CLASSES,
    RUN_ONLY,
    STUDY,
    TrainConfig,
    same_result,
)
from examples.data import SegmentationDataset, UsageError, make_output_folder, open_data
from examples.distributed import setup_distributed, teardown_distributed
from examples.engine import train
from examples.evaluate import CONDITIONS, evaluation_sets, validate
from examples.real import list_real_frames, open_real_sets
from examples.stats import mean_ci, paired_differences, percent, verdict
from examples.variants import select

__all__ = [
    "PAIRS",
    "SETS",
    "SINGLE_SEED",
    "VARIANTS",
    "main",
    "run_study",
    "summarize_runs",
]

#: The study's variants (:data:`examples.variants.VARIANTS`), in report order.
VARIANTS = select(
    "rmi_baseline",
    "rmi_tiaug",
    "samcl_tiaug",
    "samcl_critic",
    "rmi_ce_tiaug",
    "rmi_wild",
    "samcl_wild",
    "samcl_released",
)
#: Variants run for the first seed only (a confirming run).
SINGLE_SEED = ("samcl_released",)
#: Paired comparisons ``(a, b)``: a - b per seed.
PAIRS = (
    ("samcl_tiaug", "rmi_baseline"),
    ("samcl_tiaug", "rmi_tiaug"),
    ("samcl_tiaug", "rmi_ce_tiaug"),
    ("samcl_critic", "samcl_tiaug"),
    ("rmi_wild", "rmi_tiaug"),
    ("samcl_wild", "rmi_wild"),
)
#: The evaluation sets, in report order.
SETS = ("clean", "unconstrained", *CONDITIONS)


def _run_config(base: TrainConfig, variant: str, seed: int, out: Path) -> TrainConfig:
    run = {"seed": seed, "out": str(out / f"{variant}_seed{seed}"), "resume": None}
    return VARIANTS[variant].config(base, **run)


def _evaluate_best(
    config: TrainConfig, names: Sequence[str], real: Path | None = None
) -> dict[str, dict[str, Any]]:
    """Reports (:func:`~examples.evaluate.summarize`) of the run's best checkpoint on the
    named copies of its validation set ("clean", "unconstrained", the conditions) and on
    the sets of the ``real`` folder."""
    _, val_source = open_data(
        config.data,
        config.size,
        num_train=1,
        num_val=config.num_val,
        seed=config.seed,
        num_classes=NUM_CLASSES,
        ignore_index=IGNORE_INDEX,
        face_crop=config.face_crop,
    )
    model = config.build_model()
    model.load_state_dict(load_checkpoint(Path(config.out) / "best.pt")["model"])
    context = setup_distributed(config.device)
    model.to(context.device)
    try:
        sets = evaluation_sets(val_source, config.size, conditions=True)
        reports = {name: validate(model, sets[name], context, batch=config.batch) for name in names}
        for name, source in _real_sources(config, real).items():
            dataset = SegmentationDataset(source, config.size)
            reports[name] = validate(model, dataset, context, batch=config.batch)
        return reports
    finally:
        teardown_distributed(context)


def _real_sources(config: TrainConfig, real: Path | None) -> dict[str, Any]:
    if real is None:
        return {}
    return open_real_sets(real, config.size, config.face_crop)


def _scores(reports: dict[str, dict[str, Any]], real: Path | None) -> dict[str, Any]:
    """A run's scores in ``study_run.json``'s form, from the reports of every set."""
    scores = {
        "clean": {"miou": reports["clean"]["miou"], "iou": reports["clean"]["iou"]},
        "unconstrained": reports["unconstrained"]["miou"],
        "conditions": {name: reports[name]["miou"] for name in CONDITIONS},
    }
    return {**scores, **_real_scores(reports, real)}


def _real_scores(reports: dict[str, dict[str, Any]], real: Path | None) -> dict[str, Any]:
    """The real sets' scores and the folder they come from (nothing without one)."""
    if real is None:
        return {}
    sets = {name: report for name, report in reports.items() if name.startswith("real")}
    return {
        "real": {n: {"miou": r["miou"], "iou": r["iou"]} for n, r in sets.items()},
        "real_folder": str(real.resolve()),
    }


def _saved_run(path: Path, config: TrainConfig) -> dict[str, Any] | None:
    """The run's ``study_run.json`` when it was written by a run of ``config``, else None."""
    if not path.is_file():
        return None
    saved = json.loads(path.read_text(encoding="utf-8"))
    return saved if same_result(saved.get("config", {}), config) else None


def _train_run(config: TrainConfig, variant: str, real: Path | None) -> dict[str, Any]:
    """Train (or resume) one run and evaluate its best checkpoint on every set."""
    if (Path(config.out) / "last.pt").is_file():
        config.resume = "auto"
    started = time.perf_counter()
    report = train(config)
    return {
        "variant": variant,
        "seed": config.seed,
        **_scores({**report, **_evaluate_best(config, CONDITIONS, real)}, real),
        "train_time_s": report["train_time_s"],
        "run_time_s": time.perf_counter() - started,
        "config": config.to_dict(),
    }


def _one_run(
    config: TrainConfig, variant: str, reevaluate: bool = False, real: Path | None = None
) -> dict[str, Any]:
    """One run's result, saved as ``study_run.json``: a finished run's as saved (scored on the
    ``real`` folder if it was not yet); with ``reevaluate``, its best checkpoint evaluated
    again on every set (after a change of the evaluation copies' physics); otherwise trained
    (or resumed) and evaluated."""
    path = Path(config.out) / "study_run.json"
    saved = _saved_run(path, config)
    if saved is not None and not reevaluate:
        if real is None or saved.get("real_folder") == str(real.resolve()):
            return saved
        result = {**saved, **_real_scores(_evaluate_best(config, (), real), real)}
    elif saved is not None:
        result = {**saved, **_scores(_evaluate_best(config, SETS, real), real)}
    else:
        result = _train_run(config, variant, real)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def _set_values(run: dict[str, Any], name: str) -> float:
    if name == "clean":
        return float(run["clean"]["miou"])
    if name == "unconstrained":
        return float(run["unconstrained"])
    if name.startswith("real"):
        return float(run["real"][name]["miou"])
    return float(run["conditions"][name])


def study_sets(runs: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """The sets every run was scored on: :data:`SETS`, then the real sets when all have them."""
    first = list(runs[0].get("real", {})) if runs else []
    return (*SETS, *(name for name in first if all(name in r.get("real", {}) for r in runs)))


def _interval(low: float, high: float) -> list[float | None]:
    return [None if math.isnan(v) else v for v in (low, high)]


def summarize_runs(runs: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per variant and set: mean mIoU and 95 % t-interval over seeds; per pair of
    :data:`PAIRS` and set: the mean paired difference (a - b) and its 95 % t-interval.
    """
    by_variant: dict[str, dict[int, dict[str, Any]]] = {}
    for run in runs:
        by_variant.setdefault(run["variant"], {})[run["seed"]] = run
    sets = study_sets(runs)
    summary = []
    for variant, seeds in by_variant.items():
        for name in sets:
            mean, low, high = mean_ci([_set_values(r, name) for r in seeds.values()])
            summary.append(
                {"variant": variant, "set": name, "n": len(seeds), "mean": mean,
                 "ci95": _interval(low, high)}
            )  # fmt: skip
    comparisons = []
    for a, b in PAIRS:
        if a not in by_variant or b not in by_variant:
            continue
        for name in sets:
            diffs = paired_differences(
                {s: _set_values(r, name) for s, r in by_variant[a].items()},
                {s: _set_values(r, name) for s, r in by_variant[b].items()},
            )
            if not diffs:
                continue
            mean, low, high = mean_ci(diffs)
            comparisons.append(
                {"a": a, "b": b, "set": name, "n": len(diffs), "mean_diff": mean,
                 "ci95": _interval(low, high),
                 "verdict": "too few seeds" if len(diffs) < 2 else verdict(low, high)}
            )  # fmt: skip
    return {"summary": summary, "comparisons": comparisons}


def render_markdown(payload: dict[str, Any]) -> str:
    """study.md: the setup, the per-variant table with intervals and the comparisons."""
    meta = payload["meta"]
    sets = meta["sets"]
    lines = [
        "# CPU robustness study",
        "",
        f"`{meta['command']}`; written {meta['date']} on {meta['machine']}; "
        f"{meta['runs_done']} runs, {meta['run_time_min']:.1f} min of run time.",
        "",
        f"Preset (`examples.config.STUDY`, less what the variants set): "
        f"`{json.dumps(meta['preset'])}`.",
        "",
        "mIoU % (six classes, background included), mean over seeds [95 % t-interval]:",
        "",
        "| variant | seeds | " + " | ".join(sets) + " |",
        "| --- | ---: |" + " ---: |" * len(sets),
    ]
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for row in payload["summary"]:
        rows.setdefault(row["variant"], {})[row["set"]] = row
    for variant, by_set in rows.items():
        cells = [percent(by_set[name]["mean"], *by_set[name]["ci95"]) for name in sets]
        lines.append(f"| {variant} | {by_set['clean']['n']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Paired differences a - b over seeds, mIoU points [95 % t-interval]; a difference is",
        '"better" or "worse" only when its interval excludes 0:',
        "",
        "| a - b | set | seeds | mean | 95 % interval | verdict |",
        "| --- | --- | ---: | ---: | --- | --- |",
    ]
    for row in payload["comparisons"]:
        low, high = row["ci95"]
        interval = "" if low is None else f"[{100 * low:+.2f}, {100 * high:+.2f}]"
        lines.append(
            f"| {row['a']} - {row['b']} | {row['set']} | {row['n']} "
            f"| {100 * row['mean_diff']:+.2f} | {interval} | {row['verdict']} |"
        )
    lines += ["", "Clean per-class IoU %, mean over seeds:", ""]
    lines += _class_table(payload["runs"], list(rows), ["clean"], intervals=False)
    real_sets = [name for name in sets if name.startswith("real")]
    if real_sets:
        lines += ["", "Real per-class IoU %, mean over seeds [95 % t-interval]:", ""]
        lines += _class_table(payload["runs"], list(rows), real_sets, intervals=True)
    lines += ["", "Variants:", ""]
    described = meta.get("variants") or {n: v.description for n, v in VARIANTS.items()}
    lines += [f"- `{name}`: {text}" for name, text in described.items()]
    return "\n".join(lines) + "\n"


def _class_iou(run: dict[str, Any], name: str) -> dict[str, float | None]:
    return run["clean"]["iou"] if name == "clean" else run["real"][name]["iou"]


def _class_table(
    runs: Sequence[dict[str, Any]], variants: Sequence[str], sets: Sequence[str], *,
    intervals: bool,
) -> list[str]:  # fmt: skip
    """Markdown rows of per-class IoU % per variant and set (a class absent from a set's
    labels and predictions has no IoU: n/a)."""
    lines = ["| variant | set | " + " | ".join(CLASS_NAMES) + " |"]
    lines += ["| --- | --- |" + " ---: |" * len(CLASS_NAMES)]
    for variant, name in ((v, n) for v in variants for n in sets):
        mine = [r for r in runs if r["variant"] == variant]
        cells = []
        for class_name in CLASS_NAMES:
            values = [_class_iou(r, name)[class_name] for r in mine]
            known = [v for v in values if v is not None]
            if not known:
                cells.append("n/a")
                continue
            mean, low, high = mean_ci(known)
            cells.append(percent(mean, low, high) if intervals else percent(mean))
        lines.append(f"| {variant} | {name} | " + " | ".join(cells) + " |")
    return lines


def _bars(cells: Sequence[dict[str, Any]]) -> tuple[list[float], list[list[float]]]:
    """Means (%) and their (below, above) error-bar lengths; no bar without an interval."""
    means, below, above = [], [], []
    for cell in cells:
        mean = 100 * cell["mean"]
        low, high = (mean if v is None else 100 * v for v in cell["ci95"])
        means.append(mean)
        below.append(mean - low)
        above.append(high - mean)
    return means, [below, above]


def plot(payload: dict[str, Any], path: Path) -> None:
    """study.png: mIoU per variant with 95 % intervals (clean, unconstrained) and per condition."""
    import matplotlib.pyplot as plt

    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for row in payload["summary"]:
        rows.setdefault(row["variant"], {})[row["set"]] = row
    variants = list(rows)
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(15, 4.5), gridspec_kw={"width_ratios": [2, 3]}, layout="constrained"
    )
    overall = [name for name in payload["meta"]["sets"] if name not in CONDITIONS]
    for axis, names in ((left, overall), (right, CONDITIONS)):
        width = 0.8 / max(len(variants), 1)
        for number, variant in enumerate(variants):
            means, errors = _bars([rows[variant][n] for n in names])
            where = [i + (number - (len(variants) - 1) / 2) * width for i in range(len(names))]
            axis.bar(where, means, width, yerr=errors, capsize=2, label=variant)
        axis.set_xticks(range(len(names)), names, rotation=20)
        axis.set_ylabel("mIoU % (mean, 95 % interval)")
        axis.grid(axis="y", alpha=0.3)
    right.legend(fontsize=8, ncols=6, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    figure.suptitle("CPU study: validation mIoU per variant (intervals over seeds)")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _machine() -> str:
    """The CPU model, its core count and torch's thread count."""
    name = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        models = [
            line for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        name = models[0].split(":", 1)[1].strip() if models else name
    return f"{name}, {os.cpu_count()} cores, torch threads {torch.get_num_threads()}"


def _write(runs: list[dict[str, Any]], base: TrainConfig, results: Path, command: str) -> None:
    varied = {key for variant in VARIANTS.values() for key in variant.overrides}
    preset = {k: v for k, v in base.to_dict().items() if k not in RUN_ONLY | varied}
    meta = {
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "runs_done": len(runs),
        "run_time_min": sum(r["run_time_s"] for r in runs) / 60,
        "preset": preset,
        "sets": list(study_sets(runs)),
        "pairs": [list(pair) for pair in PAIRS],
        "variants": {name: variant.description for name, variant in VARIANTS.items()},
    }
    payload = {"meta": meta, "runs": runs, **summarize_runs(runs)}
    results.mkdir(parents=True, exist_ok=True)
    (results / "study.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    (results / "study.md").write_text(render_markdown(payload), encoding="utf-8")
    plot(payload, results / "study.png")


def run_study(
    base: TrainConfig,
    variants: Sequence[str],
    seeds: int,
    out: Path,
    results: Path,
    command: str = "python -m examples.study",
    reevaluate: bool = False,
    real: Path | None = None,
) -> list[dict[str, Any]]:
    """Train (or reuse) every run, seed-major; rewrite the results after each run.

    ``base`` is the preset every variant starts from; the result files are rewritten after
    every run, so a stopped study leaves a consistent partial report. ``reevaluate``:
    evaluate the finished runs' best checkpoints again (:func:`_one_run`). ``real``: a
    folder of real labelled frames every run is also scored on.
    """
    runs: list[dict[str, Any]] = []
    for seed in range(seeds):
        for variant in variants:
            if variant in SINGLE_SEED and seed > 0:
                continue
            config = _run_config(base, variant, seed, out)
            result = _one_run(config, variant, reevaluate, real)
            runs.append({k: v for k, v in result.items() if k != "config"})
            _write(runs, base, results, command)
    return runs


#: The run options the study's command line sets (the rest: :data:`STUDY`).
_OPTIONS = ("iters", "threads", "workers")


def _parser() -> OneLineParser:
    parser = OneLineParser(
        prog="python -m examples.study",
        description="Train seeds x variants of the STUDY preset; write RESULTS/study.json, "
        ".md and .png.",
    )
    add = parser.add_argument
    add("--seeds", type=int, default=5, help="seeds 0..N-1 per variant")
    add("--variants", default=",".join(VARIANTS), help="comma-separated variants")
    add_config_arguments(
        parser, _OPTIONS, iters=STUDY["iters"], threads=2, workers=STUDY["workers"]
    )
    add("--out", type=Path, default=Path("runs/study"), help="folder of the runs")
    add(
        "--real",
        type=Path,
        default=None,
        help="folder of real labelled frames every run is also scored on (examples.real)",
    )
    add(
        "--reevaluate",
        action="store_true",
        help="evaluate finished runs again (after a change of the evaluation sets)",
    )
    add(
        "--results",
        type=Path,
        default=None,
        help="folder of study.json, study.md and study.png (default: OUT/results)",
    )
    return parser


def _study(args: argparse.Namespace, command: str) -> str:
    """Check the command line, then run the study; returns where its report is."""
    variants = parse_names(args.variants, list(VARIANTS), "variant")
    if args.seeds < 1 or args.iters < 1:
        raise UsageError(f"--seeds and --iters must be >= 1, got {args.seeds}, {args.iters}")
    make_output_folder(args.out, "--out")
    make_output_folder(args.results, "--results")
    if args.real is not None:
        list_real_frames(args.real)  # a bad folder fails now, not after the first run
    base = TrainConfig(**{**STUDY, **config_values(args, _OPTIONS), "val_every": args.iters})
    real, reevaluate = args.real, args.reevaluate
    run_study(base, variants, args.seeds, args.out, args.results, command, reevaluate, real)
    return f"study: {args.results / 'study.md'}"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; user mistakes give one line on stderr and exit status 2."""
    args = _parser().parse_args(argv)
    args.results = args.results or args.out / "results"
    arguments = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m examples.study", *arguments])
    return run_command("python -m examples.study", lambda: _study(args, command))


if __name__ == "__main__":
    sys.exit(main())
