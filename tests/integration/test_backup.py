"""Backup and restore round-trip the store exactly, graph by graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from sro_graph.backup import parse_backup
from sro_graph.cli import EXIT_UNUSABLE, app
from sro_graph.store import GraphWrite, open_store
from tests.conftest import TEST_BASE

pytestmark = pytest.mark.integration
runner = CliRunner()
SYSTEM = "urn:sro-graph:system"


def _graphs(location: str) -> dict[str, Graph]:
    store = open_store(location, system_graph=SYSTEM)
    try:
        graphs = parse_backup(store.dump())
    finally:
        store.close()
    graphs.pop(SYSTEM, None)
    return graphs


@pytest.mark.parametrize("name", ["backup.nq", "backup.nq.gz"])
def test_backup_then_restore_into_an_empty_store_is_isomorphic_per_graph(
    tmp_path: Path, name: str
) -> None:
    source, target = tmp_path / "a", tmp_path / "b"
    env = {"SRO_BASE_URI": TEST_BASE}
    extra = Graph()
    extra.add((URIRef(f"{TEST_BASE}/id/x/1"), URIRef(f"{TEST_BASE}/p"), Literal('é "q"')))
    store = open_store(str(source), system_graph=SYSTEM)
    store.write(GraphWrite(add={f"{TEST_BASE}/graph/extra": extra}), new_version="1")
    store.close()
    assert runner.invoke(app, ["export", "--store", str(source)], env=env).exit_code == 0
    file = tmp_path / name
    result = runner.invoke(app, ["backup", str(file), "--store", str(source)], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["restore", str(file), "--store", str(target)], env=env)
    assert result.exit_code == 0, result.output
    before, after = _graphs(str(source)), _graphs(str(target))
    assert before.keys() == after.keys()
    for name_, graph in before.items():
        assert isomorphic(graph, after[name_]), name_


def test_restore_drops_graphs_absent_from_the_backup(tmp_path: Path) -> None:
    location = str(tmp_path / "s")
    store = open_store(location, system_graph=SYSTEM)
    g = Graph()
    g.add((URIRef("https://sro.test/a"), URIRef("https://sro.test/p"), Literal("1")))
    store.write(GraphWrite(add={"https://sro.test/graph/keep": g}), new_version="1")
    backup = store.dump()
    store.write(GraphWrite(add={"https://sro.test/graph/later": g}), new_version="2")
    from sro_graph.backup import restore_store

    restore_store(store, backup)
    assert "https://sro.test/graph/later" not in store.graph_names()
    assert "https://sro.test/graph/keep" in store.graph_names()


def test_restore_of_a_broken_backup_changes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.nq"
    broken.write_text("<a> <b> .\n")
    result = runner.invoke(
        app,
        ["restore", str(broken), "--store", str(tmp_path / "s")],
        env={"SRO_BASE_URI": TEST_BASE},
    )
    assert result.exit_code == EXIT_UNUSABLE
    assert "not valid N-Quads" in result.output
