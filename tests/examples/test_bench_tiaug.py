"""benchmarks/bench_tiaug.py: row selection (--only), and a run of one row in each mode."""

from pathlib import Path

import pytest

from benchmarks import bench_tiaug

SIZE = (64, 80)
REPOSITORY = Path(__file__).resolve().parents[2]


def _names(rows: list[int]) -> list[str]:
    cases = bench_tiaug._cases(SIZE)
    return [cases[i][1] for i in rows]


def test_only_selects_rows_by_name_in_any_case() -> None:
    every = bench_tiaug._selected(SIZE, [])
    assert every == list(range(len(bench_tiaug._cases(SIZE))))
    assert _names(bench_tiaug._selected(SIZE, ["centercrop"])) == ["CenterCropPad"]
    both = _names(bench_tiaug._selected(SIZE, ["AMBIENTSHIFT", "thermalblur"]))
    assert both == ["AmbientShift (mask-aware)", "ThermalBlur"]
    assert bench_tiaug._selected(SIZE, ["no such transform"]) == []


def test_only_prints_the_chosen_row_and_writes_nothing(tmp_path: Path, capsys) -> None:
    argv = ["--only", "CenterCropPad", "--repeats", "20", "--size", "64", "80"]
    assert bench_tiaug.main([*argv, "--out", str(tmp_path)]) == 0
    table = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert len(table) == 2  # the header and one row
    assert "| tiaug | CenterCropPad |" in table[1]
    assert list(tmp_path.iterdir()) == []


class _EchoWorker:
    """Stands in for a worker process: the 'time' of a row is its index."""

    def time(self, index: int, repeats: int) -> float:
        return float(index)

    def close(self) -> None:
        pass


def test_rounds_send_each_worker_the_full_list_index_of_a_chosen_row() -> None:
    workers = {"before_ms": _EchoWorker(), "median_ms": _EchoWorker()}
    best = bench_tiaug._rounds(workers, [5, 9], ["tiaug", "pipeline"], 10, 2)
    assert best == [{"before_ms": 5.0, "median_ms": 5.0}, {"before_ms": 9.0, "median_ms": 9.0}]


def test_only_with_compare_with_fills_both_columns(capsys) -> None:
    argv = ["--only", "ThermalBlur", "--repeats", "10", "--size", "64", "80", "--rounds", "1"]
    assert bench_tiaug.main([*argv, "--compare-with", str(REPOSITORY)]) == 0
    (row,) = [line for line in capsys.readouterr().out.splitlines() if "| ThermalBlur |" in line]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    before, after = float(cells[2]), float(cells[3])  # a failed row gives nan
    assert before > 0
    assert after > 0


def test_only_without_a_match_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        bench_tiaug.main(["--only", "no such transform"])
    assert stop.value.code == 2
    assert "no row matches" in capsys.readouterr().err


def test_compare_with_a_folder_without_tiaug_is_a_usage_error(tmp_path: Path, capsys) -> None:
    for folder in (tmp_path / "missing", REPOSITORY / "tiaug"):  # the package, not the checkout
        with pytest.raises(SystemExit) as stop:
            bench_tiaug.main(["--only", "ThermalBlur", "--compare-with", str(folder)])
        assert stop.value.code == 2
        assert "no tiaug/src/tiaug" in capsys.readouterr().err
