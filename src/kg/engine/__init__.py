"""The query engine: runs SPARQL queries on the store being served, apart from any web code.

`kg.engine.interface.Engine` is what the HTTP layer calls (start, run a `QueryRequest` to a
`QueryReply` by a deadline, the release being served, close). Two engines implement it, on the
same evaluation (`kg.engine.executor.evaluate`):

* `kg.engine.pool.QueryPool`, for production: a worker process (`python -m
  kg.engine.executor`) that can be SIGKILLed, since pyoxigraph cannot cancel a query;
* `kg.engine.inline.InlineEngine`, for tests that are not about processes: threads of the
  calling process, no subprocess, a query past its deadline left to finish.

Nothing is imported here, so a query worker loads no more than the standard library, Oxigraph
and `kg.layout`. Dependencies point down: the engine imports `kg.layout`, `kg.federation` and
`kg.query_text`, never `kg.web`.
"""
