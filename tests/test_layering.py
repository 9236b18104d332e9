"""Reads every import with `ast` (importing nothing) so the layering of `components/` cannot erode."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("components", "pages", "bench", "tests", "examples", "app.py")
SUBPACKAGES = ("streaming", "rendering", "models", "chat", "lessons")


@dataclass(frozen=True)
class Import:
    """One import statement: where it is, how it reads, and the dotted names it brings in."""

    path: str  # relative to ROOT, posix
    line: int
    text: str
    targets: tuple[str, ...]  # `from a import b` gives "a.b"; `import a.b` gives "a.b"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import in the tree, function bodies included; `if TYPE_CHECKING:` bodies are skipped."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.orelse:
                yield from _import_nodes(ast.Module(body=[stmt], type_ignores=[]))
        else:
            yield from _import_nodes(child)


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    if node.level == 0:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


@cache
def imports_of(path: Path) -> tuple[Import, ...]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            targets = tuple(alias.name for alias in node.names)
        else:
            module = _absolute(node, path)
            targets = tuple(module if alias.name == "*" else f"{module}.{alias.name}" for alias in node.names)
        found.append(Import(path.relative_to(ROOT).as_posix(), node.lineno, ast.unparse(node), targets))
    return tuple(found)


@cache
def python_files(*where: str) -> tuple[Path, ...]:
    files: list[Path] = []
    for name in where:
        place = ROOT / name
        files.extend([place] if place.suffix == ".py" else sorted(place.rglob("*.py")))
    return tuple(f for f in files if f.is_file())


def within(target: str, *prefixes: str) -> bool:
    """`target` is one of `prefixes` or inside one, by dotted name (`streamlit_x` is not `streamlit`)."""
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def offenders(files: tuple[Path, ...], bad: Callable[[str], bool]) -> list[str]:
    return [str(imp) for f in files for imp in imports_of(f) if any(bad(t) for t in imp.targets)]


def report(what: str, found: list[str]) -> str:
    return f"{what}:\n  " + "\n  ".join(found)


def is_streamlit(target: str) -> bool:
    return within(target, "streamlit")


def is_components(target: str) -> bool:
    return within(target, "components")


def test_streaming_has_no_streamlit_and_uses_only_itself_and_the_shared_callbacks() -> None:
    files = python_files("components/streaming")
    found = offenders(files, lambda t: is_streamlit(t) or (
        is_components(t) and not within(t, "components.streaming", "components.callbacks")))
    assert not found, report(
        "components/streaming/ must not import streamlit, and from components only "
        "components.streaming.* and components.callbacks", found)


def test_callbacks_config_and_url_params_stay_below_everything() -> None:
    callbacks = python_files("components/callbacks.py")
    leaves = python_files("components/config.py", "components/url_params.py")
    found = offenders(callbacks, lambda t: is_streamlit(t) or (
        is_components(t) and not within(t, "components.streaming")))
    found += offenders(leaves, lambda t: is_streamlit(t) or is_components(t))
    assert not found, report(
        "components/callbacks.py may import from components only components.streaming.*, "
        "components/config.py and components/url_params.py nothing from components; none may "
        "import streamlit", found)


def test_rendering_draws_through_a_target_not_streamlit() -> None:
    found = offenders(python_files("components/rendering"), lambda t: is_streamlit(t) or within(
        t, "components.chat", "components.lessons", "components.models"))
    assert not found, report(
        "components/rendering/ must not import streamlit, components.chat, components.lessons "
        "or components.models", found)


def test_models_know_nothing_of_chat_lessons_rendering_or_streamlit() -> None:
    found = offenders(python_files("components/models"), lambda t: is_streamlit(t) or within(
        t, "components.chat", "components.lessons", "components.rendering"))
    assert not found, report(
        "components/models/ must not import streamlit, components.chat, components.lessons "
        "or components.rendering", found)


def test_chat_logic_has_no_streamlit_and_no_lessons() -> None:
    found = offenders(python_files("components/chat"),
                      lambda t: is_streamlit(t) or within(t, "components.lessons"))
    assert not found, report(
        "components/chat/ must not import streamlit or components.lessons "
        "(drawing the chat lives in components/lessons/chat.py)", found)


def test_nothing_imports_pages() -> None:
    found = offenders(python_files(*SCANNED), lambda t: within(t, "pages"))
    assert not found, report("pages/ are entry points run by Streamlit; nothing may import them", found)


def test_nothing_imports_the_examples() -> None:
    found = offenders(python_files(*SCANNED), lambda t: within(t, "examples"))
    assert not found, report("examples/ are standalone take-home scripts; nothing may import them "
                             "(tests/test_examples.py runs them with AppTest)", found)


def test_bench_uses_tests_support_not_browser_tests_or_conftest() -> None:
    found = offenders(python_files("bench"), lambda t: within(t, "tests.browser", "tests.conftest"))
    assert not found, report(
        "bench/ must not import tests.browser or tests.conftest (shared support is in tests/support/)", found)


def import_graph() -> dict[str, dict[str, Import]]:
    """Module -> {imported module -> the first statement making that edge}, within components/ only."""
    files = python_files("components")
    modules = {module_name(f) for f in files}

    def resolve(target: str, exact_only: bool) -> str | None:
        if target in modules:
            return target
        if exact_only:
            return None
        parts = target.split(".")
        while parts and ".".join(parts) not in modules:
            parts.pop()
        return ".".join(parts) or None

    graph: dict[str, dict[str, Import]] = {}
    for f in files:
        source = module_name(f)
        edges = graph.setdefault(source, {})
        for imp in imports_of(f):
            for target in imp.targets:
                if not is_components(target):
                    continue
                # `from components.a import b` is module components.a.b when that exists, else components.a
                dest = resolve(target, exact_only=True) or resolve(target.rsplit(".", 1)[0], exact_only=False)
                if dest and dest != source:
                    edges.setdefault(dest, imp)
    return graph


def find_cycle(graph: dict[str, dict[str, Import]]) -> list[str] | None:
    done: set[str] = set()
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> list[str] | None:
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, {})):
            if nxt in on_stack:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in done and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        on_stack.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done and (cycle := visit(start)):
            return cycle
    return None


def test_components_have_no_import_cycles() -> None:
    graph = import_graph()
    cycle = find_cycle(graph) or []
    assert not cycle, report(
        "import cycle in components/: " + " -> ".join(cycle),
        [str(graph[a][b]) for a, b in itertools.pairwise(cycle)])


def test_each_subpackage_explains_itself_in_its_init() -> None:
    problems = []
    for name in SUBPACKAGES:
        init = ROOT / "components" / name / "__init__.py"
        if not init.is_file():
            problems.append(f"components/{name}/__init__.py: missing")
        elif not (ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or "").strip():
            problems.append(f"components/{name}/__init__.py: no module docstring")
    assert not problems, report(
        "each components/ sub-package needs an __init__.py with a module docstring", problems)
