"""tiaug's import graph: the transform families are siblings on one ground floor.

Read from the source, so that nothing needs importing: every ``import`` and
``from ... import`` of a tiaug module, those under ``TYPE_CHECKING`` too. Imports inside
functions (deferred on purpose) count as dependencies but not towards cycles, and neither
does the root package ``tiaug`` (a lazy facade that every module loads first).
"""

from __future__ import annotations

import ast
from pathlib import Path

import tiaug

SOURCE = Path(tiaug.__file__).resolve().parent
#: the transform families: each may import the ground floor (tiaug.core, tiaug._checks...),
#: never another family
FAMILIES = ("ambient", "blur", "export", "geometric", "noise", "occlusion")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = SOURCE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _load_time_nodes(tree: ast.AST) -> list[ast.AST]:
    """The nodes run when the module loads: all but the bodies of functions."""
    nodes: list[ast.AST] = []
    for child in ast.iter_child_nodes(tree):
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            nodes += [child, *_load_time_nodes(child)]
    return nodes


def _imports(nodes: list[ast.AST]) -> set[str]:
    """The tiaug modules imported by ``nodes`` (``from package import module``: the module)."""
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if _is_module(child) else node.module)
    return {name for name in found if name.split(".")[0] == "tiaug"}


def _graph(load_time: bool = False) -> dict[str, set[str]]:
    """module -> the tiaug modules it imports (``load_time``: when it loads, root excluded)."""
    graph = {}
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        if load_time:
            graph[_module_name(path)] = _imports(_load_time_nodes(tree)) - {"tiaug"}
        else:
            graph[_module_name(path)] = _imports(list(ast.walk(tree)))
    return graph


def _family(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FAMILIES else None


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (a path that returns to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target, [*path, target])):
                return found
        state[module] = 2
        return None

    for module in graph:
        if module not in state and (found := visit(module, [module])):
            return found
    return None


def test_the_graph_is_read_from_the_source() -> None:
    graph = _graph()
    assert "tiaug.core" in graph["tiaug.blur.functional"]
    assert "tiaug.occlusion.functional" in graph["tiaug.occlusion.transforms"]
    deferred = ast.parse("import tiaug.cameras\ndef f():\n    import tiaug.classes\n")
    assert _imports(_load_time_nodes(deferred)) == {"tiaug.cameras"}
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_family_imports_another() -> None:
    crossings = [
        f"{module} -> {target}"
        for module, targets in _graph().items()
        for target in sorted(targets)
        if _family(module) and _family(target) not in (None, _family(module))
    ]
    assert crossings == [], "families import the ground floor (tiaug.core), not each other"


def test_the_ground_floor_imports_no_family() -> None:
    graph = _graph()
    core = {module: targets for module, targets in graph.items() if module.startswith("tiaug.core")}
    assert core, "tiaug.core is missing"
    assert [t for targets in core.values() for t in targets if _family(t)] == []


def test_there_is_no_import_cycle() -> None:
    graph = _graph(load_time=True)
    assert _cycle({module: graph[module] for module in graph if module != "tiaug"}) is None
