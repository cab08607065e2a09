"""Structure checks for ``src/fabula`` (run by ``make lint``): import cycles, eval/training separation, sizes.

Every module is parsed with :mod:`ast` and the graph of imports between fabula modules is built twice: the
module-level imports (run when the module is imported; those under ``if TYPE_CHECKING:`` left out) and all imports,
including those inside functions. The check fails, with one line per problem, on

* a cycle among module-level imports;
* any import between ``fabula.eval`` and ``fabula.training`` (either way, anywhere: the two share
  ``fabula.corpora`` instead; the CLI is where training's models are handed to evaluation);
* a module over :data:`MAX_MODULE_LINES` lines or a function over :data:`MAX_FUNCTION_LINES` lines.

``python scripts/check_imports.py [--graph]`` (``--graph`` also prints every module's imports).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "fabula"
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 120
#: Package pairs that must not import each other.
SEPARATE = (("fabula.eval", "fabula.training"),)


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    is_package: bool
    top: set[str] = field(default_factory=set)  # fabula modules imported at module level
    nested: set[str] = field(default_factory=set)  # fabula modules imported inside functions


def discover(root: Path = ROOT) -> dict[str, Module]:
    """Every module of the package under ``root``, parsed."""
    out: dict[str, Module] = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        name = ".".join(parts)
        out[name] = Module(name, path, ast.parse(path.read_text(encoding="utf-8"), str(path)), is_package)
    return out


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST, in_function: bool = False) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """The import statements under ``node`` with whether each runs only when a function is called (imports under
    ``if TYPE_CHECKING:`` count as such: they never run)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function
        else:
            deferred = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) or (
                isinstance(child, ast.If) and _is_type_checking(child)
            )
            yield from _imports(child, in_function or deferred)


def _targets(mod: Module, node: ast.Import | ast.ImportFrom, known: dict[str, Module]) -> set[str]:
    """The fabula modules an import statement loads (``from fabula.x import y``: ``fabula.x.y`` if that is a
    module, else ``fabula.x``)."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            pkg = mod.name.split(".") if mod.is_package else mod.name.split(".")[:-1]
            pkg = pkg[: len(pkg) - (node.level - 1)]
            base = ".".join([*pkg, base] if base else pkg)
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
    out = set()
    for n in names:
        while n and n not in known:  # ``import fabula.x.y as z`` of a non-module attribute: its module
            n = n.rpartition(".")[0]
        if n and n != mod.name:
            out.add(n)
    return out


def build(known: dict[str, Module]) -> None:
    """Fill each module's ``top`` and ``nested`` imports."""
    for mod in known.values():
        for node, in_function in _imports(mod.tree):
            (mod.nested if in_function else mod.top).update(_targets(mod, node, known))


def cycles(known: dict[str, Module]) -> list[list[str]]:
    """One cycle (``a, b, …, a``) per strongly connected component of the module-level import graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    comps: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(known[v].top):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(known):
        if v not in index:
            visit(v)
    return [_path_in(comp, known) for comp in comps]


def _path_in(comp: list[str], known: dict[str, Module]) -> list[str]:
    """A shortest cycle through the first module of a strongly connected component."""
    members, start = set(comp), comp[0]
    prev: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(known[v].top & members):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, v, start]
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    return [*comp, comp[0]]


def _inside(name: str, pkg: str) -> bool:
    return name == pkg or name.startswith(pkg + ".")


def separation(known: dict[str, Module]) -> list[str]:
    """One line per import between packages that must stay apart."""
    out = []
    for mod in known.values():
        for a, b in SEPARATE:
            for src, dst in ((a, b), (b, a)):
                if not _inside(mod.name, src):
                    continue
                for target in sorted(mod.top | mod.nested):
                    if _inside(target, dst):
                        where = "module level" if target in mod.top else "in a function"
                        out.append(f"{mod.name} imports {target} ({where}): {src} and {dst} must not import each other")
    return out


def sizes(known: dict[str, Module]) -> list[str]:
    """One line per module or function over the size limits."""
    out = []
    for mod in known.values():
        rel = mod.path.relative_to(ROOT.parent)
        n = len(mod.path.read_text(encoding="utf-8").splitlines())
        if n > MAX_MODULE_LINES:
            out.append(f"{rel}: {n} lines (module limit {MAX_MODULE_LINES})")
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    out.append(
                        f"{rel}:{node.lineno}: function {node.name} has {length} lines (limit {MAX_FUNCTION_LINES})"
                    )
    return out


def main(argv: list[str]) -> int:
    known = discover()
    build(known)
    if "--graph" in argv:
        for mod in known.values():
            print(f"{mod.name}: {', '.join(sorted(mod.top)) or '-'}", end="")
            print(f" | in functions: {', '.join(sorted(mod.nested - mod.top))}" if mod.nested - mod.top else "")
    n_top = sum(len(m.top) for m in known.values())
    n_nested = sum(len(m.nested - m.top) for m in known.values())
    print(f"{len(known)} modules, {n_top} module-level imports, {n_nested} more inside functions")
    problems = [f"import cycle: {' -> '.join(c)}" for c in cycles(known)] + separation(known) + sizes(known)
    for p in problems:
        print(p)
    if problems:
        print(f"check_imports: {len(problems)} problem(s)")
        return 1
    print("check_imports: ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
