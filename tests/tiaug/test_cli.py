"""The ``tiaug`` command through click's runner and as a subprocess."""

import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from tiaug.cli import main


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def face_files(tmp_path):
    from tiaug.synth import synth_face

    face = synth_face(1, size=(64, 80))
    image_path, mask_path = tmp_path / "face.npy", tmp_path / "face_mask.npy"
    np.save(image_path, face.image)
    np.save(mask_path, face.mask)
    return image_path, mask_path


def _one_line_error(result, *fragments):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


def test_preview_of_builtin_face_writes_png_and_prints_path(runner, tmp_path):
    out = tmp_path / "sub" / "preview.png"
    result = runner.invoke(main, ["preview", "-n", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("preset", ["samcl", "baseline", "unconstrained"])
def test_preview_of_a_file_with_mask_for_every_preset(runner, tmp_path, face_files, preset):
    image_path, mask_path = face_files
    out = tmp_path / f"{preset}.png"
    args = [
        "preview",
        str(image_path),
        "--mask",
        str(mask_path),
        "-n",
        "3",
        "--preset",
        preset,
        "-o",
        str(out),
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 10_000


def test_preview_is_reproducible_for_a_seed(runner, tmp_path, face_files):
    image_path, _ = face_files
    outputs = []
    for name in ("a.png", "b.png"):
        result = runner.invoke(
            main, ["preview", str(image_path), "-n", "2", "--seed", "5", "-o", str(tmp_path / name)]
        )
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]


def test_preview_reads_raw_counts_with_a_camera(runner, tmp_path):
    from tiaug.cameras import get_camera

    camera = get_camera("flir-a65")
    temperature = np.full(camera.shape, 24.0)
    temperature[200:300, 250:400] = 34.0
    path = tmp_path / "frame.bin"
    camera.celsius_to_counts(temperature).astype("<u2").tofile(path)
    out = tmp_path / "frame.png"
    result = runner.invoke(
        main, ["preview", str(path), "--camera", "flir-a65", "-n", "1", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.exists()


def test_missing_file(runner, tmp_path):
    _one_line_error(runner.invoke(main, ["preview", str(tmp_path / "nope.npy")]), "nope.npy")


def test_unknown_suffix(runner, tmp_path):
    path = tmp_path / "image.xyz"
    path.write_bytes(b"0000")
    _one_line_error(runner.invoke(main, ["preview", str(path)]), ".xyz")


def test_nan_values_are_kept_and_infinite_ones_refused(runner, tmp_path):
    image = np.full((32, 40), 30.0, np.float32)
    image[3, 4] = np.nan
    np.save(tmp_path / "nan.npy", image)
    out = tmp_path / "nan.png"
    result = runner.invoke(main, ["preview", str(tmp_path / "nan.npy"), "-n", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    image[3, 4] = np.inf
    np.save(tmp_path / "inf.npy", image)
    _one_line_error(runner.invoke(main, ["preview", str(tmp_path / "inf.npy")]), "1 infinite")


def test_wrong_number_of_dimensions(runner, tmp_path):
    np.save(tmp_path / "cube.npy", np.zeros((4, 32, 40), np.float32))
    _one_line_error(runner.invoke(main, ["preview", str(tmp_path / "cube.npy")]), "(4, 32, 40)")


def test_mask_shape_differs_from_image(runner, tmp_path, face_files):
    image_path, _ = face_files
    np.save(tmp_path / "small_mask.npy", np.zeros((10, 10), np.uint8))
    result = runner.invoke(
        main, ["preview", str(image_path), "--mask", str(tmp_path / "small_mask.npy")]
    )
    _one_line_error(result, "small_mask.npy shape (10, 10)", "(64, 80)")


def _usage_error(result, *fragments):
    """click's own usage error (a Choice): exit 2, no traceback, the bad value named."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(error_lines) == 1, result.output
    for fragment in fragments:
        assert fragment in error_lines[0]


def test_unknown_preset_and_camera(runner):
    _usage_error(runner.invoke(main, ["preview", "--preset", "extreme"]), "extreme", "samcl")
    _usage_error(runner.invoke(main, ["preview", "--camera", "acme"]), "acme", "flir-a65")


def test_preset_choices_are_the_presets():
    from tiaug.cli import PRESET_NAMES
    from tiaug.presets import PRESETS

    assert tuple(PRESET_NAMES) == tuple(PRESETS)


def test_scale_and_offset_read_a_milli_degc_file(runner, tmp_path):
    counts = np.full((48, 64), 24_000, np.int32)
    counts[10:30, 20:40] = 34_500
    path = tmp_path / "milli.npy"
    np.save(path, counts)
    out = tmp_path / "milli.png"
    _one_line_error(runner.invoke(main, ["preview", str(path), "-o", str(out)]), "--scale")
    result = runner.invoke(
        main, ["preview", str(path), "--scale", "0.001", "-n", "1", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)


def test_error_messages_name_options_not_python_arguments(runner, tmp_path):
    np.save(tmp_path / "counts.npy", np.full((16, 20), 3000, np.uint16))
    png = tmp_path / "eight.png"
    import cv2

    cv2.imwrite(str(png), np.zeros((16, 20), np.uint8))
    raw = tmp_path / "frame.bin"
    raw.write_bytes(b"\0" * 64)
    data = tmp_path / "data"
    assert runner.invoke(main, ["synth", str(data), "-n", "1", "--size", "16x16"]).exit_code == 0
    results = [
        runner.invoke(main, ["preview", str(tmp_path / "counts.npy")]),
        runner.invoke(main, ["preview", str(png)]),
        runner.invoke(main, ["preview", str(raw)]),
        runner.invoke(main, ["preview", str(tmp_path / "counts.npy"), "--camera", "seek-compact"]),
        runner.invoke(main, ["synth", str(data), "-n", "1", "--size", "16x16"]),
    ]
    for result in results:
        _one_line_error(result, "--")
        assert re.search(r"\b[a-z_]+=", result.output) is None, result.output


def test_output_in_an_unwritable_place(runner, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    result = runner.invoke(main, ["preview", "-n", "1", "-o", str(blocker / "out.png")])
    _one_line_error(result, "-o/--output", "cannot create its folder")
    _one_line_error(runner.invoke(main, ["preview", "-o", str(tmp_path)]), "is a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to read-only folders")
def test_output_in_a_read_only_folder(runner, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = runner.invoke(main, ["preview", "-n", "1", "-o", str(locked / "out.png")])
    finally:
        locked.chmod(0o700)
    _one_line_error(result, "not writable")


def test_output_suffix_picks_the_format_and_the_path_is_exact(runner, tmp_path):
    _one_line_error(runner.invoke(main, ["preview", "-o", str(tmp_path / "out")]), "no suffix")
    _one_line_error(runner.invoke(main, ["preview", "-o", str(tmp_path / "x.bmp")]), "'.bmp'")
    for name, magic in (("grid.jpg", b"\xff\xd8"), ("grid.pdf", b"%PDF")):
        out = tmp_path / name
        result = runner.invoke(main, ["preview", "-n", "1", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == str(out)
        assert out.read_bytes()[: len(magic)] == magic
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grid.jpg", "grid.pdf"]


def test_preview_without_matplotlib_says_how_to_install_it(runner, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = runner.invoke(main, ["preview", "-o", str(tmp_path / "p.png")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: preview grids need matplotlib: pip install 'tiaug[preview]'"
    ]


def test_synth_into_a_file_is_one_line(runner, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    _usage_error(runner.invoke(main, ["synth", str(blocker), "-n", "1"]), "file.txt")
    nested = blocker / "data"
    _one_line_error(runner.invoke(main, ["synth", str(nested), "-n", "1"]), "file.txt")


def test_version_and_help_import_neither_albumentations_nor_torch():
    code = (
        "import sys\n"
        "from tiaug.cli import main\n"
        "for args in (['--version'], ['--help'], ['preview', '--help']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in ('albumentations', 'torch', 'matplotlib') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_synth_writes_dataset_with_progress(runner, tmp_path):
    out = tmp_path / "data"
    result = runner.invoke(main, ["synth", str(out), "-n", "5", "--seed", "2", "--size", "48x64"])
    assert result.exit_code == 0, result.output
    images = sorted(out.glob("*/image/*.npy"))
    labels = sorted(out.glob("*/label/*.png"))
    assert len(images) == len(labels) == 5
    assert np.load(images[0]).shape == (48, 64)


def test_synth_rejects_a_bad_size(runner, tmp_path):
    result = runner.invoke(main, ["synth", str(tmp_path), "-n", "1", "--size", "big"])
    assert result.exit_code == 2
    assert "HxW" in result.output


def test_cameras_lists_every_preset(runner):
    from tiaug.cameras import list_cameras

    result = runner.invoke(main, ["cameras"])
    assert result.exit_code == 0
    for name in list_cameras():
        assert name in result.output
    assert "T = counts x 0.04 -273.15" in result.output


def test_console_script_as_subprocess(tmp_path):
    executable = shutil.which("tiaug", path=os.path.dirname(sys.executable))
    assert executable, "the tiaug console script is not installed next to python"
    ok = subprocess.run([executable, "cameras"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0
    assert "flir-lepton-3.5" in ok.stdout
    bad = subprocess.run(
        [executable, "preview", str(tmp_path / "missing.npy")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [f"Error: file not found: {tmp_path / 'missing.npy'}"]


@pytest.mark.parametrize(("rows", "cols"), [(1, 300), (1, 1), (7, 40), (40, 7)])
def test_frames_smaller_than_8x8_are_refused_in_one_line(runner, tmp_path, rows, cols):
    np.save(tmp_path / "small.npy", np.full((rows, cols), 30.0, np.float32))
    out = tmp_path / "small.png"
    result = runner.invoke(
        main, ["preview", str(tmp_path / "small.npy"), "-n", "1", "-o", str(out)]
    )
    _one_line_error(result, f"{rows}x{cols} pixels", "at least 8x8")
    assert not out.exists()


def test_an_8x8_frame_and_a_kelvin_warning_in_one_line(runner, tmp_path):
    np.save(tmp_path / "tiny.npy", np.linspace(25, 35, 64, dtype=np.float32).reshape(8, 8))
    out = tmp_path / "tiny.png"
    result = runner.invoke(main, ["preview", str(tmp_path / "tiny.npy"), "-n", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists()
    kelvin = 300.0 + np.random.default_rng(0).random((32, 40), dtype=np.float32)
    np.save(tmp_path / "kelvin.npy", kelvin)
    out = tmp_path / "kelvin.png"
    result = runner.invoke(
        main, ["preview", str(tmp_path / "kelvin.npy"), "-n", "2", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    warning_lines = result.stderr.strip().splitlines()
    assert len(warning_lines) == 1
    assert warning_lines[0].startswith("Warning: ")
    assert "Kelvin" in warning_lines[0]
    assert "--offset -273.15" in warning_lines[0]


def test_more_command_line_mistakes_are_one_line(runner, tmp_path):
    np.save(tmp_path / "line.npy", np.linspace(20, 30, 100, dtype=np.float32)[None])
    np.save(tmp_path / "linem.npy", np.ones((1, 100), np.uint8))
    (tmp_path / "file.txt").write_text("a file, not a folder")
    blocked = str(tmp_path / "file.txt" / "d")
    _one_line_error(runner.invoke(main, ["synth", blocked, "-n", "2"]), "cannot create")
    cases = [  # click's usage errors: the usage, then one line naming the option
        (["preview", "--seed", "-5"], "'--seed'"),
        (["synth", str(tmp_path / "d"), "-n", "2", "--seed", "-1"], "'--seed'"),
        (["synth", str(tmp_path / "d"), "-n", "2", "--size", "100000x100000"], "8..8192"),
    ]
    for argv, fragment in cases:
        result = runner.invoke(main, argv)
        assert result.exit_code == 2, result.output
        assert fragment in result.output.strip().splitlines()[-1]
        assert "Traceback" not in result.output
    line = [str(tmp_path / "line.npy"), "--mask", str(tmp_path / "linem.npy"), "-n", "1"]
    result = runner.invoke(main, ["preview", *line, "-o", str(tmp_path / "line.png")])
    _one_line_error(result, "1x100 pixels", "at least 8x8")


def test_synth_prints_only_outdir_on_stdout(runner, tmp_path):
    out = tmp_path / "s5"
    result = runner.invoke(main, ["synth", str(out), "-n", "2", "--size", "32x40"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out}\n"
    assert "synthetic faces" in result.stderr  # the progress label


def test_synth_stdout_is_the_folder_for_a_shell_variable(tmp_path):
    executable = shutil.which("tiaug", path=os.path.dirname(sys.executable))
    done = subprocess.run(
        [executable, "synth", "s5", "-n", "2", "--size", "32x40"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert done.stdout == "s5\n"  # OUT=$(tiaug synth s5 -n 2)


@pytest.mark.parametrize("suffix", [".npy", ".tif"])
def test_the_scale_example_reads_as_an_option_with_its_value(runner, tmp_path, suffix):
    from tiaug.io import write_thermal

    path = write_thermal(tmp_path / f"milli{suffix}", np.full((16, 20), 30_000.0, np.float32))
    result = runner.invoke(main, ["preview", str(path)])
    _one_line_error(result, "(e.g. --scale 1e-3 for milli-degC)", "--scale/--offset", "--camera")
    assert "--scale1e-3" not in result.output
