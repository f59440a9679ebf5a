"""Light install and fast start: what ``import tiaug`` loads, declared dependencies, metadata."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

import tiaug

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tiaug" / "src" / "tiaug"
PYPROJECT = tomllib.loads((ROOT / "tiaug" / "pyproject.toml").read_text())

# distribution name -> import name, where they differ
IMPORT_NAMES = {
    "opencv-python-headless": "cv2",
    "scikit-image": "skimage",
    "albumentationsx": "albumentations",
}
HEAVY = ("albumentations", "torch", "cv2", "scipy", "matplotlib")


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys\n{statement}\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def _distribution(requirement: str) -> str:
    for separator in "<>=!~;[ ":
        requirement = requirement.split(separator)[0]
    return requirement


def _third_party_imports() -> set[str]:
    names = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names} - {"tiaug"}


def test_tiaug_is_the_installed_package():
    assert Path(tiaug.__file__).resolve().parent == SOURCE


def test_import_tiaug_loads_no_heavy_module():
    assert _loaded_after("import tiaug") == []


@pytest.mark.parametrize(
    "module",
    [
        "tiaug.functional",
        "tiaug.ambient.functional",
        "tiaug.blur.functional",
        "tiaug.geometric.functional",
        "tiaug.noise.functional",
        "tiaug.occlusion.functional",
        "tiaug.io",
        "tiaug.synth",
    ],
)
def test_functional_core_and_readers_import_no_albumentations(module):
    loaded = _loaded_after(f"import {module}")
    assert "albumentations" not in loaded
    assert "torch" not in loaded


def test_public_names_load_on_first_use():
    for name in tiaug.__all__:
        assert getattr(tiaug, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = tiaug.nope


def test_from_dict_finds_tiaug_transforms_after_import_tiaug_transforms():
    code = (
        "import albumentations as A\n"
        "saved = {'transform': {'__class_fullname__': "
        "'tiaug.occlusion.transforms.ThermalOcclusion', 'p': 1.0}}\n"
        "import tiaug\n"
        "try:\n"
        "    A.from_dict(saved)\n"
        "except KeyError:\n"
        "    raise SystemExit('not registered')\n"
        "print(type(A.from_dict(saved)).__name__)\n"
    )
    # albumentations imported first: `import tiaug` registers the transforms itself
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "ThermalOcclusion"
    # tiaug first: `import tiaug.transforms` registers them
    late = "import tiaug\nimport tiaug.transforms\n" + code
    done = subprocess.run([sys.executable, "-c", late], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "ThermalOcclusion"


def test_declared_dependencies_are_the_imported_ones():
    project = PYPROJECT["project"]
    declared = {_distribution(r) for r in project["dependencies"]}
    extras = {
        _distribution(r) for group in project["optional-dependencies"].values() for r in group
    }
    # pydantic comes with albumentations; torch is imported only by tiaug.workers inside a
    # torch DataLoader's workers
    imported = _third_party_imports() - {"pydantic", "torch"}
    assert {IMPORT_NAMES.get(name, name) for name in declared | extras} == imported
    assert {"matplotlib", "flyr", "albumentations", "albumentationsx"} == extras
    assert declared.isdisjoint(extras)


def test_metadata_license_and_single_version():
    project = PYPROJECT["project"]
    assert project["dynamic"] == ["version"]
    assert "version" not in project
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "src/tiaug/__init__.py"
    assert "Typing :: Typed" in project["classifiers"]
    assert "Programming Language :: Python :: 3.10" in project["classifiers"]
    assert project["authors"]
    assert project["urls"]
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    for package in ("tiaug", "samcl_loss"):
        assert (ROOT / package / "LICENSE").read_text() == licence, package
        package_project = tomllib.loads((ROOT / package / "pyproject.toml").read_text())
        assert package_project["project"]["license-files"] == ["LICENSE"]
    assert "pip install ./tiaug" not in (ROOT / "tiaug" / "README.md").read_text()
    assert (SOURCE / "py.typed").exists()


#: every public name that needs the albumentations extra (the transforms and the presets)
NEEDS_ALBUMENTATIONS = {
    "tiaug": {
        "AmbientShift",
        "BackgroundClutter",
        "CenterCropPad",
        "PRESETS",
        "RandomRescale",
        "SensorNoise",
        "ThermalBlur",
        "ThermalOcclusion",
        "TiAug",
        "build_preset",
        "transforms",
    },
    "tiaug.ambient": {"AmbientShift", "BackgroundClutter"},
    "tiaug.blur": {"ThermalBlur"},
    "tiaug.geometric": {"CenterCropPad", "RandomRescale"},
    "tiaug.noise": {"SensorNoise"},
    "tiaug.occlusion": {"ThermalOcclusion"},
}
TRANSFORM_MODULES = [
    "tiaug.transforms",
    "tiaug.presets",
    *(f"{family}.transforms" for family in NEEDS_ALBUMENTATIONS if family != "tiaug"),
]


def test_every_name_that_needs_albumentations_names_the_extra_without_it() -> None:
    # `pip install tiaug` without an extra: neither albumentations nor its pydantic
    code = (
        "import importlib, json, sys\n"
        "sys.modules['albumentations'] = sys.modules['pydantic'] = None\n"
        f"packages = {sorted(NEEDS_ALBUMENTATIONS)!r}\n"
        f"modules = {TRANSFORM_MODULES!r}\n"
        "failed = {}\n"
        "def attempt(key, action):\n"
        "    try:\n"
        "        action()\n"
        "    except ImportError as error:\n"
        "        failed[key] = [type(error).__name__, str(error)]\n"
        "for package in packages:\n"
        "    module = importlib.import_module(package)\n"
        "    for name in module.__all__:\n"
        "        attempt(f'{package}.{name}', lambda: getattr(module, name))\n"
        "for name in modules:\n"
        "    attempt(f'import {name}', lambda: importlib.import_module(name))\n"
        "print(json.dumps(failed))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    failed = json.loads(done.stdout.strip().splitlines()[-1])
    expected = {
        f"{package}.{name}" for package, names in NEEDS_ALBUMENTATIONS.items() for name in names
    }
    assert expected | {f"import {name}" for name in TRANSFORM_MODULES} <= set(failed)
    for key, (kind, message) in failed.items():
        assert kind == "ModuleNotFoundError", key
        assert message.count("\n") == 0, key
        assert 'pip install "tiaug[albumentations]"' in message, key
        assert '"tiaug[albumentationsx]"' in message, key
    # the functional core works without it
    core = "import sys\nsys.modules['albumentations'] = None\nimport tiaug.functional, tiaug.io\n"
    subprocess.run([sys.executable, "-c", core], check=True)
