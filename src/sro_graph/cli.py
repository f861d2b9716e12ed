"""The ``sro-graph`` command line: the same services as the web app, one exit-code map.

Exit codes: 0 success (or conforming data), 1 violations, 2 unusable input or failure.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from sro_graph.config import Settings, hash_token
from sro_graph.errors import SroError
from sro_graph.formats import (
    GRAPH_RESULT_FORMATS,
    RDF_FILE_NAMES,
    RESULT_FORMATS,
    RdfFormat,
    ResultFormat,
    media_type_for_short_name,
    rdf_format_for_file_name,
    rdf_format_for_name,
)
from sro_graph.loading import BULK_FORMATS
from sro_graph.logs import configure_logging
from sro_graph.runtime import Runtime, open_runtime, service_errors
from sro_graph.submissions import Upload

EXIT_OK, EXIT_VIOLATIONS, EXIT_UNUSABLE = 0, 1, 2

app = typer.Typer(
    name="sro-graph",
    help="The Smart Region Office knowledge graph: load, validate, query, export and serve.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True)
out = Console()

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="A folder, 'memory', or sparql+http(s)://host/query (default: SRO_STORE)."
    ),
]


def _settings(store: str | None = None, **overrides: object) -> Settings:
    # Read afresh per command (not the cached get_settings): one process may run several
    # commands (tests, scripts) with different environments.
    settings = Settings()
    changes = {k: v for k, v in {"store": store, **overrides}.items() if v is not None}
    return settings.model_copy(update=changes) if changes else settings


@contextmanager
def _runtime(
    settings: Settings, *, load_knowledge: bool | None = None, in_process_validation: bool = False
) -> Iterator[Runtime]:
    configure_logging(settings.log_level, settings.log_format)
    try:
        with service_errors():
            runtime = open_runtime(
                settings,
                load_knowledge=load_knowledge,
                in_process_validation=in_process_validation,
            )
    except SroError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_UNUSABLE) from None
    try:
        with service_errors():
            yield runtime
    except SroError as exc:
        raise fail(exc.detail) from None
    finally:
        runtime.close()


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error and return the exit for unusable input."""
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(EXIT_UNUSABLE)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    store: StoreOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes (remote store only).")] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request (off by default: it costs throughput; a proxy in front "
            "usually logs).",
        ),
    ] = False,
) -> None:
    """Serve the graph over HTTP (SPARQL, named queries, validation, catalogue, pages)."""
    import uvicorn

    from sro_graph.web.app import create_app

    settings = _settings(store)
    if workers < 1:
        raise fail("--workers must be at least 1.")
    if workers > 1 and not settings.is_remote_store:
        raise fail(
            "Several workers need a shared remote store (an embedded store is "
            "opened by one process)."
        )
    # uvloop and httptools when installed (uvicorn[standard]): the fastest event loop and parser.
    options: dict[str, object] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "access_log": access_log,
        "loop": "auto",
        "http": "auto",
    }
    if workers > 1:
        import os

        os.environ["SRO_STORE"] = settings.store
        uvicorn.run("sro_graph.web.asgi:app", workers=workers, **options)  # type: ignore[arg-type]
        return
    uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="RDF files; each replaces its own graph.")],
    store: StoreOption = None,
    graph: Annotated[str | None, typer.Option(help="Graph IRI (one file only).")] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Format if the extension does not say (ttl, nt, nq, trig, jsonld, rdf).",
        ),
    ] = None,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="Use the embedded store's bulk loader (several times faster; N-Triples "
            "and Turtle only). Still all or nothing: a graph whose load was killed is dropped "
            "when the store is next opened.",
        ),
    ] = False,
) -> None:
    """Load RDF files, each atomically into its own named graph (reloading replaces it)."""
    settings = _settings(store)
    if graph and len(files) > 1:
        raise fail("--graph names one graph; give one file.")
    formats = [_file_format(path, fmt) for path in files]
    if bulk:
        for path, rdf_format in zip(files, formats, strict=True):
            if rdf_format not in BULK_FORMATS:
                raise fail(
                    f"{path.name}: --bulk reads N-Triples or Turtle; load "
                    f"{rdf_format.name} without --bulk."
                )
    with _runtime(settings) as runtime, Progress(console=err, transient=True) as progress:
        loader = runtime.loader
        if bulk and not loader.can_bulk_load:
            raise fail("--bulk needs the embedded store; load a remote store without it.")
        task = progress.add_task("loading", total=sum(f.stat().st_size for f in files))
        for path, rdf_format in zip(files, formats, strict=True):
            data = path.read_bytes()
            try:
                if bulk:
                    target = loader.graph_for(path.stem, graph)
                    err.print(
                        f"{path.name}: writing into <{target}>", highlight=False, soft_wrap=True
                    )
                    loader.bulk_load(data, rdf_format, graph=target)
                    err.print(
                        f"{path.name}: bulk-loaded into <{target}>", highlight=False, soft_wrap=True
                    )
                else:
                    parsed = loader.parse(data, rdf_format, stem=path.stem, graph=graph)
                    err.print(
                        f"{path.name}: writing into <{parsed.graph}>",
                        highlight=False,
                        soft_wrap=True,
                    )
                    loader.write(parsed)
                    err.print(
                        f"{path.name}: {parsed.statements} statements into <{parsed.graph}>",
                        highlight=False,
                        soft_wrap=True,
                    )
            except SroError as exc:
                raise fail(f"{path.name}: {exc.detail}") from None
            progress.advance(task, len(data))


