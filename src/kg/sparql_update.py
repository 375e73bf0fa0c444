"""SPARQL 1.1 Update (https://www.w3.org/TR/sparql11-update/) as an edit of a release's graphs.

Parsed and evaluated by rdflib (see `kg.updates` for why; INSERT DATA and DELETE DATA need no
engine and are applied to the graphs' triples), with what rdflib would do on its own and we do
not want checked first: the outside resources an update reaches (SERVICE, LOAD) are
listed for the caller to allow or refuse, writes to the default graph (the union of the named
graphs, read-only) are refused, and USING reads a graph of the dataset instead of fetching it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import rdflib.plugins.sparql
from pyparsing import ParseException
from rdflib import Dataset, URIRef
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Update as Algebra
from rdflib.plugins.sparql.update import evalUpdate

from kg.errors import QueryError
from kg.federation import SERVICE_VARIABLE
from kg.namespaces import PREFIXES
from kg.sparql_grammar import prepare_update
from kg.updates import DEFAULT_GRAPH, Edit, GraphsEdit, ReadOnlyGraphError, Triples


@dataclass(frozen=True)
class Update:
    """A parsed SPARQL Update and the outside resources it would reach.

    Attributes:
        services: endpoints of its SERVICE patterns ("?" for `SERVICE ?var`).
        loads: documents its LOAD operations would fetch.
    """

    algebra: Algebra
    services: tuple[str, ...]
    loads: tuple[str, ...]


def parse_update(
    text: str, base_iri: str, using: Sequence[str] = (), using_named: Sequence[str] = ()
) -> Update:
    """Parse an update, our prefixes predeclared, with the protocol's `using-graph-uri` and
    `using-named-graph-uri` (https://www.w3.org/TR/sparql11-protocol/#update-dataset).

    Raises:
        QueryError: the update does not parse, or it has USING or WITH and the request gave
            a dataset too.
        ReadOnlyGraphError: it writes the default graph.
    """
    try:
        algebra = prepare_update(text, base_iri, PREFIXES)
    except ParseException as error:
        raise QueryError(f"the update does not parse: {error}") from error
    # rdflib raises plain exceptions for what it cannot translate (an unknown prefix...).
    except Exception as error:
        raise QueryError(f"the update cannot be read: {error}") from error
    for operation in algebra.algebra:
        if _writes_default_graph(operation):
            raise ReadOnlyGraphError(f"{DEFAULT_GRAPH}: write in GRAPH <iri> {{ }} or WITH <iri>")
        if using or using_named:
            _set_dataset(operation, using, using_named)
    found = list(_nodes(algebra.algebra))
    services = {_name(n.term) for n in found if n.name == "ServiceGraphPattern"}
    loads = {str(n.iri) for n in found if n.name == "Load"}
    return Update(algebra, tuple(sorted(services)), tuple(sorted(loads)))


def run_update(update: Update) -> Edit:
    """The edit that evaluates `update`, a new named graph left empty counting as none.

    An update of INSERT DATA and DELETE DATA only is applied to the graphs' triples as the
    specification says (https://www.w3.org/TR/sparql11-update/#insertData), with no Dataset
    for rdflib's engine; any other goes to rdflib.
    """
    data = _data_operations(update.algebra)
    if data is not None:
        return GraphsEdit(partial(_apply_data, data))

    def edit(dataset: Dataset) -> None:
        before = {graph.identifier for graph in dataset.graphs()}
        # USING <g> must read the graph g of the dataset, not fetch g from the web.
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        try:
            evalUpdate(dataset, update.algebra)
        # rdflib's update engine raises bare Exceptions ("Graph ... already exists"...).
        except Exception as error:
            raise QueryError(f"the update failed: {error}") from error
        for graph in list(dataset.graphs()):
            if graph.identifier not in before and not len(graph):
                dataset.remove_graph(graph)

    return edit


DataOperation = tuple[bool, dict[URIRef, Triples]]
"""An INSERT DATA (True) or DELETE DATA (False), as the triples it writes in each graph."""


def _data_operations(algebra: Algebra) -> tuple[DataOperation, ...] | None:
    """The update's operations if all are INSERT DATA or DELETE DATA into named graphs."""
    operations: list[DataOperation] = []
    for operation in algebra.algebra:
        if operation.name not in ("InsertData", "DeleteData") or operation.triples:
            return None
        quads = {name: frozenset(triples) for name, triples in (operation.quads or {}).items()}
        operations.append((operation.name == "InsertData", quads))
    return tuple(operations)


def _apply_data(
    operations: Sequence[DataOperation], graphs: Mapping[URIRef, Triples]
) -> dict[URIRef, Triples]:
    after = dict(graphs)
    for inserting, quads in operations:
        for name, triples in quads.items():
            if inserting and triples:
                after[name] = after.get(name, frozenset()) | triples
            elif not inserting and name in after:
                after[name] = after[name] - triples
    # As `run_update` on a Dataset: a new named graph left empty counts as none.
    return {name: ts for name, ts in after.items() if ts or name in graphs}


def _writes_default_graph(operation: CompValue) -> bool:
    """Whether an operation's template or target is the default graph (WITH names another)."""
    if operation.name in ("InsertData", "DeleteData", "DeleteWhere"):
        return bool(operation.triples)
    if operation.name == "Modify":
        templates = [t for t in (operation.delete, operation.insert) if t is not None]
        return operation.withClause is None and any(t.triples for t in templates)
    if operation.name in ("Clear", "Drop"):
        return bool(operation.graphiri == "DEFAULT")
    if operation.name in ("Add", "Copy"):
        return bool(operation.graph[1] == "DEFAULT")
    if operation.name == "Move":  # a move empties its source
        return bool("DEFAULT" in operation.graph)
    return False


def _set_dataset(operation: CompValue, using: Sequence[str], using_named: Sequence[str]) -> None:
    """https://www.w3.org/TR/sparql11-protocol/#update-dataset: the protocol's dataset applies
    to an operation with a WHERE clause, and is an error beside USING or WITH."""
    if operation.name != "Modify":
        return
    if operation.using or operation.withClause is not None:
        raise QueryError("using-graph-uri and using-named-graph-uri exclude USING and WITH")
    operation.using = [CompValue("UsingClause", default=URIRef(iri)) for iri in using] + [
        CompValue("UsingClause", named=URIRef(iri)) for iri in using_named
    ]


def _nodes(node: object) -> Iterator[CompValue]:
    """Every CompValue of an algebra, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list | tuple):
            stack.extend(current)


def _name(term: object) -> str:
    """A SERVICE endpoint, or SERVICE_VARIABLE for `SERVICE ?var`."""
    return str(term) if isinstance(term, URIRef) else SERVICE_VARIABLE
