"""``sro-graph validate`` and ``sro-graph submit``: exit codes, formats, kill safety."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Literal
from typer.testing import CliRunner, Result

from sro_graph.cli import EXIT_OK, EXIT_UNUSABLE, EXIT_VIOLATIONS, app
from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.vocab import SH
from tests.conftest import STEWARD_TOKEN, TEST_BASE, steward_entry
from tests.security.helpers import Server, good, serving
from tests.spreadsheets import row, sheet_csv, sheet_xlsx

pytestmark = pytest.mark.integration
runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data"
ENV = {"SRO_BASE_URI": TEST_BASE, "SRO_LOG_LEVEL": "WARNING"}
OTHER_TOKEN = "other-steward-token-cli-42"
GENT = f"{TEST_BASE}/id/bestuurseenheid/44021"


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


# -- validate: spreadsheets, error hints (issue 13.11) --------------------------------------------


def test_validate_unknown_format_names_the_real_flag(tmp_path: Path) -> None:
    """Issue 13.11: the hint named ``--format``, which is validate's output format."""
    odd = tmp_path / "initiatief.bin"
    odd.write_bytes((DATA / "good-initiative.ttl").read_bytes())
    result = runner.invoke(app, ["validate", str(odd)], env=ENV)
    assert result.exit_code == EXIT_UNUSABLE
    assert "unknown format" in result.output
    assert "--data-format" in result.output
    forced = runner.invoke(app, ["validate", str(odd), "--data-format", "ttl"], env=ENV)
    assert forced.exit_code == EXIT_OK, forced.output


def test_validate_csv_that_is_not_the_template_exits_2() -> None:
    result = runner.invoke(app, ["validate", str(DATA / "wrong-media-type.csv")], env=ENV)
    assert result.exit_code == EXIT_UNUSABLE
    assert "wrong-media-type.csv" in result.output
    assert "not the initiatives template" in result.output


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_validate_spreadsheet_with_two_bad_cells_exits_1_naming_the_cells(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"initiatieven.{suffix}"
    rows = [row(uitdagingen="1; 10", budget="275.000")]
    path.write_bytes(sheet_xlsx(rows) if suffix == "xlsx" else sheet_csv(rows))
    result = runner.invoke(app, ["validate", str(path), "--format", "json"], env=ENV)
    assert result.exit_code == EXIT_VIOLATIONS, result.output
    report = json.loads(result.stdout)
    assert [c["cell"] for c in report["cells"]] == ["F2", "R2"]
    text = runner.invoke(app, ["validate", str(path)], env=ENV)
    assert text.exit_code == EXIT_VIOLATIONS
    assert "F2" in text.output
    assert "R2" in text.output
    assert "does not conform" in text.output
    turtle = runner.invoke(app, ["validate", str(path), "--format", "turtle"], env=ENV)
    graph = parse_rdf(turtle.stdout_bytes, RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph
    assert (None, SH.conforms, Literal(False)) in graph


def test_validate_good_spreadsheet_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "initiatieven.xlsx"
    path.write_bytes(sheet_xlsx([row()]))
    result = runner.invoke(app, ["validate", str(path)], env=ENV)
    assert result.exit_code == EXIT_OK, result.output


def _flags_of(command: str) -> set[str]:
    help_text = runner.invoke(app, [command, "--help"], env={**ENV, "COLUMNS": "200"}).output
    return set(re.findall(r"--[a-z][a-z-]+", help_text))


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("validate", ["validate", "x.unknown"]),
        ("validate", ["validate", "{bin}"]),
        ("validate", ["validate", "{bin}", "--data-format", "yaml"]),
        ("validate", ["validate", "{good}", "--format", "yaml"]),
        ("submit", ["submit", "{good}"]),
        ("submit", ["submit", "{good}", "--token", "t", "--url", "http://127.0.0.1:9"]),
        ("submit", ["submit", "{bin}", "--token", "t"]),
        ("submit", ["submit", "{good}", "{good}", "--token", "t", "--replace", "x"]),
    ],
)
def test_error_hints_name_flags_that_exist(tmp_path: Path, command: str, args: list[str]) -> None:
    """Issue 13.11: every flag an error message suggests is a flag of that command."""
    odd = tmp_path / "data.bin"
    odd.write_bytes(b"x")
    paths = {"{bin}": str(odd), "{good}": str(DATA / "good-initiative.ttl")}
    result = runner.invoke(app, [paths.get(a, a) for a in args], env=ENV)
    assert result.exit_code == EXIT_UNUSABLE, result.output
    named = set(re.findall(r"--[a-z][a-z-]+", result.output))
    assert named <= _flags_of(command), (named, result.output)