def _file_format(path: Path, fmt: str | None) -> RdfFormat:
    """The format of a file to load: ``--format`` if given, else its extension."""
    if not path.is_file():
        raise fail(f"{path}: no such file.")
    found = rdf_format_for_name(fmt) if fmt else rdf_format_for_file_name(path.name)
    if found is None:
        if fmt:
            raise fail(f"Unknown format '{fmt[:50]}'; use one of: {', '.join(RDF_FILE_NAMES)}.")
        raise fail(f"{path.name}: unknown format; pass --format.")
    return found


@app.command("query")
def query_command(
    query: Annotated[
        str,
        typer.Argument(help="A named query (see GET /queries, e.g. lighthouses) or a .rq file."),
    ],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter of the query as name=value (repeatable)."),
    ] = None,
    store: StoreOption = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="csv, tsv, json, xml (results) or ttl, nt, jsonld, rdfxml (graphs), "
            "or a media type. Default: csv, or Turtle for CONSTRUCT/DESCRIBE.",
        ),
    ] = None,
) -> None:
    """Run a named query or a query file (read-only, with the server's limits) and print it."""
    from sro_graph.queries import QueryHeaderError, bound_query, parse_query_file

    raw: dict[str, str] = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise fail(f"--param {item!r}: write name=value.")
        raw[name.strip()] = value
    settings = _settings(store)
    path = Path(query)
    with _runtime(settings) as runtime:
        try:
            if path.suffix == ".rq" or path.is_file():
                if not path.is_file():
                    raise fail(f"{query}: no such query file.")
                text = path.read_text(encoding="utf-8")
                try:
                    qdef = parse_query_file(_kebab(path.stem), text)
                except QueryHeaderError:
                    if raw:
                        raise fail(f"{query}: --param needs a '#+ params:' header.") from None
                    info = runtime.sparql.inspect(text)
                    media_type = _cli_media_type(fmt, info.returns_graph)
                    result = runtime.sparql.run(text, accept=media_type)
                else:
                    runtime.queries.defs[qdef.name] = qdef
                    values = runtime.queries.bind(qdef.name, raw)
                    media_type = _cli_media_type(fmt, qdef.info.returns_graph)
                    result = runtime.sparql.run(
                        bound_query(qdef, values, base=runtime.uris.base), accept=media_type
                    )
            else:
                qdef = runtime.queries.get(query)
                values = runtime.queries.bind(query, raw)
                media_type = _cli_media_type(fmt, qdef.info.returns_graph)
                result = runtime.queries.run(query, values, accept=media_type).raw
        except SroError as exc:
            raise fail(exc.detail) from None
        sys.stdout.buffer.write(result.body)
        if result.truncated:
            err.print(
                f"[yellow]warning:[/yellow] the result was cut at {result.count} rows "
                "(SRO_QUERY_ROW_CAP)."
            )


