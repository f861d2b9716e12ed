"""The submission gate: parse → refuse conflicts → validate → one atomic write with PROV.

A submission is its own named graph (``/graph/inzending/{id}``). Its history lives in the
provenance graph: the submission (``/id/inzending/{id}``, a ``prov:Entity``) and one revision
per accepted upload (``…/versie/{etag}``, ``prov:specializationOf`` the submission) with the
submitter (a hash of the bearer token, never the token), the time, the media type, the SHA-256
of the bytes received and the stored validation report. A replace or a withdrawal marks the
old revision ``prov:invalidatedAtTime``; the history is never deleted.

Conflicts are refused before anything is written: a submission may only describe subjects that
no other graph describes (base knowledge, other submissions, provenance), and never our own
vocabulary, concept schemes or records. Within one process a lock makes check-then-write
atomic, so concurrent submissions and replaces cannot interleave.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from sro_graph import rq
from sro_graph.errors import (
    BusyError,
    ConflictingDataError,
    NotFoundError,
    PreconditionFailedError,
    ValidationFailedError,
)
from sro_graph.formats import MediaType
from sro_graph.rdfio import ParsedRdf, RdfFormat, format_from_media_type, parse_rdf
from sro_graph.store import GraphWrite, Store, StoreConflict
from sro_graph.validation import Lane, Report, Validator, fetch_context, refuse_unsafe_shapes
from sro_graph.vocab import DCTERMS, PROV, RDF, SH, XSD, Uris

SPDX_CHECKSUM = URIRef("http://spdx.org/rdf/terms#checksum")
SPDX_ALGORITHM = URIRef("http://spdx.org/rdf/terms#algorithm")
SPDX_VALUE = URIRef("http://spdx.org/rdf/terms#checksumValue")
SPDX_SHA256 = URIRef("http://spdx.org/rdf/terms#checksumAlgorithm_sha256")

_ID = re.compile(r"^[0-9a-f]{32}$")
# Conditional writes that lose to another writer are tried again this often before "busy".
_WRITE_ATTEMPTS = 5


def submitter_iri(token_hash: str) -> URIRef:
    """The PROV agent for a steward: derived from the token's hash, never the token."""
    return URIRef("urn:sro-graph:steward:" + token_hash.removeprefix("sha256:")[:16])


@dataclass(frozen=True)
class Revision:
    """One accepted upload of a submission."""

    etag: str
    time: str
    submitter: str
    media_type: str
    sha256: str
    report: Mapping[str, Any]
    current: bool
    invalidated: str | None
    previous: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "etag": self.etag,
            "time": self.time,
            "submitter": self.submitter,
            "mediaType": self.media_type,
            "sha256": self.sha256,
            "current": self.current,
            "invalidated": self.invalidated,
            "previousRevision": self.previous,
        }


@dataclass(frozen=True)
class Submission:
    """A submission's record: where its graph is, its history and its latest report."""

    id: str
    iri: str
    graph: str
    created: str
    withdrawn: str | None
    revisions: tuple[Revision, ...]

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]

    @property
    def etag(self) -> str:
        return self.latest.etag

    def to_json(self, *, with_history: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "iri": self.iri,
            "graph": self.graph,
            "created": self.created,
            "withdrawn": self.withdrawn,
            "etag": self.etag,
            "submitter": self.latest.submitter,
            "mediaType": self.latest.media_type,
            "sha256": self.latest.sha256,
            "conforms": self.latest.report.get("conforms"),
            "accepted": self.latest.report.get("accepted"),
            "counts": self.latest.report.get("counts"),
        }
        if with_history:
            body["provenance"] = [r.to_json() for r in self.revisions]
            body["report"] = dict(self.latest.report)
        return body


