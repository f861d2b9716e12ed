"""The catalogue against the official DCAT-AP Vlaanderen 3.0 shapes (corrected, with code
lists) and SEMIC's DCAT-AP 3.0.1 core and range shapes.

Reads ``../shared/reference`` through the ``shared_reference`` fixture (skipped, with the
reason, where it is absent); the copies shipped in the package are checked against it. Each
correction of notes §4.3 is shown to keep its constraint's intent: a catalogue broken in
exactly that respect is still rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from sro_graph import dcat_check
from sro_graph.catalog import render_catalog
from sro_graph.config import PROJECT_ROOT
from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.runtime import Runtime
from sro_graph.vocab import ADMS, DCAT, DCTERMS, FOAF, RDF, VCARD
from tests.conftest import TEST_BASE

Mutation = Callable[[Graph], None]


@pytest.fixture(scope="module")
def shapes(shared_reference: Path) -> Graph:
    return dcat_check.load_check_shapes(shared_reference, TEST_BASE, PROJECT_ROOT / "shapes")


@pytest.fixture(scope="module")
def semic_core(shared_reference: Path) -> Graph:
    return dcat_check.load_semic_shapes(shared_reference, ranges=False)


@pytest.fixture(scope="module")
def semic_ranges(shared_reference: Path) -> Graph:
    return dcat_check.load_semic_shapes(shared_reference, ranges=True)


@pytest.fixture(scope="module")
def catalog_graph(runtime: Runtime) -> Graph:
    return runtime.catalog.snapshot().full_graph()


def _copy(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    return out


def _first(graph: Graph, cls: URIRef) -> URIRef:
    return sorted(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))[0]


@pytest.mark.parametrize(
    "fmt", [RdfFormat.TURTLE, RdfFormat.RDFXML, RdfFormat.JSONLD, RdfFormat.NTRIPLES]
)
def test_catalog_each_format_conforms_to_corrected_official_shapes(
    catalog_graph: Graph, shapes: Graph, fmt: RdfFormat
) -> None:
    parsed = parse_rdf(render_catalog(catalog_graph, fmt), fmt, base_iri=TEST_BASE + "/").graph
    report = dcat_check.check_catalog(parsed, shapes)
    assert report.conforms, report.violations[:5]


@pytest.mark.parametrize("fmt", [RdfFormat.TURTLE, RdfFormat.RDFXML])
@pytest.mark.parametrize("shape_set", ["semic_core", "semic_ranges"])
def test_catalog_conforms_to_semic_dcat_ap_3_core_and_range_shapes(
    catalog_graph: Graph, shape_set: str, fmt: RdfFormat, request: pytest.FixtureRequest
) -> None:
    """Issue 15.2: formats, checksum algorithms, access rights, landing pages, homepages,
    languages and endpoints are typed as SEMIC's ranges ask (about 120 sh:class violations
    before)."""
    shapes: Graph = request.getfixturevalue(shape_set)
    parsed = parse_rdf(render_catalog(catalog_graph, fmt), fmt, base_iri=TEST_BASE + "/").graph
    report = dcat_check.check_catalog(parsed, shapes)
    assert report.conforms, report.violations[:5]


def _untyped_format(g: Graph) -> None:
    for concept in set(g.objects(None, DCTERMS.format)):
        g.remove((concept, RDF.type, DCTERMS.MediaTypeOrExtent))


def _untyped_landing_page(g: Graph) -> None:
    for page in set(g.objects(None, DCAT.landingPage)):
        g.remove((page, RDF.type, FOAF.Document))


@pytest.mark.parametrize(
    ("mutation", "path"),
    [(_untyped_format, DCTERMS.format), (_untyped_landing_page, DCAT.landingPage)],
    ids=["untyped-format", "untyped-landing-page"],
)
def test_semic_range_shapes_reject_an_untyped_object(
    catalog_graph: Graph, semic_ranges: Graph, mutation: Mutation, path: URIRef
) -> None:
    broken = _copy(catalog_graph)
    mutation(broken)
    report = dcat_check.check_catalog(broken, semic_ranges)
    assert not report.conforms
    assert str(path) in {v.path for v in report.violations}


def test_catalog_states_when_it_was_issued_and_modified(catalog_graph: Graph) -> None:
    """Issue 15.2: the dcat:Catalog carries dct:issued and dct:modified (real times)."""
    catalog = _first(catalog_graph, DCAT.Catalog)
    issued = catalog_graph.value(catalog, DCTERMS.issued)
    modified = catalog_graph.value(catalog, DCTERMS.modified)
    assert isinstance(issued, Literal)
    assert isinstance(modified, Literal)
    assert issued.toPython() <= modified.toPython()
    records = [
        catalog_graph.value(r, DCTERMS.modified)
        for r in catalog_graph.objects(catalog, DCAT.record)
    ]
    assert modified == max(records, key=lambda m: m.toPython())  # type: ignore[union-attr]


def test_shipped_reference_files_are_the_shared_ones(shared_reference: Path) -> None:
    """The package carries identical copies of the official files (catalog/official)."""
    shipped = dcat_check.DEFAULT_REFERENCE_DIR
    names = {
        "metadata-voor-services-ap-SHACL.ttl": shared_reference,
        "access-right.rdf": shared_reference,
        "file-type.rdf": shared_reference,
        "belgif-datatheme.rdf": shared_reference,
        "datatheme.rdf": shared_reference,
        "GDI-Vlaanderen-trefwoorden.rdf": shared_reference,
        "license.ttl": shared_reference,
        "publisher-type.rdf": shared_reference,
    }
    for name, folder in names.items():
        assert (shipped / name).read_bytes() == (folder / name).read_bytes(), name
    semic = shared_reference.parent / "dcat-ap-3.0.1"
    assert (shipped / "semic-dcat-ap-SHACL.ttl").read_bytes() == (
        semic / "dcat-ap-SHACL.ttl"
    ).read_bytes()
    assert (shipped / "semic-ranges.ttl").read_bytes() == (semic / "ranges.ttl").read_bytes()
    assert "licence" in (shipped / "SOURCES.md").read_text().lower()


def test_check_with_no_shapes_is_refused_not_conforming(catalog_graph: Graph) -> None:
    """Fail closed: an empty shapes graph would check nothing, so it never says 'conforms'."""
    from sro_graph.errors import NotFoundError

    with pytest.raises(NotFoundError):
        dcat_check.check_catalog(catalog_graph, Graph())


def test_official_shapes_uncorrected_have_the_published_defects(shared_reference: Path) -> None:
    raw = dcat_check.load_official_shapes(shared_reference, corrected=False)
    fixed = dcat_check.load_official_shapes(shared_reference)
    assert any(
        str(o) == "n" for o in raw.objects(None, URIRef("http://www.w3.org/ns/shacl#maxCount"))
    )
    assert not any(
        str(o) == "n" for o in fixed.objects(None, URIRef("http://www.w3.org/ns/shacl#maxCount"))
    )
    assert (None, None, URIRef(str(DCAT) + "servesdataset")) in raw
    assert (None, None, URIRef(str(DCAT) + "servesdataset")) not in fixed


def _two_identifiers(g: Graph) -> None:  # count literals: maxCount "1" still bounds
    g.add((_first(g, DCAT.Dataset), DCTERMS.identifier, Literal("second-identifier")))


def _no_title(g: Graph) -> None:  # count literals: minCount "1" still requires
    g.remove((_first(g, DCAT.Dataset), DCTERMS.title, None))


def _serves_non_dataset(g: Graph) -> None:  # servesdataset → servesDataset still checks class
    g.add((_first(g, DCAT.DataService), DCAT.servesDataset, URIRef("https://example.org/x")))


def _sample_without_download(g: Graph) -> None:  # sample shape retargeted, still applies
    sample = URIRef(TEST_BASE + "/id/distributie/voorbeeld")
    g.add((_first(g, DCAT.Dataset), ADMS.sample, sample))
    g.add((sample, RDF.type, DCAT.Distribution))
    g.add((sample, DCTERMS.identifier, Literal("voorbeeld")))
    g.add((sample, DCAT.accessURL, URIRef("https://example.org/voorbeeld")))


def _endpoint_literal(g: Graph) -> None:  # rdfs:Resource → sh:IRI: a literal URL is refused
    service = _first(g, DCAT.DataService)
    g.remove((service, DCAT.endpointURL, None))
    g.add((service, DCAT.endpointURL, Literal("https://sro.test/sparql")))


def _no_publisher(g: Graph) -> None:  # publisher on Dataset even without dcat:Resource type
    dataset = _first(g, DCAT.Dataset)
    g.remove((dataset, DCTERMS.publisher, None))
    g.remove((dataset, RDF.type, DCAT.Resource))


def _literal_email(g: Graph) -> None:  # Metadata Vlaanderen: mailto IRI
    contact = _first(g, VCARD.Organization)
    g.remove((contact, VCARD.hasEmail, None))
    g.add((contact, VCARD.hasEmail, Literal("info@example.org")))


def _no_keyword(g: Graph) -> None:  # Metadata Vlaanderen: ≥1 keyword
    g.remove((_first(g, DCAT.DataService), DCAT.keyword, None))


def _other_catalog_licence(g: Graph) -> None:  # Metadata Vlaanderen: CC0 catalogue licence
    catalog = _first(g, DCAT.Catalog)
    g.remove((catalog, DCTERMS.license, None))
    g.add(
        (
            catalog,
            DCTERMS.license,
            URIRef("https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"),
        )
    )


def _theme_off_list(g: Graph) -> None:  # code lists: a theme not in the Belgian/EU lists
    g.add(
        (_first(g, DCAT.Dataset), DCAT.theme, URIRef("http://vocab.belgif.be/auth/datatheme/NOPE"))
    )


def _no_record_modified(g: Graph) -> None:  # record dct:modified 1..1
    record = _first(g, DCAT.CatalogRecord)
    g.remove((record, DCTERMS.modified, None))


@pytest.mark.parametrize(
    ("mutation", "path"),
    [
        (_two_identifiers, DCTERMS.identifier),
        (_no_title, DCTERMS.title),
        (_serves_non_dataset, DCAT.servesDataset),
        (_sample_without_download, DCAT.downloadURL),
        (_endpoint_literal, DCAT.endpointURL),
        (_no_publisher, DCTERMS.publisher),
        (_literal_email, None),
        (_no_keyword, None),
        (_other_catalog_licence, None),
        (_theme_off_list, DCAT.theme),
        (_no_record_modified, DCTERMS.modified),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_corrected_shapes_still_reject_broken_catalog(
    catalog_graph: Graph, shapes: Graph, mutation: Mutation, path: URIRef | None
) -> None:
    broken = _copy(catalog_graph)
    mutation(broken)
    report = dcat_check.check_catalog(broken, shapes)
    assert not report.conforms
    assert report.violations
    if path is not None:  # rejected for the reason the mutation introduced
        assert str(path) in {v.path for v in report.violations}, report.violations
    else:  # a Metadata Vlaanderen SHACL-SPARQL rule
        assert any("catalogus#" in v.shape for v in report.violations), report.violations


def test_distribution_without_download_url_is_fine_once_sample_shape_is_retargeted(
    catalog_graph: Graph, shapes: Graph
) -> None:
    """Without the retargeting, every distribution would need a downloadURL."""
    g = _copy(catalog_graph)
    g.remove((_first(g, DCAT.Distribution), DCAT.downloadURL, None))
    assert dcat_check.check_catalog(g, shapes).conforms


def test_cli_catalog_check_reports_conformance(
    shared_reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from sro_graph.cli import app

    monkeypatch.setenv("SRO_BASE_URI", TEST_BASE)
    result = CliRunner().invoke(
        app, ["catalog", "--store", "memory", "--check", "--reference", str(shared_reference)]
    )
    assert result.exit_code == 0, result.output
    assert "conforms: 0 violations" in result.output


def test_cli_catalog_check_works_out_of_the_box_with_three_shape_sets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 15.2: no reference folder needed; the shipped shapes and code lists are used."""
    from typer.testing import CliRunner

    from sro_graph.cli import app

    monkeypatch.setenv("SRO_BASE_URI", TEST_BASE)
    result = CliRunner().invoke(app, ["catalog", "--store", "memory", "--check"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "conforms: 0 violations" in line]
    assert [line.split(":")[0] for line in lines] == [
        "DCAT-AP Vlaanderen 3.0 (corrected) + code lists + Metadata Vlaanderen",
        "SEMIC DCAT-AP 3.0.1 core",
        "SEMIC DCAT-AP 3.0.1 core + ranges",
    ]


def test_cli_catalog_check_without_reference_is_unusable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from sro_graph.cli import app

    monkeypatch.setenv("SRO_BASE_URI", TEST_BASE)
    result = CliRunner().invoke(
        app, ["catalog", "--store", "memory", "--check", "--reference", str(tmp_path)]
    )
    assert result.exit_code == 2


def test_cli_catalog_prints_rdfxml(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from sro_graph.cli import app

    monkeypatch.setenv("SRO_BASE_URI", TEST_BASE)
    result = CliRunner().invoke(app, ["catalog", "--store", "memory", "--format", "rdf"])
    assert result.exit_code == 0
    assert "<rdf:RDF" in result.stdout


def test_inlined_concept_labels_match_the_official_code_lists(shared_reference: Path) -> None:
    from sro_graph.catalog.reference import reference
    from sro_graph.vocab import SKOS

    lists = Graph()
    for name in (
        "access-right.rdf",
        "belgif-datatheme.rdf",
        "file-type.rdf",
        "GDI-Vlaanderen-trefwoorden.rdf",
        "publisher-type.rdf",
    ):
        path = shared_reference / name
        lists += parse_rdf(path.read_bytes(), RdfFormat.RDFXML, base_iri="urn:x:").graph
    concepts = reference(TEST_BASE).concepts()
    assert len(concepts) >= 16
    for concept, (scheme, labels_by_lang) in concepts.items():
        labels = set(lists.objects(concept, SKOS.prefLabel))
        for lang, text in labels_by_lang.items():
            assert Literal(text, lang=lang) in labels, concept
        assert (concept, SKOS.inScheme, scheme) in lists
