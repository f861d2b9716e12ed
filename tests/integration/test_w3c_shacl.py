"""The W3C SHACL Core test suite through ``POST /validate`` (data + shapes upload).

Every ``sht:Validate`` case of ``../shared/reference/w3c/shacl/core`` is uploaded as data and
shapes; the answered ``sh:ValidationReport`` is judged by pySHACL's own test-suite comparison
(``check_sht_result``) against the manifest's expected report. Stock pySHACL runs the same
cases in the same test run, and /validate must pass at least as many (issue 13, point 2).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
from fastapi.testclient import TestClient
from pyshacl.validator_conformance import check_sht_result
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from sro_graph.web.app import create_app
from tests.conftest import SHARED, TEST_BASE, make_settings

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning"),
]

SUITE = SHARED / "reference" / "w3c" / "shacl" / "core"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
BASE = TEST_BASE + "/"
quiet = logging.getLogger("w3c-shacl-comparison")
quiet.disabled = True  # check_sht_result logs every mismatch at ERROR


@dataclass(frozen=True)
class Case:
    name: str
    manifest: Path
    data: Path
    shapes: Path


def _file(node: Node | None, base_dir: Path, manifest: Path) -> Path:
    assert node is not None, f"{manifest}: an action without its graph"
    text = str(node)
    if text.startswith(BASE):
        relative = text.removeprefix(BASE)
        return manifest if relative == "" else base_dir / relative
    return Path(text.removeprefix("file://"))


def _parse(path: Path) -> Graph:
    return Graph().parse(data=path.read_bytes(), format="turtle", publicID=BASE)


def _cases(manifest: Path) -> Iterator[Case]:
    graph = _parse(manifest)
    for included in graph.objects(None, MF.include):
        yield from _cases(manifest.parent / str(included).removeprefix(BASE))
    for entries in graph.objects(None, MF.entries):
        for entry in Collection(graph, entries):
            if (entry, None, SHT.Validate) not in graph and not any(
                graph.triples((entry, None, SHT.Validate))
            ):
                continue
            action = graph.value(entry, MF.action)
            yield Case(
                name=f"{manifest.parent.name}/{str(entry).removeprefix(BASE)}",
                manifest=manifest,
                data=_file(graph.value(action, SHT.dataGraph), manifest.parent, manifest),
                shapes=_file(graph.value(action, SHT.shapesGraph), manifest.parent, manifest),
            )


def _expected(case: Case) -> tuple[Graph, URIRef | BNode]:
    graph = _parse(case.manifest)
    entry = URIRef(BASE + case.name.split("/", 1)[1])
    result = graph.value(entry, MF.result)
    assert isinstance(result, URIRef | BNode), case.name
    return graph, result


def _passes(report: Graph, case: Case) -> bool:
    expected, result = _expected(case)
    # pySHACL's checker compares nodes as prefixed names: both graphs need the same prefixes.
    for prefix, namespace in expected.namespaces():
        report.bind(prefix, namespace, override=True, replace=True)
    try:
        return bool(check_sht_result(report, expected, result, log=quiet))
    except Exception:  # pySHACL's checker raises on a report it cannot read: not a pass
        return False


CASES = sorted(_cases(SUITE / "manifest.ttl"), key=lambda c: c.name) if SUITE.is_dir() else []


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    if not SUITE.is_dir():
        pytest.skip(f"the W3C SHACL suite is absent at {SUITE} (it lives in ../shared)")
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


def through_validate(client: TestClient, case: Case) -> Graph | None:
    """The report /validate answers for a case (None when it refuses the upload)."""
    response = client.post(
        "/validate",
        files={
            "data": (case.data.name, case.data.read_bytes(), "text/turtle"),
            "shapes": (case.shapes.name, case.shapes.read_bytes(), "text/turtle"),
        },
        headers={"accept": "application/n-triples"},
    )
    if response.status_code != 200:
        return None
    return Graph().parse(data=response.content, format="nt")


def through_pyshacl(case: Case) -> Graph | None:
    """Stock pySHACL's report for a case, with its defaults (no inference)."""
    try:
        _, report, _ = pyshacl.validate(
            _parse(case.data), shacl_graph=_parse(case.shapes), inference="none"
        )
    except Exception:
        return None
    assert isinstance(report, Graph)
    return report


@pytest.fixture(scope="module")
def outcomes(client: TestClient) -> dict[str, tuple[bool, bool]]:
    """Per case: (passes through /validate, passes with stock pySHACL), in this run."""
    found: dict[str, tuple[bool, bool]] = {}
    for case in CASES:
        ours = through_validate(client, case)
        theirs = through_pyshacl(case)
        found[case.name] = (
            ours is not None and _passes(ours, case),
            theirs is not None and _passes(theirs, case),
        )
    return found


def test_w3c_suite_has_the_core_cases() -> None:
    if not SUITE.is_dir():
        pytest.skip(f"the W3C SHACL suite is absent at {SUITE} (it lives in ../shared)")
    assert len(CASES) == 98


def test_w3c_core_through_validate_passes_at_least_as_many_as_pyshacl(
    outcomes: dict[str, tuple[bool, bool]],
) -> None:
    """Issue 13, point 2: the W3C SHACL Core tests through /validate, against pySHACL."""
    ours = sum(1 for mine, _ in outcomes.values() if mine)
    theirs = sum(1 for _, stock in outcomes.values() if stock)
    failed = sorted(name for name, (mine, _) in outcomes.items() if not mine)
    assert ours >= theirs, f"/validate {ours}, pySHACL {theirs}; failing: {failed}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_w3c_core_case_passes_through_validate(
    case: Case, outcomes: dict[str, tuple[bool, bool]]
) -> None:
    """Issue 13, point 2: each W3C SHACL Core case gives the expected report."""
    assert outcomes[case.name][0], f"{case.name}: /validate's report is not the expected one"
