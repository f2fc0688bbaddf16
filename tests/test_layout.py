"""The package is as easy to walk as the book: one concept per module, short modules and
functions, no import circles, and one input-check layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "widthlimits"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def code_lines(node: ast.AST, source_lines: list[str]) -> int:
    """Lines of code in a function: no docstring, blank lines or comment-only lines."""
    body = node.body
    skip = set()
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        if isinstance(body[0].value.value, str):
            skip = set(range(body[0].lineno, body[0].end_lineno + 1))
    count = 0
    for i in range(node.lineno, node.end_lineno + 1):
        text = source_lines[i - 1].strip()
        if i not in skip and text and not text.startswith("#"):
            count += 1
    return count


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_400_lines(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {n} lines: split it by concept"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_over_60_lines_of_code(path):
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    long = [
        f"{node.name} ({code_lines(node, lines)} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and code_lines(node, lines) > MAX_FUNCTION_LINES
    ]
    assert not long, f"{path.relative_to(ROOT)}: {', '.join(long)}"


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The package modules that ``path`` imports, at module level or inside functions."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:
                sub = f"{target}.{a.name}"
                if sub in known:
                    out.add(sub)
                elif target in known:
                    out.add(target)
    out.discard(name)
    return out


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in modules()}
    known = set(paths)
    return {name: imports_of(path, known) for name, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_package_has_no_import_circles():
    graph = import_graph()
    # a package's __init__ re-exports its modules; a module importing its own package's
    # __init__ back would be a circle, and is one here
    cycle = find_cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_planted_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_relative_and_lazy_imports():
    graph = import_graph()
    assert "widthlimits._checks" in graph["widthlimits.stats"]


GENERIC_CHECKS = ("_positive_int", "_check_int", "_check_rng", "_check_generator", "_check_bool")


def test_generic_input_checks_are_written_once():
    """Integers, reals, flags, generators: every module checks them through ``_checks``."""
    found = []
    for path in modules():
        if path.name == "_checks.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in GENERIC_CHECKS:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert not found, "private copies of the generic checks: " + ", ".join(found)


CONTROL = "\x07\x08\x09\x0b\x0c\x0d"


def docstrings_with_control_characters(path: Path) -> list[str]:
    """Docstrings in which a backslash became a control character (``"\\bar"`` is a backspace
    and ``"ar"``, ``"\\top"`` a tab and ``"op"``): the API pages and the PDF then break."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc and any(c in doc for c in CONTROL):
                found.append(f"{path.relative_to(PACKAGE)} {getattr(node, 'name', '(module)')}")
    return found


def test_no_docstring_holds_a_control_character():
    found = [f for path in modules() for f in docstrings_with_control_characters(path)]
    assert not found, "write r-strings or double the backslash: " + ", ".join(found)


def test_the_control_character_check_sees_a_backspace(tmp_path):
    planted = tmp_path / "m.py"
    planted.write_text('def f():\n    """math: \\bar f"""\n', encoding="utf-8")
    old = globals()["PACKAGE"]
    try:
        globals()["PACKAGE"] = tmp_path
        assert docstrings_with_control_characters(planted) == ["m.py f"]
    finally:
        globals()["PACKAGE"] = old
