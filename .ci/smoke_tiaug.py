"""Exercise tiaug as installed from its wheel into an environment without torch.

Run by `make smoke-tiaug` with the fresh environment's python: checks that the installed
(not the editable) package is imported and that torch is absent, then runs the numpy
functional core and the readers on a synthetic face, and the presets. With
``--without-albumentations`` albumentations is blocked first (as if not installed) and the
presets are left out: the functional core must not need it.
"""

import importlib.util
import sys
import tempfile
from pathlib import Path

if "--without-albumentations" in sys.argv:
    sys.modules["albumentations"] = None  # type: ignore[assignment]

import numpy as np

import tiaug
from tiaug import functional as F


def check_environment() -> None:
    """The package comes from this environment's site-packages and torch is not installed."""
    location = Path(tiaug.__file__).resolve()
    assert Path(sys.prefix).resolve() in location.parents, f"tiaug imported from {location}"
    assert importlib.util.find_spec("torch") is None, "torch is installed in this environment"


def check_functional_core(image: np.ndarray, mask: np.ndarray) -> None:
    """Each family's functional operation keeps the shape and stays finite degC."""
    rng = np.random.default_rng(0)
    outputs = {
        "sensor noise": F.add_sensor_noise(image, netd=0.05, rng=rng),
        "blur": F.random_gaussian_blur(image, rng=rng),
        "ambient shift": F.random_ambient_shift(image, mask=mask, rng=rng),
        "background clutter": F.random_background_clutter(image, mask=mask, rng=rng),
        "occlusion": F.occlude(image, mask, rng=rng)[0],
        "resize": F.resize(image, (40, 50)),
    }
    for name, out in outputs.items():
        assert np.isfinite(out).all(), name
        assert out.dtype == np.float32, f"{name}: {out.dtype}"
    assert outputs["resize"].shape == (40, 50)
    noise = outputs["sensor noise"] - image
    assert 0.03 < float(noise.std()) < 0.07, f"sensor noise std {noise.std():.4f} degC"


def check_io(image: np.ndarray) -> None:
    """A written temperature map reads back unchanged."""
    with tempfile.TemporaryDirectory() as folder:
        path = tiaug.io.write_thermal(Path(folder) / "face.tif", image)
        assert np.array_equal(tiaug.read_thermal(path), image)


def check_presets(image: np.ndarray, mask: np.ndarray) -> None:
    """Every preset keeps the sample size."""
    for preset in tiaug.PRESETS:
        sample = tiaug.TiAug(preset, size=image.shape, seed=0)(image=image, mask=mask)
        assert sample["image"].shape == image.shape, preset
        assert sample["mask"].shape == mask.shape, preset


def main() -> None:
    check_environment()
    face = tiaug.synth_face(seed=0, size=(64, 80))
    check_functional_core(face.image, face.mask)
    check_io(face.image)
    checked = "functional core, io"
    if "--without-albumentations" not in sys.argv:
        check_presets(face.image, face.mask)
        checked += ", presets"
    print(f"tiaug {tiaug.__version__} from its wheel, without torch: {checked}")


if __name__ == "__main__":
    main()
