"""The built store as an rdflib Dataset, for Python users who want rdflib's API and SPARQL.

Reads go straight to the Oxigraph database through oxrdflib, opened read-only: nothing is
copied into memory, and several processes can open the same store at once.
"""

from __future__ import annotations

from pathlib import Path

from oxrdflib import OxigraphStore
from rdflib import Dataset, Graph

from kg.namespaces import PREFIXES
from kg.store import open_store


class ReadOnlyOxigraphStore(OxigraphStore):
    """oxrdflib's store over a read-only database, on which rdflib can still hand out graphs.

    rdflib declares a graph before returning it (`Dataset.graph`, and `Dataset.graphs` for the
    default graph), and declaring is a write that a read-only database refuses. An undeclared
    graph reads exactly like an empty declared one, so declaring is skipped; every real write
    (add, remove, update) is still refused by Oxigraph.
    """

    def add_graph(self, graph: Graph) -> None:
        """Skip the declaration (see the class docstring)."""


def open_dataset(store_path: Path | str) -> Dataset:
    """Open the store built at `store_path` as a read-only rdflib Dataset.

    Each named graph of the build is a graph of the Dataset (`dataset.graph(STUDY_GRAPH)`);
    SPARQL through `dataset.query` runs in Oxigraph, over the union of all graphs unless the
    query names its own. Our prefixes are bound. As oxrdflib converts terms, a simple literal
    comes back as `Literal("x", datatype=XSD.string)` (equal in RDF 1.1, not to rdflib's `==`);
    patterns such as `(s, p, Literal("x")) in graph` match either way.

    Raises:
        kg.errors.UsageError: `store_path` is not a built store.
    """
    store = ReadOnlyOxigraphStore(store=open_store(Path(store_path)))
    dataset = Dataset(store=store, default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    return dataset
