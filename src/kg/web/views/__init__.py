"""Views a researcher would rather look at than read (issue #13), each assembled from SPARQL.

Every view runs the SELECT queries kept beside it in `queries/*.rq` through the app's query
path (`kg.web.state.AppState.query`, cached per release) and shapes their rows into what its
template shows; nothing shown is written by hand. A chart is drawn from the same rows as the
table beside it, so every view reads without JavaScript.

* `study`: the study at a glance, at the top of the study's page.
* `profiles`: an organisation's summary and its evidence, at the top of its page.
* `compare`: organisations side by side, as HTML and CSV (`/compare`).
* `graphs`: a resource's neighbourhood and the ontology's classes as node-link data.
"""
