"""The submission service: check, submit, replace, withdraw, read and list submissions.

Every write goes the same way: who (the steward, and whether they may touch this
submission) → parse (RDF or spreadsheet) → refuse what the gate refuses → validate → one
atomic ``store.write`` of the submission's graph and its PROV record, conditional on the
store's version. A write that loses to another process reads again and decides again, so
processes sharing a remote store cannot overwrite each other; the lock only spares this
process pointless retries.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef

from sro_graph.config import Steward
from sro_graph.errors import (
    BadParameterError,
    BusyError,
    ConflictingDataError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
    SroError,
    ValidationFailedError,
)
from sro_graph.rdfio import ParsedRdf, RdfFormat, parse_rdf
from sro_graph.store import GraphWrite, Store, StoreConflict
from sro_graph.submissions.gate import Gate
from sro_graph.submissions.provenance import revision_record, withdrawal_record
from sro_graph.submissions.records import (
    Submission,
    list_submission_ids,
    read_submission,
    steward_iri,
)
from sro_graph.submissions.report import DatasetNote, Location, SubmissionReport
from sro_graph.submissions.sheets import (
    CodeLists,
    SheetLimits,
    codes_csv,
    read_code_lists,
    template_csv,
    template_xlsx,
)
from sro_graph.submissions.stewards import StewardRegistry
from sro_graph.submissions.uploads import Parsed, Upload, parse_upload
from sro_graph.validation import Lane, Report, Validator, fetch_context, refuse_unsafe_shapes
from sro_graph.vocab import DCAT, DCTERMS, RDF, SKOS, Uris

# Conditional writes that lose to another writer are tried again this often before "busy".
_WRITE_ATTEMPTS = 5
_TITLES = 20
PUBLISH_ALL = "all"


@dataclass
class _Checked:
    """An upload as the gate checked it, and what the check saw of the store: SHACL's verdict
    holds for as long as the store context it was given is unchanged."""

    parsed: Parsed
    report: SubmissionReport
    publish: set[URIRef]
    context: frozenset[tuple[Any, Any, Any]]
    version: str


@dataclass(frozen=True)
class Accepted:
    """A stored submission and the report it passed with (warnings are flagged there)."""

    submission: Submission
    report: SubmissionReport


class SubmissionService:
    """Validate-then-store for steward uploads; list, read, replace and withdraw."""

    def __init__(
        self,
        store: Store,
        uris: Uris,
        validator: Validator,
        *,
        max_bytes: int,
        known_contexts: Mapping[str, Any] | None = None,
        stewards: Iterable[Steward] = (),
        sheet_limits: SheetLimits | None = None,
    ) -> None:
        self.store = store
        self.uris = uris
        self.validator = validator
        self.max_bytes = max_bytes
        self.known_contexts = dict(known_contexts or {})
        self.stewards = StewardRegistry(stewards)
        self.sheet_limits = sheet_limits or SheetLimits()
        self.gate = Gate(store, uris)
        self._lock = threading.Lock()

    # -- validation without storage ------------------------------------------------------------

    def parse(self, data: bytes, fmt: RdfFormat) -> Graph:
        """Parse uploaded RDF safely (caps, DOCTYPE, remote contexts refused).

        Raises:
            TooLargeError, UnsafeInputError, UnparseableError.
        """
        return self._parse_rdf(data, fmt).graph

    def _parse_rdf(self, data: bytes, fmt: RdfFormat) -> ParsedRdf:
        """As :meth:`parse`, with what the parse noticed (JSON-LD keys it dropped)."""
        return parse_rdf(
            data,
            fmt,
            base_iri=self.uris.base + "/",
            max_bytes=self.max_bytes,
            known_contexts=self.known_contexts,
        )

    def check(
        self,
        data: bytes,
        fmt: RdfFormat,
        *,
        shapes: bytes | None = None,
        shapes_format: RdfFormat | None = None,
    ) -> Report:
        """Validate uploaded RDF without storing it (``POST /validate``).

        With the server's shapes the data is seen with its minimal store context; with
        uploaded ``shapes`` it is validated on its own, exactly as pySHACL would.
        """
        parsed = self._parse_rdf(data, fmt)
        graph = parsed.graph
        if shapes is not None:
            shapes_graph = self.parse(shapes, shapes_format or RdfFormat.TURTLE)
            refuse_unsafe_shapes(shapes_graph)
            return self.validator.validate(
                graph, shapes=shapes_graph, undefined_terms=parsed.undefined_terms
            )
        return self.validator.validate(
            graph,
            context=fetch_context(self.store, graph),
            undefined_terms=parsed.undefined_terms,
        )

    def check_uploads(
        self,
        uploads: Sequence[Upload],
        *,
        shapes: Upload | None = None,
    ) -> SubmissionReport:
        """Validate files together, RDF or spreadsheets, storing nothing (``sro-graph
        validate``): the report points at rows and columns for spreadsheets.

        Raises:
            UnsupportedFormatError, TooLargeError, UnsafeInputError, UnparseableError,
            InputError.
        """
        parsed = [self._parse_named(upload) for upload in uploads]
        graph = Graph()
        for item in parsed:
            graph += item.graph
        undefined = [term for item in parsed for term in item.undefined_terms]
        if shapes is not None:
            shapes_graph = self._parse_named(shapes).graph
            refuse_unsafe_shapes(shapes_graph)
            report = self.validator.validate(graph, shapes=shapes_graph, undefined_terms=undefined)
        else:
            report = self.validator.validate(
                graph, context=fetch_context(self.store, graph), undefined_terms=undefined
            )
        return self._report(report, parsed, graph, publish=set())

    def parse_upload(self, upload: Upload) -> Parsed:
        """An upload (RDF or the spreadsheet template) as one graph.

        Raises:
            UnsupportedFormatError, TooLargeError, UnsafeInputError, UnparseableError,
            InputError.
        """
        return parse_upload(
            upload,
            uris=self.uris,
            max_bytes=self.max_bytes,
            known_contexts=self.known_contexts,
            limits=self.sheet_limits,
            codes=self.code_lists,
        )

    def _parse_named(self, upload: Upload) -> Parsed:
        """As :meth:`parse_upload`, each error naming the file it is about."""
        try:
            return self.parse_upload(upload)
        except SroError as exc:
            if upload.name:
                exc.detail = f"{upload.name}: {exc.detail}"
            raise

    def preview(
        self,
        upload: Upload,
        *,
        steward: Steward,
        replaces: str | None = None,
        publish: Sequence[str] = (),
    ) -> SubmissionReport:
        """Everything a submission (or, with ``replaces``, a replace) would check, storing
        nothing: the gate's refusals raise, the report says whether it would be accepted.

        Raises:
            what :meth:`submit` and :meth:`replace` raise, but ValidationFailedError.
        """
        if replaces is not None:
            current = self._changeable(replaces, steward, "replace")
            target = current.graph
        else:
            target = str(self.uris.submission_graph(uuid.uuid4().hex))
        checked = self._gate(upload, target, publish)
        if replaces is not None:
            self.gate.refuse_dependents(target, "replace it", keeping=checked.parsed.graph)
        return checked.report

    # -- writes ----------------------------------------------------------------------------------

    def submit(self, upload: Upload, *, steward: Steward, publish: Sequence[str] = ()) -> Accepted:
        """Validate and store a new submission, owned by ``steward``.

        Args:
            publish: dataset IRIs the submission declares that the steward asks to publish
                in the catalogue (``all``: every declared dataset).

        Raises:
            UnsupportedFormatError, TooLargeError, UnsafeInputError, UnparseableError,
            InputError, ConflictingDataError, BadParameterError (``publish``),
            ValidationFailedError (violations; nothing stored), BusyError.
        """
        submission_id = uuid.uuid4().hex
        target = str(self.uris.submission_graph(submission_id))
        checked = self._gate(upload, target, publish)
        if not checked.report.accepted:  # fail closed: violations, or nothing checked at all
            raise _failed(checked.report)
        parsed = checked.parsed
        etag = uuid.uuid4().hex
        agent = steward_iri(steward.id)

        def attempt(version: str) -> None:
            self._refuse_taken(parsed, target)
            self._still_valid(checked, version)
            record = revision_record(
                self.uris,
                submission_id,
                etag,
                agent=agent,
                steward=steward,
                data=upload.data,
                media_type=parsed.media_type,
                report=checked.report.to_json(),
                conforms=checked.report.conforms,
                titles=_titles(parsed.graph, self.uris),
                publish=checked.publish,
                previous_etag=None,
            )
            self.store.write(
                GraphWrite(
                    replace={target: parsed.graph},
                    add={str(self.uris.provenance_graph): record},
                ),
                new_version=uuid.uuid4().hex,
                if_version=version,
            )

        self._conditionally(attempt, landed=lambda: self._has_revision(submission_id, etag))
        return Accepted(submission=self.get(submission_id), report=checked.report)

    def replace(
        self,
        submission_id: str,
        upload: Upload,
        *,
        steward: Steward,
        if_match: str | None,
        publish: Sequence[str] = (),
    ) -> Accepted:
        """Replace a submission's graph atomically, if ``if_match`` is its current ETag.

        Raises:
            NotFoundError, ForbiddenError (not the owner), PreconditionRequiredError (no
            If-Match), PreconditionFailedError, DependentsError (others reference what the
            replacement drops), and what :meth:`submit` raises.
        """
        current = self._changeable(submission_id, steward, "replace")
        if if_match is None:
            raise PreconditionRequiredError(
                "Replacing a submission needs an If-Match header with its current ETag (from "
                "GET /submissions/{id}), so that concurrent replaces cannot overwrite each other."
            )
        _require_etag(current, if_match, "replacing")
        target = current.graph
        checked = self._gate(upload, target, publish)
        if not checked.report.accepted:  # fail closed: violations, or nothing checked at all
            raise _failed(checked.report)
        parsed = checked.parsed
        etag = uuid.uuid4().hex
        agent = steward_iri(steward.id)

        def attempt(version: str) -> None:
            previous = self._changeable(submission_id, steward, "replace")
            _require_etag(previous, if_match, "replacing")
            self._refuse_taken(parsed, target)
            self.gate.refuse_dependents(target, "replace it", keeping=parsed.graph)
            self._still_valid(checked, version)
            record = revision_record(
                self.uris,
                submission_id,
                etag,
                agent=agent,
                steward=steward,
                data=upload.data,
                media_type=parsed.media_type,
                report=checked.report.to_json(),
                conforms=checked.report.conforms,
                titles=_titles(parsed.graph, self.uris),
                publish=checked.publish,
                previous_etag=previous.etag,
            )
            self.store.write(
                GraphWrite(
                    replace={target: parsed.graph},
                    add={str(self.uris.provenance_graph): record},
                ),
                new_version=uuid.uuid4().hex,
                if_version=version,
            )

        self._conditionally(attempt, landed=lambda: self._has_revision(submission_id, etag))
        return Accepted(submission=self.get(submission_id), report=checked.report)

    def withdraw(self, submission_id: str, *, steward: Steward, if_match: str | None) -> Submission:
        """Remove a submission's graph; its provenance stays, marked invalidated.

        Raises:
            NotFoundError (also when already withdrawn), ForbiddenError (not the owner),
            PreconditionRequiredError (no If-Match), PreconditionFailedError,
            DependentsError (other submissions reference its subjects), BusyError.
        """
        current = self._changeable(submission_id, steward, "withdraw")
        if if_match is None:
            raise PreconditionRequiredError(
                "Withdrawing a submission needs an If-Match header with its current ETag (from "
                "GET /submissions/{id}), so that a withdrawal cannot undo a replace it never saw."
            )
        _require_etag(current, if_match, "withdrawing")
        agent = steward_iri(steward.id)

        def attempt(version: str) -> None:
            latest = self._changeable(submission_id, steward, "withdraw")
            _require_etag(latest, if_match, "withdrawing")
            self.gate.refuse_dependents(latest.graph, "withdraw it")
            record = withdrawal_record(
                self.uris, submission_id, latest.etag, agent=agent, steward=steward
            )
            self.store.write(
                GraphWrite(add={str(self.uris.provenance_graph): record}, drop=[latest.graph]),
                new_version=uuid.uuid4().hex,
                if_version=version,
            )

        self._conditionally(attempt, landed=lambda: self.get(submission_id).withdrawn is not None)
        return self.get(submission_id)

    # -- the steps ---------------------------------------------------------------------------------

    def _gate(self, upload: Upload, target: str, publish: Sequence[str]) -> _Checked:
        parsed = self.parse_upload(upload)
        self.gate.refuse_unsafe(parsed.graph)
        self._refuse_taken(parsed, target)
        chosen = self._publish(parsed, publish)
        version = self.store.version()
        context = fetch_context(self.store, parsed.graph)
        report = self.validator.validate(
            parsed.graph,
            context=context,
            undefined_terms=parsed.undefined_terms,
            lane=Lane.STEWARD,
        )
        return _Checked(
            parsed=parsed,
            report=self._report(report, [parsed], parsed.graph, publish=chosen),
            publish=chosen,
            context=frozenset(context),
            version=version,
        )

    def _still_valid(self, checked: _Checked, version: str) -> None:
        """Validate again if what the data references changed since it was validated (another
        process withdrew an organisation it names, say): a stored report never claims
        conformance against a store that is no longer there (issue 13.5).

        Raises:
            ValidationFailedError: the data no longer passes.
        """
        if version == checked.version:
            return
        context = fetch_context(self.store, checked.parsed.graph)
        checked.version = version
        if frozenset(context) == checked.context:
            return
        report = self.validator.validate(
            checked.parsed.graph,
            context=context,
            undefined_terms=checked.parsed.undefined_terms,
            lane=Lane.STEWARD,
        )
        checked.report = self._report(
            report, [checked.parsed], checked.parsed.graph, publish=checked.publish
        )
        checked.context = frozenset(context)
        if not checked.report.accepted:  # fail closed: violations, or nothing checked at all
            raise _failed(checked.report)

    def _refuse_taken(self, parsed: Parsed, target: str) -> None:
        try:
            self.gate.refuse_taken_subjects(parsed.graph, target)
        except ConflictingDataError as exc:
            raise _with_rows(exc, parsed) from None

    def _publish(self, parsed: Parsed, requested: Sequence[str]) -> set[URIRef]:
        declared = declared_datasets(parsed.graph)
        chosen = set(parsed.sheet.publish) if parsed.sheet is not None else set()
        for item in requested:
            if item == PUBLISH_ALL:
                chosen |= set(declared)
            elif URIRef(item) in declared:
                chosen.add(URIRef(item))
            else:
                raise BadParameterError(
                    f"publish: <{item[:120]}> is not a dataset this submission declares (a "
                    "subject typed dcat:Dataset); declared: "
                    + (", ".join(f"<{d}>" for d in sorted(declared)) or "none")
                    + "."
                )
        return chosen

    def _report(
        self, report: Report, parsed: Sequence[Parsed], graph: Graph, *, publish: set[URIRef]
    ) -> SubmissionReport:
        sheets = [p.sheet for p in parsed if p.sheet is not None]
        locations: dict[int, Location] = {}
        for index, result in enumerate(report.results):
            for sheet in sheets:
                found = sheet.locate(result.focus, result.path)
                if found is not None:
                    locations[index] = found
                    break
        notes = tuple(
            DatasetNote(iri=str(iri), title=title, published=iri in publish)
            for iri, title in sorted(declared_datasets(graph).items())
        )
        return SubmissionReport(
            report=report,
            cells=tuple(problem for sheet in sheets for problem in sheet.problems),
            locations=locations,
            datasets=notes,
            source="spreadsheet" if sheets else None,
        )

    def _changeable(self, submission_id: str, steward: Steward, action: str) -> Submission:
        current = self.get(submission_id)
        if current.withdrawn is not None:
            raise NotFoundError(f"Submission {submission_id} was withdrawn.")
        self.stewards.require_owner(steward, current, action)
        return current

    def _conditionally(self, attempt: Callable[[str], None], *, landed: Callable[[], bool]) -> None:
        """Run ``attempt`` at the store's current version until one write applies.

        A write conditional on the version that finds another version was overtaken by
        another writer: it read again and decides again, or — on a remote store, where a
        write can land and be superseded at once — stops when its own effect is there.
        """
        for _attempt in range(_WRITE_ATTEMPTS):
            with self._lock:
                version = self.store.version()
                try:
                    attempt(version)
                except StoreConflict:
                    if landed():
                        return
                    continue
                return
        raise BusyError("The store kept changing; try again.")

    def _has_revision(self, submission_id: str, etag: str) -> bool:
        try:
            return any(r.etag == etag for r in self.get(submission_id).revisions)
        except NotFoundError:
            return False

    # -- reads -----------------------------------------------------------------------------------

    def get(self, submission_id: str) -> Submission:
        """A submission's record, also after withdrawal.

        Raises:
            NotFoundError: no such submission.
        """
        return read_submission(self.store, self.uris, submission_id)

    def list(
        self, *, page: int = 1, per_page: int = 50, owner: str | None = None
    ) -> tuple[list[Submission], int]:
        """One page of submissions (newest first) and the total count; ``owner`` (a steward
        id) keeps only that steward's submissions."""
        ids = list_submission_ids(self.store, self.uris)
        if owner is not None:
            wanted = str(steward_iri(owner))
            ids = [(i, o) for i, o in ids if o == wanted]
        start = (page - 1) * per_page
        chosen = ids[start : start + per_page]
        return [self.get(i) for i, _owner in chosen], len(ids)

    # -- the template --------------------------------------------------------------------------

    def code_lists(self) -> CodeLists:
        """The template's lists of allowed codes, from the store as it is now."""
        return read_code_lists(self.store, self.uris)

    def template(self, kind: str) -> bytes:
        """``xlsx`` (the workbook with its code sheets), ``csv`` (the header row) or
        ``codes.csv`` (every allowed code).

        Raises:
            NotFoundError: another kind.
        """
        if kind == "xlsx":
            return template_xlsx(self.code_lists())
        if kind == "csv":
            return template_csv()
        if kind == "codes.csv":
            return codes_csv(self.code_lists())
        raise NotFoundError(f"There is no template '{kind[:20]}'.")


