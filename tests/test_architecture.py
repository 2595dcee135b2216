"""The floor plan holds: stages import downward only, widgets only in review/, sqlite3 only in storage/
and the parse cache. Read from the source with ast, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "factbench"

#: a stage may import the stages of a lower rank (and the shared modules of rank 0)
RANK = {"schema": 0, "corpus": 0, "ingest": 1, "claims": 2, "matching": 3, "findings": 4, "review": 5, "storage": 5}
#: storage sits beside review: review draws what storage keeps, storage never imports review
ALSO_ALLOWED = {("review", "storage")}
WIDGET_LIBS = {"ipywidgets", "anywidget", "traitlets", "IPython"}
SQLITE_ALLOWED = {("storage",), ("ingest", "parse.py")}


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Absolute dotted names of everything ``path`` imports (relative imports resolved), with line numbers."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:  # from .. import schema
                    out += [(f"{name}.{a.name}", node.lineno) for a in node.names]
                    continue
            else:
                name = node.module or ""
            out.append((name, node.lineno))
    return out


def _stage(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "factbench" or len(parts) < 2:
        return None
    return parts[1]


def test_the_tree_has_the_stage_folders():
    for stage in ("ingest", "claims", "matching", "findings", "review", "storage"):
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
    top = {p.name for p in PACKAGE.glob("*.py")}
    assert top == {"__init__.py", "schema.py", "corpus.py", "cli.py"}, top


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_stages_import_downward_only(path):
    rel = path.relative_to(PACKAGE)
    here = rel.parts[0] if len(rel.parts) > 1 else rel.stem
    if here in ("__init__", "cli"):
        return  # the public API and the command line sit on top of everything
    for name, line in _imports(path):
        there = _stage(name)
        if there is None or there in ("__init__", "__version__") or name == "factbench":
            continue
        assert there in RANK, f"{rel}:{line} imports {name}, which is in no stage"
        if there == here or (here, there) in ALSO_ALLOWED:
            continue
        assert RANK[there] < RANK[here] or RANK[there] == 0, f"{rel}:{line}: {here} must not import {name} ({there} is not below it)"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_widgets_only_in_review_and_sqlite_only_in_storage(path):
    rel = path.relative_to(PACKAGE)
    for name, line in _imports(path):
        root = name.split(".")[0]
        if root in WIDGET_LIBS:
            assert rel.parts[0] == "review", f"{rel}:{line} imports {name}: widgets belong in review/"
        if root == "sqlite3":
            assert rel.parts[:1] in SQLITE_ALLOWED or tuple(rel.parts) in SQLITE_ALLOWED, \
                f"{rel}:{line} imports sqlite3: only storage/ and the parse cache may"


def test_the_checker_sees_a_violation(tmp_path):
    # the rule is not vacuous: an upward import is found in the shape the package uses
    fake = PACKAGE / "ingest" / "_probe_upward.py"
    try:
        fake.write_text("from ..matching.match import match\n")
        with pytest.raises(AssertionError, match="ingest must not import factbench.matching"):
            test_stages_import_downward_only(fake)
    finally:
        fake.unlink()
