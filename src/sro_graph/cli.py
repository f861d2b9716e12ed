"""The ``sro-graph`` command line: the same services as the web app, one exit-code map.

Exit codes: 0 success (or conforming data), 1 violations, 2 unusable input or failure.
"""

from __future__ import annotations

import hmac
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rdflib import Graph
from rich.console import Console
from rich.progress import Progress

from sro_graph.config import Settings, hash_token
from sro_graph.errors import SroError, ValidationFailedError
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
from sro_graph.validation import Report, fetch_context, refuse_unsafe_shapes

if TYPE_CHECKING:
    from sro_graph.submissions import SubmissionService

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
def _runtime(settings: Settings, *, load_knowledge: bool | None = None) -> Iterator[Runtime]:
    configure_logging(settings.log_level, settings.log_format)
    try:
        with service_errors():
            runtime = open_runtime(settings, load_knowledge=load_knowledge)
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
            help="Folder with the official shapes and code lists (default: "
            "../shared/reference/oslo beside the project).",
        ),
    ] = None,
) -> None:
    """Print the DCAT-AP Vlaanderen catalogue, or check it before harvest (--check)."""
    from sro_graph import dcat_check
    from sro_graph.catalog import render_catalog

    settings = _settings(store)
    rdf_format = rdf_format_for_name(fmt)
    if rdf_format is None:
        raise fail(f"Unknown format '{fmt[:50]}'; use one of: {', '.join(RDF_FILE_NAMES)}.")
    with _runtime(settings) as runtime:
        snapshot = runtime.catalog.snapshot()
        if not check:
            sys.stdout.buffer.write(render_catalog(snapshot.full_graph(), rdf_format))
            return
        try:
            shapes = dcat_check.load_check_shapes(
                reference or dcat_check.DEFAULT_REFERENCE_DIR,
                runtime.uris.base,
                settings.shapes_dir,
            )
        except SroError as exc:
            raise fail(str(exc)) from None
        report = dcat_check.check_catalog(snapshot.full_graph(), shapes)
    for v in report.violations:
        out.print(f"{v.focus}  {v.path}  {v.value}\n    {v.message}", highlight=False)
    datasets = sum(1 for e in snapshot.entries if e.kind == "dataset")
    services = len(snapshot.entries) - datasets
    out.print(f"{datasets} datasets, {services} data services: {report.summary()}", highlight=False)
    if not report.conforms:
        raise typer.Exit(EXIT_VIOLATIONS)


@app.command("token-hash")
def token_hash(token: Annotated[str, typer.Argument(help="A steward token.")]) -> None:
    """Print the hash of a steward token, for SRO_STEWARD_TOKEN_HASHES."""
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


# -- validation and submissions (issue 3) -----------------------------------------------------


def _submission_service(runtime: Runtime) -> SubmissionService:
    """The gate with an in-process validator: one user, no worker pool to start."""
    from sro_graph.submissions import SubmissionService
    from sro_graph.validation import make_validator

    settings = runtime.settings
    validator = make_validator(
        settings.shapes_dir,
        settings.ontology_dir,
        runtime.uris,
        workers=0,
        timeout_s=settings.validation_timeout_s,
    )
    return SubmissionService(
        runtime.store,
        runtime.uris,
        validator,
        max_bytes=settings.max_body_bytes,
        known_contexts=runtime.known_contexts,
    )


def _read_rdf_file(path: Path, fmt: str | None) -> tuple[bytes, RdfFormat]:
    if not path.is_file():
        raise fail(f"{path}: no such file.")
    rdf_format = rdf_format_for_name(fmt) if fmt else rdf_format_for_file_name(path.name)
    if fmt and rdf_format is None:
        raise fail(f"Unknown format '{fmt[:50]}'; use one of: {', '.join(RDF_FILE_NAMES)}.")
    if rdf_format is None:
        raise fail(
            f"{path.name}: unknown format (use .ttl, .nt, .nq, .trig, .jsonld or .rdf, "
            "or pass --format)."
        )
    return path.read_bytes(), rdf_format


