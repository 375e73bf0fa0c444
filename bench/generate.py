"""Seeded synthetic data in the Partage ontology, written as N-Quads, for the benchmark.

The shapes follow data/*.ttl and what `kg build` makes of them: organisations whose every fact
is a pv:Claim (reified, with its basis and its quote) and is also asserted, in the study graph or
in the interpretation graph; quotes as Web Annotations with a blank-node target and a
TextQuoteSelector; communities with a pv:Count; practices; one synthetic study per
`ORGS_PER_STUDY` organisations with a Data Cube of statistics on its legal forms (counted from
the generated organisations, so they are consistent); the entailments graph (type and
sub-property closure); and the real ontology (ontology/partage.ttl) in the ontology graph.

Organisations are added until the target number of quads is reached, so a (seed, target) pair
always gives the same bytes. Usage: python bench/generate.py 100k --seed 7 --out data.nq
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

GENERATOR_VERSION = 1
ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "partage.ttl"
ORGS_PER_STUDY = 40

PV = "https://w3id.org/partage/ontology#"
ID = "https://w3id.org/partage/id/"
GRAPH = "https://w3id.org/partage/graph/"
NS = {
    "pv": PV,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "qb": "http://purl.org/linked-data/cube#",
    "dcterms": "http://purl.org/dc/terms/",
}

# The study's own concepts (slugs of data/*.ttl), with rough weights for how often they occur.
SECTORS = {
    "alimentation": 3,
    "economie-circulaire": 2,
    "consommation-collaborative": 4,
    "nouvelles-formes-de-travail": 3,
    "entrepreneuriat-social": 2,
}
ROLES = ["customer-relation", "product-distribution", "communication-and-community-animation"]
LEGAL_FORMS = {  # slug: (family, weight) — about half SAS, as in the study
    "sas": ("companies-without-constraints", 18),
    "sa": ("companies-without-constraints", 2),
    "sarl": ("companies-without-constraints", 3),
    "sasu": ("companies-without-constraints", 1),
    "association-loi-1901": ("associations", 4),
    "scop": ("cooperative-statuses", 2),
    "scic": ("cooperative-statuses", 2),
    "cae": ("cooperative-statuses", 1),
    "cooperative-de-consommation": ("cooperative-statuses", 1),
}
ORG_CLASSES = {
    "Organisation": 3,
    "Platform": 4,
    "Marketplace": 2,
    "Cooperative": 2,
    "DecentralisedNetwork": 1,
    "Collective": 1,
}
COUNTED = ["hive-manager", "farmer", "member", "company", "user", "ambassador"]
PRACTICE_KINDS = [
    "strategic-vote",
    "elected-spokespersons",
    "member-proposed-decisions",
    "cooperative-conversion",
    "crowd-equity",
    "digital-general-assembly-vote",
    "strategic-committee-representation",
    "value-sharing-with-most-active",
]
STATUSES = {"in-place": 5, "in-preparation": 2, "under-way": 2}
VALUE_FORMS = ["pay-for-work", "profit-sharing", "capital-opening"]
FINDINGS = [
    "sas-as-collective-forum",
    "structures-already-testing-sharing",
    "hybrid-enterprises-emerge",
    "not-associated-to-every-decision",
    "financial-value-sharing-can-harm",
    "associate-investor-model",
]

NAME_HEADS = [
    "La Ruche",
    "Coop",
    "Réseau",
    "Atelier",
    "Maison",
    "Collectif",
    "Plateforme",
    "Marché",
    "Fabrique",
    "Comptoir",
    "Cercle",
    "Union",
]
NAME_TAILS = [
    "Verte",
    "Locale",
    "Solidaire",
    "des Voisins",
    "du Partage",
    "Commune",
    "Ouverte",
    "des Communs",
    "Paysanne",
    "Numérique",
    "Mutuelle",
    "Libre",
]
DESCRIPTIONS = [
    "plateforme de circuit court alimentaire",
    "supermarché coopératif",
    "plateforme d'échange de ressources entre entreprises",
    "réseau social de voisinage",
    "coopérative d'activité et d'emploi",
    "place de marché de services entre particuliers",
    "réseau décentralisé d'entrepreneurs sociaux",
    "collectif d'indépendants",
]
VERBS = [
    "de voter sur des propositions stratégiques",
    "de proposer les décisions clés à voter",
    "d'entrer au capital",
    "de partager les bénéfices",
    "de participer à la gouvernance",
    "d'élire leurs porte-parole",
    "de siéger au comité stratégique",
    "de recevoir une part de la valeur créée",
]
COUNTED_FR = {
    "hive-manager": "responsables de ruches",
    "farmer": "agriculteurs",
    "member": "membres",
    "company": "entreprises",
    "user": "utilisateurs",
    "ambassador": "ambassadeurs",
}

TEXT_WORDS = ["capital", "gouvernance", "bénéfices", "coopérative", "vote", "porte-parole"]
"""Words the quotes contain at various frequencies: the text-filter queries look for them."""


@dataclass
class Catalogue:
    """What the queries need to know of a generated data set: sizes and sample parameters."""

    seed: int
    target: int
    quads: int = 0
    organisations: int = 0
    studies: int = 0
    graphs: dict[str, int] = field(default_factory=dict)
    organisation_labels: dict[str, str] = field(default_factory=dict)
    """A seeded sample of organisation IRIs and their French label (for lookups)."""


def iri(curie: str) -> str:
    """`pv:Claim` -> `<https://...#Claim>`; `id:claim/x` -> an instance IRI."""
    prefix, local = curie.split(":", 1)
    base = ID if prefix == "id" else NS[prefix]
    return f"<{base}{local}>"


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"^^{iri(datatype)}' if datatype else f'"{escaped}"'


class Writer:
    """Collects quads per graph and counts them; `flush` writes them out."""

    def __init__(self, out) -> None:  # type: ignore[no-untyped-def]
        self.out = out
        self.lines: list[str] = []
        self.sizes: Counter[str] = Counter()

    def add(self, graph: str, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} <{GRAPH}{graph}> .\n")
        self.sizes[graph] += 1

    def flush(self) -> None:
        self.out.write("".join(self.lines))
        self.lines.clear()

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def write_ontology(w: Writer) -> None:
    for triple in ox.parse(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE):
        w.add("ontology", str(triple.subject), str(triple.predicate), str(triple.object))


def write_vocabulary(w: Writer) -> None:
    """The concept schemes the organisations point to, legal forms under their families."""
    concepts = [("Sector", "sector", s) for s in SECTORS]
    concepts += [("ContributorRole", "contributor-role", r) for r in ROLES]
    concepts += [("LegalForm", "legal-form", f) for f in LEGAL_FORMS]
    concepts += [("LegalFamily", "legal-family", f) for f in {f for f, _ in LEGAL_FORMS.values()}]
    concepts += [("CountedKind", "counted", c) for c in COUNTED]
    concepts += [("PracticeKind", "practice-kind", k) for k in PRACTICE_KINDS]
    concepts += [("PracticeStatus", "practice-status", s) for s in STATUSES]
    concepts += [("ValueForm", "value-form", v) for v in VALUE_FORMS]
    concepts += [("Finding", "finding", f) for f in FINDINGS]
    for cls, kind, slug in sorted(concepts):
        node = iri(f"id:{kind}/{slug}")
        w.add("study", node, iri("rdf:type"), iri(f"pv:{cls}"))
        w.add("study", node, iri("skos:inScheme"), iri(f"id:scheme/{kind}s"))
        for lang in ("fr", "en"):
            w.add("study", node, iri("skos:prefLabel"), lit(slug.replace("-", " "), lang))
        w.add("entailments", node, iri("rdf:type"), iri("skos:Concept"))
    for form, (family, _) in LEGAL_FORMS.items():
        w.add(
            "study",
            iri(f"id:legal-form/{form}"),
            iri("skos:broader"),
            iri(f"id:legal-family/{family}"),
        )


def write_quote(w: Writer, rng: random.Random, quote: str, study: str, text: str) -> None:
    node = iri(f"id:quote/{quote}")
    target, selector = f"_:t-{quote}", f"_:s-{quote}"
    w.add("study", node, iri("rdf:type"), iri("pv:Quote"))
    w.add("study", node, iri("oa:motivatedBy"), iri("oa:describing"))
    w.add("study", node, iri("oa:hasTarget"), target)
    w.add("study", target, iri("rdf:type"), iri("oa:SpecificResource"))
    w.add("study", target, iri("oa:hasSource"), iri(f"id:study/{study}"))
    w.add("study", target, iri("oa:hasSelector"), selector)
    w.add("study", selector, iri("rdf:type"), iri("oa:TextQuoteSelector"))
    w.add("study", selector, iri("oa:exact"), lit(text))
    for cls in ("oa:Annotation", "prov:Entity"):
        w.add("entailments", node, iri("rdf:type"), iri(cls))


def write_claim(
    w: Writer,
    rng: random.Random,
    claim: str,
    quote: str,
    spo: tuple[str, str, str],
    interpretation: bool = False,
) -> None:
    """A reified claim with its basis and quote, and its triple asserted as the build does."""
    node = iri(f"id:claim/{claim}")
    w.add("study", node, iri("rdf:type"), iri("pv:Claim"))
    w.add(
        "study",
        node,
        iri("pv:basis"),
        iri("pv:interpretation" if interpretation else "pv:studyStatement"),
    )
    w.add("study", node, iri("pv:evidence"), iri(f"id:quote/{quote}"))
    for p, o in zip(("rdf:subject", "rdf:predicate", "rdf:object"), spo, strict=True):
        w.add("study", node, iri(p), o)
    if interpretation:
        w.add("study", node, iri("pv:rationale"), lit("The study gives it as an example.", "en"))
    w.add("interpretation" if interpretation else "study", *spo)
    for cls in ("rdf:Statement", "prov:Entity"):
        w.add("entailments", node, iri("rdf:type"), iri(cls))
    w.add("entailments", node, iri("prov:wasDerivedFrom"), iri(f"id:quote/{quote}"))


@dataclass
class Community:
    slug: str
    counted: str
    size: int
    prospective: bool


def write_community(w: Writer, org: str, quote: str, c: Community) -> None:
    node, count = iri(f"id:community/{c.slug}"), iri(f"id:count/{c.slug}")
    evidence = iri(f"id:quote/{quote}")
    w.add("study", node, iri("rdf:type"), iri("pv:Community"))
    w.add("study", node, iri("rdfs:label"), lit(f"{COUNTED_FR[c.counted]} de {org}", "fr"))
    w.add("study", node, iri("rdfs:label"), lit(f"{c.counted}s of {org}", "en"))
    w.add("study", node, iri("pv:size"), count)
    w.add("study", node, iri("pv:evidence"), evidence)
    w.add("study", count, iri("rdf:type"), iri("pv:Count"))
    w.add("study", count, iri("rdfs:label"), lit(f"{c.size} {COUNTED_FR[c.counted]}", "fr"))
    w.add("study", count, iri("rdfs:label"), lit(f"{c.size} {c.counted}s", "en"))
    w.add("study", count, iri("schema:value"), lit(str(c.size), datatype="xsd:positiveInteger"))
    w.add("study", count, iri("pv:counts"), iri(f"id:counted/{c.counted}"))
    w.add(
        "study",
        count,
        iri("pv:prospective"),
        lit(str(c.prospective).lower(), datatype="xsd:boolean"),
    )
    w.add("study", count, iri("pv:evidence"), evidence)
    w.add("entailments", node, iri("rdf:type"), iri("foaf:Group"))
    w.add("entailments", count, iri("rdf:type"), iri("schema:QuantitativeValue"))
    for subject in (node, count):
        w.add("entailments", subject, iri("prov:wasDerivedFrom"), evidence)


def write_practice(
    w: Writer, rng: random.Random, slug: str, org: str, quote: str, communities: list[Community]
) -> None:
    node = iri(f"id:practice/{slug}")
    cls = pick(rng, {"PowerSharingPractice": 6, "ValueSharingPractice": 3, "Practice": 1})
    verb = rng.choice(VERBS)
    w.add("study", node, iri("rdf:type"), iri(f"pv:{cls}"))
    w.add("study", node, iri("rdfs:label"), lit(f"permettre {verb}", "fr"))
    w.add("study", node, iri("rdfs:label"), lit(f"a practice of {org}", "en"))
    w.add("study", node, iri("pv:practisedBy"), iri(f"id:organisation/{org}"))
    for c in rng.sample(communities, rng.randint(1, len(communities))):
        w.add("study", node, iri("pv:involves"), iri(f"id:community/{c.slug}"))
    for kind in rng.sample(PRACTICE_KINDS, rng.choice([1, 1, 2])):
        w.add("study", node, iri("pv:practiceKind"), iri(f"id:practice-kind/{kind}"))
    if cls == "PowerSharingPractice":
        w.add("study", node, iri("pv:decidesOn"), lit(verb.split(" ", 1)[1], "fr"))
    elif cls == "ValueSharingPractice":
        w.add("study", node, iri("pv:valueForm"), iri(f"id:value-form/{rng.choice(VALUE_FORMS)}"))
    w.add("study", node, iri("pv:practiceStatus"), iri(f"id:practice-status/{pick(rng, STATUSES)}"))
    w.add("study", node, iri("pv:evidence"), iri(f"id:quote/{quote}"))
    for entailed in {"prov:Activity", "pv:Practice"} - {f"pv:{cls}"}:
        w.add("entailments", node, iri("rdf:type"), iri(entailed))
    w.add("entailments", node, iri("prov:wasDerivedFrom"), iri(f"id:quote/{quote}"))


def write_organisation(
    w: Writer, rng: random.Random, index: int, study: str
) -> tuple[str, str, str]:
    """One organisation with its claims, quotes, communities and practices.

    Returns:
        (slug, French label, legal form) of the organisation.
    """
    slug = f"org-{index:06d}"
    name = f"{rng.choice(NAME_HEADS)} {rng.choice(NAME_TAILS)} {index}"
    node, quote, form = (
        iri(f"id:organisation/{slug}"),
        slug,
        pick(rng, dict((f, weight) for f, (_, weight) in LEGAL_FORMS.items())),
    )
    communities = [
        Community(
            f"{slug}-{i}", rng.choice(COUNTED), int(10 ** rng.uniform(1.3, 5.2)), rng.random() < 0.2
        )
        for i in range(rng.choice([1, 1, 2, 2, 2, 3]))
    ]
    first = communities[0]
    description = rng.choice(DESCRIPTIONS)
    text = (
        f"{name}, {description}, permet à ses {first.size} {COUNTED_FR[first.counted]} "
        f"{rng.choice(VERBS)}."
    )
    write_quote(w, rng, quote, study, text)
    w.add("study", node, iri("rdf:type"), iri("pv:Organisation"))
    for lang in ("fr", "en"):
        w.add("study", node, iri("rdfs:label"), lit(name, lang))
    w.add("study", node, iri("pv:evidence"), iri(f"id:quote/{quote}"))
    cls = pick(rng, ORG_CLASSES)
    claims: list[tuple[str, str, str, bool]] = [
        ("description", "pv:studyDescription", lit(description, "fr"), False),
        ("sector", "pv:sector", iri(f"id:sector/{pick(rng, SECTORS)}"), False),
        ("legal-form", "pv:legalForm", iri(f"id:legal-form/{form}"), rng.random() < 0.3),
    ]
    if cls != "Organisation":
        claims.append(("type", "rdf:type", iri(f"pv:{cls}"), False))
    if rng.random() < 0.7:
        claims.append(
            ("role", "pv:contributorRole", iri(f"id:contributor-role/{rng.choice(ROLES)}"), False)
        )
    if rng.random() < 0.5:
        claims.append(
            ("illustrates", "pv:illustrates", iri(f"id:finding/{rng.choice(FINDINGS)}"), False)
        )
    claims += [
        (f"community-{c.slug}", "pv:hasCommunity", iri(f"id:community/{c.slug}"), False)
        for c in communities
    ]
    for key, predicate, obj, interpretation in claims:
        write_claim(w, rng, f"{slug}-{key}", quote, (node, iri(predicate), obj), interpretation)
    for c in communities:
        write_community(w, name, quote, c)
    for i in range(rng.choice([0, 1, 1, 1, 2, 2])):
        write_practice(w, rng, f"{slug}-{i}", slug, quote, communities)
    if rng.random() < 0.33:
        said = f"{slug}-said"
        write_quote(
            w,
            rng,
            said,
            study,
            f"Chez {name}, nos {COUNTED_FR[first.counted]} ont leur "
            f"mot à dire : {rng.choice(VERBS)} et {rng.choice(VERBS)}.",
        )
        w.add("study", iri(f"id:quote/{said}"), iri("pv:spokenBy"), node)
        w.add("entailments", iri(f"id:quote/{said}"), iri("prov:wasAttributedTo"), node)
    entailed = {"org:Organization", "schema:Organization", "foaf:Organization", "prov:Organization"}
    if cls == "Marketplace":
        entailed.add("pv:Platform")
    for c in sorted(entailed):
        w.add("entailments", node, iri("rdf:type"), iri(c))
    w.add("entailments", node, iri("prov:wasDerivedFrom"), iri(f"id:quote/{quote}"))
    return slug, name, form


def write_study(w: Writer, study: str, forms: Counter[str]) -> None:
    """A synthetic survey of the organisations just written, and its legal-form statistics."""
    node, dataset, population = (
        iri(f"id:study/{study}"),
        iri(f"id:dataset/{study}"),
        sum(forms.values()),
    )
    w.add("study", node, iri("rdf:type"), iri("pv:Study"))
    w.add("study", node, iri("rdfs:label"), lit(f"Enquête {study}", "fr"))
    w.add("study", node, iri("rdfs:label"), lit(f"Survey {study}", "en"))
    w.add(
        "study",
        node,
        iri("pv:organisationsInterviewed"),
        lit(str(population), datatype="xsd:positiveInteger"),
    )
    w.add("study", dataset, iri("rdf:type"), iri("qb:DataSet"))
    w.add("study", dataset, iri("qb:structure"), iri("id:structure/legal-structures"))
    w.add("study", dataset, iri("dcterms:source"), node)
    families: Counter[str] = Counter()
    for form, n in forms.items():
        families[LEGAL_FORMS[form][0]] += n
    shares = [("legal-form", f, n) for f, n in sorted(forms.items())]
    shares += [("legal-family", f, n) for f, n in sorted(families.items())]
    for kind, slug, n in shares:
        stat = iri(f"id:statistic/{study}-{slug}")
        percentage = round(100 * n / population)
        w.add("study", stat, iri("rdf:type"), iri("pv:Statistic"))
        w.add("study", stat, iri("rdfs:label"), lit(f"{percentage} % sont {slug}", "fr"))
        w.add("study", stat, iri("qb:dataSet"), dataset)
        w.add("study", stat, iri("pv:legalStructure"), iri(f"id:{kind}/{slug}"))
        w.add(
            "study",
            stat,
            iri("pv:organisationCount"),
            lit(str(n), datatype="xsd:nonNegativeInteger"),
        )
        w.add(
            "study",
            stat,
            iri("pv:population"),
            lit(str(population), datatype="xsd:positiveInteger"),
        )
        w.add("study", stat, iri("pv:percentage"), lit(str(percentage), datatype="xsd:decimal"))
        w.add("entailments", stat, iri("rdf:type"), iri("qb:Observation"))


def generate(target: int, seed: int, path: Path) -> Catalogue:
    """Write about `target` quads to `path` (N-Quads) and their catalogue beside it (.json)."""
    rng = random.Random(seed)
    catalogue = Catalogue(seed=seed, target=target)
    labels: list[tuple[str, str]] = []
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        w = Writer(out)
        write_ontology(w)
        write_vocabulary(w)
        forms: Counter[str] = Counter()
        while w.total < target or forms:
            study = f"survey-{len(labels) // ORGS_PER_STUDY:04d}"
            if w.total < target:
                slug, name, form = write_organisation(w, rng, len(labels), study)
                labels.append((f"{ID}organisation/{slug}", name))
                forms[form] += 1
            if forms and (len(labels) % ORGS_PER_STUDY == 0 or w.total >= target):
                write_study(w, f"survey-{(len(labels) - 1) // ORGS_PER_STUDY:04d}", forms)
                forms = Counter()
            w.flush()
    sample = random.Random(seed + 1).sample(labels, min(64, len(labels)))
    catalogue.quads, catalogue.organisations = w.total, len(labels)
    catalogue.studies = (len(labels) + ORGS_PER_STUDY - 1) // ORGS_PER_STUDY
    catalogue.graphs = dict(sorted(w.sizes.items()))
    catalogue.organisation_labels = dict(sample)
    path.with_suffix(".json").write_text(
        json.dumps(asdict(catalogue), indent=2, ensure_ascii=False)
    )
    return catalogue


def parse_size(text: str) -> int:
    """`10k` -> 10_000, `1m` -> 1_000_000, `2500` -> 2500."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("size", help="target number of quads: 10k, 100k, 1m...")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    catalogue = generate(parse_size(args.size), args.seed, args.out)
    print(f"{args.out}: {catalogue.quads:,} quads, {catalogue.organisations:,} organisations")


if __name__ == "__main__":
    main()
