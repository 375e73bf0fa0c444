"""A remote SPARQL 1.1 store as the place a release is published and validated.

Modules, dependencies pointing down (kg.release, kg.layout, kg.store and the core; never
kg.web or kg.engine):

* `profiles`: what each engine can do (`KG_STORE_PROFILE`);
* `client`: the HTTP calls (Query, Update, Graph Store Protocol) and the engines' quirks;
  `GraphStore`, the protocol publishing and validation need;
* `embedded`: the embedded engine (pyoxigraph in memory) behind the same protocol;
* `record`: the release record graph and the private graph names;
* `publish`: staging, the one-request swap, stale and failed swaps;
* `check`: pulling the live release back, validating it, finding drift.
"""
