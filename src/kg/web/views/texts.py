"""The words of the views' own headings and captions, in the pages' two languages.

What the graph names (categories, rows, sectors, organisations) is labelled from the graph;
only the views' frame is here. The keys are the same in both tables (tests/web checks it).
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "at_a_glance": "The study at a glance",
        "typology": "The typology: four categories of collaborative platforms",
        "typology_caption": (
            "The study's table, column by column; each value links to its page, each "
            "quote to the passage of the table."
        ),
        "row": "Row of the table",
        "legal_forms": "Legal forms and statuses of the 34 organisations",
        "legal_caption": (
            "Shares as the study writes them, from its Data Cube; the exact share is the "
            "count over the population, to one decimal."
        ),
        "structure": "Form or status",
        "count": "Organisations",
        "share_written": "Share as written",
        "share_exact": "Exact share",
        "passage": "Passage",
        "by_sector": "Organisations by sector",
        "by_kind": "Organisations by kind",
        "practices": "Practices by dimension and status",
        "dimension": "Dimension",
        "status": "Status",
        "quote": "quote",
        "our_reading": "our reading",
        "open_query": "The query",
        "study": "study",
        "interpretation": "interpretation",
        "reference": "reference",
        "of": "of",
        "rounding": "the study rounds",
        "summary": "Summary",
        "evidence": "Evidence",
        "evidence_caption": "Each passage once, with the claims that rest on it.",
        "kind": "Kind",
        "sector": "Sector",
        "legal_form": "Legal form",
        "approvals": "Approvals and certifications",
        "communities": "Communities",
        "practices_short": "Practices",
        "category": "Category of the typology",
        "links": "Elsewhere",
        "description": "Description",
        "founded": "Founded",
        "insee": "INSEE",
        "elf": "ELF",
        "eventually": "eventually",
        "compare": "Compare",
        "compare_title": "Organisations side by side",
        "compare_hint": "Choose two to six organisations, then compare them.",
        "compare_need": "Choose between two and six organisations of the listing.",
        "field": "Field",
        "download_csv": "Download as CSV",
        "graph": "Neighbourhood",
        "graph_caption": (
            "The resources one link away, and those one link further; click a node to "
            "open its page."
        ),
        "class_diagram": "Class diagram",
        "class_caption": (
            "The ontology's classes, their sub-class links and the object properties "
            "between them (domain to range)."
        ),
        "from": "from",
        "to": "to",
        "link": "link",
        "claim": "claim",
        "organisation": "Carried out by",
        "practice_kind": "Kind of practice",
        "decides_on": "Decides on",
        "value_form": "Form of value",
        "full_name": "Full name",
        "definition": "Definition",
        "family": "Family of statuses",
        "forms": "Legal forms",
        "share": "Share in the study",
        "organisations": "Organisations",
        "findings": "Findings about it",
        "matches": "Same or narrower elsewhere",
        "comment": "Comment",
        "concerns": "Concerns",
        "cases": "Cases",
        "examples": "The study's examples",
        "column": "Column of the table",
        "power_model": "Power-sharing model",
        "value_model": "Value-sharing model",
        "sectors": "Sectors",
        "sector_description": "Sectors as the table writes them",
        "community_size": "Community size",
        "traits": "Traits",
        "maturity": "Maturity",
        "organisation_kind": "Kind of organisation",
    },
    "fr": {
        "at_a_glance": "L'étude en un coup d'œil",
        "typology": "La typologie : quatre catégories de plateformes collaboratives",
        "typology_caption": (
            "Le tableau de l'étude, colonne par colonne ; chaque valeur mène à sa page, "
            "chaque citation au passage du tableau."
        ),
        "row": "Ligne du tableau",
        "legal_forms": "Formes et statuts juridiques des 34 organisations",
        "legal_caption": (
            "Les parts telles que l'étude les écrit, d'après son Data Cube ; la part "
            "exacte est le nombre sur la population, à une décimale."
        ),
        "structure": "Forme ou statut",
        "count": "Organisations",
        "share_written": "Part écrite",
        "share_exact": "Part exacte",
        "passage": "Passage",
        "by_sector": "Organisations par secteur",
        "by_kind": "Organisations par type",
        "practices": "Pratiques par dimension et par état",
        "dimension": "Dimension",
        "status": "État",
        "quote": "citation",
        "our_reading": "notre lecture",
        "open_query": "La requête",
        "study": "étude",
        "interpretation": "interprétation",
        "reference": "référence",
        "of": "sur",
        "rounding": "l'étude arrondit",
        "summary": "En bref",
        "evidence": "Sources",
        "evidence_caption": (
            "Chaque passage une fois, avec les affirmations qui s'appuient sur lui."
        ),
        "kind": "Type",
        "sector": "Secteur",
        "legal_form": "Forme juridique",
        "approvals": "Agréments et certifications",
        "communities": "Communautés",
        "practices_short": "Pratiques",
        "category": "Catégorie de la typologie",
        "links": "Ailleurs",
        "description": "Description",
        "founded": "Fondation",
        "insee": "INSEE",
        "elf": "ELF",
        "eventually": "à terme",
        "compare": "Comparer",
        "compare_title": "Organisations côte à côte",
        "compare_hint": "Choisissez de deux à six organisations, puis comparez-les.",
        "compare_need": "Choisissez entre deux et six organisations de la liste.",
        "field": "Champ",
        "download_csv": "Télécharger en CSV",
        "graph": "Voisinage",
        "graph_caption": (
            "Les ressources à un lien, et celles à un lien de plus ; un clic sur un nœud "
            "ouvre sa page."
        ),
        "class_diagram": "Diagramme des classes",
        "class_caption": (
            "Les classes de l'ontologie, leurs liens de sous-classe et les propriétés "
            "d'objet entre elles (du domaine vers l'image)."
        ),
        "from": "de",
        "to": "vers",
        "link": "lien",
        "claim": "affirmation",
        "organisation": "Mise en œuvre par",
        "practice_kind": "Type de pratique",
        "decides_on": "Décide de",
        "value_form": "Forme de valeur",
        "full_name": "Nom complet",
        "definition": "Définition",
        "family": "Famille de statuts",
        "forms": "Formes juridiques",
        "share": "Part dans l'étude",
        "organisations": "Organisations",
        "findings": "Enseignements à son sujet",
        "matches": "Identique ou plus précis ailleurs",
        "comment": "Commentaire",
        "concerns": "Concerne",
        "cases": "Cas",
        "examples": "Les exemples de l'étude",
        "column": "Colonne du tableau",
        "power_model": "Modèle de partage du pouvoir",
        "value_model": "Modèle de partage de la valeur",
        "sectors": "Secteurs",
        "sector_description": "Secteurs tels que le tableau les écrit",
        "community_size": "Taille des communautés",
        "traits": "Caractéristiques",
        "maturity": "Maturité",
        "organisation_kind": "Type d'organisation",
    },
}
"""Language -> key -> text."""
