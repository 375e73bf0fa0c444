# A comment on an organisation, in the study graph: no shape forbids it.
INSERT DATA {
  GRAPH <https://w3id.org/partage/graph/study> {
    <https://w3id.org/partage/id/organisation/la-ruche-qui-dit-oui>
      rdfs:comment "Added through SPARQL Update by the tests."@en .
  }
}
