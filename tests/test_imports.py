"""The house rules of ARCHITECTURE.md, read from the source: the engine never imports the app or a UI library, and
no project module imports itself back through others (imports inside functions counted too)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gan_core", "dashboard")


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for p in (ROOT / pkg).rglob("*.py"):
            parts = p.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `name` imports, anywhere in its file; 'from pkg import mod' counts as importing pkg.mod."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m in known and m != name}


def _all_imports(name: str, path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add(node.module or "")
    return found


def test_the_engine_imports_no_ui_and_not_the_app():
    bad = {}
    for name, path in _modules().items():
        if name.startswith("gan_core"):
            hits = sorted(m for m in _all_imports(name, path)
                          if m.split(".")[0] in ("streamlit", "plotly", "dashboard"))
            if hits:
                bad[name] = hits
    assert not bad, f"gan_core must not import the app or a UI library: {bad}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk of `graph` meets, each as the path that closes it."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []

    def visit(u: str, path: list[str]) -> None:
        state[u] = 1
        for v in sorted(graph[u]):
            if state.get(v) == 1:
                cycles.append(path[path.index(v):] + [v])
            elif v not in state:
                visit(v, path + [v])
        state[u] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_there_are_no_import_cycles_even_through_imports_inside_functions():
    known = _modules()
    cycles = _cycles({name: _imports(name, path, known) for name, path in known.items()})
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_check_finds_a_cycle(tmp_path):
    # The checker itself: two modules that import each other inside functions are found.
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("def f():\n    import pkg.b\n")
    b.write_text("def g():\n    from pkg import a\n")
    known = {"pkg.a": a, "pkg.b": b}
    graph = {name: _imports(name, path, known) for name, path in known.items()}
    assert graph == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}}
    assert _cycles(graph) == [["pkg.a", "pkg.b", "pkg.a"]]
    assert _cycles({"pkg.a": {"pkg.b"}, "pkg.b": set()}) == []
