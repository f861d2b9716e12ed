"""``sro-graph validate`` and ``sro-graph submit``: exit codes, formats, kill safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sro_graph.cli import EXIT_OK, EXIT_UNUSABLE, EXIT_VIOLATIONS, app
from sro_graph.config import hash_token
from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.store import open_store
from sro_graph.vocab import SH, Uris
from tests.conftest import STEWARD_TOKEN, TEST_BASE

pytestmark = pytest.mark.integration
runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data"
ENV = {"SRO_BASE_URI": TEST_BASE, "SRO_LOG_LEVEL": "WARNING"}


def test_validate_conforming_file_exits_0() -> None:
    result = runner.invoke(app, ["validate", str(DATA / "good-initiative.ttl")], env=ENV)
    assert result.exit_code == EXIT_OK, result.output
    assert "conforms" in result.output
    assert "core" in result.output


def test_validate_nonconforming_initiative_exits_1_with_table() -> None:
    result = runner.invoke(app, ["validate", str(DATA / "broken-initiative.ttl")], env=ENV)
    assert result.exit_code == EXIT_VIOLATIONS, result.output
    assert "Violation" in result.output
    assert "does not conform" in result.output
    assert "related" in result.output


def test_validate_json_format() -> None:
    result = runner.invoke(
        app, ["validate", str(DATA / "broken-initiative.ttl"), "--format", "json"], env=ENV
    )
    assert result.exit_code == EXIT_VIOLATIONS
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["initiatives"][0]["category"] == "related"


def test_validate_turtle_format_is_a_report_graph() -> None:
    result = runner.invoke(
        app, ["validate", str(DATA / "broken-initiative.ttl"), "--format", "turtle"], env=ENV
    )
    assert result.exit_code == EXIT_VIOLATIONS
    graph = parse_rdf(result.stdout_bytes, RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph
    assert (None, SH.conforms, None) in graph


def test_validate_with_shapes_file() -> None:
    core = DATA / "shacl-core"
    result = runner.invoke(
        app,
        [
            "validate",
            str(core / "data.ttl"),
            "--shapes",
            str(core / "shapes.ttl"),
            "--format",
            "json",
        ],
        env=ENV,
    )
    assert result.exit_code == EXIT_VIOLATIONS
    assert len(json.loads(result.stdout)["results"]) >= 29


def test_validate_malformed_file_exits_2_with_line() -> None:
    result = runner.invoke(app, ["validate", str(DATA / "broken-syntax.ttl")], env=ENV)
    assert result.exit_code == EXIT_UNUSABLE
    assert "broken-syntax.ttl" in result.output
    assert "line" in result.output


def test_validate_unknown_format_exits_2() -> None:
    result = runner.invoke(app, ["validate", str(DATA / "wrong-media-type.csv")], env=ENV)
    assert result.exit_code == EXIT_UNUSABLE
    assert "unknown format" in result.output


def test_validate_unknown_output_format_exits_2() -> None:
    result = runner.invoke(
        app, ["validate", str(DATA / "good-initiative.ttl"), "--format", "yaml"], env=ENV
    )
    assert result.exit_code == EXIT_UNUSABLE


def test_validate_missing_file_exits_2() -> None:
    result = runner.invoke(app, ["validate", str(DATA / "no-such-file.ttl")], env=ENV)
    assert result.exit_code == EXIT_UNUSABLE
    assert "no such file" in result.output


def test_validate_doctype_exits_2() -> None:
    result = runner.invoke(app, ["validate", str(DATA / "doctype.rdf")], env=ENV)
    assert result.exit_code == EXIT_UNUSABLE
    assert "DOCTYPE" in result.output


def _submit_env(store: Path) -> dict[str, str]:
    return {**ENV, "SRO_STORE": str(store), "SRO_STEWARD_TOKEN_HASHES": hash_token(STEWARD_TOKEN)}


def test_submit_stores_and_refuses(tmp_path: Path) -> None:
    store = tmp_path / "store"
    env = {**_submit_env(store), "SRO_STEWARD_TOKEN": STEWARD_TOKEN}
    result = runner.invoke(app, ["submit", str(DATA / "good-initiative.ttl")], env=env)
    assert result.exit_code == EXIT_OK, result.output
    assert "stored as" in result.output
    result = runner.invoke(app, ["submit", str(DATA / "broken-initiative.ttl")], env=env)
    assert result.exit_code == EXIT_VIOLATIONS
    opened = open_store(str(store), system_graph="urn:sro-graph:system")
    try:
        assert len([g for g in opened.graph_names() if "/graph/inzending/" in g]) == 1
    finally:
        opened.close()


def test_submit_wrong_token_exits_2(tmp_path: Path) -> None:
    env = {**_submit_env(tmp_path / "store"), "SRO_STEWARD_TOKEN": "wrong"}
    result = runner.invoke(app, ["submit", str(DATA / "good-initiative.ttl")], env=env)
    assert result.exit_code == EXIT_UNUSABLE


def test_submit_killed_mid_burst_leaves_each_submission_whole_or_absent(tmp_path: Path) -> None:
    template = (DATA / "good-initiative.ttl").read_text(encoding="utf-8")
    files = []
    for i in range(25):
        path = tmp_path / f"initiatief-{i}.ttl"
        path.write_text(template.replace("proef-luchtmeting", f"burst-{i}"), encoding="utf-8")
        files.append(path)
    expected_size = len(
        parse_rdf(files[0].read_bytes(), RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph
    )
    store = tmp_path / "store"
    env = {**os.environ, **_submit_env(store), "SRO_STEWARD_TOKEN": STEWARD_TOKEN}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from sro_graph.cli import main; main()",
            "submit",
            *map(str, files),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    stored_before_kill = 0
    for line in process.stdout:
        if "stored as" in line:
            stored_before_kill += 1
        if stored_before_kill == 3:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    assert stored_before_kill == 3, "the burst ended before the kill"

    opened = open_store(str(store), system_graph="urn:sro-graph:system")
    try:
        uris = Uris(TEST_BASE)
        graphs = [g for g in opened.graph_names() if "/graph/inzending/" in g]
        assert 3 <= len(graphs) < 25
        for graph in graphs:
            triples = parse_rdf(
                opened.dump(graph=graph), RdfFormat.NTRIPLES, base_iri=TEST_BASE + "/"
            ).graph
            assert len(triples) == expected_size
        records = opened.select(
            "SELECT ?s WHERE { GRAPH <" + str(uris.provenance_graph) + "> { "
            "?s <http://www.w3.org/ns/prov#specializationOf> ?sub } }"
        )
        assert len(records) == len(graphs)
    finally:
        opened.close()
