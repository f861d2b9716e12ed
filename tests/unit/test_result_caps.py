"""The capped writers of store/results.py and the stream helpers of store/remote.py, alone:
rows are pulled no further than one past a cap, the byte cap holds in every format, and
Virtuoso's blank node labels are fixed also across chunk borders (issue 12.5, 12.6)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from sro_graph.formats import ResultFormat
from sro_graph.store.remote import _replaced
from sro_graph.store.results import write_bindings_capped, write_graph_capped

RESULTS = [f.value for f in ResultFormat]


def _rows(n: int, pulled: list[int], size: int = 10) -> Iterator[list[ox.Literal]]:
    for i in range(n):
        pulled.append(i)
        yield [ox.Literal(str(i) * size)]


@pytest.mark.parametrize("media", RESULTS)
def test_rows_are_pulled_no_further_than_one_past_the_row_cap(media: str) -> None:
    pulled: list[int] = []
    written = write_bindings_capped(media, ["x"], _rows(1_000_000, pulled), row_cap=5)
    assert (written.count, written.cut) == (5, "rows")
    assert len(pulled) == 6


@pytest.mark.parametrize("media", RESULTS)
def test_the_byte_cap_holds_in_every_results_format(media: str) -> None:
    pulled: list[int] = []
    written = write_bindings_capped(media, ["x"], _rows(10_000, pulled, 100), max_bytes=4_096)
    assert written.cut == "bytes"
    assert 0 < written.count < 40
    assert len(written.body) <= 4_096
    assert len(pulled) == written.count + 1


def test_a_row_over_the_byte_cap_is_not_encoded() -> None:
    huge = ox.Literal("x" * 1_000_000)
    written = write_bindings_capped(ResultFormat.JSON, ["x"], [[huge]], max_bytes=1_000)
    assert (written.count, written.cut) == (0, "bytes")
    assert written.body == b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'


@pytest.mark.parametrize(
    "fmt", [ox.RdfFormat.RDF_XML, ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TRIG]
)
def test_a_graph_keeps_to_the_byte_cap_in_any_syntax(fmt: ox.RdfFormat) -> None:
    triples = (
        ox.Triple(ox.NamedNode(f"urn:x:{i}"), ox.NamedNode("urn:x:p"), ox.Literal("v" * 50))
        for i in range(10_000)
    )
    written = write_graph_capped(fmt, triples, max_bytes=8_192)
    assert written.cut == "bytes"
    assert written.count > 0
    assert len(written.body) <= 8_192
    assert len(list(ox.parse(written.body, format=fmt))) == written.count


def test_virtuoso_blank_node_labels_are_fixed_across_chunk_borders() -> None:
    fix = (b"<bnode>nodeID://", b"<bnode>")
    body = b"<x><bnode>nodeID://b1</bnode><bnode>nodeID://b2</bnode></x>"
    for cut in range(1, len(body)):
        chunks = iter([body[:cut], body[cut:]])
        assert b"".join(_replaced(chunks, fix)) == b"<x><bnode>b1</bnode><bnode>b2</bnode></x>"
