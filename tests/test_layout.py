"""The layout the code keeps (docs/architecture.md, "Rules the code keeps"): no import cycle
among the modules of ``sandbox/``, no module over 400 lines, and services and generators that
neither import Flask nor commit.

Imports are read with :mod:`ast`, at module level only (an import inside a function runs
later and is not part of the import graph); ``from package import name`` counts as an import
of ``package.name`` when that is a module, else of ``package`` (as grimp does). Imports
under ``if TYPE_CHECKING:`` are left out.
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sandbox"
MAX_LINES = 400
FLASK_FREE = ("sandbox.services", "sandbox.synth")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def module_level_imports(tree: ast.Module):
    """The import statements that run when the module is imported."""
    pending = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            pending.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            pending.extend(node.body + node.orelse + node.finalbody
                           + [n for handler in node.handlers for n in handler.body])
        elif isinstance(node, ast.With):
            pending.extend(node.body)


def imported(name: str, path: Path) -> set[str]:
    """The modules of the package that ``name`` imports at module level."""
    known = modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in module_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        found.update(target for target in targets if target in known and target != name)
    return found


@cache
def graph() -> dict[str, set[str]]:
    return {name: imported(name, path) for name, path in modules().items()}


def cycles() -> list[list[str]]:
    """The strongly connected components of the import graph with more than one module
    (Tarjan), each sorted, each as one cycle's modules."""
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_module_of_the_package_is_part_of_an_import_cycle():
    assert cycles() == []


def test_the_cycle_finder_sees_a_cycle_through_from_imports(tmp_path, monkeypatch):
    fake = {"sandbox.a": tmp_path / "a.py", "sandbox.b": tmp_path / "b.py",
            "sandbox": tmp_path / "__init__.py", "sandbox.c": tmp_path / "c.py"}
    fake["sandbox.a"].write_text("from sandbox import b\n")
    fake["sandbox.b"].write_text("def f():\n    import sandbox.c\nimport sandbox.a\n")
    fake["sandbox"].write_text("")
    fake["sandbox.c"].write_text("from typing import TYPE_CHECKING\n"
                                 "if TYPE_CHECKING:\n    from sandbox import a\n")
    monkeypatch.setattr(f"{__name__}.modules", lambda: fake)
    monkeypatch.setattr(f"{__name__}.graph", lambda: {
        name: imported(name, path) for name, path in fake.items()})

    assert cycles() == [["sandbox.a", "sandbox.b"]]


@pytest.mark.parametrize("name", sorted(modules()))
def test_a_module_has_at_most_400_lines(name):
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{modules()[name].relative_to(PACKAGE.parent)}: {lines} lines"


@pytest.mark.parametrize("name", [name for name in sorted(modules())
                                  if name.startswith(FLASK_FREE)])
def test_services_and_generators_neither_import_flask_nor_commit(name):
    path = modules()[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    flask = sorted(
        {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
         for alias in node.names if alias.name.split(".")[0].startswith("flask")}
        | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
           and node.level == 0 and (node.module or "").split(".")[0].startswith("flask")})
    commits = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
               and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]
    assert not flask, f"{path.relative_to(PACKAGE.parent)} imports {flask}"
    assert not commits, f"{path.relative_to(PACKAGE.parent)} commits at lines {commits}"


#: What Sandbank Chat may use of the sandbox: its own package and the platform (errors, the
#: database handle, the clock, the unit of work, the public URL). Never the bank itself.
CHAT = "sandbox.demo"
CHAT_ALLOWED = ("sandbox.demo", "sandbox.errors", "sandbox.extensions", "sandbox.models.types",
                "sandbox.clock", "sandbox.unit_of_work", "sandbox.web.urls")


def every_import(tree: ast.Module, package: str) -> set[str]:
    """Every module an AST imports, at any depth (functions included), made absolute."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base
                         for alias in node.names)
    return found


@pytest.mark.parametrize("name", [name for name in sorted(modules())
                                  if name == CHAT or name.startswith(f"{CHAT}.")])
def test_the_chat_reaches_the_banks_only_over_http(name):
    """Issue 13: the chat is a client of the banks like any other: no bank services, no
    banking or OAuth tables, no authorization server in process."""
    path = modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    imported_here = every_import(ast.parse(path.read_text(encoding="utf-8")), package)
    outside = sorted(module for module in imported_here if module.startswith("sandbox")
                     and not module.startswith(CHAT_ALLOWED))
    assert not outside, f"{path.relative_to(PACKAGE.parent)} imports {outside}"


def test_the_chat_rule_sees_a_bank_import():
    tree = ast.parse("from sandbox.services import consents\nimport sandbox.oauth.server\n")
    imported_here = every_import(tree, CHAT)
    assert {"sandbox.services.consents", "sandbox.oauth.server"} <= imported_here
