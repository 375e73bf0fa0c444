"""Pure graph building: the project's sources in, the named graphs of a release out.

Nothing here reads or writes files. The steps, each a function:

* `materialise_claims`: a `pv:Claim` is a reified statement
  (https://www.w3.org/TR/rdf11-mt/#reification); the build asserts its triple, in the study
  graph when the study states it and in the interpretation graph when it is the authors'
  reading, so that a query can leave interpretations out by leaving out one graph.
* `derive_provenance`: a node supported by a quote is `prov:wasDerivedFrom` the document the
  quote targets (https://www.w3.org/TR/annotation-model/#bodies-and-targets).
* `entailments`: the RDFS closure of our own alignments only, rules rdfs5, rdfs7, rdfs9 and
  rdfs11 (https://www.w3.org/TR/rdf11-mt/#patterns-of-rdfs-entailment-informative) plus
  owl:equivalentClass / owl:equivalentProperty read as sub-class/-property both ways. Domain and
  range rules (rdfs2, rdfs3) and the axiomatic triples (`rdfs:Resource` for everything) are left
  out on purpose: they would type every node by every property it uses, which says nothing.
* `stamp_release`: owl:versionInfo and owl:versionIRI from the package version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from itertools import product

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS
from rdflib.term import Node

from kg import __version__
from kg.canonical import nquads_lines
from kg.namespaces import (
    ENTAILMENT_GRAPH,
    GRAPH,
    INTERPRETATION_GRAPH,
    OA,
    ONTOLOGY,
    ONTOLOGY_GRAPH,
    PV,
    RELEASES,
    SHAPES_GRAPH,
    STUDY_GRAPH,
)
from kg.sources import ProjectSources

LINKS = GRAPH["links/"]
"""The prefix of the linksets' graphs: `links/<stem>` for each file of `data/links/`."""

Hierarchy = dict[Node, frozenset[URIRef]]
"""Each class (or property) mapped to all its named super-classes (or super-properties)."""


def materialise_claims(data: Graph) -> tuple[Graph, Graph]:
    """Assert the triple of every claim, split by the claim's basis.

    Returns:
        (study, interpretation): the triples of `pv:studyStatement` claims and of
        `pv:interpretation` claims.
    """
    return asserted(data, PV.studyStatement), asserted(data, PV.interpretation)


def asserted(data: Graph, basis: URIRef) -> Graph:
    """The triples of the claims in `data` whose `pv:basis` is `basis`.

    A claim missing its subject, predicate or object asserts nothing here; the shapes report it.
    A claim with several values for one part asserts every combination, so the result never
    depends on which value rdflib happens to return first.
    """
    triples = Graph()
    for claim in data.subjects(PV.basis, basis, unique=True):
        if (claim, RDF.type, PV.Claim) not in data:
            continue
        subjects = [s for s in data.objects(claim, RDF.subject) if not isinstance(s, Literal)]
        predicates = [p for p in data.objects(claim, RDF.predicate) if isinstance(p, URIRef)]
        objects = list(data.objects(claim, RDF.object))
        for triple in product(subjects, predicates, objects):
            triples.add(triple)
    return triples


def derive_provenance(data: Graph) -> Graph:
    """Derive `?node prov:wasDerivedFrom ?source` along `pv:evidence/oa:hasTarget/oa:hasSource`.

    Says which document a fact comes from without making the reader walk the annotation.
    """
    derived = Graph()
    for node, quote in data.subject_objects(PV.evidence):
        for target in data.objects(quote, OA.hasTarget):
            for source in data.objects(target, OA.hasSource):
                derived.add((node, PROV.wasDerivedFrom, source))
    return derived


def hierarchy(ontology: Graph, sub: URIRef, equivalent: URIRef) -> Hierarchy:
    """Transitive closure of `sub` (e.g. rdfs:subClassOf), with `equivalent` as `sub` both ways.

    Only IRIs count as super-terms: a blank node (an OWL restriction, say) has no name to type a
    resource with. The walk still goes through blank nodes so that no named ancestor is lost.
    """
    parents: dict[Node, set[Node]] = {}
    for child, parent in ontology.subject_objects(sub):
        parents.setdefault(child, set()).add(parent)
    for one, other in ontology.subject_objects(equivalent):
        parents.setdefault(one, set()).add(other)
        parents.setdefault(other, set()).add(one)
    closure: Hierarchy = {}
    for term in parents:
        seen: set[Node] = set()
        todo = list(parents[term])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(parents.get(node, ()))
        named = frozenset(n for n in seen if isinstance(n, URIRef) and n != term)
        if named:
            closure[term] = named
    return closure


def entailments(ontology: Graph, graphs: Iterable[Graph]) -> Graph:
    """Return the triples that our sub-class and sub-property alignments add to `graphs`.

    Only triples absent from every input graph are returned, so the entailment graph can be
    dropped from a query without losing any asserted fact.
    """
    union = triples_of(graphs)
    by_predicate: dict[Node, list[tuple[Node, Node]]] = {}
    for subject, predicate, obj in union:
        by_predicate.setdefault(predicate, []).append((subject, obj))
    properties = hierarchy(ontology, RDFS.subPropertyOf, OWL.equivalentProperty)
    classes = hierarchy(ontology, RDFS.subClassOf, OWL.equivalentClass)
    new = Graph()
    for prop, supers in properties.items():
        for subject, obj in by_predicate.get(prop, ()):
            for super_prop in supers:
                _add_if_new(new, union, (subject, super_prop, obj))
    # Typing runs second so that an rdf:type entailed by a sub-property is typed up as well.
    typed = [*by_predicate.get(RDF.type, ()), *new.subject_objects(RDF.type)]
    for instance, cls in typed:
        for super_class in classes.get(cls, ()):
            _add_if_new(new, union, (instance, RDF.type, super_class))
    return new


