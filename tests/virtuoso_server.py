"""A real Virtuoso (Debian ``virtuoso-opensource``) for tests: started, waited for, stopped by pid.

Each server gets its own directory with a minimal ``virtuoso.ini`` (free ports, no network
access needed); the ``SPARQL`` account of the ``/sparql`` endpoint is granted SPARQL_UPDATE
through ``isql`` so that queries and updates go to one URL without credentials.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx

from tests.oxigraph_server import free_port

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 256M
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 20
ServerThreads = 20
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
; sro-graph enforces its own time limits; Virtuoso's estimator refuses named queries with
; optional parameters (find-partners with none bound: "estimated 197376 s"). docs/deployment.md
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


def virtuoso_binary() -> str | None:
    """The ``virtuoso-t`` executable, if installed."""
    return shutil.which("virtuoso-t")


def isql_binary() -> str | None:
    return shutil.which("isql-vt") or shutil.which("isql")


class VirtuosoServer:
    """One ``virtuoso-t -f -c <dir>/virtuoso.ini`` process with a fresh database."""

    def __init__(self, directory: Path) -> None:
        binary, isql = virtuoso_binary(), isql_binary()
        if binary is None or isql is None:
            raise RuntimeError("Virtuoso is not installed (apt-get install virtuoso-opensource)")
        self.binary = binary
        self.isql = isql
        self.directory = directory
        self.sql_port = free_port()
        self.http_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.user: str | None = None
        self.password: str | None = None
        # Virtuoso keeps its own graphs (rdf views, DAV) in the quad store; clear() keeps them.
        self._own_graphs: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def store_location(self) -> str:
        return f"sparql+{self.url}/sparql"

    @property
    def update_url(self) -> str:
        return f"{self.url}/sparql"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        ini = self.directory / "virtuoso.ini"
        ini.write_text(
            _INI.format(dir=self.directory, sql_port=self.sql_port, http_port=self.http_port),
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [self.binary, "-f", "-c", str(ini)],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}")
            try:
                r = httpx.get(f"{self.url}/sparql", params={"query": "ASK {}"}, timeout=2.0)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("virtuoso-t did not answer within 60 s")
        self._isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        self._own_graphs = self._graphs()

    def _isql(self, statement: str) -> None:
        subprocess.run(
            [self.isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )

    def _graphs(self) -> set[str]:
        r = httpx.post(
            f"{self.url}/sparql",
            data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30.0,
        )
        r.raise_for_status()
        return {b["g"]["value"] for b in r.json()["results"]["bindings"]}

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def clear(self) -> None:
        """Drop every graph but Virtuoso's own (between tests sharing one server)."""
        graphs = sorted(self._graphs() - self._own_graphs)
        if not graphs:
            return
        update = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
        httpx.post(
            f"{self.url}/sparql",
            content=update.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
            timeout=60.0,
        ).raise_for_status()
