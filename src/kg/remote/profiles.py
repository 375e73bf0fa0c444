"""What each engine can do over HTTP: the profiles `KG_STORE_PROFILE` names.

A profile only fills `Capabilities` and the endpoints' default paths, so the code that talks to
every engine is one path. The facts come from `shared/reference/remote-stores.md` (measured on
Oxigraph server 0.5.13 and Virtuoso 7.2.5); `tests/test_remote_quirks.py` keeps each one true.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Profile = Literal["oxigraph", "virtuoso", "generic"]
Auth = Literal["basic", "digest", "bearer"]


@dataclass(frozen=True)
class Capabilities:
    """What an engine does with a standard request, where the standards leave it a choice.

    Attributes:
        atomic_update: a multi-operation SPARQL Update request is all or nothing (the spec's
            SHOULD, https://www.w3.org/TR/sparql11-update/#updateServices). Oxigraph: yes.
            Virtuoso: no, a failing request can leave its first operations applied.
        ask_is_select: ASK comes back as a one-row SELECT (`?__ASK_RETVAL`, Virtuoso).
        head_usable: GSP `HEAD` tells whether a graph exists without harming the connection.
            Oxigraph's 404 to a HEAD carries a body that corrupts the kept-alive connection;
            Virtuoso answers 501.
        max_insert_triples: triples one `INSERT DATA` may carry (Virtuoso refuses ~2,000
            with SP031).
        nquads_load: GSP `POST` of N-Quads to the graph store loads a whole dataset in one
            request, so blank nodes shared by two graphs stay shared. Virtuoso answers such a
            request with its HTML upload form (200) and loads nothing: blank nodes are
            skolemised and graphs sent one by one instead.
        auth: the HTTP authentication scheme writes take when credentials are given.
        answers_as_ours: the engine writes query results and N-Triples as pyoxigraph does
            (Oxigraph server of the same version), so an answer short enough not to need
            cutting at `--max-results` is passed on as it came (`kg.engine.remote`).
        results_type: the results format asked of the engine when its answer is parsed and
            written again: JSON from Oxigraph; XML from Virtuoso, whose JSON has
            non-standard `typed-literal` terms.
        timeout_parameter: the query parameter by which the engine takes a time limit in
            milliseconds, if it has one (Virtuoso's `timeout`; Oxigraph server has only a
            server-wide `--timeout-s`).
    """

    # The defaults are the assumptions safe on any engine: the generic profile.
    atomic_update: bool = False
    ask_is_select: bool = True
    head_usable: bool = False
    max_insert_triples: int = 1_000
    nquads_load: bool = False
    auth: Auth = "basic"
    answers_as_ours: bool = False
    results_type: str = "application/sparql-results+xml"
    timeout_parameter: str | None = None


@dataclass(frozen=True)
class Paths:
    """Where an engine puts its update and graph-store endpoints, relative to the query one."""

    update: str | None
    gsp: str | None


PROFILES: dict[str, Capabilities] = {
    "oxigraph": Capabilities(
        atomic_update=True,
        ask_is_select=False,
        head_usable=False,
        max_insert_triples=100_000,
        nquads_load=True,
        auth="basic",  # Oxigraph has none of its own; the README's recipe is nginx basic auth
        answers_as_ours=True,
        results_type="application/sparql-results+json",
    ),
    "virtuoso": Capabilities(auth="digest", timeout_parameter="timeout"),
    # An engine we know nothing of gets the assumptions that are safe everywhere.
    "generic": Capabilities(),
}

PATHS: dict[str, Paths] = {
    # oxigraph serve: /query, /update, /store (cli/README.md)
    "oxigraph": Paths(update="update", gsp="store"),
    # Virtuoso: writes only through the Digest-protected -auth endpoints
    "virtuoso": Paths(update="sparql-auth", gsp="sparql-graph-crud-auth"),
    "generic": Paths(update=None, gsp=None),
}
