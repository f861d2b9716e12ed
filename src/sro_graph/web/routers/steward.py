"""The stewards' pages: sign in with the token, upload, see the report, submit, and manage
"my submissions" (``/inzenden``); and how to submit (``/inzenden/uitleg``).

The page is a thin client of ``/submissions``: the token stays in the tab's sessionStorage
and travels only in the Authorization header (never in a URL or a cookie).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sro_graph.submissions.sheets.columns import COLUMNS
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.templating import request_lang, templates

router = APIRouter(tags=["pages"], include_in_schema=False)

# The page's texts for its script, in the page's language (the script builds no text itself).
_TEXTS = {
    "accepted": ("Aanvaard: geen schendingen.", "Accepted: no violations."),
    "refused": (
        "Geweigerd: er zijn schendingen; er werd niets opgeslagen.",
        "Refused: there are violations; nothing was stored.",
    ),
    "wouldAccept": ("Kan ingediend worden.", "Can be submitted."),
    "wouldRefuse": (
        "Kan zo niet ingediend worden: los eerst de schendingen op.",
        "Cannot be submitted like this: fix the violations first.",
    ),
    "stored": ("Opgeslagen als inzending", "Stored as submission"),
    "replaced": ("Vervangen: inzending", "Replaced: submission"),
    "withdrawn": ("Ingetrokken: inzending", "Withdrawn: submission"),
    "counts": ("schendingen · waarschuwingen · info", "violations · warnings · info"),
    "cells": ("Cellen die niet gelezen konden worden", "Cells that could not be read"),
    "results": ("Meldingen", "Findings"),
    "datasets": ("Datasets", "Datasets"),
    "initiatives": ("Initiatieven: kern of gerelateerd", "Initiatives: core or related"),
    "cell": ("Cel", "Cell"),
    "column": ("Kolom", "Column"),
    "value": ("Waarde", "Value"),
    "message": ("Melding", "Message"),
    "severity": ("Ernst", "Severity"),
    "subject": ("Onderwerp", "Subject"),
    "property": ("Eigenschap", "Property"),
    "current": ("actueel", "current"),
    "withdrawnStatus": ("ingetrokken", "withdrawn"),
    "replace": ("Vervangen…", "Replace…"),
    "withdraw": ("Intrekken", "Withdraw"),
    "history": ("Geschiedenis", "History"),
    "confirmWithdraw": (
        "Deze inzending intrekken? Haar gegevens verdwijnen uit de graaf; de geschiedenis blijft.",
        "Withdraw this submission? Its data leaves the graph; its history stays.",
    ),
    "chooseReplacement": (
        "Kies hierboven het bestand dat deze inzending vervangt en klik Controleren.",
        "Choose the file that replaces this submission above and click Check.",
    ),
    "dependents": ("Andere inzendingen verwijzen ernaar:", "Other submissions refer to it:"),
    "signinFailed": ("Aanmelden mislukt:", "Sign-in failed:"),
    "error": ("Fout", "Error"),
    "core": ("kern", "core"),
    "related": ("gerelateerd", "related"),
    "missing": ("ontbreekt", "missing"),
    "revision": ("versie", "revision"),
    "by": ("door", "by"),
}


@router.get("/inzenden")
def steward_page(request: Request) -> Response:
    """Sign in, upload, check, submit, and manage my submissions."""
    lang = request_lang(request)
    texts = {key: en if lang == "en" else nl for key, (nl, en) in _TEXTS.items()}
    return templates.TemplateResponse(
        request, "steward.html", {"texts": texts}, headers={"Vary": "Accept-Language"}
    )


@router.get("/inzenden/uitleg")
def how_to_submit(request: Request, runtime: RuntimeDep) -> Response:
    """How to submit: the model, the template's columns, the API, the command line."""
    return templates.TemplateResponse(
        request,
        "steward_howto.html",
        {"columns": COLUMNS, "base": runtime.uris.base},
        headers={"Vary": "Accept-Language"},
    )