def triples_of(graphs: Iterable[Graph]) -> frozenset[tuple[Node, Node, Node]]:
    """The distinct triples of `graphs`: a set is built and tested many times faster than a
    union graph, which copies every triple into rdflib's indexes."""
    return frozenset().union(*(frozenset(graph) for graph in graphs))


def _add_if_new(
    new: Graph, union: frozenset[tuple[Node, Node, Node]], triple: tuple[Node, Node, Node]
) -> None:
    if triple not in union:
        new.add(triple)


def stamp_release(ontology: Graph, version: str) -> Graph:
    """Return a copy of `ontology` whose header carries `version` as versionInfo and versionIRI.

    Any version already written in the source is replaced: pyproject.toml is the one source.
    """
    stamped = Graph()
    for prefix, namespace in ontology.namespaces():
        stamped.bind(prefix, namespace)
    stamped += ontology
    stamped.remove((ONTOLOGY, OWL.versionInfo, None))
    stamped.remove((ONTOLOGY, OWL.versionIRI, None))
    stamped.add((ONTOLOGY, OWL.versionInfo, Literal(version)))
    stamped.add((ONTOLOGY, OWL.versionIRI, RELEASES[f"{version}/partage.ttl"]))
    return stamped


def source_graphs(sources: ProjectSources) -> dict[URIRef, Graph]:
    """The project's sources keyed by the graph each feeds: what a release is made from, and
    what a store keeps of it (`kg.layout.SOURCES`) so that an edit can make the next one."""
    graphs = {
        ONTOLOGY_GRAPH: sources.ontology,
        STUDY_GRAPH: sources.data,
        SHAPES_GRAPH: sources.shapes,
        **{GRAPH[f"links/{stem}"]: graph for stem, graph in sources.links.items()},
    }
    return dict(sorted(graphs.items()))


def assemble(sources: ProjectSources, version: str = __version__) -> dict[URIRef, Graph]:
    """Build every named graph of a release from the project's sources (see `derive`)."""
    return derive(source_graphs(sources), version)


def derive(sources: Mapping[URIRef, Graph], version: str = __version__) -> dict[URIRef, Graph]:
    """Every named graph of a release but its report and description, from its source graphs.

    Args:
        sources: graphs keyed as `source_graphs` keys them; a graph outside `GRAPH` (a user's,
            written by an edit) is published as it is and derives nothing.

    Returns:
        The graphs keyed by graph IRI, in IRI order: the stamped ontology, the study (data,
        claims included, plus study-statement triples and derived provenance), the
        interpretation triples with what they entail unless a source asserts it, one graph per
        linkset (`graph/links/<stem>`), the shapes, the entailments of the ontology, study and
        linksets, and the other graphs of `sources`. Each derived graph is computed from the
        sources alone, never from an earlier release, so the same sources give the same graphs.
    """
    data = sources.get(STUDY_GRAPH, Graph())
    study_claims, interpretation = materialise_claims(data)
    study = Graph()
    study += data
    study += study_claims
    study += derive_provenance(data)
    ontology = stamp_release(sources.get(ONTOLOGY_GRAPH, Graph()), version)
    # A linkset states reference facts as claims with their source; its graph asserts them too.
    links = {
        name: graph + asserted(graph, PV.referenceFact)
        for name, graph in sources.items()
        if name.startswith(LINKS)
    }
    inferred = entailments(ontology, [ontology, study, *links.values()])
    # An inferred triple lives with the triple it is inferred from (each rule here has one data
    # premise): what a reading entails joins the interpretation graph, even where a statement or
    # a reference fact entails it too (it is then in both graphs), unless a graph asserts it. So
    # the interpretation graph answers alone for the readings, and leaving it out of a query
    # leaves out what only they entail.
    read_into = entailments(ontology, [interpretation])
    stated = triples_of([ontology, study, *links.values()])
    for triple in [t for t in read_into if t in stated]:
        read_into.remove(triple)
    interpretation += read_into
    others = {name: graph for name, graph in sources.items() if not name.startswith(GRAPH)}
    graphs = {
        **others,
        ONTOLOGY_GRAPH: ontology,
        STUDY_GRAPH: study,
        INTERPRETATION_GRAPH: interpretation,
        ENTAILMENT_GRAPH: inferred,
        SHAPES_GRAPH: sources.get(SHAPES_GRAPH, Graph()),
        **links,
    }
    return dict(sorted(graphs.items()))


def content_hash(graphs: Mapping[URIRef, Graph]) -> str:
    """SHA-256 of the graphs as sorted N-Quads with canonical blank-node labels.

    Parsing mints fresh blank-node labels each time, so each graph with blank nodes is first
    relabelled by `kg.canonical` (RGDA1: labels are hashes of each node's surroundings, equal
    for isomorphic graphs), whose lines the N-Quads dump is made of too. Graphs are
    canonicalised one by one, which is sound for equality (the same dataset always gives the
    same hash) and only blind to whether a blank node is shared across two graphs, which no
    build relies on. Lines are sorted so neither triple order nor graph order matters.
    """
    lines = sorted(line for name in graphs for line in nquads_lines(name, graphs[name]))
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
