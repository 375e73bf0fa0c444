"""The SPARQL endpoint: `kg serve` runs `kg.web.app.create_app` under uvicorn.

Nothing is imported here, so a query worker (`python -m kg.web.executor`) loads no web framework.
"""
