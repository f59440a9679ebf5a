'''A transform's arguments, declared once: its albumentations schema, its ``__init__``
signature and the ``Args`` of its docstring derive from frozen dataclasses.

A tiaug transform declares its arguments as a dataclass (or several, for
:class:`~tiaug.ThermalOcclusion`): the fields are the arguments, in order, with their type
hints and defaults; ``__post_init__`` holds the rules (``ValueError`` with a one-line
message); the docstring's ``Attributes:`` section, its last, documents them. The class body
then reads::

    class ThermalBlur(ThermalTransform, ImageOnlyTransform):
        """Gaussian blur ...

        Args:
            {arguments}
        """

        InitSchema, __init__, __doc__ = declare_arguments(BlurArguments, __doc__, p=0.5)

albumentations validates a call's arguments with ``InitSchema`` (the hints, then the
dataclass's rules), the generated ``__init__`` stores each one under its own name, and
``A.to_dict`` finds them through the signature. Needs the albumentations extra.
'''

from __future__ import annotations

import dataclasses
import inspect
import textwrap
import typing
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from tiaug._optional import albumentations_extra

with albumentations_extra():
    import pydantic
    from albumentations.core.transforms_interface import BaseTransformInitSchema

__all__ = ["converted", "declare_arguments", "document_arguments"]

_BEFORE = "before"  # field metadata: a converter applied before the schema's type check
_CHECKED = "checked"  # field metadata: the type the schema checks after the converter
_PLACEHOLDER = "{arguments}"
_P_DOC = "p: probability of applying the transform.\n"

#: (field, evaluated type hint) of each argument, in order
Arguments = list[tuple[dataclasses.Field, Any]]


def converted(before: Callable[[Any], Any], checked: Any) -> dict[str, Any]:
    """Metadata of an argument rewritten before validation (``netd=Camera`` -> its NETD):
    ``field(default=..., metadata=converted(before, checked))``; the schema then checks the
    type ``checked``, the signature keeps the field's own hint."""
    return {_BEFORE: before, _CHECKED: checked}


def _arguments(groups: Sequence[type]) -> Arguments:
    pairs: Arguments = []
    for group in groups:
        hints = typing.get_type_hints(group)
        pairs += [(f, hints[f.name]) for f in dataclasses.fields(group) if f.init]
    return pairs


def _checked_type(field: dataclasses.Field, hint: Any) -> Any:
    before = field.metadata.get(_BEFORE)
    if before is None:
        return hint
    return Annotated[field.metadata[_CHECKED], pydantic.BeforeValidator(before)]


def _schema(arguments: Arguments, check: Callable[..., object]) -> type[BaseTransformInitSchema]:
    """One schema field per argument (its type and default), then ``check(**arguments)``."""
    names = [field.name for field, _ in arguments]

    def validate(self: Any) -> Any:
        try:
            check(**{name: getattr(self, name) for name in names})
        except TypeError as error:  # albumentations would only warn about a TypeError
            raise ValueError(str(error)) from error
        return self

    return pydantic.create_model(  # type: ignore[call-overload]
        "InitSchema",
        __base__=BaseTransformInitSchema,
        __validators__={"validate_arguments": pydantic.model_validator(mode="after")(validate)},
        **{field.name: (_checked_type(field, hint), field.default) for field, hint in arguments},
    )


def _signature(arguments: Arguments, p: float, keyword_only: bool) -> inspect.Signature:
    """``(self, <arguments>, p)``: positional-or-keyword, or keyword-only."""
    either = inspect.Parameter.POSITIONAL_OR_KEYWORD
    kind = inspect.Parameter.KEYWORD_ONLY if keyword_only else either
    parameters = [inspect.Parameter("self", either)]
    parameters += [
        inspect.Parameter(field.name, kind, default=field.default, annotation=hint)
        for field, hint in arguments
    ]
    parameters.append(inspect.Parameter("p", kind, default=p, annotation=float))
    return inspect.Signature(parameters, return_annotation=None)


def _init(schema: type, arguments: Arguments, p: float) -> Callable[..., None]:
    """``__init__(self, p, **arguments)``: the albumentations base, then one attribute each."""
    defaults = {field.name: field.default for field, _ in arguments}

    def __init__(self: Any, p: float = p, **values: Any) -> None:
        # the class that declared ``schema``: its bases come next
        owner: type[Any] = next(
            c for c in type(self).__mro__ if vars(c).get("InitSchema") is schema
        )
        super(owner, self).__init__(p=p)
        for name, default in defaults.items():
            setattr(self, name, values.get(name, default))

    return __init__


def _attributes(group: type) -> str:
    """The ``Attributes:`` section (the last) of ``group``'s docstring, entries unindented."""
    section = inspect.cleandoc(group.__doc__ or "").split("Attributes:\n", 1)[1]
    return textwrap.dedent(section).strip("\n") + "\n"


def document_arguments(doc: str, groups: Sequence[type]) -> str:
    """``doc`` with its ``{arguments}`` line replaced by the ``Attributes`` entries of
    ``groups`` and ``p``, at that line's indentation."""
    line = next(line for line in doc.splitlines() if line.strip() == _PLACEHOLDER)
    indent = line[: len(line) - len(line.lstrip())]
    entries = "".join(_attributes(group) for group in groups) + _P_DOC
    return doc.replace(line, textwrap.indent(entries, indent).rstrip("\n"), 1)


def declare_arguments(
    groups: type | Sequence[type],
    doc: str | None,
    *,
    p: float,
    check: Callable[..., object] | None = None,
    keyword_only: bool = False,
) -> tuple[type[BaseTransformInitSchema], Callable[..., None], str]:
    """``(InitSchema, __init__, __doc__)`` of a transform whose arguments are the fields of
    ``groups`` (dataclasses, in order), then ``p`` (its default: ``p``).

    Args:
        groups: the dataclass(es) declaring the arguments.
        doc: the class docstring, with an ``{arguments}`` line where the ``Args`` go.
        p: default probability of applying the transform.
        check: called with every argument by name to enforce the rules (``ValueError``);
            default: the one dataclass of ``groups``.
        keyword_only: the arguments are keyword-only (default: positional or keyword).
    """
    groups = (groups,) if isinstance(groups, type) else tuple(groups)
    if check is None:
        (check,) = groups
    arguments = _arguments(groups)
    schema = _schema(arguments, check)
    init = _init(schema, arguments, p)
    init.__signature__ = _signature(arguments, p, keyword_only)  # type: ignore[attr-defined]
    return schema, init, document_arguments(doc or "", groups)
