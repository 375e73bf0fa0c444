"""The headers the HTTP layer sets, in one place: release, caching, CORS and security.

* Release: every response names the release it comes from (`X-KG-Release`,
  `X-KG-Content-Hash`); an answer names the release it was computed on.
* Caching: answers to GET and HEAD carry a weak ETag (the release's content hash and the
  representation) and Last-Modified (the build time), so clients revalidate with If-None-Match
  or If-Modified-Since and get 304 (https://www.rfc-editor.org/rfc/rfc9110#name-conditional-requests).
* CORS (https://fetch.spec.whatwg.org/#http-cors-protocol): set by `kg.web.middleware` alone,
  on every response, from `CORS_HEADERS` and `PREFLIGHT_HEADERS` here.
* Security: our HTML pages (the query page, the resource pages) load nothing from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from email.utils import parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

from kg.describe import LICENCE
from kg.engine.messages import QueryReply
from kg.engine.watcher import Release

RELEASE = "x-kg-release"
CONTENT_HASH = "x-kg-content-hash"
TRUNCATED = "x-kg-truncated"
RESULT_LIMIT = "x-kg-result-limit"
EXPOSED = ", ".join(
    (RELEASE, CONTENT_HASH, TRUNCATED, RESULT_LIMIT, "etag", "last-modified", "retry-after")
)
"""Response headers a cross-origin script may read."""

CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", EXPOSED.encode()),
]
"""On every response: any origin may read it. No response depends on ambient credentials
(cookies); admin requests carry a bearer token, which no preflight allows (below)."""
PREFLIGHT_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, HEAD, POST, OPTIONS"),
    (
        b"access-control-allow-headers",
        b"accept, content-type, if-none-match, if-modified-since",
    ),
    (b"access-control-max-age", b"86400"),
    (b"content-length", b"0"),
]
"""A CORS preflight answer: reads from any origin; Authorization is not listed, so browsers
send no cross-origin admin requests."""


def etag(release: Release, variant: str) -> str:
    """A weak validator for a representation of `release` (`variant`: what tells it apart)."""
    digest = hashlib.sha256(f"{release.content_hash} {variant}".encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def answer_headers(reply: QueryReply | None, release: Release, tag: str | None) -> dict[str, str]:
    """Release and caching headers; the release is the one the answer came from."""
    version, content_hash = reply.release if reply else (release.version, release.content_hash)
    headers = {RELEASE: version, CONTENT_HASH: content_hash, "vary": "accept"}
    if tag is not None and content_hash == release.content_hash:
        headers["etag"] = tag
        headers["last-modified"] = release.last_modified
        headers["cache-control"] = "no-cache"  # store, but revalidate each time
    return headers


def is_not_modified(request: Request, tag: str, release: Release) -> bool:
    """https://www.rfc-editor.org/rfc/rfc9110#name-if-none-match (weak comparison), else
    #name-if-modified-since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return tag_matches(if_none_match, tag)
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError):
        return False
    return int(release.modified) <= since


def tag_matches(if_none_match: str, tag: str) -> bool:
    """Whether an If-None-Match value names `tag` (weak comparison: W/ ignored; `*` names all)."""
    tags = {given.strip().removeprefix("W/") for given in if_none_match.split(",")}
    return "*" in tags or tag.removeprefix("W/") in tags


def not_modified_response(tag: str, release: Release) -> Response:
    """304, with the headers the full answer would have had."""
    return Response(status_code=304, headers=answer_headers(None, release, tag))


def answer_response(
    request: Request, body: bytes, media_type: str, headers: dict[str, str]
) -> Response:
    """The answer; for HEAD, the same headers (Content-Length too) and no body."""
    if request.method == "HEAD":
        headers["content-length"] = str(len(body))
        return Response(b"", media_type=media_type, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


# The <style> elements YASR's table inserts (its column resizer, `createStyle`), verbatim from
# the bundle; the policy allows them by hash and nothing else inline. A YASGUI upgrade that
# changes them fails tests/web/test_ui.py, which looks for each in the bundle.
INLINE_STYLES = (
    " .grip-resizable{table-layout:fixed;} .grip-resizable > tbody > tr > td, .grip-resizable"
    " > tbody > tr > th{overflow:hidden} .grip-padding > tbody > tr > td, .grip-padding >"
    " tbody > tr > th{padding-left:0!important; padding-right:0!important;} .grip-container{"
    " height:0px; position:relative;} .grip-handle{margin-left:-5px; position:absolute;"
    " z-index:5; } .grip-handle .grip-resizable{position:absolute;background-color:red;"
    "filter:alpha(opacity=1);opacity:0;width:10px;height:100%;cursor: col-resize;top:0px}"
    " .grip-lastgrip{position:absolute; width:1px; } .grip-drag{ border-left:1px dotted"
    " black;\t} .grip-flex{width:auto!important;} .grip-handle.grip-disabledgrip"
    " .grip-resizable{cursor:default; display:none;}",
    "*{cursor:col-resize!important}",
)


def sha256_base64(text: str) -> str:
    """The base64 SHA-256 digest of `text` in UTF-8, as a CSP hash-source writes it."""
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def content_security_policy() -> str:
    """Self only: no CDN, font host or other endpoint; inline styles only `INLINE_STYLES`.

    https://www.w3.org/TR/CSP3/#grammardef-hash-source
    """
    hashes = " ".join(f"'sha256-{sha256_base64(css)}'" for css in INLINE_STYLES)
    return (
        f"default-src 'self'; style-src 'self' {hashes}; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'; object-src 'none'"
    )


def security_headers() -> dict[str, str]:
    """Headers of the page and of its assets."""
    return {
        "Content-Security-Policy": content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


SCHEMA_DATASET = "https://schema.org/Dataset"
ABOUT_PAGE = "https://schema.org/AboutPage"
"""The type of a landing page about one resource (https://signposting.org/FAIR/#reltype)."""


def signposting(
    cite_as: str,
    described_by: tuple[str, str],
    items: Sequence[tuple[str, str]] = (),
    types: tuple[str, ...] = (SCHEMA_DATASET,),
) -> str:
    """A FAIR Signposting `Link` header, level 1 (https://signposting.org/FAIR/): the IRI to
    cite, the description of the page (IRI, media type), the licence, the page's types and
    each item it offers (IRI, media type or "")."""
    links = [
        f'<{cite_as}>; rel="cite-as"',
        f'<{described_by[0]}>; rel="describedby"; type="{described_by[1]}"',
        f'<{LICENCE}>; rel="license"',
        *(f'<{kind}>; rel="type"' for kind in types),
        *(f'<{iri}>; rel="item"' + (f'; type="{media}"' if media else "") for iri, media in items),
    ]
    return ", ".join(links)