def _kebab(stem: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in stem.lower()).strip("-") or "query"


def _cli_media_type(fmt: str | None, graph: bool) -> str:
    offers: tuple[str, ...] = GRAPH_RESULT_FORMATS if graph else RESULT_FORMATS
    if fmt is None:
        return RdfFormat.TURTLE if graph else ResultFormat.CSV
    chosen = media_type_for_short_name(fmt) or fmt
    if chosen not in offers:
        raise fail(f"--format {fmt}: use one of {', '.join(offers)}.")
    return chosen


@app.command()
def export(
    store: StoreOption = None,
    fmt: Annotated[str, typer.Option("--format", help="nq (all graphs) or ttl/nt (union).")] = "nq",
) -> None:
    """Write the whole graph to standard output."""
    from sro_graph.backup import export_store

    settings = _settings(store)
    rdf_format = rdf_format_for_name(fmt)
    if rdf_format is None:
        raise fail(f"Unknown format '{fmt[:50]}'; use one of: {', '.join(RDF_FILE_NAMES)}.")
    with _runtime(settings) as runtime:
        data = export_store(runtime.store, rdf_format, prefixes=runtime.uris.prefixes())
    sys.stdout.buffer.write(data)


@app.command("catalog")
def catalog_command(
    store: StoreOption = None,
    fmt: Annotated[str, typer.Option("--format", help="ttl (default), rdf, jsonld or nt.")] = "ttl",
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Validate against the official DCAT-AP Vlaanderen 3.0 shapes (and "
            "Metadata Vlaanderen's rules) instead of printing the catalogue; exit 1 on "
            "violations.",
        ),
    ] = False,
    reference: Annotated[
        Path | None,
        typer.Option(
            "--reference",
            help="Folder with the official shapes and code lists (default: the copies shipped "
            "with sro-graph; see catalog/official/SOURCES.md).",
        ),
    ] = None,
) -> None:
    """Print the DCAT-AP Vlaanderen catalogue, or check it before harvest (--check): the
    corrected DCAT-AP VL 3.0 shapes with code lists and Metadata Vlaanderen's rules, SEMIC's
    DCAT-AP 3.0.1 core shapes, and those with SEMIC's range shapes."""
    from sro_graph import dcat_check
    from sro_graph.catalog import render_catalog

    settings = _settings(store)
    rdf_format = rdf_format_for_name(fmt)
    if rdf_format is None:
        raise fail(f"Unknown format '{fmt[:50]}'; use one of: {', '.join(RDF_FILE_NAMES)}.")
    with _runtime(settings) as runtime:
        snapshot = runtime.catalog.snapshot()
        if not check:
            sys.stdout.buffer.write(render_catalog(snapshot.triples(), rdf_format))
            return
        try:
            shape_sets = dcat_check.load_shape_sets(
                reference or dcat_check.DEFAULT_REFERENCE_DIR,
                runtime.uris.base,
                settings.shapes_dir,
            )
        except SroError as exc:
            raise fail(str(exc)) from None
        graph = snapshot.full_graph()
        reports = [
            (s.name, dcat_check.check_catalog(graph, s.shapes, shapes_used=(s.name,)))
            for s in shape_sets
        ]
    datasets = sum(1 for e in snapshot.entries if e.kind == "dataset")
    services = len(snapshot.entries) - datasets
    out.print(f"{datasets} datasets, {services} data services", highlight=False)
    for name, report in reports:
        for v in report.violations:
            out.print(
                f"{v.focus}  {v.path}  {v.value}\n    {v.message}", highlight=False, soft_wrap=True
            )
        out.print(f"{name}: {report.summary()}", highlight=False, soft_wrap=True)
    if not all(report.conforms for _, report in reports):
        raise typer.Exit(EXIT_VIOLATIONS)


