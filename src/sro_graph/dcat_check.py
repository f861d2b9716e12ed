"""Self-check of the catalogue before harvest: DCAT-AP Vlaanderen 3.0 and SEMIC DCAT-AP 3.0.1.

Three shape sets, each validated with pySHACL: (1) the official DCAT-AP VL shapes with shapes
for code-list membership and Metadata Vlaanderen's rules
(``shapes/catalogus-metadata-vlaanderen.ttl``, SHACL-SPARQL); (2) SEMIC's DCAT-AP 3.0.1 core
shapes; (3) those with SEMIC's range shapes. The files ship in the package
(``catalog/official/``, sources and licences in its SOURCES.md); ``--reference`` names another
folder. Published defects are corrected on loading, each by one named function below that says
what is wrong and why the fix keeps the constraint's intent. Nothing is loosened: a correction
repairs a shape that could not run or never matched, or moves a constraint to where the
profile says it applies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from sro_graph.errors import NotFoundError
from sro_graph.rdfio import format_from_filename, parse_rdf
from sro_graph.validation import run_pyshacl
from sro_graph.vocab import ADMS, DCAT, DCTERMS, FOAF, MDCAT, RDF, RDFS, SH, SKOS, XSD

__all__ = [
    "CORRECTIONS",
    "DEFAULT_REFERENCE_DIR",
    "OFFICIAL_SHAPES",
    "CheckReport",
    "ShapeSet",
    "Violation",
    "check_catalog",
    "code_list_shapes",
    "correct_count_literals",
    "correct_dangling_property_shapes",
    "correct_misspelled_paths",
    "correct_publisher_target",
    "correct_resource_class",
    "correct_sample_target",
    "load_check_shapes",
    "load_official_shapes",
    "load_semic_shapes",
    "load_shape_sets",
]

DEFAULT_REFERENCE_DIR = Path(__file__).resolve().parent / "catalog" / "official"
OFFICIAL_SHAPES = "metadata-voor-services-ap-SHACL.ttl"
# SEMIC's files: their names in the package, and beside the oslo folder in ../shared/reference.
SEMIC_CORE = ("semic-dcat-ap-SHACL.ttl", "../dcat-ap-3.0.1/dcat-ap-SHACL.ttl")
SEMIC_RANGES = ("semic-ranges.ttl", "../dcat-ap-3.0.1/ranges.ttl")
METADATA_VLAANDEREN_SHAPES = "catalogus-metadata-vlaanderen.ttl"
AP = "https://data.vlaanderen.be/doc/applicatieprofiel/DCAT-AP-VL/erkendestandaard/2026-02-24#"

# Property → (code-list files, optional target class): values must be concepts of the list.
CODE_LISTS: dict[URIRef, tuple[tuple[str, ...], URIRef | None]] = {
    DCTERMS.accessRights: (("access-right.rdf",), None),
    DCTERMS.format: (("file-type.rdf",), None),
    DCAT.theme: (("belgif-datatheme.rdf", "datatheme.rdf"), None),
    MDCAT.statuut: (("GDI-Vlaanderen-trefwoorden.rdf",), None),
    DCTERMS.license: (("license.ttl",), None),
    DCTERMS.type: (("publisher-type.rdf",), FOAF.Agent),
}


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    value: str
    message: str
    shape: str
    severity: str


@dataclass(frozen=True)
class CheckReport:
    conforms: bool
    violations: tuple[Violation, ...]
    shapes_used: tuple[str, ...]

    def summary(self) -> str:
        if self.conforms:
            return "conforms: 0 violations"
        return f"does not conform: {len(self.violations)} violation(s)"


# -- corrections of the published shapes (notes §4.3) ---------------------------------------


def correct_count_literals(shapes: Graph) -> Graph:
    """``sh:minCount``/``sh:maxCount`` written ``"1"`` (a string) or ``"n"``.

    SHACL requires an ``xsd:integer``; pySHACL refuses the shapes otherwise. A digit string
    becomes that integer (the same bound); ``"n"`` is the generator's notation for "unbounded"
    and SHACL says unbounded by leaving ``sh:maxCount`` out, so it is removed.
    """
    for prop in (SH.minCount, SH.maxCount):
        for node, value in list(shapes.subject_objects(prop)):
            if not isinstance(value, Literal) or (
                value.datatype == XSD.integer and str(value).isdigit()
            ):
                continue
            shapes.remove((node, prop, value))
            if str(value).strip().isdigit():
                shapes.add((node, prop, Literal(int(str(value).strip()))))
    return shapes


def correct_misspelled_paths(shapes: Graph) -> Graph:
    """``dcat:servesdataset`` and ``dcat:mediatype`` do not exist in DCAT.

    DCAT defines ``dcat:servesDataset`` and ``dcat:mediaType``; with the misspelling the
    constraint never matches real data. The path is corrected, the constraint kept.
    """
    dcat = str(DCAT)
    fixes = {
        URIRef(dcat + "servesdataset"): DCAT.servesDataset,
        URIRef(dcat + "mediatype"): DCAT.mediaType,
    }
    for node, path in list(shapes.subject_objects(SH.path)):
        if isinstance(path, URIRef) and path in fixes:
            shapes.remove((node, SH.path, path))
            shapes.add((node, SH.path, fixes[path]))
    return shapes


def correct_sample_target(shapes: Graph) -> Graph:
    """The sample ("Voorbeeldweergave") shape targets every ``dcat:Distribution``.

    Its ``dcat:downloadURL`` 1..1 is meant for samples (objects of ``adms:sample``); on every
    distribution it would make a download URL mandatory, which the distribution shape says
    is optional. The shape is retargeted to ``sh:targetObjectsOf adms:sample``.
    """
    shape = URIRef(AP + "VoorbeeldweergaveShape")
    if (shape, SH.targetClass, DCAT.Distribution) in shapes:
        shapes.remove((shape, SH.targetClass, DCAT.Distribution))
        shapes.add((shape, SH.targetObjectsOf, ADMS.sample))
    return shapes


def correct_resource_class(shapes: Graph) -> Graph:
    """URL-valued properties carry ``sh:class rdfs:Resource``.

    Every IRI is an ``rdfs:Resource`` by RDFS semantics, but without inference the data would
    have to state ``rdf:type rdfs:Resource`` for each URL. The intent — the value is a
    resource (a URL), not a literal — is ``sh:nodeKind sh:IRI``.
    """
    for node in list(shapes.subjects(SH["class"], RDFS.Resource)):
        shapes.remove((node, SH["class"], RDFS.Resource))
        shapes.add((node, SH.nodeKind, SH.IRI))
    return shapes


def correct_publisher_target(shapes: Graph) -> Graph:
    """The publisher 1..1 of datasets and data services sits on a shape for ``dcat:Resource``.

    It only fires for data that types its resources ``dcat:Resource`` explicitly (no RDFS
    inference). The profile (notes §4.2) makes the publisher mandatory on Dataset and
    DataService, so the shape also targets those classes.
    """
    shape = URIRef(AP + "CatalogusResourceShape")
    if (shape, SH.targetClass, DCAT.Resource) in shapes:
        shapes.add((shape, SH.targetClass, DCAT.Dataset))
        shapes.add((shape, SH.targetClass, DCAT.DataService))
    return shapes


def correct_dangling_property_shapes(shapes: Graph) -> Graph:
    """SEMIC's files name property shapes under ``sh:property`` that they never define.

    A shape without a single statement has no path, so pySHACL refuses the whole file; an
    undefined shape constrains nothing, so dropping the link loses no constraint.
    """
    for node, prop in list(shapes.subject_objects(SH.property)):
        if (prop, None, None) not in shapes:
            shapes.remove((node, SH.property, prop))
    return shapes


CORRECTIONS: tuple[Callable[[Graph], Graph], ...] = (
    correct_count_literals,
    correct_misspelled_paths,
    correct_sample_target,
    correct_resource_class,
    correct_publisher_target,
)


# -- loading --------------------------------------------------------------------------------


def _read(path: Path, base: str = "urn:x-reference:") -> Graph:
    fmt = format_from_filename(path.name)
    if fmt is None:
        raise NotFoundError(f"Unknown reference file type: {path.name}")
    # The official shapes hold "n"^^xsd:integer; rdflib logs a traceback for each such
    # literal. correct_count_literals deals with them, so the noise is muted here.
    term_log = logging.getLogger("rdflib.term")
    level = term_log.level
    term_log.setLevel(logging.CRITICAL)
    try:
        return parse_rdf(path.read_bytes(), fmt, base_iri=base, max_bytes=50_000_000).graph
    finally:
        term_log.setLevel(level)


def load_official_shapes(reference_dir: Path, *, corrected: bool = True) -> Graph:
    """The official DCAT-AP VL 3.0 shapes, corrected unless told otherwise.

    Raises:
        NotFoundError: the reference folder or the shapes file is missing.
    """
    path = reference_dir / OFFICIAL_SHAPES
    if not path.is_file():
        raise NotFoundError(
            f"The official DCAT-AP Vlaanderen shapes ({OFFICIAL_SHAPES}) are not in the "
            "reference folder; leave out --reference to use the ones shipped with sro-graph."
        )
    shapes = _read(path)
    if corrected:
        for correction in CORRECTIONS:
            shapes = correction(shapes)
    return shapes


def code_list_shapes(reference_dir: Path) -> Graph:
    """Shapes requiring values of coded properties to be concepts of the official lists."""
    shapes = Graph()
    for prop, (files, target_class) in CODE_LISTS.items():
        members: set[URIRef] = set()
        for name in files:
            path = reference_dir / name
            if not path.is_file():
                continue
            lists = _read(path)
            members |= {s for s in lists.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)}
            members |= {
                s
                for s in lists.subjects(RDF.type, DCTERMS.LicenseDocument)
                if isinstance(s, URIRef)
            }
            members |= {s for s in lists.subjects(SKOS.inScheme, None) if isinstance(s, URIRef)}
        if not members:
            continue
        shape = URIRef(f"urn:sro-graph:codelist-shape:{prop}")
        shapes.add((shape, RDF.type, SH.NodeShape))
        if target_class is None:
            shapes.add((shape, SH.targetSubjectsOf, prop))
        else:
            shapes.add((shape, SH.targetClass, target_class))
        prop_shape = BNode()
        shapes.add((shape, SH.property, prop_shape))
        shapes.add((prop_shape, SH.path, prop))
        values = BNode()
        Collection(shapes, values, list[Node](sorted(members)))
        shapes.add((prop_shape, SH["in"], values))
        shapes.add(
            (
                prop_shape,
                SH.message,
                Literal(
                    f"The value of {prop} is not in the official code list ({', '.join(files)}).",
                    lang="en",
                ),
            )
        )
    return shapes


def load_check_shapes(reference_dir: Path, base: str, shapes_dir: Path) -> Graph:
    """Corrected official shapes + code-list shapes + the Metadata Vlaanderen rules."""
    shapes = load_official_shapes(reference_dir)
    shapes += code_list_shapes(reference_dir)
    own = shapes_dir / METADATA_VLAANDEREN_SHAPES
    shapes += _read(own, base=base + "/")
    return shapes


def _semic_file(reference_dir: Path, names: tuple[str, str]) -> Path:
    for name in names:
        path = (reference_dir / name).resolve()
        if path.is_file():
            return path
    raise NotFoundError(
        f"SEMIC's DCAT-AP 3.0.1 shapes ({names[0]}) are not in the reference folder "
        f"{reference_dir.name}."
    )


def load_semic_shapes(reference_dir: Path, *, ranges: bool) -> Graph:
    """SEMIC's DCAT-AP 3.0.1 core shapes, with its range shapes if asked, corrected.

    Raises:
        NotFoundError: a file is missing.
    """
    shapes = _read(_semic_file(reference_dir, SEMIC_CORE))
    if ranges:
        shapes += _read(_semic_file(reference_dir, SEMIC_RANGES))
    return correct_dangling_property_shapes(shapes)


@dataclass(frozen=True)
class ShapeSet:
    """One set of shapes the catalogue is checked against."""

    name: str
    shapes: Graph


def load_shape_sets(reference_dir: Path, base: str, shapes_dir: Path) -> list[ShapeSet]:
    """The three shape sets of ``sro-graph catalog --check``.

    Raises:
        NotFoundError: a file is missing.
    """
    return [
        ShapeSet(
            "DCAT-AP Vlaanderen 3.0 (corrected) + code lists + Metadata Vlaanderen",
            load_check_shapes(reference_dir, base, shapes_dir),
        ),
        ShapeSet("SEMIC DCAT-AP 3.0.1 core", load_semic_shapes(reference_dir, ranges=False)),
        ShapeSet(
            "SEMIC DCAT-AP 3.0.1 core + ranges", load_semic_shapes(reference_dir, ranges=True)
        ),
    ]


def check_catalog(
    catalog: Graph, shapes: Graph, *, shapes_used: tuple[str, ...] | None = None
) -> CheckReport:
    """Validate a catalogue graph; the report lists every violation (warnings excluded).

    Raises:
        NotFoundError: ``shapes`` holds no shape, so nothing would be checked.
    """
    if not any(shapes.subjects(RDF.type, SH.NodeShape)):
        raise NotFoundError("The shapes hold no sh:NodeShape: nothing would be checked.")
    data = Graph()
    for triple in catalog:
        data.add(triple)
    conforms, report = run_pyshacl(data, shapes)
    violations: list[Violation] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(result, SH.resultSeverity) or "")
        messages = [m for m in report.objects(result, SH.resultMessage)]
        message = next(
            (str(m) for m in messages if getattr(m, "language", None) == "en"),
            str(messages[0]) if messages else "",
        )
        violations.append(
            Violation(
                focus=str(report.value(result, SH.focusNode) or ""),
                path=str(report.value(result, SH.resultPath) or ""),
                value=str(report.value(result, SH.value) or ""),
                message=message,
                shape=str(report.value(result, SH.sourceShape) or ""),
                severity=severity.rsplit("#", 1)[-1],
            )
        )
    real = tuple(
        sorted(
            (v for v in violations if v.severity == "Violation"),
            key=lambda v: (v.focus, v.path, v.message),
        )
    )
    return CheckReport(
        conforms=conforms and not real,
        violations=real,
        shapes_used=shapes_used or (OFFICIAL_SHAPES, "code lists", METADATA_VLAANDEREN_SHAPES),
    )
