"""The store context of a graph about to be validated: what it references, from the store.

A submission names organisations, municipalities and concepts that the store describes; SHACL
needs their types, labels and schemes (``sh:class``, scheme checks, report labels). This reads
exactly that, one referenced IRI at a time (never the whole graph), for the service that owns
the store to hand to the validator.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from sro_graph import rq
from sro_graph.store import Store
from sro_graph.vocab import RDF


def fetch_context(store: Store, data: Graph) -> Graph:
    """The minimal store context ``data`` needs: types, labels and schemes of the IRIs it
    references without describing them."""
    subjects = set(data.subjects())
    referenced = {o for o in data.objects() if isinstance(o, URIRef) and o not in subjects}
    referenced -= set(data.objects(None, RDF.type))  # classes need no context
    context = Graph()
    query = rq.load("validation-context")
    for iri in sorted(referenced):
        for triple in store.construct(query, bindings={"iri": iri}):
            context.add(triple)
    return context
