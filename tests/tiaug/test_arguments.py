"""Constructor arguments of tiaug's transforms: strict by default, one-sentence errors."""

from __future__ import annotations

import inspect
import warnings

import albumentations as A
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tiaug
import tiaug.transforms
from tiaug.transforms import (
    AmbientShift,
    BackgroundClutter,
    CenterCropPad,
    RandomRescale,
    SensorNoise,
    ThermalBlur,
    ThermalOcclusion,
    TiAug,
)

#: every transform class tiaug ships (tiaug.transforms lists them all, and TiAug)
TRANSFORMS = [
    getattr(tiaug.transforms, name) for name in tiaug.transforms.__all__ if name != "TiAug"
]


def _names(cls: type) -> list[str]:
    return [name for name in inspect.signature(cls).parameters if name != "self"]


def _one_sentence(message: str, owner: str) -> None:
    assert message.startswith(owner), message
    assert "\n" not in message
    for boilerplate in ("validation error", "pydantic", "https://", "For further information"):
        assert boilerplate not in message, message


@pytest.mark.parametrize(
    ("cls", "typo", "meant"),
    [  # the examples, and TiAug's own
        (ThermalOcclusion, "sizee", "size"),
        (SensorNoise, "netdd", "netd"),
        (CenterCropPad, "sise", "size"),
        (TiAug, "sizee", "size"),
    ],
)
def test_a_misspelt_argument_is_refused_with_what_the_class_takes(cls, typo, meant):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused, not warned about
        with pytest.raises(ValueError, match=f"^{cls.__name__} has no argument") as caught:
            cls(**{typo: 0.1})
    message = str(caught.value)
    _one_sentence(message, cls.__name__)
    assert f"has no argument '{typo}' (did you mean '{meant}'?); it takes " in message
    assert set(_names(cls)) - {"compose_kwargs"} <= set(message.split("it takes ")[1].split(", "))


@pytest.mark.parametrize("cls", TRANSFORMS, ids=lambda cls: cls.__name__)
@given(name=st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True))
def test_every_transform_refuses_any_unknown_name(cls, name):
    names = _names(cls)
    if name in names or name == "strict":
        return
    with pytest.raises(ValueError, match=f"^{cls.__name__} has no argument '{name}'") as caught:
        cls(**{name: 1})
    assert caught.value.args[0].endswith(f"it takes {', '.join(names)}")


@pytest.mark.parametrize("cls", TRANSFORMS, ids=lambda cls: cls.__name__)
def test_strict_false_gives_albumentations_warning_back(cls):
    with pytest.warns(UserWarning, match="'colour' are not valid"):
        cls(colour=1, strict=False)


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (
            lambda: RandomRescale(scale=(0.5,)),
            "RandomRescale: scale must be a pair of numbers, got (0.5,)",
        ),
        (
            lambda: RandomRescale(scale=(0.0, 1.0)),
            "RandomRescale: scale must be > 0, got (0.0, 1.0)",
        ),
        (lambda: ThermalBlur(p=1.5), "ThermalBlur: p must be <= 1, got 1.5"),
        (
            lambda: ThermalBlur(sigma="wide"),
            "ThermalBlur: sigma must be a number or a pair of numbers, got 'wide'",
        ),
        (
            lambda: SensorNoise(mode="pink"),
            "SensorNoise: mode must be 'gaussian' or 'uniform', got 'pink'",
        ),
        (
            lambda: SensorNoise(netd=[0.1, 0.2, 0.3]),
            "SensorNoise: netd must be a number, a pair of numbers or a string, "
            "got [0.1, 0.2, 0.3]",
        ),
        (
            lambda: AmbientShift(ignore_index="none"),
            "AmbientShift: ignore_index must be an integer or None, got 'none'",
        ),
        (
            lambda: BackgroundClutter(num_blobs=(1.5, 2)),
            "BackgroundClutter: num_blobs must be a pair of integers, got (1.5, 2)",
        ),
        (
            lambda: CenterCropPad(size=(256,)),
            "CenterCropPad: size must be a pair of integers, got (256,)",
        ),
        (
            lambda: ThermalOcclusion(configurations=("several",)),
            "ThermalOcclusion: configurations must be a sequence of 'single', 'joined' or "
            "'independent', got ('several',)",
        ),
        (
            lambda: ThermalOcclusion(size=(10, 24)),
            "ThermalOcclusion: size is a fraction of the image's short side",
        ),
    ],
)
def test_validation_errors_are_one_sentence_in_tiaugs_words(factory, message):
    with pytest.raises(ValueError, match=f"^{message.split(':')[0]}: ") as caught:
        factory()
    _one_sentence(str(caught.value), message.split(":")[0])
    assert str(caught.value).startswith(message)
    assert caught.value.__cause__ is None  # pydantic's report is not chained either
    assert caught.value.__suppress_context__


def test_positional_arguments_too_many_or_given_twice():
    with pytest.raises(
        ValueError, match=r"^ThermalBlur takes at most 2 positional arguments \(sigma, p\), got 3$"
    ):
        ThermalBlur(1.0, 0.5, 3)
    with pytest.raises(
        ValueError, match=r"^ThermalBlur got 'sigma' twice: by position and by name$"
    ):
        ThermalBlur(1.0, sigma=2.0)


def test_center_crop_pad_and_tiaug_spell_the_size_alike():
    assert next(iter(inspect.signature(CenterCropPad).parameters)) == "size"
    assert "size" in inspect.signature(TiAug).parameters
    image = np.full((30, 50), 30.0, np.float32)
    assert CenterCropPad(size=(20, 24))(image=image)["image"].shape == (20, 24)
    assert TiAug("baseline", size=(20, 24), seed=0)(image=image)["image"].shape == (20, 24)


@pytest.mark.parametrize(
    "old",
    [
        lambda: CenterCropPad(height=20, width=24, fill=21.0),
        lambda: CenterCropPad(20, 24, 21.0),
        lambda: CenterCropPad(20, width=24, fill=21.0),
    ],
)
def test_the_old_height_width_spelling_still_works_with_a_deprecation_warning(old):
    with pytest.warns(
        DeprecationWarning, match=r"write CenterCropPad\(size=\(20, 24\)\)"
    ) as caught:
        transform = old()
    assert caught[0].filename == __file__  # points at the caller
    new = CenterCropPad(size=(20, 24), fill=21.0)
    assert (transform.size, transform.fill) == (new.size, new.fill)
    with pytest.raises(ValueError, match="not also height/width"):
        CenterCropPad(size=(20, 24), height=20)


def test_saved_pipelines_with_the_old_spelling_load():
    saved = A.to_dict(A.Compose([CenterCropPad(size=(20, 24))]))
    assert A.from_dict(saved).transforms[0].size == (20, 24)
    arguments = saved["transform"]["transforms"][0]
    del arguments["size"]
    arguments |= {"height": 12, "width": 16}
    with pytest.warns(DeprecationWarning, match="deprecated"):
        assert A.from_dict(saved).transforms[0].size == (12, 16)


def test_the_presets_and_the_public_names_construct_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for preset in tiaug.PRESETS:
            TiAug(preset, size=(32, 40), seed=0)
        for cls in TRANSFORMS:
            cls()
