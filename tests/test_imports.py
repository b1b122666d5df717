"""The package's import structure: one import name (`privascope`), no library module importing the
CLI, no import cycle, and the rooms of DESIGN.md kept apart. Read from the source with `ast`
(imports inside functions count too: a cycle hidden in a function is still a cycle)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

# folder -> import name, as pyproject.toml's package-dir maps them
ROOTS = {"analyzer": "privascope", "hooks": "privascope.hooks", "reports": "privascope.reports"}
# entry points: they may wire everything together (DESIGN.md: "only cli (and batch) wire the rooms")
FRONT_ENDS = {"privascope.cli"}


def _modules() -> dict[str, Path]:
    found = {}
    for folder, package in ROOTS.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = list(path.relative_to(REPO / folder).with_suffix("").parts)
            if "node_modules" in parts or parts[0] == "frida":
                continue  # the agent's build script is not part of the package
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every privascope module this file imports, at any depth of the syntax tree."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module in MODULES:
                out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names
                       if f"{node.module}.{a.name}" in MODULES)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in MODULES)
    return out


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _foreign_top_level_names(path: Path) -> list[str]:
    bad = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([node.module] if isinstance(node, ast.ImportFrom) and node.level == 0
                 and node.module else [a.name for a in node.names]
                 if isinstance(node, ast.Import) else [])
        bad += [n for n in names if n.split(".")[0] in ROOTS]
    return bad


def test_the_module_list_is_not_empty():
    assert {"privascope.cli", "privascope.model", "privascope.hooks.mitm_addon",
            "privascope.reports.sarif"} <= set(MODULES)


@pytest.mark.parametrize("folder", ["analyzer", "hooks", "reports", "tests", "bench", "samples"])
def test_code_imports_only_the_privascope_name(folder):
    """`analyzer`, `hooks` and `reports` are folders, not import names: importing them by folder
    name would load a second copy of each module next to the privascope one."""
    offenders = {str(p.relative_to(REPO)): bad for p in sorted((REPO / folder).rglob("*.py"))
                 if "node_modules" not in p.parts and (bad := _foreign_top_level_names(p))}
    assert offenders == {}


def test_no_library_module_imports_the_cli():
    importers = sorted(m for m, deps in GRAPH.items() if "privascope.cli" in deps)
    assert importers == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    assert _cycles(GRAPH) == []


@pytest.mark.parametrize("room", ["static", "runtime", "traffic"])
def test_evidence_rooms_know_nothing_of_rules_reports_or_front_ends(room):
    prefix = f"privascope.{room}"
    forbidden = ("privascope.rules", "privascope.reports", "privascope.cli",
                 "privascope.dynamic_run", "privascope.batch")
    leaks = {m: sorted(d for d in deps if d.startswith(forbidden))
             for m, deps in GRAPH.items() if m == prefix or m.startswith(prefix + ".")}
    assert {m: d for m, d in leaks.items() if d} == {}


def test_rules_know_nothing_of_reports():
    leaks = {m: sorted(d for d in deps if d.startswith("privascope.reports"))
             for m, deps in GRAPH.items() if m.startswith("privascope.rules")}
    assert {m: d for m, d in leaks.items() if d} == {}


def test_only_static_apk_imports_androguard():
    users = sorted(str(p.relative_to(REPO)) for p in MODULES.values()
                   if any(isinstance(n, (ast.Import, ast.ImportFrom)) and any(
                       (getattr(n, "module", None) or a.name).startswith("androguard")
                       for a in n.names)
                          for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))))
    assert users == ["analyzer/static/apk.py"]
