"""The HTTP layer: `kg serve` runs `kg.web.app.create_app` under uvicorn.

Thin: a handler parses the request, calls the engine (`kg.engine`) or an edit (`kg.updates`),
and returns a response; it raises, and `kg.web.errors` alone maps errors to statuses.

* `app`: the app factory, where every router is declared and the one bypass of the framework
  (/sparql, the hot path) is;
* `sparql` (+ `protocol`, `negotiation`, `service_description`), `update`, `graph_store`,
  `pages` (+ `paths`, `resource`, `listing`), `ui`: the routes;
* `state` (what handlers share, and the query path with its cache), `dependencies` (state,
  settings and the admin, as FastAPI dependencies), `headers` (release, caching, CORS and
  security headers), `middleware` (the headers every response gets, CORS, the access log,
  `access_log`), `edits` (what both write protocols do), `errors`.

Dependencies point down: web -> engine, release, store -> core; nothing below imports `kg.web`.
"""