@app.command("token-hash")
def token_hash(token: Annotated[str, typer.Argument(help="A steward token.")]) -> None:
    """Print the hash of a steward token, for an SRO_STEWARDS entry
    (sha256:<hex>=<steward name>|<organisation IRI>)."""
    out.print(hash_token(token), highlight=False)


@app.command()
def backup(
    target: Annotated[Path, typer.Argument(help="File to write (N-Quads; .gz compresses).")],
    store: StoreOption = None,
) -> None:
    """Write every graph of the store, provenance included, to an N-Quads file."""
    from sro_graph.backup import backup_store

    with _runtime(_settings(store), load_knowledge=False) as runtime:
        data = backup_store(runtime.store, compress=target.suffix == ".gz")
    target.write_bytes(data)
    err.print(f"{target}: {len(data)} bytes")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="An N-Quads backup (.nq or .nq.gz).")],
    store: StoreOption = None,
) -> None:
    """Replace the store's content with a backup, in one transaction."""
    from sro_graph.backup import restore_store

    if not source.is_file():
        raise fail(f"{source}: no such file.")
    with _runtime(_settings(store), load_knowledge=False) as runtime:
        try:
            counts = restore_store(runtime.store, source.read_bytes())
        except SroError as exc:
            raise fail(exc.detail) from None
    err.print(f"restored {len(counts)} graphs, {sum(counts.values())} triples")


# -- validation and submissions (issues 3, 13) ------------------------------------------------

DataFormatOption = Annotated[
    str | None,
    typer.Option(
        "--data-format",
        help="Format of the files if their extension does not say: ttl, nt, nq, trig, jsonld, "
        "rdf, or the spreadsheet template (xlsx, csv), or a media type.",
    ),
]


def _upload(path: Path, data_format: str | None) -> Upload:
    """A file as an upload: its bytes and media type (from --data-format or its extension)."""
    from sro_graph.submissions import SheetFormat, upload_format

    if not path.is_file():
        raise fail(f"{path}: no such file.")
    media_type = ""
    if data_format:
        wanted = data_format.strip().lower()
        by_name = {f.extension: f.value for f in SheetFormat}
        rdf_format = rdf_format_for_name(wanted)
        media_type = by_name.get(wanted) or (rdf_format.value if rdf_format else "")
        if not media_type:
            raise fail(
                f"--data-format {data_format[:30]}: use one of "
                f"{', '.join((*RDF_FILE_NAMES, *by_name))} (or a media type)."
            )
    upload = Upload(data=path.read_bytes(), media_type=media_type, name=path.name)
    try:
        upload_format(upload)
    except SroError:
        raise fail(
            f"{path.name}: unknown format (use .ttl, .nt, .nq, .trig, .jsonld, .rdf, or the "
            "spreadsheet template as .xlsx or .csv; or pass --data-format)."
        ) from None
    return upload


