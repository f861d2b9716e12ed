"""The sro-graph command line: load, export, query files, token hashes; kill-safe loads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sro_graph.cli import EXIT_UNUSABLE, app
from sro_graph.config import hash_token
from sro_graph.store import open_store
from tests.conftest import TEST_BASE

pytestmark = pytest.mark.integration
runner = CliRunner()


def _env(store: Path) -> dict[str, str]:
    return {"SRO_BASE_URI": TEST_BASE, "SRO_STORE": str(store)}


def test_load_puts_a_file_in_its_own_graph_and_reload_replaces_it(tmp_path: Path) -> None:
    data = tmp_path / "extra.ttl"
    data.write_text('</id/x/1> <http://purl.org/dc/terms/title> "een"@nl .\n')
    store = tmp_path / "store"
    result = runner.invoke(app, ["load", str(data)], env=_env(store))
    assert result.exit_code == 0, result.output
    data.write_text('</id/x/1> <http://purl.org/dc/terms/title> "twee"@nl .\n')
    result = runner.invoke(app, ["load", str(data)], env=_env(store))
    assert result.exit_code == 0, result.output
    opened = open_store(str(store), system_graph="urn:sro-graph:system")
    rows = opened.select("SELECT ?t WHERE { <https://sro.test/id/x/1> ?p ?t }")
    assert [str(r["t"]) for r in rows] == ["twee"]
    assert f"{TEST_BASE}/graph/bestand/extra" in opened.graph_names()


def test_load_of_a_malformed_file_exits_2_with_the_line(tmp_path: Path) -> None:
    data = tmp_path / "broken.ttl"
    data.write_text("<a> <b> .\n")
    result = runner.invoke(app, ["load", str(data)], env=_env(tmp_path / "store"))
    assert result.exit_code == EXIT_UNUSABLE
    assert "line 1" in result.output


def test_load_of_an_unknown_format_exits_2(tmp_path: Path) -> None:
    data = tmp_path / "notes.docx"
    data.write_bytes(b"PK\x03\x04")
    result = runner.invoke(app, ["load", str(data)], env=_env(tmp_path / "store"))
    assert result.exit_code == EXIT_UNUSABLE
    assert "unknown format" in result.output


def test_export_writes_every_graph_as_nquads(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export"], env=_env(tmp_path / "store"))
    assert result.exit_code == 0
    assert f"<{TEST_BASE}/graph/basis/" in result.stdout


def test_token_hash_prints_the_stored_form() -> None:
    result = runner.invoke(app, ["token-hash", "s3cret"])
    assert result.stdout.strip() == hash_token("s3cret")


_WRITE_BEGUN = "writing into <"
_WRITE_DONE = ("statements into <", "bulk-loaded into <")
_KILL_ATTEMPTS = 3
_BIG_GRAPH = "https://sro.test/graph/bestand/big"


def _big_ntriples(path: Path, count: int) -> Path:
    with path.open("w") as out:
        for i in range(count):
            out.write(f'<https://sro.test/id/x/{i}> <https://sro.test/p> "{i}" .\n')
    return path


def _load_killed_mid_write(tmp_path: Path, data: Path, *options: str) -> Path:
    """Run ``sro-graph load`` and SIGKILL it as soon as it reports that its write has begun.

    Returns the store of an attempt where the kill provably landed mid-write: the process
    said the write had begun, died of our SIGKILL, and never said the write had ended. An
    attempt whose kill came too late (the write ended first) is repeated on a fresh store;
    when no attempt lands mid-write, the test fails rather than pass on a finished load.
    """
    late: list[str] = []
    for attempt in range(_KILL_ATTEMPTS):
        store = tmp_path / f"store-{attempt}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "sro_graph.cli", "load", *options, str(data)],
            env={**os.environ, **_env(store)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        before: list[str] = []
        for line in proc.stderr:  # blocks until the loader says something
            before.append(line)
            if _WRITE_BEGUN in line:
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait()
        after = proc.stderr.read()
        proc.stderr.close()
        assert any(_WRITE_BEGUN in line for line in before), (
            "the load never reported that its write began:\n" + "".join(before)
        )
        if proc.returncode == -signal.SIGKILL and not any(m in after for m in _WRITE_DONE):
            return store
        late.append(f"attempt {attempt}: exit {proc.returncode}, then {after!r}")
    pytest.fail("no kill landed while the write ran:\n" + "\n".join(late))


def _count_big(store: Path) -> int:
    opened = open_store(str(store), system_graph="urn:sro-graph:system")
    try:
        rows = opened.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{_BIG_GRAPH}> {{ ?s ?p ?o }} }}"
        )
        return int(rows[0]["n"])
    finally:
        opened.close()


def test_a_load_killed_midway_leaves_the_graph_wholly_in_or_out(tmp_path: Path) -> None:
    """Issue 2: killing the process during a load leaves the store usable and consistent.

    Issue 16: the kill provably lands while the write runs (see _load_killed_mid_write)."""
    big = _big_ntriples(tmp_path / "big.nt", 150_000)
    store = _load_killed_mid_write(tmp_path, big)
    assert _count_big(store) in (0, 150_000)
    # Usable: the store takes a write and a query after the kill.
    result = runner.invoke(app, ["load", str(big)], env=_env(store))
    assert result.exit_code == 0, result.output
    assert _count_big(store) == 150_000


def test_load_bulk_replaces_the_graph_and_bumps_the_version(tmp_path: Path) -> None:
    data = tmp_path / "extra.nt"
    data.write_text('<https://sro.test/id/x/1> <http://purl.org/dc/terms/title> "een"@nl .\n')
    store = tmp_path / "store"
    assert runner.invoke(app, ["load", "--bulk", str(data)], env=_env(store)).exit_code == 0
    before = open_store(str(store), system_graph="urn:sro-graph:system")
    version = before.version()
    before.close()
    data.write_text('<https://sro.test/id/x/1> <http://purl.org/dc/terms/title> "twee"@nl .\n')
    result = runner.invoke(app, ["load", "--bulk", str(data)], env=_env(store))
    assert result.exit_code == 0, result.output
    opened = open_store(str(store), system_graph="urn:sro-graph:system")
    rows = opened.select("SELECT ?t WHERE { <https://sro.test/id/x/1> ?p ?t }")
    assert [str(r["t"]) for r in rows] == ["twee"]
    assert opened.version() != version
    assert not opened.ask("ASK { GRAPH ?g { ?s <urn:sro-graph:loading> ?o } }")


def test_load_bulk_of_a_malformed_file_exits_2_and_leaves_no_graph(tmp_path: Path) -> None:
    data = tmp_path / "broken.nt"
    data.write_text('<https://sro.test/a> <https://sro.test/p> "1" .\n<a> <b> .\n')
    store = tmp_path / "store"
    result = runner.invoke(app, ["load", "--bulk", str(data)], env=_env(store))
    assert result.exit_code == EXIT_UNUSABLE
    opened = open_store(str(store), system_graph="urn:sro-graph:system")
    assert f"{TEST_BASE}/graph/bestand/broken" not in opened.graph_names()
    assert not opened.ask("ASK { <https://sro.test/a> ?p ?o }")


def test_load_bulk_refuses_formats_other_than_ntriples_and_turtle(tmp_path: Path) -> None:
    data = tmp_path / "extra.jsonld"
    data.write_text("{}")
    result = runner.invoke(app, ["load", "--bulk", str(data)], env=_env(tmp_path / "store"))
    assert result.exit_code == EXIT_UNUSABLE
    assert "--bulk reads N-Triples or Turtle" in result.output


def test_a_bulk_load_killed_midway_leaves_the_graph_wholly_in_or_out(tmp_path: Path) -> None:
    """Issue 16: the kill provably lands while the bulk load runs; on reopening, the store
    drops the half-loaded graph and its loading record."""
    big = _big_ntriples(tmp_path / "big.nt", 300_000)
    store = _load_killed_mid_write(tmp_path, big, "--bulk")
    assert _count_big(store) in (0, 300_000)
    opened = open_store(str(store), system_graph="urn:sro-graph:system")
    try:
        assert opened.ask("ASK { ?s ?p ?o }")
        assert not opened.ask("ASK { GRAPH ?g { ?s <urn:sro-graph:loading> ?o } }")
    finally:
        opened.close()


@pytest.mark.parametrize("workers", ["0", "2"])
def test_serve_refuses_worker_counts_an_embedded_store_cannot_take(
    tmp_path: Path,
    workers: str,
) -> None:
    result = runner.invoke(
        app, ["serve", "--workers", workers, "--no-access-log"], env=_env(tmp_path / "store")
    )
    assert result.exit_code == EXIT_UNUSABLE
    assert "workers" in result.output.lower()
