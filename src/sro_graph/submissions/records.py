"""Submission records as read from the provenance graph: a submission and its revisions.

A submission (``/id/inzending/{id}``, a ``prov:Entity``) has one revision per accepted upload
(``…/versie/{etag}``, ``prov:specializationOf`` the submission); a replace or a withdrawal
marks the old revision ``prov:invalidatedAtTime``. This module reads them; ``provenance``
writes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from sro_graph import rq
from sro_graph.errors import NotFoundError
from sro_graph.store import Store
from sro_graph.vocab import DCTERMS, Uris

_ID = re.compile(r"[0-9a-f]{32}")
STEWARD_PREFIX = "urn:sro-graph:steward:"


def is_submission_id(value: str) -> bool:
    """A submission id is exactly 32 lower-case hex digits (``fullmatch``: no trailing
    newline slips through, issue 12.7)."""
    return _ID.fullmatch(value) is not None


def steward_iri(steward_id: str) -> URIRef:
    """The PROV agent of a steward: from the steward's public id, never from the token."""
    return URIRef(STEWARD_PREFIX + steward_id)


@dataclass(frozen=True)
class Revision:
    """One accepted upload of a submission."""

    iri: str
    etag: str
    time: str
    submitter: str
    steward_name: str | None
    organisation: str | None
    media_type: str
    sha256: str
    titles: tuple[str, ...]
    published: tuple[str, ...]
    report: Mapping[str, Any]
    current: bool
    invalidated: str | None
    previous: str | None

    @property
    def steward_id(self) -> str | None:
        if self.submitter.startswith(STEWARD_PREFIX):
            return self.submitter.removeprefix(STEWARD_PREFIX)
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "etag": self.etag,
            "time": self.time,
            "submitter": self.submitter,
            "steward": {
                "id": self.steward_id,
                "name": self.steward_name,
                "organisation": self.organisation,
            },
            "mediaType": self.media_type,
            "sha256": self.sha256,
            "titles": list(self.titles),
            "publishedDatasets": list(self.published),
            "current": self.current,
            "invalidated": self.invalidated,
            "previousRevision": self.previous,
        }


@dataclass(frozen=True)
class Submission:
    """A submission's record: where its graph is, who owns it, its history."""

    id: str
    iri: str
    graph: str
    created: str
    withdrawn: str | None
    owner: str | None
    revisions: tuple[Revision, ...]

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]

    @property
    def etag(self) -> str:
        return self.latest.etag

    @property
    def status(self) -> str:
        return "withdrawn" if self.withdrawn is not None else "current"

    @property
    def owner_id(self) -> str | None:
        if self.owner is not None and self.owner.startswith(STEWARD_PREFIX):
            return self.owner.removeprefix(STEWARD_PREFIX)
        return None

    def to_json(self, *, with_history: bool = True) -> dict[str, Any]:
        latest = self.latest
        body: dict[str, Any] = {
            "id": self.id,
            "iri": self.iri,
            "graph": self.graph,
            "status": self.status,
            "created": self.created,
            "withdrawn": self.withdrawn,
            "etag": self.etag,
            "owner": self.owner_id,
            "submitter": latest.submitter,
            "steward": latest.to_json()["steward"],
            "titles": list(latest.titles),
            "publishedDatasets": list(latest.published),
            "mediaType": latest.media_type,
            "sha256": latest.sha256,
            "accepted": bool(latest.report.get("accepted", not _has_violations(latest.report))),
            "conforms": latest.report.get("conforms"),
            "counts": latest.report.get("counts"),
        }
        if with_history:
            body["provenance"] = [r.to_json() for r in self.revisions]
            body["report"] = dict(latest.report)
        return body


def _has_violations(report: Mapping[str, Any]) -> bool:
    counts = report.get("counts") or {}
    return bool(counts.get("violation"))


def read_submission(store: Store, uris: Uris, submission_id: str) -> Submission:
    """A submission's record, also after withdrawal.

    Raises:
        NotFoundError: no such submission (or not a submission id).
    """
    if not is_submission_id(submission_id):
        raise NotFoundError(f"No submission '{submission_id[:40]!r}'.")
    sub = uris.submission(submission_id)
    bindings = {"prov": uris.provenance_graph, "submission": sub}
    rows = store.select(rq.load("submission-revisions"), bindings=bindings)
    if not rows:
        raise NotFoundError(f"No submission '{submission_id}'.")
    record = store.select(rq.load("submission-record"), bindings=bindings)
    meta = {k: str(v) for k, v in record[0].items()} if record else {}
    lists = _revision_lists(store, uris, sub)
    revisions = tuple(
        Revision(
            iri=str(r["revision"]),
            etag=str(r["etag"]),
            time=str(r["time"]),
            submitter=str(r["submitter"]),
            steward_name=_opt(r.get("stewardName")),
            organisation=_opt(r.get("organisation")),
            media_type=str(r["mediaType"]),
            sha256=str(r["sha256"]),
            titles=tuple(sorted(lists.get((str(r["revision"]), "title"), ()))),
            published=tuple(sorted(lists.get((str(r["revision"]), "published"), ()))),
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
        graph=str(uris.submission_graph(submission_id)),
        created=meta.get("created", ordered[0].time),
        withdrawn=meta.get("withdrawn"),
        owner=meta.get("owner"),
        revisions=ordered,
    )


def _revision_lists(store: Store, uris: Uris, sub: URIRef) -> dict[tuple[str, str], set[str]]:
    """Titles and datasets to publish of each revision (multi-valued, so read apart)."""
    found: dict[tuple[str, str], set[str]] = {}
    rows = store.select(
        rq.based("submission-revision-lists", uris.base),
        bindings={"prov": uris.provenance_graph, "submission": sub},
    )
    for row in rows:
        kind = "title" if row["property"] == DCTERMS.title else "published"
        found.setdefault((str(row["revision"]), kind), set()).add(str(row["value"]))
    return found


def list_submission_ids(store: Store, uris: Uris) -> list[tuple[str, str | None]]:
    """Every submission id with its owner's agent IRI, newest first."""
    rows = store.select(rq.load("submission-list"), bindings={"prov": uris.provenance_graph})
    return [(str(r["id"]), _opt(r.get("owner"))) for r in rows]


def _chain(revisions: tuple[Revision, ...]) -> tuple[Revision, ...]:
    """Revisions in history order (each after the one it revises)."""
    by_previous = {r.previous: r for r in revisions if r.previous}
    first = [r for r in revisions if r.previous is None]
    if len(first) != 1:
        return revisions
    ordered = [first[0]]
    while len(ordered) <= len(revisions):
        nxt = by_previous.get(ordered[-1].iri)
        if nxt is None:
            break
        ordered.append(nxt)
    return tuple(ordered) if len(ordered) == len(revisions) else revisions


def _opt(term: Any) -> str | None:
    return None if term is None else str(term)
