"""The import graph keeps the architecture's shape: no cycles, dependencies pointing one way.

Every module of the four packages is parsed with ``ast`` and every import statement in it counts,
those inside functions (lazy imports) included; only imports under ``if TYPE_CHECKING:`` are left
out, since they never run. ``from package import name`` counts as importing the submodule
``package.name`` when there is one, else ``package`` itself. Only edges between the four packages
are kept: third-party imports cannot make a cycle through our code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("memory_service", "retrieval", "graph", "agents")
LIBRARIES = ("retrieval", "graph", "agents")
"""They take plain data and protocols: none imports memory_service."""
EVALUATION = "memory_service.evaluation"
EVALUATION_FACES = {
    "memory_service.api.app": "the FastAPI app mounts evaluation's REST router and runs its job manager "
    "for the app's lifespan; no other part of the server knows evaluation exists",
    "memory_service.console.eval_jobs": "the console's evaluation pages drive the job manager the REST router "
    "uses (found by that router's get_jobs) and show the API's own job bodies; no other console module imports it",
    "memory_service.cli_eval": "the `memory-service eval` command group is evaluation's own command line "
    "(memory_service.cli only adds it as a sub-command); it belongs with the evaluation package",
}
"""The modules outside the evaluation package allowed to import it, and why."""
BEHIND_THE_SDK = (
    "memory_service.runtime",
    "memory_service.layers",
    "memory_service.search",
    "memory_service.users",
    "memory_service.extraction",
    "memory_service.store.partitions",
    "memory_service.store.vectors",
    "memory_service.reindex",
)
"""Evaluation measures what users get, so it reaches the service through the SDK, never these (it keeps
its own jobs table through the store's database and tables, and nothing else of the store)."""
LAYERS = ("memory_service.layers.episodic", "memory_service.layers.semantic", "memory_service.layers.temporal")
"""Each layer stands on the shared parts of ``memory_service.layers`` and the store, not on another layer."""
FACES = (
    "memory_service.api",
    "memory_service.sdk",
    "memory_service.cli",
    "memory_service.runtime",
    "memory_service.search",
)
"""What is built on the layers: the layers never import them."""


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def find_modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module of ``packages`` under ``root``, by dotted name."""
    return {module_name(path, root): path for package in packages for path in sorted((root / package).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement below ``node``, at any depth, except under ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _import_nodes_of(other)
            continue
        yield from _import_nodes_of(child)


def _import_nodes_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    yield from _import_nodes(node)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is one of ``modules`` (``a.b.C`` imported as a module: ``a.b``)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def imported_by(module: str, path: Path, modules: Mapping[str, Path]) -> set[str]:
    """The modules of ``modules`` that ``module`` (the file at ``path``) imports."""
    targets: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            source = _absolute(node, module, path.name == "__init__.py")
            names = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source for alias in node.names
            ]
        targets.update(found for name in names if (found := _known(name, modules)) is not None)
    targets.discard(module)
    return targets


def import_graph(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> nx.DiGraph:
    modules = find_modules(root, packages)
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, path in modules.items():
        graph.add_edges_from((module, target) for target in imported_by(module, path, modules))
    return graph


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Each group of modules that import one another, directly or through others, sorted."""
    return sorted(sorted(group) for group in nx.strongly_connected_components(graph) if len(group) > 1)


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def edges_from_to(graph: nx.DiGraph, sources: Iterable[str], targets: Iterable[str]) -> list[str]:
    sources, targets = tuple(sources), tuple(targets)
    return sorted(
        f"{a} -> {b}" for a, b in graph.edges if any(_in(a, s) for s in sources) and any(_in(b, t) for t in targets)
    )


GRAPH = import_graph()


def test_the_graph_sees_every_module_and_lazy_imports() -> None:
    assert len(GRAPH) > 100
    # A lazy import inside a method: the in-process client opens its own runtime on demand.
    assert GRAPH.has_edge("memory_service.sdk.local", "memory_service.runtime")


def test_no_import_cycles() -> None:
    found = cycles(GRAPH)
    assert not found, "modules importing one another (move what they share into a module both import): " + "; ".join(
        ", ".join(group) for group in found
    )


def test_retrieval_graph_and_agents_never_import_memory_service() -> None:
    assert edges_from_to(GRAPH, LIBRARIES, ["memory_service"]) == []


def test_retrieval_imports_neither_graph_nor_agents() -> None:
    assert edges_from_to(GRAPH, ["retrieval"], ["graph", "agents"]) == []


def test_only_the_mounting_faces_import_evaluation() -> None:
    importers = sorted(
        f"{a} -> {b}"
        for a, b in GRAPH.edges
        if _in(b, EVALUATION) and not _in(a, EVALUATION) and a not in EVALUATION_FACES
    )
    assert importers == []
    for face in EVALUATION_FACES:  # stale exceptions would hide a move
        assert any(_in(target, EVALUATION) for target in GRAPH.successors(face)), face


def test_evaluation_reaches_the_service_only_through_the_sdk() -> None:
    assert edges_from_to(GRAPH, [EVALUATION, "memory_service.cli_eval"], BEHIND_THE_SDK) == []


def test_no_layer_imports_another() -> None:
    crossing = [
        edge
        for layer in LAYERS
        for edge in edges_from_to(GRAPH, [layer], [other for other in LAYERS if other != layer])
    ]
    assert crossing == []


def test_the_layers_and_the_store_never_import_what_is_built_on_them() -> None:
    assert edges_from_to(GRAPH, ["memory_service.layers", "memory_service.store"], FACES) == []
    assert edges_from_to(GRAPH, ["memory_service.store"], ["memory_service.layers"]) == []


# -- the checker itself ------------------------------------------------------------------------


def write(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_checker_finds_a_cycle_through_a_lazy_import(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": "def later():\n    import pkg.c\n",
            "pkg/c.py": "from pkg.a import thing\n",
            "pkg/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n",
            "pkg/e.py": "from . import d\nfrom .d import x\n",
        },
    )
    graph = import_graph(root, ["pkg"])
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
    assert not graph.has_edge("pkg.d", "pkg.a")  # never runs
    assert set(graph.successors("pkg.e")) == {"pkg.d"}


def test_the_checker_finds_an_edge_between_packages(tmp_path: Path) -> None:
    root = write(
        tmp_path, {"low/__init__.py": "", "low/x.py": "import high.y\n", "high/__init__.py": "", "high/y.py": ""}
    )
    graph = import_graph(root, ["low", "high"])
    assert cycles(graph) == []
    assert edges_from_to(graph, ["low"], ["high"]) == ["low.x -> high.y"]
