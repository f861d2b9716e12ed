"""The ``sro-graph`` command line: the same services as the web app, one exit-code map.

Exit codes: 0 success (or conforming data), 1 violations, 2 unusable input or failure.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from sro_graph.config import Settings, hash_token
from sro_graph.errors import SroError
from sro_graph.logs import configure_logging
from sro_graph.rdfio import RdfFormat, format_from_filename, format_from_name, parse_rdf
from sro_graph.runtime import Runtime, open_runtime
from sro_graph.store import GraphWrite, StoreError

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
    typer.Option("--store", help="A folder, 'memory', or sparql+http(s)://host/query "
                 "(default: SRO_STORE)."),
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
        runtime = open_runtime(settings, load_knowledge=load_knowledge)
    except (StoreError, SroError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_UNUSABLE) from None
    try:
        yield runtime
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
) -> None:
    """Serve the graph over HTTP (SPARQL, named queries, validation, catalogue, pages)."""
    import uvicorn

    from sro_graph.web.app import create_app

    settings = _settings(store)
    if workers > 1 and not settings.is_remote_store:
        raise fail("Several workers need a shared remote store (an embedded store is "
                   "opened by one process).")
    if workers > 1:
        import os

        os.environ["SRO_STORE"] = settings.store
        uvicorn.run("sro_graph.web.asgi:app", host=host, port=port, workers=workers,
                    log_level="info")
        return
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="RDF files; each replaces its own graph.")],
    store: StoreOption = None,
    graph: Annotated[str | None, typer.Option(help="Graph IRI (one file only).")] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="Format if the extension does not say "
                     "(ttl, nt, nq, trig, jsonld, rdf)."),
    ] = None,
) -> None:
    """Load RDF files, each atomically into its own named graph (reloading replaces it)."""
    settings = _settings(store)
    if graph and len(files) > 1:
        raise fail("--graph names one graph; give one file.")
    with _runtime(settings) as runtime, Progress(console=err, transient=True) as progress:
        task = progress.add_task("loading", total=sum(f.stat().st_size for f in files
                                                       if f.is_file()))
        for path in files:
            if not path.is_file():
                raise fail(f"{path}: no such file.")
            rdf_format = format_from_name(fmt) if fmt else format_from_filename(path.name)
            if rdf_format is None:
                raise fail(f"{path.name}: unknown format; pass --format.")
            data = path.read_bytes()
            try:
                parsed = parse_rdf(data, rdf_format, base_iri=settings.base_uri + "/",
                                   known_contexts=runtime.known_contexts)
            except SroError as exc:
                raise fail(f"{path.name}: {exc.detail}") from None
            target = graph or f"{settings.base_uri}/graph/bestand/{path.stem}"
            runtime.store.write(GraphWrite(replace={target: parsed.graph}),
                                new_version=uuid.uuid4().hex)
            progress.advance(task, len(data))
            err.print(f"{path.name}: {parsed.statements} statements into <{target}>")


@app.command("query")
def query_command(
    query: Annotated[str, typer.Argument(help="A .rq file or a named query.")],
    store: StoreOption = None,
    fmt: Annotated[str, typer.Option("--format", help="Result media type.")] =
        "text/csv",
) -> None:
    """Run a SPARQL query file and print the result."""
    settings = _settings(store)
    path = Path(query)
    if not path.is_file():
        raise fail(f"{query}: no such query file.")
    with _runtime(settings) as runtime:
        try:
            result = runtime.store.query_raw(path.read_text(encoding="utf-8"), accept=fmt)
        except StoreError as exc:
            raise fail(str(exc)) from None
        sys.stdout.buffer.write(result.body)


@app.command()
def export(
    store: StoreOption = None,
    fmt: Annotated[str, typer.Option("--format", help="nq (all graphs) or ttl/nt (union).")] =
        "nq",
) -> None:
    """Write the whole graph to standard output."""
    settings = _settings(store)
    rdf_format = format_from_name(fmt)
    with _runtime(settings) as runtime:
        if rdf_format is RdfFormat.NQUADS:
            sys.stdout.buffer.write(runtime.store.dump())
            return
        graph = runtime.store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        from sro_graph.rdfio import serialize_graph

        sys.stdout.buffer.write(
            serialize_graph(graph, rdf_format, prefixes=runtime.uris.prefixes()))


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