def _print_report(report: Report) -> None:
    from rich.table import Table

    counts = report.counts
    if report.results:
        table = Table(show_lines=True, title="SHACL")
        for column in ("severity", "focus", "property", "value", "message"):
            table.add_column(column, overflow="fold")
        for r in report.results:
            focus = (r.focus_label or {}).get("nl") or r.focus
            prop = (r.path_label or {}).get("nl") or r.path or ""
            table.add_row(
                r.severity, focus, prop, r.value or "", f"{r.message['nl']}\n{r.message['en']}"
            )
        out.print(table)
    for item in report.initiatives:
        name = (item.label or {}).get("nl") or item.iri
        missing = ", ".join(m.code for m in item.missing) or "-"
        out.print(f"{name}: {item.category} (missing: {missing})", highlight=False)
    if report.conforms and report.accepted:
        verdict = "conforms"
    elif report.accepted:
        verdict = "accepted (with warnings or infos: does not conform in SHACL's terms)"
    elif report.checked == 0:
        verdict = "not accepted: nothing was checked (no thing of a class the shapes validate)"
    else:
        verdict = "does not conform"
    out.print(
        f"{verdict}: {counts['violation']} violation(s), {counts['warning']} warning(s), "
        f"{counts['info']} info",
        highlight=False,
    )


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="RDF files, validated together.")],
    shapes: Annotated[
        Path | None,
        typer.Option(
            help="Shapes file to use instead of shapes/ (validated without store context)."
        ),
    ] = None,
    output: Annotated[
        str, typer.Option("--format", help="text (a table), json or turtle.")
    ] = "text",
    data_format: Annotated[
        str | None,
        typer.Option("--data-format", help="Format of the files if their extension does not say."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Validate RDF files against the SHACL shapes. Exit 0 conforms, 1 violations, 2 unusable."""
    import json

    if output not in ("text", "json", "turtle"):
        raise fail(f"Unknown --format '{output[:30]}'; use text, json or turtle.")
    settings = _settings(store or "memory")
    loaded = [_read_rdf_file(path, data_format) for path in files]
    shapes_input = _read_rdf_file(shapes, None) if shapes is not None else None
    with _runtime(settings) as runtime:
        service = _submission_service(runtime)
        try:
            graph = Graph()
            for (data, rdf_format), path in zip(loaded, files, strict=True):
                try:
                    graph += service.parse(data, rdf_format)
                except SroError as exc:
                    raise fail(f"{path.name}: {exc.detail}") from None
            if shapes_input is not None:
                try:
                    shapes_graph = service.parse(*shapes_input)
                    refuse_unsafe_shapes(shapes_graph)
                except SroError as exc:
                    raise fail(f"{shapes.name if shapes else ''}: {exc.detail}") from None
                report = service.validator.validate(graph, shapes=shapes_graph)
            else:
                report = service.validator.validate(
                    graph, context=fetch_context(runtime.store, graph)
                )
        except SroError as exc:
            raise fail(exc.detail) from None
        finally:
            service.validator.close()
    if output == "json":
        sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    elif output == "turtle":
        sys.stdout.buffer.write(report.serialize(RdfFormat.TURTLE))
    else:
        _print_report(report)
    raise typer.Exit(EXIT_OK if report.accepted else EXIT_VIOLATIONS)


@app.command()
def submit(
    files: Annotated[list[Path], typer.Argument(help="RDF files; each becomes one submission.")],
    token: Annotated[
        str,
        typer.Option(envvar="SRO_STEWARD_TOKEN", help="Your steward token (or SRO_STEWARD_TOKEN)."),
    ],
    data_format: Annotated[
        str | None, typer.Option("--format", help="Format if the extension does not say.")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Validate and store RDF files as submissions (as POST /submissions does)."""
    settings = _settings(store)
    token_hash_value = hash_token(token)
    if not any(
        hmac.compare_digest(token_hash_value.encode(), known.encode())
        for known in settings.steward_token_hashes
    ):
        raise fail("This token may not write submissions (not in SRO_STEWARD_TOKEN_HASHES).")
    loaded = [_read_rdf_file(path, data_format) for path in files]
    rejected = False
    with _runtime(settings) as runtime:
        service = _submission_service(runtime)
        try:
            for (data, rdf_format), path in zip(loaded, files, strict=True):
                try:
                    accepted = service.submit(data, rdf_format.value, submitter=token_hash_value)
                except ValidationFailedError as exc:
                    rejected = True
                    err.print(f"{path.name}: refused, {exc.detail}", highlight=False)
                    _print_report(exc.report)
                    continue
                except SroError as exc:
                    raise fail(f"{path.name}: {exc.detail}") from None
                warnings = accepted.report.counts["warning"]
                out.print(
                    f"{path.name}: stored as {accepted.submission.iri} ({warnings} warning(s))",
                    highlight=False,
                )
        finally:
            service.validator.close()
    raise typer.Exit(EXIT_VIOLATIONS if rejected else EXIT_OK)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
