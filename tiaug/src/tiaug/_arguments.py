"""Constructor arguments of tiaug's transforms: strict by default, errors in one sentence.

albumentations validates a transform's arguments with its pydantic ``InitSchema`` and, unless
``strict=True`` is passed, only warns about an unknown argument and goes on with the defaults.
:func:`strict_init` wraps a transform's ``__init__`` (already wrapped by albumentations) so
that ``strict`` defaults to True: an unknown or misspelt argument is refused with the names
the class takes, and a validation error reads as one sentence (pydantic's report, with its
locations and URL, is replaced).
"""

from __future__ import annotations

import collections.abc
import difflib
import functools
import inspect
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

from tiaug._optional import albumentations_extra

with albumentations_extra():
    import pydantic

__all__ = ["check_arguments", "describe", "strict_init", "validation_message"]

#: words for a type in "x must be ...": the singular and the plural
_WORDS: dict[Any, tuple[str, str]] = {
    bool: ("True or False", "booleans"),
    int: ("an integer", "integers"),
    float: ("a number", "numbers"),
    str: ("a string", "strings"),
    type(None): ("None", "None"),
}
#: pydantic's bound errors -> the comparison they enforce
_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def _or(words: Sequence[str]) -> str:
    """``"a, b or c"``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _plural(annotation: Any) -> str:
    """The elements of a sequence in words: "numbers", "pairs of integers", "'a' or 'b'"."""
    if typing.get_origin(annotation) is typing.Literal:
        return describe(annotation)
    if typing.get_origin(annotation) is tuple:
        return describe(annotation).replace("a pair of", "pairs of")
    return _WORDS.get(annotation, ("", "values"))[1]


def describe(annotation: Any) -> str:
    """An argument's type in words: ``tuple[float, float] | str`` -> "a pair of numbers or a
    string"."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return _or([describe(arg) for arg in args])
    if origin is typing.Literal:
        return _or([repr(arg) for arg in args])
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"a sequence of {_plural(args[0])}"
        if len(set(args)) == 1 and args[0] in _WORDS:
            count = "a pair" if len(args) == 2 else f"{len(args)}"
            return f"{count} of {_WORDS[args[0]][1]}"
        return f"a tuple of {len(args)} values"
    if origin in (list, collections.abc.Sequence):
        return "a sequence"
    if origin in (dict, collections.abc.Mapping):
        return "a mapping"
    if annotation in _WORDS:
        return _WORDS[annotation][0]
    return f"a {getattr(annotation, '__name__', annotation)}"


def check_arguments(
    owner: str, names: Sequence[str], positional: Sequence[str], args: tuple, kwargs: dict
) -> None:
    """Refuse, in one line, arguments ``owner`` does not take: too many positional ones, an
    unknown keyword (with the closest known name), or one given twice."""
    if len(args) > len(positional):
        raise ValueError(
            f"{owner} takes at most {len(positional)} positional arguments "
            f"({', '.join(positional)}), got {len(args)}"
        )
    unknown = [name for name in kwargs if name not in names]
    if unknown:
        close = difflib.get_close_matches(unknown[0], names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"{owner} has no argument {unknown[0]!r}{hint}; it takes {', '.join(names)}"
        )
    twice = [name for name in positional[: len(args)] if name in kwargs]
    if twice:
        raise ValueError(f"{owner} got {twice[0]!r} twice: by position and by name")


def validation_message(
    schema: type[pydantic.BaseModel], error: pydantic.ValidationError, values: dict[str, Any]
) -> str:
    """The first problem of a pydantic ``error`` as one clause ("scale must be a pair of
    numbers, got (0.5,)"); ``values``: the arguments as given."""
    first = error.errors()[0]
    kind, location, context = first["type"], first["loc"], first.get("ctx", {})
    if kind in ("value_error", "assertion_error"):  # raised by tiaug's own validators
        return str(context.get("error", first["msg"]))
    if not location:
        return str(first["msg"])
    name = str(location[0])
    given = values.get(name, first.get("input"))
    if kind in _BOUNDS and len(location) == 1:
        limit = next(iter(context.values()))
        return f"{name} must be {_BOUNDS[kind]} {limit:g}, got {given!r}"
    field = schema.model_fields.get(name)
    expected = describe(field.annotation) if field is not None else "valid"
    return f"{name} must be {expected}, got {given!r}"


def strict_init(owner: type, init: Callable[..., None]) -> Callable[..., None]:
    """``owner.__init__`` with ``strict=True`` by default and tiaug's messages.

    ``init`` is the ``__init__`` albumentations built from the class's own and its
    ``InitSchema``. Before it runs, ``owner._upgrade_arguments(args, kwargs)`` may rewrite a
    deprecated spelling; with ``strict`` (the default) unknown arguments are refused
    (:func:`check_arguments`). Validation errors become ``ValueError("Owner: <one clause>")``.
    ``strict=False`` restores albumentations' behaviour (warn, then use the defaults).
    """
    parameters = list(inspect.signature(init).parameters.values())[1:]  # without self
    names = [p.name for p in parameters]
    positional = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, strict: bool = True, **kwargs: Any) -> None:
        args, kwargs = owner._upgrade_arguments(args, kwargs)  # type: ignore[attr-defined]
        if strict:
            check_arguments(owner.__name__, names, positional, args, kwargs)
        try:
            init(self, *args, strict=strict, **kwargs)
        except ValueError as error:
            if not isinstance(error.__cause__, pydantic.ValidationError):
                raise
            values = dict(zip(positional, args, strict=False)) | kwargs
            message = validation_message(owner.InitSchema, error.__cause__, values)  # type: ignore[attr-defined]
            raise ValueError(f"{owner.__name__}: {message}") from None

    return __init__
