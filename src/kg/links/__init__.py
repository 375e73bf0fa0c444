"""Links to other datasets: find new ones (`kg.links.reconcile`), watch ours (`kg.links.check`).

Both ask SPARQL endpoints through `kg.links.sparql`. Nothing here is written from memory: a
Wikidata item comes from the endpoint's answer, with the Wikipedia article it was reached from
as its source, and a link target's expected label comes from our own linkset.

The target datasets, their IRI spaces and their endpoints are `kg.links.targets.TARGETS`, so
the datasets the VoID description (kg.describe) names are the ones these commands ask.
"""
