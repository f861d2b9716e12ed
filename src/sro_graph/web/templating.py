"""The one ``Jinja2Templates`` instance, shared by every router that renders HTML.

Templates live in ``web/templates/`` and extend ``base.html`` (blocks ``title``, ``head``,
``content``). Every template gets ``lang`` (``nl`` or ``en``: ``?lang=`` first, then
``Accept-Language``, nl by default), ``t(nl, en)`` to pick a text, ``lang_url(code)`` for the
language switch, ``nav`` (the site menu) and ``example_data`` (the store holds illustrative example
data: ``base.html`` then shows a banner on every page).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

LANGUAGES = ("nl", "en")

# (path, Dutch label, English label); the first element of the path names the active item.
NAV: tuple[tuple[str, str, str], ...] = (
    ("/", "Home", "Home"),
    ("/stichtingstekst", "Stichtingstekst", "Founding text"),
    ("/dashboard", "Dashboard", "Dashboard"),
    ("/initiatieven", "Initiatieven", "Initiatives"),
    ("/organisaties", "Organisaties", "Organisations"),
    ("/doc/conceptscheme/uitdaging", "Uitdagingen", "Challenges"),
    ("/doc/conceptscheme/strategische-doelstelling", "Doelstellingen", "Objectives"),
    ("/instrumenten", "Instrumenten", "Instruments"),
    ("/sparql", "SPARQL", "SPARQL"),
    ("/queries", "Vragen", "Queries"),
    ("/validate", "Valideren", "Validate"),
    ("/inzenden", "Inzenden", "Submit"),
    ("/catalog", "Catalogus", "Catalogue"),
)


def request_lang(request: Request) -> str:
    """``nl`` or ``en``: the ``lang`` query parameter, else Accept-Language, else ``nl``."""
    asked = request.query_params.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    header = request.headers.get("accept-language", "")
    best, best_q = "nl", -1.0
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        code = fields[0].lower().split("-")[0]
        if code not in LANGUAGES:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # Earlier entries win ties, as browsers list them in order of preference.
        score = q - index * 1e-6
        if q > 0 and score > best_q:
            best, best_q = code, score
    return best


def _lang_url(request: Request) -> Callable[[str], str]:
    def lang_url(code: str) -> str:
        url = request.url.include_query_params(lang=code)
        return f"{url.path}?{url.query}"

    return lang_url


def _site_context(request: Request) -> dict[str, Any]:
    lang = request_lang(request)

    def t(nl: str, en: str) -> str:
        return en if lang == "en" else nl

    path = request.url.path
    nav = []
    for href, nl_label, en_label in NAV:
        current = path == "/" if href == "/" else (path == href or path.startswith(href + "/"))
        nav.append(
            {"href": href, "label": en_label if lang == "en" else nl_label, "current": current}
        )
    return {
        "lang": lang,
        "t": t,
        "nav": nav,
        "lang_url": _lang_url(request),
        "example_data": _examples_loaded(request),
    }


def _examples_loaded(request: Request) -> bool:
    """Whether the page may show example data; when that cannot be told, assume it may."""
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return False
    try:
        return bool(runtime.examples_loaded())
    except Exception:  # the store cannot answer: show the banner rather than hide it
        return True


templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[_site_context])
