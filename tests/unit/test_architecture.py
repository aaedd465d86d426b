"""The house keeps its shape: one-way dependencies, no import cycle, rooms of a readable size.

These run with the README's test command, so a change that breaks the layering (an import
from a later stage into an earlier one, even inside a function or under TYPE_CHECKING) or
grows a module or a function past what a newcomer can read fails CI, as Zola's compiler
would refuse it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parents[2] / "site_builder"
REPO = PACKAGE.parent
MODULE_LINES = 400
FUNCTION_LINES = 80
PARAMETERS = 8


def test_stages_import_only_from_the_stages_before_them() -> None:
    # The contract lives in pyproject.toml ([tool.importlinter]); lint-imports checks it.
    done = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command as run; run()"],
        cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 1 kept, 0 broken." in done.stdout


def _cycles() -> list[list[str]]:
    graph = grimp.build_graph("site_builder", include_external_packages=False,
                              exclude_type_checking_imports=False)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.find_modules_directly_imported_by(v)):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_through_others() -> None:
    assert _cycles() == []


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_short_enough_to_read() -> None:
    long = {str(p.relative_to(REPO)): n for p in _sources()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_LINES}
    assert long == {}


def test_every_function_is_short_and_takes_few_parameters() -> None:
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = node.args
            count = (len(args.posonlyargs) + len(args.args) + len(args.kwonlyargs)
                     + bool(args.vararg) + bool(args.kwarg))
            if args.args and args.args[0].arg in ("self", "cls"):
                count -= 1
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > FUNCTION_LINES or count > PARAMETERS:
                found.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}: "
                             f"{length} lines, {count} parameters")
    assert found == []
