"""The built store on disk: the only module that uses pyoxigraph's database.

A store is a directory laid out as `kg.layout` says (the Oxigraph database, its N-Quads
snapshot, the release's sources, the manifest, the files a release publishes with it: see
`write_store`'s `publish`). Every write is built in a sibling `<store>.tmp-<random>` directory
and swapped in by renames, so a failed build or load never touches the store already there and
readers never see half a store. Every writer holds the store's write lock (`kg.lock`) and first
cleans up after a writer killed mid-write (`recover`), so a complete store is always at its
path or put back there.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg import __version__, formats
from kg.build import content_hash
from kg.errors import QueryError, SourceError, UsageError
from kg.layout import (
    DATABASE,
    DEFAULT_GRAPH,
    MANIFEST,
    SNAPSHOT,
    UNPUBLISHED,
    Manifest,
    read_manifest,
)
from kg.namespaces import PREFIXES
from kg.oxigraph_terms import from_oxigraph
from kg.query_text import names_dataset
from kg.sources import file_format, parse_rdf


def _rdf_format(fmt: formats.Format) -> ox.RdfFormat:
    """Oxigraph's format for one of `kg.formats`' RDF formats, by its media type."""
    found = ox.RdfFormat.from_media_type(fmt.media_type)
    assert found is not None, fmt.media_type
    return found


def _results_format(fmt: formats.Format) -> ox.QueryResultsFormat:
    """Oxigraph's format for one of `kg.formats.RESULTS_FORMATS`, by its media type."""
    found = ox.QueryResultsFormat.from_media_type(fmt.media_type)
    assert found is not None, fmt.media_type
    return found


# Oxigraph puts the position in front of its message; SourceError prints it on its own.
_POSITION_PREFIX = re.compile(r"^Parser error (?:at|between) [^:]*: ")

RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    fmt.name: _results_format(fmt) for fmt in formats.RESULTS_FORMATS
}
"""Serialisations of SELECT and ASK answers, by `kg query --format` name."""

GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    fmt.name: _rdf_format(fmt) for fmt in formats.GRAPH_FORMATS
}
"""Serialisations of CONSTRUCT and DESCRIBE answers, by `kg query --format` name."""

TABLE = "table"
"""Not a serialisation: rows of rdflib terms for the caller to lay out."""

QUERY_FORMATS = (TABLE, *RESULTS_FORMATS, *GRAPH_FORMATS)


Quad = tuple[Node, Node, Node, URIRef | None]
"""Subject, predicate, object and graph name (None: the default graph), as rdflib terms."""

Progress = Callable[[str, Path], None]
"""Called with ("checked" | "loaded", file) after each step of `load_files`."""

Publish = Callable[[Path], None]
"""Writes a build's files (dumps, docs) into the new store directory, before the swap."""


