"""``sro-graph query NAME|FILE.rq [--param k=v]``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sro_graph.cli import app
from tests.conftest import TEST_BASE

runner = CliRunner()


@pytest.fixture(autouse=True)
def _memory_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SRO_STORE", "memory")
    monkeypatch.setenv("SRO_BASE_URI", TEST_BASE)
    from sro_graph.config import get_settings

    get_settings.cache_clear()


def _rows(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def test_cli_query_named_query_with_param_prints_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SRO_LOAD_EXAMPLES", "true")  # the answer is two example initiatives
    from sro_graph.config import get_settings

    get_settings.cache_clear()
    result = runner.invoke(
        app,
        [
            "query",
            "initiatives-by-programme",
            "--param",
            f"programma={TEST_BASE}/id/programma/lokaal-digitaal",
        ],
    )
    assert result.exit_code == 0, result.output
    slugs = {r["initiatief"].rsplit("/", 1)[1] for r in _rows(result.stdout)}
    assert slugs == {"kempen-loket-aan-huis", "marktconsultatie-slimme-sensoren"}


def test_cli_query_bad_param_exits_2() -> None:
    result = runner.invoke(app, ["query", "cooperation-pairs", "--param", "minimum=zero"])
    assert result.exit_code == 2
    assert "integer" in result.output


def test_cli_query_unknown_name_exits_2() -> None:
    assert runner.invoke(app, ["query", "no-such-query"]).exit_code == 2


def test_cli_query_file_runs_read_only(tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", encoding="utf-8")
    result = runner.invoke(app, ["query", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"n"' in result.stdout


def test_cli_query_file_with_update_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "drop.rq"
    path.write_text("DROP ALL", encoding="utf-8")
    result = runner.invoke(app, ["query", str(path)])
    assert result.exit_code == 2
    assert "read-only" in result.output
