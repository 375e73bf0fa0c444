"""The JSON-LD dump of a dataset, converted graph by graph and kept per graph's content.

rdflib's JSON-LD serialiser (https://www.w3.org/TR/json-ld11-api/#serialize-rdf-as-json-ld-algorithm,
compacted with our prefixes) converts each named graph on its own: the document is
`{"@context": ..., "@graph": [{"@id": <graph>, "@graph": [nodes]}, ...]}`, one entry per named
graph that holds triples. So the dump is put together here from one entry per graph, each
converted by rdflib's own converter, its arrays sorted (`sorted_arrays`: JSON-LD arrays are
unordered except `@list`, https://www.w3.org/TR/json-ld11/#sets-and-lists) and its text kept per
(graph name, triples): an edit converts again only the graphs it changed. The bytes are those of
serialising the whole dataset at once, then sorting its arrays, with `json.dumps(indent=1,
sort_keys=True)`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rdflib import Graph, URIRef
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.shared.jsonld.context import Context
from rdflib.term import Node

from kg.namespaces import PREFIXES
from kg.recent import Recent

Entry = tuple[str, str]
"""A graph's entry of the `@graph` array: (its sort key, its text indented for that place)."""

_ENTRIES: Recent[tuple[URIRef, frozenset[tuple[Node, Node, Node]]], Entry | None] = Recent(64)


def dataset_jsonld(graphs: Mapping[URIRef, Graph]) -> bytes:
    """The named graphs as one JSON-LD document, arrays sorted, graphs in any order."""
    entries = sorted(e for e in (entry(name, graph) for name, graph in graphs.items()) if e)
    if len(entries) < 2:
        # rdflib writes no array for one graph: its entry's keys go to the top level
        top: dict[str, Any] = {"@graph": []}
        for _key, text in entries:
            top = json.loads(text)
        return _text({"@context": PREFIXES, **top})
    context = json.dumps(PREFIXES, indent=1, sort_keys=True, ensure_ascii=False)
    items = ",\n  ".join(text.replace("\n", "\n  ") for _key, text in entries)
    return (
        '{\n "@context": '
        + context.replace("\n", "\n ")
        + ',\n "@graph": [\n  '
        + items
        + "\n ]\n}\n"
    ).encode()


def graph_jsonld(graph: Graph) -> bytes:
    """One graph as a JSON-LD document with our prefixes, arrays sorted."""
    text = graph.serialize(format="json-ld", context=PREFIXES, encoding="utf-8")
    return _text(sorted_arrays(json.loads(text)))


def entry(name: URIRef, graph: Graph) -> Entry | None:
    """The `@graph` entry of the named graph `name`; None if it holds no triple."""
    return _ENTRIES.get((name, frozenset(graph)), lambda: _convert(name, graph))


def _convert(name: URIRef, graph: Graph) -> Entry | None:
    """What rdflib's serialiser writes for one named graph of a dataset, arrays sorted."""
    context = Context(PREFIXES)
    # native types, as rdflib's serialiser has them whenever a context is given
    nodes = Converter(context, True, False).from_graph(graph)
    if not nodes:
        return None
    converted = {context.id_key: context.shrink_iri(name), context.graph_key: nodes}
    ordered = sorted_arrays(json.loads(json.dumps(converted, ensure_ascii=False)))
    return json.dumps(ordered, sort_keys=True), json.dumps(
        ordered, indent=1, sort_keys=True, ensure_ascii=False
    )


def sorted_arrays(value: Any, in_list: bool = False) -> Any:
    """Sort every JSON array but the value of `@list`, whose order is the RDF list's."""
    if isinstance(value, dict):
        return {key: sorted_arrays(item, key == "@list") for key, item in value.items()}
    if isinstance(value, list):
        items = [sorted_arrays(item) for item in value]
        if in_list:
            return items
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def _text(document: Any) -> bytes:
    return (json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
