"""The project's JSON-LD context: read from ontology/, with the deployment's base filled in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sro_graph.vocab import Uris

CONTEXT_PATH = "/ns/context.jsonld"


def load_context(ontology_dir: Path, uris: Uris) -> dict[str, Any]:
    """The ``@context`` object of ``ontology/context.jsonld`` for this base."""
    path = ontology_dir / "context.jsonld"
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8").replace("{{base}}", uris.base)
    doc = json.loads(text)
    context = doc.get("@context", doc)
    return context if isinstance(context, dict) else {}


def known_contexts(ontology_dir: Path, uris: Uris) -> dict[str, Any]:
    """Context URLs we serve, mapped to their content, for local substitution in rdfio."""
    context = load_context(ontology_dir, uris)
    return {uris.base + CONTEXT_PATH: context} if context else {}
