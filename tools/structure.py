"""Print the code's structure figures: import cycles, imports inside functions, apps that import each other, and
the longest functions. Tests and migrations are left out: the layering contract covers production modules.

    .venv/bin/python tools/structure.py [--top N]
"""

from __future__ import annotations

import argparse
import ast
import itertools
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
APPS = sorted(
    path.parent.name
    for path in ROOT.glob("*/__init__.py")
    if path.parent.name not in {"tools", "bench"} and not path.parent.name.startswith(".")
)


def _production(module: str) -> bool:
    parts = module.split(".")
    return "tests" not in parts and "migrations" not in parts


def _app(module: str) -> str:
    return module.split(".")[0]


def _graph() -> grimp.ImportGraph:
    graph = grimp.build_graph(*APPS, include_external_packages=False)
    for module in [m for m in graph.modules if not _production(m)]:
        graph.remove_module(module)
    return graph


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = itertools.count()

    def visit(module: str) -> None:
        index[module] = low[module] = next(counter)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return sorted(groups, key=len, reverse=True)


def two_way_app_pairs(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    edges = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if _app(module) != _app(imported):
                edges.add((_app(module), _app(imported)))
    return sorted((a, b) for a, b in edges if (b, a) in edges and a < b)


def _python_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if _production(".".join(relative.with_suffix("").parts)):
                yield relative, ast.parse(path.read_text(), filename=str(path))


def function_level_imports() -> list[str]:
    """Imports inside functions, except in AppConfig.ready: Django's place for importing an app's own receivers."""
    found = []
    for relative, tree in _python_files():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if function.name == "ready" and relative.name == "apps.py":
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    names = ", ".join(alias.name for alias in node.names)
                    source = f"from {node.module} import {names}" if isinstance(node, ast.ImportFrom) else names
                    found.append(f"{relative}:{node.lineno} {function.name}: {source}")
    return found


def longest_functions(top: int) -> list[tuple[int, str]]:
    sizes = []
    for relative, tree in _python_files():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                sizes.append((node.end_lineno - node.lineno + 1, f"{relative}:{node.lineno} {node.name}"))
    return sorted(sizes, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10, help="how many of the longest functions to list")
    top = parser.parse_args().top
    graph = _graph()
    cycles = import_cycles(graph)
    print(f"import cycles: {len(cycles)}")
    for cycle in cycles:
        print(f"  {len(cycle)} modules: {', '.join(cycle)}")
    inside = function_level_imports()
    print(f"imports inside functions: {len(inside)}")
    for line in inside:
        print(f"  {line}")
    pairs = two_way_app_pairs(graph)
    print(f"apps importing each other: {len(pairs)}")
    for a, b in pairs:
        print(f"  {a} <-> {b}")
    print(f"longest functions (lines): top {top}")
    for size, where in longest_functions(top):
        print(f"  {size:4d} {where}")


if __name__ == "__main__":
    main()
