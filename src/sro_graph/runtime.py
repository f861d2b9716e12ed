"""The running system: settings, URIs, the opened store and the services built on it.

Shared by the web app (made in its lifespan) and the CLI (made per command), so both run the
same services. Services are built on first use and closed with the runtime.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sro_graph.config import Settings
from sro_graph.errors import BusyError, InputError, QueryTimeoutError, StoreUnavailableError
from sro_graph.knowledge import (
    LoadReport,
    base_knowledge_files,
    examples_loaded,
    load_base_knowledge,
)
from sro_graph.ldes import RecordingStore
from sro_graph.store import (
    Store,
    StoreBusy,
    StoreError,
    StoreQueryError,
    StoreTimeout,
    open_store,
)
from sro_graph.vocab import Uris

if TYPE_CHECKING:
    from sro_graph.catalog import Catalog
    from sro_graph.foundingtext import FoundingTextViews
    from sro_graph.instruments import Instruments
    from sro_graph.ldes import ChangeStream
    from sro_graph.linkeddata import LinkedData
    from sro_graph.loading import FileLoader
    from sro_graph.queries import NamedQueries
    from sro_graph.sparql import QueryRunner
    from sro_graph.submissions import SubmissionService
    from sro_graph.validation import Validator

log = logging.getLogger(__name__)

# How long the answer of Runtime.examples_loaded is reused before the store is asked again.
_EXAMPLES_RECHECK_S = 2.0


@dataclass
class Runtime:
    settings: Settings
    uris: Uris
    store: Store
    # The CLI validates in its own process (one user, no worker pool to start).
    in_process_validation: bool = False
    _closers: list[Callable[[], None]] = field(default_factory=list)
    _examples_checked: tuple[float, bool] | None = field(default=None, init=False, repr=False)

    def on_close(self, closer: Callable[[], None]) -> None:
        self._closers.append(closer)

    def load_base_knowledge(self) -> LoadReport:
        files = base_knowledge_files(
            self.settings.project_root, self.uris, examples=self.settings.load_examples
        )
        report = load_base_knowledge(self.store, self.uris, files)
        self._examples_checked = None
        return report

    def examples_loaded(self) -> bool:
        """Whether the store holds illustrative example data, so that answers must say so.

        Read from the store, not from this process's setting (another process sharing a
        remote store may have loaded them); re-read at most every few seconds. Either of the
        two (setting or store) is enough to say yes.
        """
        now = time.monotonic()
        checked = self._examples_checked
        if checked is None or now - checked[0] > _EXAMPLES_RECHECK_S:
            found = self.settings.load_examples or examples_loaded(self.store, self.uris)
            self._examples_checked = checked = (now, found)
        return checked[1]

    def examples_known(self) -> bool | None:
        """:meth:`examples_loaded` if its last answer is fresh (no store call: an event loop
        may ask), else ``None``."""
        checked = self._examples_checked
        if checked is None or time.monotonic() - checked[0] > _EXAMPLES_RECHECK_S:
            return None
        return checked[1]

    @cached_property
    def known_contexts(self) -> dict[str, object]:
        """JSON-LD contexts we serve ourselves, by URL, for local substitution."""
        from sro_graph.jsonld import known_contexts

        return known_contexts(self.settings.ontology_dir, self.uris)

    @cached_property
    def validator(self) -> Validator:
        """SHACL validation against shapes/ (worker pool started on first use)."""
        from sro_graph.validation import make_validator

        validator = make_validator(
            self.settings.shapes_dir,
            self.settings.ontology_dir,
            self.uris,
            workers=0 if self.in_process_validation else self.settings.validation_workers,
            timeout_s=self.settings.validation_timeout_s,
            steward_workers=self.settings.validation_steward_workers,
        )
        self.on_close(validator.close)
        return validator

    @cached_property
    def submissions(self) -> SubmissionService:
        """The submission gate: validate, then store with provenance."""
        from sro_graph.submissions import SheetLimits, SubmissionService

        return SubmissionService(
            self.store,
            self.uris,
            self.validator,
            max_bytes=self.settings.max_body_bytes,
            known_contexts=self.known_contexts,
            stewards=self.settings.stewards,
            sheet_limits=SheetLimits(max_rows=self.settings.sheet_max_rows),
        )

    @cached_property
    def executor(self) -> ThreadPoolExecutor:
        """Threads for the blocking part of queries that hold a slot (starting a query worker,
        a long text, a remote store's HTTP call, an in-memory query), made with the runtime
        and shut down with it.

        Only work inside the query slots runs here, so it never queues: one thread per slot,
        and as many again for threads of cancelled requests still finishing. It decides
        nothing: "busy" is the slots' (``sparql.QuerySlots``).
        """
        executor = ThreadPoolExecutor(
            max_workers=2 * self.settings.query_concurrency, thread_name_prefix="sro-work"
        )
        self.on_close(lambda: executor.shutdown(wait=True, cancel_futures=True))
        return executor

    @cached_property
    def sparql(self) -> QueryRunner:
        """User SPARQL with the allow-list, time, row and concurrency limits."""
        from sro_graph.sparql import QueryRunner

        return QueryRunner(
            self.store,
            timeout_s=self.settings.query_timeout_s,
            row_cap=self.settings.query_row_cap,
            concurrency=self.settings.query_concurrency,
            executor=self.executor,
            allowlist=self.settings.sparql_allowlist,
            queue_s=self.settings.query_queue_s,
            base_iri=f"{self.settings.base_uri}/sparql",
            prefixes=self.uris.prefixes(),
            max_bytes=self.settings.sparql_max_result_bytes,
        )

    @cached_property
    def queries(self) -> NamedQueries:
        """The named queries of queries/*.rq, run through :attr:`sparql`."""
        from sro_graph.queries import NamedQueries, load_query_defs

        return NamedQueries(
            load_query_defs(self.settings.queries_dir),
            self.sparql,
            self.store,
            self.uris,
            examples_loaded=self.examples_loaded,
        )

    @cached_property
    def linkeddata(self) -> LinkedData:
        """Descriptions of resources for /id, /doc, /ns and the HTML pages."""
        from sro_graph.jsonld import load_context
        from sro_graph.linkeddata import LinkedData

        return LinkedData(
            self.store,
            self.uris,
            load_context(self.settings.ontology_dir, self.uris),
            describers=(self.catalog.describe, self.change_stream.describe),
        )

    @cached_property
    def catalog(self) -> Catalog:
        """The DCAT-AP Vlaanderen catalogue, rebuilt when the store version changes."""
        from sro_graph.catalog import Catalog
        from sro_graph.jsonld import CONTEXT_PATH, load_context

        return Catalog(
            self.store,
            self.uris,
            refresh_s=self.settings.catalog_refresh_s,
            context=(
                load_context(self.settings.ontology_dir, self.uris),
                self.uris.base + CONTEXT_PATH,
            ),
        )

    @cached_property
    def change_stream(self) -> ChangeStream:
        """Initiatives and organisations as a Linked Data Event Stream."""
        from sro_graph.ldes import ChangeStream

        return ChangeStream(self.store, self.uris)

    @cached_property
    def instruments(self) -> Instruments:
        """The Smart Region Office's instruments (partners, lighthouses, coverage, ...)."""
        from sro_graph.instruments import Instruments

        return Instruments(self.queries, self.store, self.uris)

    @cached_property
    def founding_text(self) -> FoundingTextViews:
        """What the founding text says the SRO does: tasks, commitments, deliverables."""
        from sro_graph.foundingtext import FoundingTextViews

        return FoundingTextViews(self.queries, self.store, self.uris)

    @cached_property
    def loader(self) -> FileLoader:
        """RDF files into their own named graphs (the ``load`` command)."""
        from sro_graph.loading import FileLoader

        return FileLoader(self.store, self.uris, known_contexts=self.known_contexts)

    def close(self) -> None:
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:  # closing must go on for the others
                log.exception("error while closing")
        self.store.close()


def open_runtime(
    settings: Settings,
    *,
    load_knowledge: bool | None = None,
    in_process_validation: bool = False,
) -> Runtime:
    """Open the configured store and, unless told otherwise, load the base knowledge.

    ``in_process_validation``: validate in this process (the CLI), without a worker pool."""
    uris = Uris(settings.base_uri)
    store = open_store(
        settings.store,
        system_graph=str(uris.system_graph),
        update_url=settings.store_update,
        user=settings.store_user,
        password=settings.store_password.get_secret_value() if settings.store_password else None,
        timeout_s=settings.store_timeout_s,
        query_workers=settings.query_concurrency,
        workers_network=bool(settings.sparql_allowlist),
        kind=settings.store_kind,
        graph_store_url=settings.store_graph_store,
        store_time_limit_s=settings.store_time_limit_s,
    )
    # Every write records the change stream (initiatives, organisations) in its transaction.
    recording = RecordingStore(store, uris)
    runtime = Runtime(
        settings=settings, uris=uris, store=recording, in_process_validation=in_process_validation
    )
    try:
        if settings.load_base_knowledge if load_knowledge is None else load_knowledge:
            report = runtime.load_base_knowledge()
            log.info(
                "base knowledge: %d loaded, %d unchanged", len(report.loaded), len(report.unchanged)
            )
        added = recording.reconcile()  # writes that bypassed the recorder (bulk loads)
        if added:
            log.info("change stream: %d versions recorded from the store as it is", added)
    except Exception:
        runtime.close()
        raise
    return runtime


@contextmanager
def service_errors() -> Iterator[None]:
    """Store errors that reach a caller outside the services, as service errors.

    The web app maps store errors itself (``web/errors.py``); the CLI, which knows only
    ``SroError``, runs its commands inside this.
    """
    try:
        yield
    except StoreBusy as exc:
        raise BusyError(str(exc)) from exc
    except StoreTimeout as exc:
        raise QueryTimeoutError(str(exc)) from exc
    except StoreQueryError as exc:  # a query or data the store refused
        raise InputError(str(exc)) from exc
    except StoreError as exc:
        raise StoreUnavailableError(str(exc)) from exc