@dataclass(frozen=True)
class Accepted:
    """A stored submission and the report it passed with (warnings are flagged there)."""

    submission: Submission
    report: Report


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
    ) -> None:
        self.store = store
        self.uris = uris
        self.validator = validator
        self.max_bytes = max_bytes
        self.known_contexts = dict(known_contexts or {})
        self._lock = threading.Lock()
        own = ("ns/", "id/concept/", "id/conceptscheme/", "id/inzending/", "graph/")
        self._reserved = (*(f"{uris.base}/{p}" for p in own), "urn:sro-graph:")

    # -- validation without storage ------------------------------------------------------------

    def parse(self, data: bytes, fmt: RdfFormat) -> Graph:
        """Parse uploaded bytes safely (caps, DOCTYPE, remote contexts refused).

        Raises:
            TooLargeError, UnsafeInputError, UnparseableError.
        """
        return self.parse_upload(data, fmt).graph

    def parse_upload(self, data: bytes, fmt: RdfFormat) -> ParsedRdf:
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
        """Validate uploaded data without storing it.

        With the server's shapes the data is seen with its minimal store context; with
        uploaded ``shapes`` it is validated on its own, exactly as pySHACL would.
        """
        parsed = self.parse_upload(data, fmt)
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

    # -- writes ----------------------------------------------------------------------------------

    def submit(self, data: bytes, media_type: str, *, submitter: str) -> Accepted:
        """Validate and store a new submission.

        Args:
            submitter: the steward's token hash (``sha256:…``).

        Raises:
            UnsupportedFormatError, TooLargeError, UnsafeInputError, UnparseableError,
            ConflictingDataError, ValidationFailedError (violations; nothing stored).
        """
        submission_id = uuid.uuid4().hex
        return self._store_revision(
            submission_id, data, media_type, submitter=submitter, if_match=None, new=True
        )

    def replace(
        self,
        submission_id: str,
        data: bytes,
        media_type: str,
        *,
        submitter: str,
        if_match: str | None,
    ) -> Accepted:
        """Replace a submission's graph atomically, if ``if_match`` is its current ETag.

        Raises:
            NotFoundError, PreconditionFailedError, and what :meth:`submit` raises.
        """
        self.get(submission_id)
        return self._store_revision(
            submission_id, data, media_type, submitter=submitter, if_match=if_match, new=False
        )

    def withdraw(
        self, submission_id: str, *, submitter: str, if_match: str | None = None
    ) -> Submission:
        """Remove a submission's graph; its provenance stays, marked invalidated.

        Raises:
            NotFoundError (also when already withdrawn), PreconditionFailedError.
        """
        for _attempt in range(_WRITE_ATTEMPTS):
            with self._lock:
                version = self.store.version()
                current = self.get(submission_id)
                if current.withdrawn is not None:
                    raise NotFoundError(f"Submission {submission_id} was already withdrawn.")
                if if_match is not None and _strip_etag(if_match) != current.etag:
                    raise PreconditionFailedError(
                        "The submission changed since you read it (If-Match does not match "
                        "its ETag); read it again before withdrawing."
                    )
                now = _now()
                record = Graph()
                record.add((URIRef(current.iri), PROV.invalidatedAtTime, now))
                record.add(
                    (self._revision_iri(submission_id, current.etag), PROV.invalidatedAtTime, now)
                )
                record.add((URIRef(current.iri), PROV.wasInvalidatedBy, submitter_iri(submitter)))
                try:
                    self.store.write(
                        GraphWrite(
                            add={str(self.uris.provenance_graph): record}, drop=[current.graph]
                        ),
                        new_version=uuid.uuid4().hex,
                        if_version=version,
                    )
                except StoreConflict:
                    # Another process wrote in between: read again and decide again (the
                    # submission may now be withdrawn, or replaced).
                    if self.get(submission_id).withdrawn is not None:
                        break
                    continue
                break
        else:
            raise BusyError("The store kept changing; try again.")
        return self.get(submission_id)

    def _store_revision(
        self,
        submission_id: str,
        data: bytes,
        media_type: str,
        *,
        submitter: str,
        if_match: str | None,
        new: bool,
    ) -> Accepted:
        fmt = format_from_media_type(media_type)
        parsed = self.parse_upload(data, fmt)
        graph = parsed.graph
        target = str(self.uris.submission_graph(submission_id))
        self._refuse_conflicts(graph, target)
        report = self.validator.validate(
            graph,
            context=fetch_context(self.store, graph),
            undefined_terms=parsed.undefined_terms,
            lane=Lane.STEWARD,
        )
        if not report.accepted:  # fail closed: violations, or nothing was checked at all
            raise ValidationFailedError(
                f"The data has {report.counts['violation']} violation(s); nothing was stored."
                if report.has_violations
                else "Nothing in the data was checked (no thing of a known class); nothing "
                "was stored.",
                report=report,
            )
        etag = uuid.uuid4().hex
        # Optimistic: the checks read the store at one version and the write applies only at
        # that version (a compare-and-swap in the store), so processes sharing a remote store
        # cannot overwrite each other; the lock only spares this process pointless retries.
        for _attempt in range(_WRITE_ATTEMPTS):
            with self._lock:
                version = self.store.version()
                previous: Submission | None = None
                if not new:
                    previous = self.get(submission_id)
                    if previous.withdrawn is not None:
                        raise NotFoundError(f"Submission {submission_id} was withdrawn.")
                    if if_match is None:
                        raise PreconditionFailedError(
                            "Replacing a submission needs an If-Match header with its current "
                            "ETag, so that concurrent replaces cannot overwrite each other."
                        )
                    if _strip_etag(if_match) != previous.etag:
                        raise PreconditionFailedError(
                            "The submission changed since you read it (If-Match does not "
                            "match its ETag); nothing was stored."
                        )
                self._refuse_conflicts(graph, target)
                record = self._provenance(
                    submission_id,
                    etag,
                    data=data,
                    fmt=fmt,
                    submitter=submitter,
                    report=report,
                    previous=previous,
                )
                try:
                    self.store.write(
                        GraphWrite(
                            replace={target: graph}, add={str(self.uris.provenance_graph): record}
                        ),
                        new_version=uuid.uuid4().hex,
                        if_version=version,
                    )
                except StoreConflict:
                    if self._has_revision(submission_id, etag):
                        break  # ours landed, and another write came right after it
                    continue
                break
        else:
            raise BusyError("The store kept changing; try again.")
        return Accepted(submission=self.get(submission_id), report=report)

    def _refuse_conflicts(self, graph: Graph, own_graph: str) -> None:
        subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)})
        for subject in subjects:
            if str(subject).startswith(self._reserved):
                raise ConflictingDataError(
                    f"The submission makes statements about <{subject}>, which belongs to the "
                    "base knowledge (vocabulary, concept schemes or records); refused."
                )
        query = rq.load("submission-subject-graph")
        own = URIRef(own_graph)
        for subject in subjects:
            rows = self.store.select(query, bindings={"subject": subject, "own": own})
            if rows:
                other = str(rows[0]["graph"])
                whose = (
                    "another submission"
                    if other.startswith(f"{self.uris.base}/graph/inzending/")
                    else "the base knowledge"
                )
                raise ConflictingDataError(
                    f"The submission makes statements about <{subject}>, which {whose} "
                    "already describes; only new subjects may be described. Refused, "
                    "nothing stored."
                )

    def _has_revision(self, submission_id: str, etag: str) -> bool:
        try:
            return any(r.etag == etag for r in self.get(submission_id).revisions)
        except NotFoundError:
            return False

    def _revision_iri(self, submission_id: str, etag: str) -> URIRef:
        return URIRef(f"{self.uris.submission(submission_id)}/versie/{etag}")

    def _provenance(
        self,
        submission_id: str,
        etag: str,
        *,
        data: bytes,
        fmt: RdfFormat,
        submitter: str,
        report: Report,
        previous: Submission | None,
    ) -> Graph:
        g = Graph()
        now = _now()
        sub = self.uris.submission(submission_id)
        rev = self._revision_iri(submission_id, etag)
        report_iri = URIRef(f"{rev}/rapport")
        if previous is None:
            g.add((sub, RDF.type, PROV.Entity))
            g.add((sub, DCTERMS.identifier, Literal(submission_id)))
            g.add((sub, DCTERMS.created, now))
            g.add((sub, PROV.atLocation, self.uris.submission_graph(submission_id)))
        else:
            old = self._revision_iri(submission_id, previous.etag)
            g.add((old, PROV.invalidatedAtTime, now))
            g.add((rev, PROV.wasRevisionOf, old))
        g.add((rev, RDF.type, PROV.Entity))
        g.add((rev, PROV.specializationOf, sub))
        g.add((rev, DCTERMS.identifier, Literal(etag)))
        g.add((rev, PROV.generatedAtTime, now))
        g.add((rev, PROV.wasAttributedTo, submitter_iri(submitter)))
        g.add((rev, DCTERMS.format, Literal(fmt.value)))
        checksum = BNode()
        g.add((rev, SPDX_CHECKSUM, checksum))
        g.add((checksum, SPDX_ALGORITHM, SPDX_SHA256))
        g.add((checksum, SPDX_VALUE, Literal(hashlib.sha256(data).hexdigest())))
        g.add((rev, PROV.atLocation, self.uris.submission_graph(submission_id)))
        g.add((rev, DCTERMS.references, report_iri))
        g.add((report_iri, RDF.type, SH.ValidationReport))
        g.add((report_iri, SH.conforms, Literal(report.conforms)))
        g.add((report_iri, DCTERMS.format, Literal(MediaType.JSON.value)))
        g.add((report_iri, RDF.value, Literal(json.dumps(report.to_json(), ensure_ascii=False))))
        return g

    # -- reads -----------------------------------------------------------------------------------

    def get(self, submission_id: str) -> Submission:
        """A submission's record, also after withdrawal.

        Raises:
            NotFoundError: no such submission.
        """
        if not _ID.match(submission_id):
            raise NotFoundError(f"No submission '{submission_id[:40]}'.")
        sub = self.uris.submission(submission_id)
        rows = self.store.select(
            rq.load("submission-revisions"),
            bindings={"prov": self.uris.provenance_graph, "submission": sub},
        )
        if not rows:
            raise NotFoundError(f"No submission '{submission_id}'.")
        meta = self._listing(sub)
        revisions = tuple(
            Revision(
                etag=str(r["etag"]),
                time=str(r["time"]),
                submitter=str(r["submitter"]),
                media_type=str(r["mediaType"]),
                sha256=str(r["sha256"]),
                report=json.loads(str(r["reportJson"])),
                current="invalidated" not in r,
                invalidated=_opt(r.get("invalidated")),
                previous=_opt(r.get("previous")),
            )
            for r in rows
        )
        ordered = _chain(revisions)
        return Submission(
            id=submission_id,
            iri=str(sub),
            graph=str(self.uris.submission_graph(submission_id)),
            created=meta.get("created", ordered[0].time),
            withdrawn=meta.get("withdrawn"),
            revisions=ordered,
        )

    def _listing(self, sub: URIRef) -> dict[str, str]:
        rows = self.store.select(
            rq.load("submission-record"),
            bindings={"prov": self.uris.provenance_graph, "submission": sub},
        )
        return {k: str(v) for k, v in rows[0].items()} if rows else {}

    def _list_rows(self) -> list[dict[str, Any]]:
        return self.store.select(
            rq.load("submission-list"), bindings={"prov": self.uris.provenance_graph}
        )

    def list(self, *, page: int = 1, per_page: int = 50) -> tuple[list[Submission], int]:
        """One page of submissions (newest first) and the total count."""
        rows = self._list_rows()
        start = (page - 1) * per_page
        chosen = rows[start : start + per_page]
        return [self.get(str(r["id"])) for r in chosen], len(rows)


def _chain(revisions: tuple[Revision, ...]) -> tuple[Revision, ...]:
    """Revisions in history order (each after the one it revises)."""
    by_previous = {r.previous: r for r in revisions}
    first = [r for r in revisions if r.previous is None]
    if len(first) != 1:
        return revisions
    ordered = [first[0]]
    while True:
        iri_tail = f"/versie/{ordered[-1].etag}"
        nxt = next((r for p, r in by_previous.items() if p and p.endswith(iri_tail)), None)
        if nxt is None or len(ordered) > len(revisions):
            break
        ordered.append(nxt)
    return tuple(ordered) if len(ordered) == len(revisions) else revisions


def _strip_etag(value: str) -> str:
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def _opt(term: Any) -> str | None:
    return None if term is None else str(term)


def _now() -> Literal:
    return Literal(datetime.now(UTC).isoformat(timespec="microseconds"), datatype=XSD.dateTime)