def write_store(
    graphs: Mapping[URIRef, Graph],
    path: Path,
    version: str = __version__,
    publish: Publish | None = None,
    loaded: Sequence[dict[str, str]] = (),
    digest: str | None = None,
) -> Manifest:
    """Write `graphs` as the named graphs of a new store at `path`, replacing any store there.

    All graphs go to Oxigraph as one N-Quads document in one `bulk_load`: Oxigraph renames
    blank nodes per load, so loading graph by graph would split a blank node that two graphs
    share.

    `publish`, if given, writes files into the new store directory before it is swapped in, so
    they appear and disappear with the store they were made from; the manifest lists each file
    with its SHA-256, and the `loaded` records of the files `kg load` added (`load_records`).
    `digest` is `kg.build.content_hash(graphs)` when the caller already has it.

    Raises:
        UsageError: `path` holds something that is not a store, or a term Oxigraph rejects.
    """
    recover(path)
    _check_replaceable(path)
    staging = _sibling(path, "tmp")
    staging.mkdir(parents=True)
    try:
        nquads = staging / SNAPSHOT
        with nquads.open("wb") as out:
            for name in sorted(graphs):
                out.write(_nquads(graphs[name], name))
        database = ox.Store(str(staging / DATABASE))
        try:
            database.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        except SyntaxError as error:
            raise UsageError(f"Oxigraph rejects a term of the built graphs: {error}") from error
        triples = {str(name): 0 for name in graphs} | _graph_sizes(database)
        database.flush()
        del database  # closes the database before its directory is renamed
        files = _published_files(staging, publish) if publish else {}
        sizes = dict(sorted(triples.items()))
        manifest = Manifest(version, digest or content_hash(graphs), sizes, list(loaded), files)
        (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        _swap(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def open_store(path: Path, read_only: bool = True) -> ox.Store:
    """Open the Oxigraph database of the store at `path`, read-only unless asked otherwise.

    Raises:
        UsageError: `path` is not a store, or the database cannot be opened.
    """
    read_manifest(path)
    database = path / DATABASE
    try:
        return ox.Store.read_only(str(database)) if read_only else ox.Store(str(database))
    except OSError as error:
        raise UsageError(f"cannot open the store {path}: {error}") from error


def load_files(
    files: Sequence[Path],
    store_path: Path,
    graph: str | None = None,
    progress: Progress | None = None,
) -> Manifest:
    """Bulk-load RDF files into the store at `store_path`, creating it if there is none.

    Every file is parsed first, so one malformed file loads nothing. The load itself goes into
    a copy of the store (Oxigraph's backup hard-links its immutable files, so the copy is cheap)
    that is swapped in at the end.

    Args:
        files: RDF files; the syntax is chosen by suffix.
        store_path: the store directory.
        graph: IRI of the named graph for triples; the default graph if None. Quads keep theirs.
        progress: told about each file checked and each file loaded.

    Raises:
        SourceError: a file cannot be read or parsed (names file, line and column).
        UsageError: `graph` is not an IRI, or `store_path` holds something that is not a store.
    """
    report: Progress = progress or (lambda _stage, _path: None)
    try:
        target = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
    except ValueError as error:
        raise UsageError(f"--graph must be an absolute IRI: {error}") from error
    for path in files:
        check_syntax(path)
        report("checked", path)
    recover(store_path)
    _check_replaceable(store_path)
    previous = read_manifest(store_path) if (store_path / MANIFEST).is_file() else None
    staging = _sibling(store_path, "tmp")
    staging.mkdir(parents=True)
    try:
        database = _staged_copy(store_path if previous else None, staging / DATABASE)
        for path in files:
            database.bulk_load(
                path=str(path), format=_rdf_format(file_format(path)), to_graph=target
            )
            report("loaded", path)
        database.dump(output=str(staging / SNAPSHOT), format=ox.RdfFormat.N_QUADS)
        triples = _graph_sizes(database)
        database.flush()
        del database
        loaded = [*(previous.loaded if previous else []), *load_records(files, graph)]
        version = previous.version if previous else __version__
        manifest = Manifest(version, None, dict(sorted(triples.items())), loaded)
        (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        _swap(staging, store_path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def read_quads(data: bytes, fmt: formats.Format = formats.NQUADS) -> dict[URIRef | None, Graph]:
    """Parse RDF bytes with Oxigraph into rdflib graphs keyed by graph name (None: default).

    Oxigraph parses N-Quads several times faster than rdflib and keeps blank-node labels as
    written, so graphs read from a release's canonical files keep their canonical labels.

    Args:
        fmt: one of `kg.formats.RDF_FILES`.

    Raises:
        SourceError: the bytes do not parse.
    """
    graphs: dict[URIRef | None, Graph] = {}
    for subject, predicate, obj, name in parse_quads(data, fmt):
        graph = graphs.get(name)
        if graph is None:
            graph = graphs[name] = Graph(identifier=name)
        graph.add((subject, predicate, obj))
    return graphs


def parse_quads(data: bytes, fmt: formats.Format = formats.NQUADS) -> Iterator[Quad]:
    """The quads of RDF bytes as rdflib terms, parsed by Oxigraph (see `read_quads`), for a
    caller that needs no rdflib graph (sets of triples are many times cheaper to build).

    Raises:
        SourceError: the bytes do not parse.
    """
    try:
        for quad in ox.parse(data, format=_rdf_format(fmt)):
            name = quad.graph_name
            key = URIRef(name.value) if isinstance(name, ox.NamedNode) else None
            yield _term(quad.subject), _term(quad.predicate), _term(quad.object), key
    except SyntaxError as error:
        raise SourceError("RDF data", str(error.msg), error.lineno, error.offset) from error


@dataclass(frozen=True)
class Answer:
    """A query's answer: a serialisation (`body`), or for the caller to lay out, a boolean
    (ASK), rows of terms (SELECT) or an rdflib graph (CONSTRUCT, DESCRIBE)."""

    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Node | None, ...], ...] = ()
    body: bytes | None = None
    boolean: bool | None = None
    graph: Graph | None = None


@dataclass(frozen=True)
class Statistics:
    """Triples per graph, and instances per class (asserted or entailed), most numerous first."""

    triples: dict[str, int]
    classes: list[tuple[URIRef, int]]


def run_query(store_path: Path, sparql: str, fmt: str | None = None) -> Answer:
    """Run a SPARQL query on the store, whose default graph is then the union of all graphs.

    Our prefixes (`kg.namespaces.PREFIXES`) are predeclared. A query with FROM or FROM NAMED
    keeps the dataset it names, as the endpoint does (`kg.query_text.names_dataset`).

    Args:
        store_path: the store directory.
        sparql: the query.
        fmt: one of QUERY_FORMATS; None (or `table`) asks for the answer unserialised.

    Raises:
        QueryError: the query does not parse (Oxigraph's message has the position).
        UsageError: `fmt` does not fit the query form (e.g. `csv` for a CONSTRUCT).
    """
    database = open_store(store_path)
    union = not names_dataset(sparql)
    try:
        result = database.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=union)
    except SyntaxError as error:
        raise QueryError(str(error)) from error
    if isinstance(result, ox.QueryTriples):
        if fmt in (None, TABLE):
            graph = Graph()
            for triple in result:
                graph.add((_term(triple.subject), _term(triple.predicate), _term(triple.object)))
            return Answer(graph=graph)
        serialisation = _pick(GRAPH_FORMATS, fmt)
        return Answer(body=ox.serialize(result, format=serialisation, prefixes=PREFIXES))
    if fmt not in (None, TABLE):
        return Answer(body=result.serialize(format=_pick(RESULTS_FORMATS, fmt)))
    if isinstance(result, ox.QueryBoolean):
        return Answer(boolean=bool(result))
    variables = tuple(variable.value for variable in result.variables)
    rows = tuple(
        tuple(_term(row[v]) if row[v] is not None else None for v in variables) for row in result
    )
    return Answer(variables, rows)


def statistics(store_path: Path) -> Statistics:
    """Count triples per graph, and distinct instances of each named class over all graphs."""
    database = open_store(store_path)
    query = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
    classes = [
        (URIRef(row["c"].value), int(row["n"].value))
        for row in _select(database, query, use_default_graph_as_union=True)
        if isinstance(row["c"], ox.NamedNode)
    ]
    return Statistics(dict(sorted(_graph_sizes(database).items())), classes)


def _pick(formats: Mapping[str, Any], fmt: str) -> Any:
    """The Oxigraph format named `fmt` in `formats`, or a UsageError naming those that fit."""
    try:
        return formats[fmt]
    except KeyError:
        fitting = ", ".join(formats)
        raise UsageError(f"--format {fmt} does not fit this query form; use {fitting}") from None


def _term(term: Any) -> Node:
    """The rdflib term for an Oxigraph term; an RDF 1.2 triple term in N-Triples syntax."""
    try:
        return from_oxigraph(term)
    except ValueError:
        return Literal(str(term))


def _select(database: ox.Store, query: str, **options: Any) -> ox.QuerySolutions:
    """Run one of our own SELECT queries (always a SELECT, so always solutions)."""
    result = database.query(query, **options)
    assert isinstance(result, ox.QuerySolutions)
    return result


def check_syntax(path: Path) -> None:
    """Parse `path` with Oxigraph's own parser, the one that will load it, and keep nothing."""
    fmt = _rdf_format(file_format(path))
    try:
        for _quad in ox.parse(path=str(path), format=fmt):
            pass
    except OSError as error:
        raise SourceError(path, error.strerror or str(error)) from error
    except SyntaxError as error:
        message = _POSITION_PREFIX.sub("", str(error.msg))
        if error.lineno is not None:
            raise SourceError(path, message, error.lineno, error.offset) from error
        # Oxigraph's RDF/XML errors carry no position; rdflib's SAX locator has one.
        try:
            parse_rdf(path)
        except SourceError as located:
            raise SourceError(path, message, located.line, located.column) from error
        raise SourceError(path, message) from error


def read_file(path: Path) -> dict[URIRef | None, Graph]:
    """The graphs of an RDF file, parsed once by Oxigraph (`read_quads`).

    A file that does not parse is parsed again by `check_syntax`, whose error names the file
    and the line (RDF/XML's through rdflib), so the error costs a second parse, not success.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(path, error.strerror or str(error)) from error
    try:
        return read_quads(data, file_format(path))
    except SourceError as error:
        check_syntax(path)
        raise SourceError(path, error.detail, error.line, error.column) from error


def _staged_copy(store_path: Path | None, database: Path) -> ox.Store:
    """Open a writable copy of the store's database at `database` (empty if there is no store)."""
    if store_path is not None:
        open_store(store_path).backup(str(database))
    return ox.Store(str(database))


def load_records(files: Iterable[Path], graph: str | None) -> list[dict[str, str]]:
    """What the manifest keeps of a load: file name, content digest and target graph."""
    return [
        {
            "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "graph": graph or DEFAULT_GRAPH,
        }
        for path in files
    ]


def _published_files(staging: Path, publish: Publish) -> dict[str, str]:
    """Let `publish` write into the staged store, then digest every file it wrote."""
    publish(staging)
    return {
        file.relative_to(staging).as_posix(): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in sorted(staging.rglob("*"))
        if file.is_file() and file.relative_to(staging).parts[0] not in UNPUBLISHED
    }


def _nquads(graph: Graph, name: URIRef) -> bytes:
    """Serialise `graph` as N-Quads lines in the graph `name`."""
    suffix = f"<{name}> .\n".encode()
    ntriples = graph.serialize(format="nt", encoding="utf-8")
    # Every N-Triples line ends with " .\n"; the graph name goes before the dot.
    return b"".join(
        line[:-2] + suffix for line in ntriples.splitlines(keepends=True) if line.strip()
    )


def _graph_sizes(database: ox.Store) -> dict[str, int]:
    """Triples per graph, the default graph under `DEFAULT_GRAPH` when it is not empty."""
    named = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    sizes = {row["g"].value: int(row["n"].value) for row in _select(database, named)}
    default = next(iter(_select(database, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")))
    if count := int(default["n"].value):
        sizes[DEFAULT_GRAPH] = count
    return sizes


def _check_replaceable(path: Path) -> None:
    """Refuse to replace anything but a store or an empty directory: it may be someone's data."""
    ours = (path / MANIFEST).is_file() or (path.is_dir() and not any(path.iterdir()))
    if path.exists() and not ours:
        raise UsageError(f"{path} exists and is not a store (no {MANIFEST}): not replacing it")


def recover(path: Path) -> None:
    """Finish what a writer killed mid-write left beside the store at `path`.

    A writer stages in `<store>.tmp-*` and swaps it with the store (`_swap`). Killed while
    staging, it leaves a `.tmp-*` that is not a store yet; killed after an atomic exchange, a
    `.tmp-*` holding the previous store: both removed. Where the swap takes two renames, killed
    between them it leaves no `<store>` and one `.old-*`, the complete previous store (put
    back); killed after them, an `.old-*` beside the new store (removed). Call it holding the
    write lock, as every writer does.
    """
    for staging in _siblings(path, "tmp"):
        shutil.rmtree(staging, ignore_errors=True)
    old = sorted(_siblings(path, "old"), key=lambda p: p.stat().st_mtime)
    if not path.exists() and old and (old[-1] / MANIFEST).is_file():
        old.pop().rename(path)
    for leftover in old:
        shutil.rmtree(leftover, ignore_errors=True)


def _siblings(path: Path, kind: str) -> list[Path]:
    prefix = f"{path.name}.{kind}-"
    if not path.parent.is_dir():
        return []
    return [p for p in path.parent.iterdir() if p.name.startswith(prefix) and p.is_dir()]


def _sibling(path: Path, kind: str) -> Path:
    return path.with_name(f"{path.name}.{kind}-{secrets.token_hex(4)}")


def _swap(staging: Path, path: Path) -> None:
    """Put `staging` at `path` and delete the store it replaces.

    Where the kernel can (Linux's renameat2 with RENAME_EXCHANGE, on ext4, xfs, btrfs, tmpfs),
    the two directories trade places in one atomic step, so a complete store is at `path` at
    every instant, a killed writer included: the old store is then in the staging directory,
    which `recover` removes. Elsewhere, two renames: the old store to `<store>.old-*`, the new
    one in (if the second fails, the old store is put back; a writer killed between them leaves
    the old store whole at `.old-*`, which `recover` puts back).
    """
    if not path.exists():
        staging.rename(path)
        return
    if _exchange(staging, path):
        shutil.rmtree(staging)
        return
    old = _sibling(path, "old")
    path.rename(old)
    try:
        staging.rename(path)
    except OSError:
        old.rename(path)
        raise
    shutil.rmtree(old)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(one: Path, other: Path) -> bool:
    """Swap two directories atomically; False where the system cannot (then nothing moved)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    done = renameat2(_AT_FDCWD, os.fsencode(one), _AT_FDCWD, os.fsencode(other), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(other))
