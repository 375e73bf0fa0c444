# An organisation labelled in French only: the shapes require an English label (LabelEnShape).
INSERT DATA {
  GRAPH <https://w3id.org/partage/graph/study> {
    <https://w3id.org/partage/id/organisation/cooperative-d-essai> a pv:Organisation ;
      rdfs:label "Coopérative d'essai"@fr ;
      pv:evidence <https://w3id.org/partage/id/quote/la-ruche-qui-dit-oui> .
  }
}
