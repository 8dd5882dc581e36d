"""Apps depend one way (docs/architecture.md): a module of a lower app never imports a higher one, at the top or
inside a function, and no model names a higher app's model. Parsed with ``ast``, like the engine purity test."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ORDER = ["core", "enterprises", "scoring", "policies", "banks", "loans", "guarantees", "dashboard", "demo"]
"""Lowest first: each app may import the apps before it, never those after it."""

PROJECT = {"config"}
"""The project package (settings, URLconf, Celery app) sits above every app; no app imports it."""

ALLOWED: set[tuple[str, str]] = set()
"""Known exceptions, ``(file, imported module)``: none, and it is to stay empty."""


def _modules():
    for app in ORDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "tests" in parts:
                continue
            yield app, path


def _references(tree: ast.AST):
    """Imported modules and ``"app.Model"`` strings (lazy model references) with their line numbers."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            head, dot, model = node.value.partition(".")
            if dot and head in ORDER and model.isidentifier() and model[:1].isupper():
                yield node.lineno, node.value


def _violations():
    rank = {app: i for i, app in enumerate(ORDER)}
    for app, path in _modules():
        for line, target in _references(ast.parse(path.read_text(encoding="utf-8"))):
            top = target.split(".")[0]
            higher = top in PROJECT or (top in rank and rank[top] > rank[app])
            relative = str(path.relative_to(ROOT))
            if higher and (relative, target) not in ALLOWED:
                yield f"{relative}:{line} ({app}) imports {target}"


def test_apps_depend_one_way():
    found = list(_violations())
    assert not found, "a lower app reaches up:\n" + "\n".join(found)


def test_core_imports_no_app():
    apps = set(ORDER) - {"core"}
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for app, path in _modules()
        if app == "core"
        for line, target in _references(ast.parse(path.read_text(encoding="utf-8")))
        if target.split(".")[0] in apps
    ]
    assert not found, "\n".join(found)


def test_the_checker_sees_a_reach_up():
    """The parser finds both kinds of reference, so an empty result above means something."""
    tree = ast.parse(
        'def f():\n    from banks.models import LoanProduct\nX = models.ForeignKey("loans.LoanContract")\n'
    )
    assert [t for _, t in _references(tree)] == ["banks.models", "loans.LoanContract"]
