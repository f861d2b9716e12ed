"""A seeded generator of realistic initiatives (about 50 triples each), as N-Triples.

Concepts come from ``ontology/schemes/*.ttl``, municipalities and local governments from
``data/*.ttl`` (the NIS codes found there; synthetic ones if the files are not there yet), so
generated initiatives link to the same base knowledge the service loads.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "http://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
DCAT = "http://www.w3.org/ns/dcat#"
GEMEENTE = "https://data.vlaanderen.be/id/gemeente/"
WORDS = (
    "slimme",
    "verlichting",
    "lucht",
    "sensoren",
    "mobiliteit",
    "parkeren",
    "data",
    "platform",
    "burgers",
    "klimaat",
    "water",
    "energie",
    "digitale",
    "tweeling",
    "afval",
    "geluid",
    "fiets",
    "school",
    "zorg",
    "haven",
    "toerisme",
    "handel",
    "drukte",
    "meting",
)

BESLUIT = "http://data.vlaanderen.be/ns/besluit#"
GEMEENTE_CLASSIFICATION = (
    "http://data.vlaanderen.be/id/concept/BestuurseenheidClassificatieCode/5ab0e9b8a3b2ca7c5e000001"
)


def concepts_by_scheme(project_root: Path, base: str) -> dict[str, list[str]]:
    """Concept IRIs per scheme name, read from ``ontology/schemes``."""
    out: dict[str, list[str]] = defaultdict(list)
    prefix = f"{base}/id/concept/"
    for path in sorted((project_root / "ontology" / "schemes").glob("*.ttl")):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base + "/"):
            subject = quad.subject
            if (
                isinstance(subject, ox.NamedNode)
                and quad.predicate.value == RDF_TYPE
                and quad.object.value == SKOS + "Concept"
                and subject.value.startswith(prefix)
            ):
                scheme = subject.value[len(prefix) :].split("/", 1)[0]
                out[scheme].append(subject.value)
    return {k: sorted(set(v)) for k, v in out.items()}


def nis_codes(project_root: Path) -> list[str]:
    """NIS codes of the municipalities named in ``data/`` (synthetic ones if none yet)."""
    codes: set[str] = set()
    for path in (project_root / "data").glob("*.ttl"):
        codes.update(re.findall(r"/id/gemeente/(\d{5})", path.read_text(encoding="utf-8")))
    return sorted(codes) or [f"{n:05d}" for n in range(11001, 11301, 3)]


def generate(n: int, *, base: str, project_root: Path, seed: int = 7) -> bytes:
    """N-Triples of ``n`` initiatives (about 50 triples each) and their organisations."""
    rng = random.Random(seed)
    schemes = concepts_by_scheme(project_root, base)
    codes = nis_codes(project_root)
    orgs = [f"{base}/id/organisatie/bench-{i}" for i in range(max(20, n // 10))]
    lines: list[str] = []
    add = lines.append

    def iri(value: str) -> str:
        return f"<{value}>"

    def text(value: str, lang: str) -> str:
        return f'"{value}"@{lang}'

    def typed(value: str, datatype: str) -> str:
        return f'"{value}"^^<{XSD}{datatype}>'

    # Local governments for the municipalities the initiatives name, typed as the shapes ask
    # (those in data/lokale-besturen.ttl already exist and are not repeated).
    known = set(
        re.findall(
            r"/id/bestuurseenheid/(\d+)",
            (project_root / "data" / "lokale-besturen.ttl").read_text("utf-8"),
        )
    )
    for code in codes:
        if code in known:
            continue
        gov = iri(f"{base}/id/bestuurseenheid/{code}")
        for cls in (ORG + "Organization", BESLUIT + "Bestuurseenheid"):
            add(f"{gov} {iri(RDF_TYPE)} {iri(cls)} .")
        add(f"{gov} {iri(SKOS + 'prefLabel')} {text(f'Gemeentebestuur {code}', 'nl')} .")
        add(f"{gov} {iri(BESLUIT + 'werkingsgebied')} {iri(GEMEENTE + code)} .")
        add(f"{gov} {iri(ORG + 'classification')} {iri(GEMEENTE_CLASSIFICATION)} .")
    actortypes = schemes.get("actortype", [])
    for i, org in enumerate(orgs):
        add(f"{iri(org)} {iri(RDF_TYPE)} {iri(ORG + 'Organization')} .")
        add(f"{iri(org)} {iri(SKOS + 'prefLabel')} {text(f'Organisatie {i}', 'nl')} .")
        if actortypes:
            add(f"{iri(org)} <{base}/ns/smartregio#actortype> {iri(rng.choice(actortypes))} .")
    sr = f"{base}/ns/smartregio#"
    for i in range(n):
        s = iri(f"{base}/id/initiatief/bench-{i:06d}")
        words = rng.sample(WORDS, 6)
        title = " ".join(words[:3]).capitalize()
        add(f"{s} {iri(RDF_TYPE)} {iri(sr + 'SmartCityInitiatief')} .")
        add(f"{s} {iri(DCT + 'title')} {text(f'{title} {i}', 'nl')} .")
        add(f"{s} {iri(DCT + 'title')} {text(f'{title} {i} (en)', 'en')} .")
        add(f"{s} {iri(DCT + 'description')} {text(' '.join(words) + ' in de regio.', 'nl')} .")
        add(f"{s} {iri(DCT + 'description')} {text(' '.join(words) + ' in the region.', 'en')} .")
        add(f'{s} {iri(DCT + "identifier")} "bench-{i:06d}" .')
        for prop, scheme, k in (
            ("uitdaging", "uitdaging", 3),
            ("draagtBijTot", "strategische-doelstelling", 2),
            ("focusdomein", "focusdomein", 2),
            ("probleemdomein", "probleemdomein", 3),
            ("datagebruik", "datagebruik", 3),
            ("transversaalThema", "transversaal-thema", 1),
            ("werkwijze", "werkwijze", 1),
        ):
            pool = schemes.get(scheme, [])
            for concept in rng.sample(pool, min(k, len(pool))):
                add(f"{s} {iri(sr + prop)} {iri(concept)} .")
        places = rng.sample(codes, min(3, len(codes)))
        for code in places:
            add(f"{s} {iri(DCT + 'spatial')} {iri(GEMEENTE + code)} .")
            add(
                f"{s} {iri(PROV + 'wasAssociatedWith')} "
                f"{iri(f'{base}/id/bestuurseenheid/{code}')} ."
            )
        for org in rng.sample(orgs, 4):
            add(f"{s} {iri(PROV + 'wasAssociatedWith')} {iri(org)} .")
        year = rng.randint(2015, 2025)
        start = typed(f"{year}-0{rng.randint(1, 9)}-01T00:00:00", "dateTime")
        add(f"{s} {iri(PROV + 'startedAtTime')} {start} .")
        add(f"{s} {iri(PROV + 'endedAtTime')} {typed(f'{year + 2}-12-31T00:00:00', 'dateTime')} .")
        add(f"{s} {iri(sr + 'budget')} {typed(str(rng.randint(5, 500) * 1000), 'decimal')} .")
        add(f"{s} {iri(sr + 'isVoorbeeld')} {typed('false', 'boolean')} .")
        add(f"{s} {iri(sr + 'isVuurtoren')} {typed(str(rng.random() < 0.1).lower(), 'boolean')} .")
        add(f"{s} {iri(sr + 'resultaat')} {text('Resultaat: ' + ' '.join(words[2:5]), 'nl')} .")
        add(f"{s} {iri(FOAF + 'homepage')} <https://example.org/initiatief/{i}> .")
        contact = iri(f"{base}/id/contactpunt/bench-{i:06d}")
        add(f"{s} {iri(SCHEMA + 'contactPoint')} {contact} .")
        add(f"{contact} {iri(RDF_TYPE)} {iri(SCHEMA + 'ContactPoint')} .")
        add(f'{contact} {iri(SCHEMA + "email")} "info{i}@example.org" .')
        dataset = iri(f"{base}/id/dataset/bench-{i:06d}")
        add(f"{s} {iri(PROV + 'generated')} {dataset} .")
        add(f"{dataset} {iri(RDF_TYPE)} {iri(DCAT + 'Dataset')} .")
        add(f"{dataset} {iri(DCT + 'title')} {text(f'Data van {title} {i}', 'nl')} .")
        for word in words[:5]:
            add(f"{dataset} {iri(DCAT + 'keyword')} {text(word, 'nl')} .")
    return ("\n".join(lines) + "\n").encode("utf-8")