# -- submit: over HTTP to a running service (issue 13.11) -----------------------------------------


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real ``sro-graph serve`` on a disk store, with two stewards."""
    tmp = tmp_path_factory.mktemp("submit")
    stewards = ";".join([steward_entry(), steward_entry(OTHER_TOKEN, "Data Gent", GENT)])
    with serving(tmp / "store", tmp / "server.log", SRO_STEWARDS=stewards) as running:
        yield running


def _submit(service: Server, *args: str, token: str = STEWARD_TOKEN) -> Result:
    env = {**ENV, "SRO_SERVICE_URL": service.url, "SRO_STEWARD_TOKEN": token}
    return runner.invoke(app, ["submit", *args], env=env)


def _graph_count(service: Server, submission_id: str) -> int:
    graph = f"{TEST_BASE}/graph/inzending/{submission_id}"
    response = httpx.get(
        f"{service.url}/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        headers={"accept": "application/sparql-results+json"},
        timeout=30,
    )
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_submit_over_http_stores_and_refuses(service: Server, tmp_path: Path) -> None:
    good_file = tmp_path / "over-http.ttl"
    good_file.write_bytes(good("over-http", "Over HTTP"))
    result = _submit(service, str(good_file))
    assert result.exit_code == EXIT_OK, result.output
    assert "stored as" in result.output
    assert service.url in result.output
    refused = _submit(service, str(DATA / "broken-initiative.ttl"))
    assert refused.exit_code == EXIT_VIOLATIONS, refused.output
    assert "refused" in refused.output
    assert "Violation" in refused.output
    mine = httpx.get(
        f"{service.url}/submissions",
        params={"mine": "true"},
        headers={"authorization": f"Bearer {STEWARD_TOKEN}"},
        timeout=30,
    ).json()
    assert "Over HTTP" in [t for item in mine["items"] for t in item["titles"]]


def test_submit_spreadsheet_over_http_and_replace_it(service: Server, tmp_path: Path) -> None:
    path = tmp_path / "initiatieven.xlsx"
    path.write_bytes(sheet_xlsx([row(id="via-cli")]))
    result = _submit(service, str(path))
    assert result.exit_code == EXIT_OK, result.output
    sid = re.search(r"/submissions/([0-9a-f]{32})", result.output)
    assert sid is not None
    path.write_bytes(sheet_xlsx([row(id="via-cli", titel="Vervangen via de CLI")]))
    replaced = _submit(service, str(path), "--replace", sid.group(1))
    assert replaced.exit_code == EXIT_OK, replaced.output
    record = httpx.get(f"{service.url}/submissions/{sid.group(1)}", timeout=30).json()
    assert record["titles"] == ["Vervangen via de CLI"]
    assert len(record["provenance"]) == 2
    other = _submit(service, str(path), "--replace", sid.group(1), token=OTHER_TOKEN)
    assert other.exit_code == EXIT_UNUSABLE
    assert "403" in other.output


def test_submit_dry_run_stores_nothing(service: Server, tmp_path: Path) -> None:
    path = tmp_path / "proef.csv"
    path.write_bytes(sheet_csv([row(id="proef-droog", uitdagingen="10")]))
    before = httpx.get(f"{service.url}/submissions", timeout=30).json()["total"]
    result = _submit(service, str(path), "--dry-run")
    assert result.exit_code == EXIT_VIOLATIONS, result.output
    assert "would be refused" in result.output
    assert "F2" in result.output
    assert httpx.get(f"{service.url}/submissions", timeout=30).json()["total"] == before


def test_submit_with_a_wrong_token_exits_2_with_the_service_answer(
    service: Server,
) -> None:
    result = _submit(service, str(DATA / "good-initiative.ttl"), token="wrong")
    assert result.exit_code == EXIT_UNUSABLE
    assert "403" in result.output
    assert "--token" in result.output


def test_submit_to_no_service_exits_2_naming_the_url(tmp_path: Path) -> None:
    env = {**ENV, "SRO_STEWARD_TOKEN": STEWARD_TOKEN, "SRO_SERVICE_URL": "http://127.0.0.1:9"}
    result = runner.invoke(app, ["submit", str(DATA / "good-initiative.ttl")], env=env)
    assert result.exit_code == EXIT_UNUSABLE
    assert "http://127.0.0.1:9" in result.output
    assert "--url" in result.output


def test_submit_never_writes_the_store_itself(tmp_path: Path) -> None:
    """The CLI talks to the service, not to the store: with a store configured and no
    service running, nothing is written."""
    store = tmp_path / "store"
    env = {
        **ENV,
        "SRO_STORE": str(store),
        "SRO_STEWARD_TOKEN": STEWARD_TOKEN,
        "SRO_SERVICE_URL": "http://127.0.0.1:9",
    }
    result = runner.invoke(app, ["submit", str(DATA / "good-initiative.ttl")], env=env)
    assert result.exit_code == EXIT_UNUSABLE
    assert not store.exists()


def test_submit_killed_mid_burst_leaves_each_submission_whole_or_absent(
    service: Server, tmp_path: Path
) -> None:
    template = (DATA / "good-initiative.ttl").read_text(encoding="utf-8")
    files = []
    for i in range(25):
        path = tmp_path / f"initiatief-{i}.ttl"
        path.write_text(template.replace("proef-luchtmeting", f"burst-{i}"), encoding="utf-8")
        files.append(path)
    expected_size = len(
        parse_rdf(files[0].read_bytes(), RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph
    )
    env = {
        **os.environ,
        **ENV,
        "SRO_SERVICE_URL": service.url,
        "SRO_STEWARD_TOKEN": STEWARD_TOKEN,
    }
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

    listing = httpx.get(f"{service.url}/submissions", params={"per_page": 200}, timeout=30).json()
    burst = [
        item
        for item in listing["items"]
        if any(t == "Proef luchtmeting" for t in item["titles"]) and item["status"] == "current"
    ]
    assert 3 <= len(burst) < 25
    for item in burst:
        assert _graph_count(service, item["id"]) == expected_size