def _print_report(body: dict[str, Any]) -> None:
    """A report (its JSON form) as tables: spreadsheet cells, SHACL results, initiatives."""
    from rich.table import Table

    def pick(text: Any) -> str:
        return (text or {}).get("nl") or (text or {}).get("en") or "" if text else ""

    cells = body.get("cells") or []
    if cells:
        table = Table(show_lines=True, title="spreadsheet")
        for column in ("cell", "column", "value", "message"):
            table.add_column(column, overflow="fold")
        for c in cells:
            table.add_row(
                c.get("cell") or f"row {c['row']}",
                c.get("column") or "",
                c.get("value") or "",
                pick(c.get("message")),
            )
        out.print(table)
    results = body.get("results") or []
    if results:
        table = Table(show_lines=True, title="SHACL")
        located = any("row" in r for r in results)
        columns = ("severity", *(("cell",) if located else ()), "focus", "property", "value")
        for column in (*columns, "message"):
            table.add_column(column, overflow="fold")
        for r in results:
            where = (r.get("cell") or (f"row {r['row']}" if r.get("row") else ""),)
            message = r.get("message") or {}
            table.add_row(
                r["severity"],
                *(where if located else ()),
                pick(r.get("focusLabel")) or r["focus"],
                pick(r.get("pathLabel")) or r.get("path") or "",
                r.get("value") or "",
                f"{message.get('nl', '')}\n{message.get('en', '')}",
            )
        out.print(table)
    for item in body.get("initiatives") or []:
        name = pick(item.get("label")) or item["iri"]
        missing = ", ".join(m["code"] for m in item.get("missing", [])) or "-"
        out.print(f"{name}: {item['category']} (missing: {missing})", highlight=False)
    for dataset in body.get("datasets") or []:
        out.print(f"dataset {dataset['iri']}: {dataset['how']['en']}", highlight=False)
    counts = body.get("counts") or {}
    violations = counts.get("violation", 0)
    if body.get("conforms") and body.get("accepted"):
        verdict = "conforms"
    elif body.get("accepted"):
        verdict = "accepted (with warnings or infos: does not conform in SHACL's terms)"
    elif not violations and body.get("checked") == 0:
        verdict = "not accepted: nothing was checked (no thing of a class the shapes validate)"
    else:
        verdict = "does not conform"
    out.print(
        f"{verdict}: {violations} violation(s), {counts.get('warning', 0)} warning(s), "
        f"{counts.get('info', 0)} info",
        highlight=False,
    )


@app.command()
def validate(
    files: Annotated[
        list[Path], typer.Argument(help="RDF files or filled-in templates, validated together.")
    ],
    shapes: Annotated[
        Path | None,
        typer.Option(
            help="Shapes file to use instead of shapes/ (validated without store context)."
        ),
    ] = None,
    output: Annotated[
        str, typer.Option("--format", help="Output: text (tables), json or turtle.")
    ] = "text",
    data_format: DataFormatOption = None,
    store: StoreOption = None,
) -> None:
    """Validate RDF files or the spreadsheet template against the SHACL shapes, storing
    nothing. Exit 0 accepted, 1 violations, 2 unusable input."""
    if output not in ("text", "json", "turtle"):
        raise fail(f"Unknown --format '{output[:30]}'; use text, json or turtle.")
    uploads = [_upload(path, data_format) for path in files]
    shapes_upload = _upload(shapes, None) if shapes is not None else None
    with _runtime(_settings(store or "memory"), in_process_validation=True) as runtime:
        try:
            report = runtime.submissions.check_uploads(uploads, shapes=shapes_upload)
        except SroError as exc:
            raise fail(exc.detail) from None
    if output == "json":
        sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    elif output == "turtle":
        sys.stdout.buffer.write(report.serialize(RdfFormat.TURTLE))
    else:
        _print_report(report.to_json())
    raise typer.Exit(EXIT_OK if report.accepted else EXIT_VIOLATIONS)


