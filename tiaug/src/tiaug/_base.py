"""What every tiaug transform shares: the input policy and the parameter-sampling hook.

Two albumentations lines install as ``import albumentations``: albumentations 2.0.8 (MIT,
the last of its line) draws data-dependent parameters in ``get_params_dependent_on_data``;
AlbumentationsX (2.4+) removed that hook in favour of ``sample_parameters(params, data,
targets, sampling)`` and refuses, at class definition, a class that defines the old one. The
line is detected once, at import, and :class:`ThermalTransform` defines only the hook of the
installed line. A tiaug transform implements :meth:`ThermalTransform.draw_params` instead,
which both hooks call after checking the inputs against the policy (:func:`check_inputs`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tiaug._optional import albumentations_extra

with albumentations_extra():
    import albumentations.core.transforms_interface as _interface

from tiaug._arguments import strict_init
from tiaug._checks import check_degc
from tiaug.workers import WorkerStreams

__all__ = [
    "ALBUMENTATIONS_X",
    "LINE_STREAMS",
    "ThermalTransform",
    "check_inputs",
    "first_image",
    "frame",
]

#: True when the installed ``albumentations`` is the AlbumentationsX line (2.4+).
ALBUMENTATIONS_X: bool = hasattr(_interface.BasicTransform, "sample_parameters")
#: AlbumentationsX's return type of ``sample_parameters`` (None on albumentations 2.0.8).
_SampledParams: Any = getattr(_interface, "SampledParams", None)


class _OwnStreams:
    """AlbumentationsX gives each DataLoader worker its own stream: nothing to add."""


#: Base of tiaug's transforms and pipelines for the installed line: AlbumentationsX gives each
#: DataLoader worker its own stream; on albumentations 2.0.8, :class:`WorkerStreams` does.
LINE_STREAMS: type = _OwnStreams if ALBUMENTATIONS_X else WorkerStreams

#: Image-like targets whose values are temperatures.
_IMAGE_TARGETS = ("image", "images", "volume", "volumes")


def check_inputs(data: dict[str, Any]) -> None:
    """Apply the input policy (:func:`tiaug._checks.check_degc`) to every image-like target."""
    for name in _IMAGE_TARGETS:
        value = data.get(name)
        if value is not None:
            check_degc(value, name)


def frame(shape: tuple[int, ...]) -> tuple[int, int]:
    """(rows, columns) of an image shape (HxW or HxWxC)."""
    return shape[0], shape[1]


def first_image(data: dict[str, Any]) -> np.ndarray:
    """The image that data-dependent parameters are drawn from: ``image``, else the first
    frame of ``images`` or ``volume`` (the first volume's first frame for ``volumes``)."""
    if data.get("image") is not None:
        return np.asarray(data["image"])
    for name, depth in (("images", 1), ("volume", 1), ("volumes", 2)):
        value = data.get(name)
        if value is not None and len(value):
            array = np.asarray(value)
            return array[(0,) * depth]
    raise ValueError("this transform needs an image, images or volume target")


class ThermalTransform(LINE_STREAMS):
    """Mixin placed before an albumentations base class (``DualTransform`` or
    ``ImageOnlyTransform``): input policy + the sampling hook of the installed line, and a
    stream of its own in every DataLoader worker (:mod:`tiaug.workers`).

    Subclasses override :meth:`draw_params`; its dict reaches every ``apply*`` method as
    keyword arguments, next to albumentations' own (``shape``: the input's shape).

    A subclass with an ``InitSchema`` is strict by default: unknown or misspelt arguments are
    refused and validation errors read as one sentence (:func:`tiaug._arguments.strict_init`);
    ``strict=False`` gives albumentations' warnings instead.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "InitSchema" in cls.__dict__:  # albumentations has wrapped this class's __init__
            cls.__init__ = strict_init(cls, cls.__dict__["__init__"])  # type: ignore[method-assign]

    @classmethod
    def _upgrade_arguments(
        cls, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Rewrite a deprecated spelling of the constructor's arguments (with a
        ``DeprecationWarning``) into the current one. Default: none."""
        return args, kwargs

    def draw_params(
        self, shape: tuple[int, ...], data: dict[str, Any], rng: np.random.Generator
    ) -> dict[str, Any]:
        """Draw this call's parameters from ``rng`` (``shape``: the input image's shape,
        ``data``: every target of the call). Default: none."""
        return {}

    if ALBUMENTATIONS_X:

        def sample_parameters(
            self, params: dict[str, Any], data: dict[str, Any], targets: Any, sampling: Any
        ) -> Any:
            """AlbumentationsX hook: input policy, then :meth:`draw_params`."""
            check_inputs(data)
            drawn = self.draw_params(params["shape"], data, sampling.random_generator)
            return _SampledParams(params=drawn)

    else:

        def get_params_dependent_on_data(
            self, params: dict[str, Any], data: dict[str, Any]
        ) -> dict[str, Any]:
            """albumentations 2.0.8 hook: input policy, then :meth:`draw_params`."""
            check_inputs(data)
            return self.draw_params(params["shape"], data, self.random_generator)
