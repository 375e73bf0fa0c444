"""Wikidata links found through Wikipedia: each organisation's article, and the item it is about.

Wikidata publishes every sitelink as `?article schema:about ?item ; schema:isPartOf ?wiki`
(https://www.mediawiki.org/wiki/Wikibase/Indexing/RDF_Dump_Format#Sitelinks), so the article we
already link (foaf:isPrimaryTopicOf) names its item without any guess. The result is a linkset
file like the others of data/links/: one pv:Claim per link, basis pv:referenceFact, the article
as dcterms:source, a rationale naming the method; and the item's label in the article's
language, which `kg links check` later expects the item to keep.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from kg.links.sparql import TIMEOUT, batches, select
from kg.links.targets import target_of
from kg.namespaces import ID, PREFIXES, SCHEMA_HTTP, WIKIDATA_ENTITY
from kg.store import run_query

METHOD = "Wikipedia sitelink via the Wikidata SPARQL endpoint"
PREFIXES_USED = ("pv", "rdf", "rdfs", "owl", "xsd", "dcterms", "prov")


@dataclass(frozen=True)
class Match:
    """An organisation, its Wikipedia article, the item the article is about, the item's label."""

    organisation: URIRef
    article: URIRef
    item: URIRef
    label: Literal | None


@dataclass(frozen=True)
class Reconciliation:
    """The matches, and the articles that answered with no item or with several."""

    matches: tuple[Match, ...]
    unmatched: tuple[URIRef, ...]
    ambiguous: tuple[URIRef, ...]


def articles(store: Path) -> list[tuple[URIRef, URIRef]]:
    """(organisation, Wikipedia article) pairs of the store, sorted."""
    query = """SELECT DISTINCT ?organisation ?article WHERE {
        ?organisation a pv:Organisation ; foaf:isPrimaryTopicOf ?article .
    } ORDER BY ?organisation ?article"""
    pairs = []
    for organisation, article in run_query(store, query).rows:
        target = target_of(str(article))
        wikipedia = target is not None and target.key.startswith("wikipedia")
        if isinstance(organisation, URIRef) and isinstance(article, URIRef) and wikipedia:
            pairs.append((organisation, article))
    return pairs


def reconcile(
    pairs: Sequence[tuple[URIRef, URIRef]], endpoint: str, timeout: float = TIMEOUT
) -> Reconciliation:
    """Ask `endpoint` which Wikidata item each article is a sitelink of.

    Raises:
        EndpointError: the endpoint failed; nothing is returned, so nothing gets written.
    """
    found: dict[URIRef, dict[URIRef, set[str]]] = {}
    for batch in batches(sorted({article for _organisation, article in pairs})):
        for row in select(endpoint, sitelink_query(batch), timeout):
            article, item, label = row.get("article"), row.get("item"), row.get("label")
            if isinstance(article, URIRef) and isinstance(item, URIRef) and _is_item(item):
                labels = found.setdefault(article, {}).setdefault(item, set())
                if isinstance(label, Literal):
                    labels.add(str(label))
    matches, unmatched, ambiguous = [], [], []
    for organisation, article in sorted(pairs):
        items = found.get(article, {})
        if len(items) > 1:
            ambiguous.append(article)
        elif not items:
            unmatched.append(article)
        else:
            ((item, labels),) = items.items()
            label = Literal(min(labels), lang=_language(article)) if labels else None
            matches.append(Match(organisation, article, item, label))
    return Reconciliation(tuple(matches), tuple(unmatched), tuple(ambiguous))


def sitelink_query(batch: Iterable[URIRef]) -> str:
    """The SELECT mapping each article to the item it is about, with the item's label."""
    rows = " ".join(
        f"({article.n3()} {URIRef(_wiki(article)).n3()} {Literal(_language(article)).n3()})"
        for article in batch
    )
    return f"""SELECT ?article ?item ?label WHERE {{
  VALUES (?article ?wiki ?lang) {{ {rows} }}
  ?article {SCHEMA_HTTP.about.n3()} ?item ; {SCHEMA_HTTP.isPartOf.n3()} ?wiki .
  OPTIONAL {{ ?item {RDFS.label.n3()} ?label FILTER(LANG(?label) = ?lang) }}
}}"""


def linkset_turtle(result: Reconciliation, endpoint: str, graph: URIRef, at: datetime) -> str:
    """The linkset file: one pv:Claim per match, sorted, each followed by the item's label.

    The time goes on the linkset's graph (prov:generatedAtTime), not on each claim: the claim
    shape (shapes/partage-shapes.ttl, pvs:ClaimShape) is closed and has no time property.
    """
    lines = [
        "# Linkset: organisations -> Wikidata (owl:sameAs), written by `kg links reconcile`",
        f"# ({METHOD}), from {endpoint}.",
        "# Re-run the command rather than edit this file: no item is written by hand.",
        *(f"# No item found for {article}" for article in result.unmatched),
        *(f"# Several items for {article}: no link" for article in result.ambiguous),
        "",
        *(f"@prefix {name}: <{PREFIXES[name]}> ." for name in PREFIXES_USED),
        "",
        f'{graph.n3()} prov:generatedAtTime "{at.isoformat()}"^^xsd:dateTime ;',
        f"    dcterms:source {URIRef(endpoint).n3()} .",
    ]
    for match in sorted(result.matches, key=lambda m: (str(m.organisation), str(m.item))):
        title = urllib.parse.unquote(str(match.article).rsplit("/", 1)[-1]).replace("_", " ")
        rationale = Literal(f"{METHOD}: the item the article « {title} » is about.", lang="en")
        lines += [
            "",
            f"{_claim(match.organisation).n3()} a pv:Claim ; pv:basis pv:referenceFact ;",
            f"    rdf:subject {match.organisation.n3()} ; rdf:predicate owl:sameAs ;",
            f"    rdf:object {match.item.n3()} ;",
            f"    dcterms:source {match.article.n3()} ;",
            f"    pv:rationale {rationale.n3()} .",
        ]
        if match.label is not None:
            lines.append(f"{match.item.n3()} rdfs:label {match.label.n3()} .")
    return "\n".join(lines) + "\n"


def _claim(organisation: URIRef) -> URIRef:
    """claim/<organisation slug>-wikidata, within the claim IRI pattern of the shapes."""
    name = organisation.rstrip("/").rsplit("/", 1)[-1].lower()
    slug = "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in name).split())
    return ID[f"claim/{slug}-wikidata"]


def _is_item(term: URIRef) -> bool:
    """A Wikidata item IRI: the entity namespace, then Q and digits."""
    local = str(term).removeprefix(str(WIKIDATA_ENTITY))
    return local != str(term) and local[:1] == "Q" and local[1:].isdigit()


def _wiki(article: URIRef) -> str:
    """The wiki an article belongs to, as Wikidata names it: https://en.wikipedia.org/."""
    parts = urllib.parse.urlsplit(str(article))
    return f"{parts.scheme}://{parts.netloc}/"


def _language(article: URIRef) -> str:
    """The language of a Wikipedia article: the first label of its host name."""
    return urllib.parse.urlsplit(str(article)).netloc.split(".", 1)[0]