@app.command()
def submit(
    files: Annotated[
        list[Path], typer.Argument(help="RDF files or filled-in templates; each one submission.")
    ],
    url: Annotated[
        str,
        typer.Option(
            envvar="SRO_SERVICE_URL",
            help="The running sro-graph service (or SRO_SERVICE_URL).",
        ),
    ] = "http://127.0.0.1:8000",
    token: Annotated[
        str | None,
        typer.Option(envvar="SRO_STEWARD_TOKEN", help="Your steward token (or SRO_STEWARD_TOKEN)."),
    ] = None,
    data_format: DataFormatOption = None,
    replace: Annotated[
        str | None,
        typer.Option(help="Replace this submission (its id) instead of making a new one."),
    ] = None,
    publish: Annotated[
        list[str] | None,
        typer.Option(
            help="A declared dataset (IRI) to publish in the catalogue, or 'all' (repeatable)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check as the service would, store nothing.")
    ] = False,
) -> None:
    """Submit files to a running service over HTTP (POST /submissions), as a steward.
    Exit 0 stored (or, with --dry-run, acceptable), 1 violations, 2 refused or unusable."""
    if not token:
        raise fail("No steward token: pass --token or set SRO_STEWARD_TOKEN.")
    if replace is not None and len(files) != 1:
        raise fail("--replace replaces one submission: give one file.")
    uploads = [_upload(path, data_format) for path in files]
    with SubmitClient(url, token) as client:
        rejected = False
        for upload in uploads:
            outcome = client.send(upload, replace=replace, publish=publish or [], dry_run=dry_run)
            rejected |= outcome
    raise typer.Exit(EXIT_VIOLATIONS if rejected else EXIT_OK)


class SubmitClient:
    """The steward API over HTTP: one client, the token in every request's header only."""

    def __init__(self, url: str, token: str) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(120.0, connect=10.0),
        )

    def __enter__(self) -> SubmitClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        import httpx

        try:
            return self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise fail(
                f"Cannot reach the service at {self.url} ({type(exc).__name__}); is it running? "
                "Pass --url or set SRO_SERVICE_URL."
            ) from None

    def send(
        self, upload: Upload, *, replace: str | None, publish: list[str], dry_run: bool
    ) -> bool:
        """Submit one upload; True when refused for violations."""
        name = upload.name or "upload"
        headers = {"Content-Type": upload.media_type or _media_type_of(upload)}
        params = {"publish": publish} if publish else {}
        if dry_run:
            if replace:
                params["replaces"] = [replace]
            response = self._call(
                "POST", "/submissions/check", content=upload.data, headers=headers, params=params
            )
        elif replace:
            current = self._call("GET", f"/submissions/{replace}")
            if current.status_code != 200:
                raise fail(f"{name}: {_problem(current)}")
            headers["If-Match"] = current.headers.get("etag", "")
            response = self._call(
                "PUT",
                f"/submissions/{replace}",
                content=upload.data,
                headers=headers,
                params=params,
            )
        else:
            response = self._call(
                "POST", "/submissions", content=upload.data, headers=headers, params=params
            )
        if response.status_code == 422 and "report" in response.json():
            body = response.json()
            err.print(f"{name}: refused, {body['detail']}", highlight=False)
            _print_report(body["report"])
            return True
        if response.status_code >= 400:
            raise fail(f"{name}: {_problem(response)}")
        body = response.json()
        if dry_run:
            _print_report(body)
            verdict = "would be accepted" if body.get("accepted") else "would be refused"
            out.print(f"{name}: {verdict} (nothing stored)", highlight=False)
            return not body.get("accepted")
        warnings = body.get("warnings", 0)
        out.print(
            f"{name}: stored as {body['iri']} ({self.url}{body['href']}, {warnings} warning(s))",
            highlight=False,
        )
        for dataset in body.get("report", {}).get("datasets", []):
            out.print(f"  dataset {dataset['iri']}: {dataset['how']['en']}", highlight=False)
        return False


def _media_type_of(upload: Upload) -> str:
    from sro_graph.submissions import SheetFormat, upload_format

    fmt = upload_format(upload)
    return fmt.value if isinstance(fmt, SheetFormat | RdfFormat) else ""


def _problem(response: Any) -> str:
    """The service's own words for a refused request."""
    try:
        body = response.json()
        detail = f"{body.get('error', 'error')}: {body.get('detail', '')}"
    except ValueError:
        detail = response.text[:300]
    hints = {
        401: " (pass --token or set SRO_STEWARD_TOKEN)",
        403: " (is --token / SRO_STEWARD_TOKEN your steward token, and is the submission yours?)",
    }
    return f"HTTP {response.status_code}, {detail}{hints.get(response.status_code, '')}"


def main() -> None:
    app()


if __name__ == "__main__":
    main()
