"""The PROV record of one accepted upload, written with it in the same transaction.

Per submission: ``prov:Entity``, its id, creation time, owner (``dct:creator``, the steward's
agent) and where its graph is. Per revision: the steward (``prov:wasAttributedTo``) and the
organisation it acted for (``dct:publisher``), the time, the media type, the SHA-256 of the
bytes received, the titles of what it describes, the datasets the steward asked to publish
(``sr:publiceertDataset``) and the stored report. The steward's agent carries its name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from sro_graph.config import Steward
from sro_graph.formats import MediaType
from sro_graph.vocab import DCTERMS, FOAF, PROV, RDF, SH, SPDX, XSD, Uris

SPDX_SHA256 = SPDX.checksumAlgorithm_sha256


def now() -> Literal:
    """The current time as an ``xsd:dateTime`` literal (UTC, microseconds)."""
    return Literal(datetime.now(UTC).isoformat(timespec="microseconds"), datatype=XSD.dateTime)


def revision_iri(uris: Uris, submission_id: str, etag: str) -> URIRef:
    return URIRef(f"{uris.submission(submission_id)}/versie/{etag}")


def revision_record(
    uris: Uris,
    submission_id: str,
    etag: str,
    *,
    agent: URIRef,
    steward: Steward,
    data: bytes,
    media_type: str,
    report: Mapping[str, Any],
    conforms: bool,
    titles: Iterable[str],
    publish: Iterable[URIRef],
    previous_etag: str | None,
) -> Graph:
    """The triples recording one revision (and, for the first, the submission itself)."""
    g = Graph()
    time = now()
    sub = uris.submission(submission_id)
    rev = revision_iri(uris, submission_id, etag)
    report_iri = URIRef(f"{rev}/rapport")
    if previous_etag is None:
        g.add((sub, RDF.type, PROV.Entity))
        g.add((sub, DCTERMS.identifier, Literal(submission_id)))
        g.add((sub, DCTERMS.created, time))
        g.add((sub, DCTERMS.creator, agent))
        g.add((sub, PROV.atLocation, uris.submission_graph(submission_id)))
    else:
        old = revision_iri(uris, submission_id, previous_etag)
        g.add((old, PROV.invalidatedAtTime, time))
        g.add((rev, PROV.wasRevisionOf, old))
    g.add((agent, RDF.type, PROV.Agent))
    g.add((agent, FOAF.name, Literal(steward.name)))
    g.add((rev, RDF.type, PROV.Entity))
    g.add((rev, PROV.specializationOf, sub))
    g.add((rev, DCTERMS.identifier, Literal(etag)))
    g.add((rev, PROV.generatedAtTime, time))
    g.add((rev, PROV.wasAttributedTo, agent))
    g.add((rev, DCTERMS.publisher, URIRef(steward.organisation)))
    g.add((rev, DCTERMS.format, Literal(media_type)))
    for title in titles:
        g.add((rev, DCTERMS.title, Literal(title)))
    for dataset in publish:
        g.add((rev, uris.publishes_dataset, dataset))
    checksum = BNode()
    g.add((rev, SPDX.checksum, checksum))
    g.add((checksum, SPDX.algorithm, SPDX_SHA256))
    g.add((checksum, SPDX.checksumValue, Literal(hashlib.sha256(data).hexdigest())))
    g.add((rev, PROV.atLocation, uris.submission_graph(submission_id)))
    g.add((rev, DCTERMS.references, report_iri))
    g.add((report_iri, RDF.type, SH.ValidationReport))
    g.add((report_iri, SH.conforms, Literal(conforms)))
    g.add((report_iri, DCTERMS.format, Literal(MediaType.JSON.value)))
    g.add((report_iri, RDF.value, Literal(json.dumps(report, ensure_ascii=False))))
    return g


def withdrawal_record(
    uris: Uris, submission_id: str, etag: str, *, agent: URIRef, steward: Steward
) -> Graph:
    """The triples marking a submission and its current revision withdrawn, and by whom."""
    g = Graph()
    time = now()
    sub = uris.submission(submission_id)
    g.add((sub, PROV.invalidatedAtTime, time))
    g.add((revision_iri(uris, submission_id, etag), PROV.invalidatedAtTime, time))
    g.add((sub, PROV.wasInvalidatedBy, agent))
    g.add((agent, RDF.type, PROV.Agent))
    g.add((agent, FOAF.name, Literal(steward.name)))
    return g
