"""Command-line pieces the examples' commands share: the parser, run options taken from
:class:`~examples.config.TrainConfig`'s field specs, and one-line errors."""

from __future__ import annotations

import argparse
import sys
import typing
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

from examples.config import Spec, TrainConfig, specs
from examples.data import UsageError
from examples.models import NETWORKS, network_options

__all__ = [
    "OneLineParser",
    "add_config_arguments",
    "add_network_arguments",
    "config_values",
    "option_name",
    "parse_names",
    "run_command",
]


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line on stderr (exit status 2), without the usage, and
    which takes no abbreviated options (``--dem`` is not ``--demo``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE`` and exit with status 2."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def option_name(name: str) -> str:
    """The command-line flag of a run option: ``weight_decay`` -> ``--weight-decay``."""
    return f"--{name.replace('_', '-')}"


def add_network_arguments(parser: argparse.ArgumentParser, **defaults: Any) -> None:
    """``--NAME`` for every registered network option (:func:`examples.models.network_options`),
    parsed by the type of its default (its default unless given); the values land under the
    option names."""
    users: dict[str, list[str]] = {}
    for net, entry in NETWORKS.items():
        for option in entry.options:
            users.setdefault(option.name, []).append(net)
    for name, option in network_options().items():
        parser.add_argument(
            option_name(name),
            type=type(option.default),
            default=defaults.get(name, option.default),
            help=f"{option.help} ({', '.join(users[name])})",
        )


def _argument_type(name: str, spec: Spec) -> dict[str, Any]:
    """The ``type`` or ``action`` of a field's flag: its spec's parser, else the field's type
    (``X | None`` parses as X; a bool is a switch; a str needs none)."""
    if spec.parse is not None:
        return {"type": spec.parse}
    kind = typing.get_type_hints(TrainConfig)[name]
    kind = next((k for k in typing.get_args(kind) if k is not type(None)), kind)
    if kind is bool:
        return {"action": "store_true"}
    return {} if kind is str else {"type": kind}


def _add_field(parser: argparse.ArgumentParser, name: str, spec: Spec, default: Any) -> None:
    keywords: dict[str, Any] = {"default": default, "help": spec.help}
    if spec.choices is not None and spec.listed:  # checked when the run starts, not here
        keywords["help"] = f"{spec.help}: {', '.join(spec.choices)}"
    elif spec.choices is not None:
        keywords["choices"] = spec.choices
    parser.add_argument(option_name(name), **keywords, **_argument_type(name, spec), **spec.flags)


def add_config_arguments(
    parser: argparse.ArgumentParser, names: Iterable[str] | None = None, **defaults: Any
) -> None:
    """A flag for each named :class:`~examples.config.TrainConfig` field (all by default;
    ``net_options`` stands for every network option), with its help, choices and type from
    its :class:`~examples.config.Spec`; defaults are ``TrainConfig()``'s unless given. The
    values land under the field names (:func:`config_values`)."""
    fields, base = specs(), TrainConfig()
    for name in fields if names is None else names:
        if name == "net_options":
            add_network_arguments(parser, **defaults)
        else:
            _add_field(parser, name, fields[name], defaults.get(name, getattr(base, name)))


def config_values(args: argparse.Namespace, names: Iterable[str]) -> dict[str, Any]:
    """The values of the named fields in ``args`` (parsed with :func:`add_config_arguments`;
    ``net_options``: every network option), as TrainConfig keywords."""
    names = [n for name in names for n in (network_options() if name == "net_options" else [name])]
    return {name: getattr(args, name) for name in names}


def parse_names(text: str, known: Sequence[str], what: str) -> list[str]:
    """A comma-separated list of ``known`` names (``--nets``, ``--variants``).

    Raises:
        UsageError: an unknown name, or none.
    """
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise UsageError(
            f"unknown {what} {', '.join(unknown) or text!r}; known: {', '.join(known)}"
        )
    return names


def run_command(prog: str, work: Callable[[], str | None]) -> int:
    """Run a command's work and print the line it returns; a UsageError is one line on
    stderr (``PROG: error: ...``) and exit status 2."""
    try:
        done = work()
    except UsageError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    if done is not None:
        print(done)
    return 0