def declared_datasets(graph: Graph) -> dict[URIRef, str | None]:
    """The datasets a graph declares (IRI subjects typed ``dcat:Dataset``), with a title."""
    found: dict[URIRef, str | None] = {}
    for subject in graph.subjects(RDF.type, DCAT.Dataset):
        if isinstance(subject, URIRef):
            found[subject] = _title(graph, subject)
    return found


def _title(graph: Graph, subject: URIRef) -> str | None:
    titles = [
        o
        for p in (DCTERMS.title, SKOS.prefLabel)
        for o in graph.objects(subject, p)
        if isinstance(o, Literal)
    ]
    titles.sort(key=lambda t: (t.language != "nl", str(t)))
    return str(titles[0])[:200] if titles else None


def _titles(graph: Graph, uris: Uris) -> list[str]:
    """The titles of what a submission describes: its initiatives first, else anything."""
    initiatives = [s for s in graph.subjects(RDF.type, uris.sr.SmartCityInitiatief)]
    subjects = initiatives or [s for s in set(graph.subjects()) if isinstance(s, URIRef)]
    titles = sorted(
        {t for s in subjects if isinstance(s, URIRef) and (t := _title(graph, s)) is not None}
    )
    return titles[:_TITLES]


def _require_etag(current: Submission, if_match: str, action: str) -> None:
    if _strip_etag(if_match) != current.etag:
        raise PreconditionFailedError(
            f"The submission changed since you read it (If-Match does not match its ETag); "
            f"read it again before {action}. Nothing was changed."
        )


def _strip_etag(value: str) -> str:
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def _failed(report: SubmissionReport) -> ValidationFailedError:
    return ValidationFailedError(
        f"The data has {report.counts['violation']} violation(s); nothing was stored."
        if report.has_violations
        else "Nothing in the data was checked (no thing of a known class); nothing was stored.",
        report=report,
    )


def _with_rows(exc: ConflictingDataError, parsed: Parsed) -> ConflictingDataError:
    """The conflict, with the spreadsheet row of the subject it names."""
    if parsed.sheet is None:
        return exc
    for subject, row in parsed.sheet.rows.items():
        if f"<{subject}>" in exc.detail:
            return ConflictingDataError(f"Row {row}: {exc.detail}")
    return exc
