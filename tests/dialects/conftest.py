"""What the tests of every standards dialect share: validating an answer against the
dialect's published OpenAPI document with openapi-core."""
from __future__ import annotations

import io
from collections.abc import Callable

from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.wrappers import Request


def published_validator(document: dict, base_path: str,
                        host: str = "http://localhost") -> Callable:
    """A function that validates a Flask test-client response (status, headers and body)
    against ``document``, a dialect's published OpenAPI document, as served at
    ``host`` + ``base_path`` (``/banks/{bank_id}/...``, the document's paths below it); it
    raises openapi-core's error naming what does not conform, and answers the response."""
    spec = {**document, "servers": [{"url": host + base_path,
                                     "variables": {"bank_id": {"default": "harborline"}}}]}
    api = OpenAPI.from_dict(spec)

    def validate(response):
        # The request as it was routed, without its body (already read by the server).
        environ = {**response.request.environ, "wsgi.input": io.BytesIO(b""),
                   "CONTENT_LENGTH": "0"}
        api.validate_response(WerkzeugOpenAPIRequest(Request(environ)),
                              WerkzeugOpenAPIResponse(response))
        return response

    return validate
