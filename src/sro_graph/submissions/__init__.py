"""Submissions: the stewards' validation-gated way into the graph.

One job per module:

- ``service``: check, submit, replace, withdraw, read and list (the only entry for callers);
- ``stewards``: a bearer token into a named steward of an organisation; who may change what;
- ``uploads``: bytes and a media type into RDF (parsed RDF or a converted spreadsheet);
- ``sheets``: the spreadsheet template, its reader and converter, its lists of codes;
- ``gate``: what is refused before and at writing (unsafe IRIs, base knowledge, base
  schemes, others' subjects, dependents);
- ``report``: the gate's report (SHACL results located in the spreadsheet, datasets);
- ``provenance`` and ``records``: the PROV record written with each revision, and read back.

A submission is its own named graph (``/graph/inzending/{id}``); its history lives in the
provenance graph and is never deleted (docs/submitting.md).
"""

from __future__ import annotations

from sro_graph.submissions.gate import Dependent
from sro_graph.submissions.records import Revision, Submission, is_submission_id, steward_iri
from sro_graph.submissions.report import SubmissionReport
from sro_graph.submissions.service import PUBLISH_ALL, Accepted, SubmissionService
from sro_graph.submissions.sheets import SheetFormat, SheetLimits
from sro_graph.submissions.stewards import Steward, StewardRegistry
from sro_graph.submissions.uploads import Upload, upload_format

__all__ = [
    "PUBLISH_ALL",
    "Accepted",
    "Dependent",
    "Revision",
    "SheetFormat",
    "SheetLimits",
    "Steward",
    "StewardRegistry",
    "Submission",
    "SubmissionReport",
    "SubmissionService",
    "Upload",
    "is_submission_id",
    "steward_iri",
    "upload_format",
]
