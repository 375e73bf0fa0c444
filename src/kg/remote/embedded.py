"""The embedded engine (pyoxigraph, in memory) behind the same `GraphStore` protocol.

The contract suite runs every publishing and validation case on it beside the remote engines,
so the remote ones are held to what the embedded store does; it is also a store a test or a
script can publish into without a server. In memory only: the store on disk stays
`kg.store`'s, which writes it whole and swaps it by renames.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from kg.remote.client import RemoteError, Row
from kg.remote.profiles import Capabilities

CAPABILITIES = Capabilities(
    atomic_update=True,  # one update request is one transaction
    ask_is_select=False,
    head_usable=True,
    max_insert_triples=1_000_000,
    nquads_load=True,
    auth="basic",
)


class MemoryStore:
    """A pyoxigraph store in memory, answering as Oxigraph server does over HTTP."""

    capabilities = CAPABILITIES
    location = "embedded:memory"

    def __init__(self) -> None:
        self._store = ox.Store()

    def select(self, query: str, default_graphs: Sequence[str] = ()) -> list[Row]:
        result = self._query(query, default_graphs)
        if not isinstance(result, ox.QuerySolutions):
            raise RemoteError(f"not a SELECT: {query[:60]}")
        names = [variable.value for variable in result.variables]
        return [
            {name: solution[name].value for name in names if solution[name] is not None}
            for solution in result
        ]

    def ask(self, query: str) -> bool:
        return bool(self._query(query, ()))

    def update(self, update: str) -> None:
        try:
            self._store.update(update)
        except (SyntaxError, RuntimeError, OSError) as error:
            raise RemoteError(f"{self.location}: {error}") from error

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        name = ox.NamedNode(graph)
        self._store.remove_graph(name)
        self._load(ntriples, ox.RdfFormat.N_TRIPLES, name)

    def post_quads(self, nquads: bytes) -> None:
        self._load(nquads, ox.RdfFormat.N_QUADS, None)

    def get_graph(self, graph: str) -> bytes | None:
        name = ox.NamedNode(graph)
        if not self._store.contains_named_graph(name):
            return None
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)

    def close(self) -> None:
        """Nothing to let go of: the store lives as long as this object."""

    def _query(self, query: str, default_graphs: Sequence[str]) -> object:
        dataset: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = (
            [ox.NamedNode(g) for g in default_graphs] if default_graphs else None
        )
        try:
            return self._store.query(query, default_graph=dataset)
        except (SyntaxError, RuntimeError, OSError) as error:
            raise RemoteError(f"{self.location}: {error}") from error

    def _load(self, data: bytes, fmt: ox.RdfFormat, graph: ox.NamedNode | None) -> None:
        try:
            if graph is None:
                self._store.load(data, format=fmt)
            else:
                self._store.load(data, format=fmt, to_graph=graph)
        except SyntaxError as error:
            raise RemoteError(f"{self.location}: {error}") from error
