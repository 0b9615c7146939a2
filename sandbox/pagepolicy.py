"""Headers that keep stored or reflected content from running as script (issue 9, finding 14).

Every response says ``X-Content-Type-Options: nosniff``. Every HTML page carries a
Content-Security-Policy without script: the sandbox's pages have none, and bank logos (stored
SVG, scenarios may load any) are ``<img>`` resources with a policy of their own. The
interactive docs run Swagger UI's scripts from this server, never inline ones.
"""
from __future__ import annotations

from flask import Response, request

from sandbox.api.docs import DOCS_PATH

#: The sandbox's own pages: its stylesheet, inline styles (brand colours), its images; no
#: script at all, no framing.
PAGE_POLICY = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
               "base-uri 'none'; frame-ancestors 'none'")
#: A page showing a client's logo (its ``logo_uri``, https only) as an ``<img>``: the same
#: policy, with images from https origins too (an image runs no script).
APP_LOGO_POLICY = PAGE_POLICY.replace("img-src 'self'", "img-src 'self' https:")
#: The interactive docs: Swagger UI's files and the OpenAPI document, from this server only.
DOCS_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
               "frame-ancestors 'none'")
#: Sandbank Chat (``/demo/chat``): its own script file, which polls this server for new
#: messages; still no inline script.
CHAT_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'")
CHAT_PATH = "/demo/chat"
#: A stored SVG opened on its own: drawn, never scripted, nothing loaded from elsewhere.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def protect(response: Response) -> Response:
    """``after_request`` hook: ``nosniff`` on every response, errors included, and the
    content security policy of HTML pages."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        docs = request.path == DOCS_PATH or request.path.startswith(f"{DOCS_PATH}/")
        chat = request.path == CHAT_PATH or request.path.startswith(f"{CHAT_PATH}/")
        if response.headers.get("Content-Security-Policy") != APP_LOGO_POLICY:
            response.headers["Content-Security-Policy"] = (
                DOCS_POLICY if docs else CHAT_POLICY if chat else PAGE_POLICY)
    return response

