"""Fixtures of the CDR dialect's tests: CDR tokens, and every answer validated against the
published documents (vendored in ``sandbox/dialects/cdr/documents``) with openapi-core."""
from __future__ import annotations

import copy
import json
from importlib.resources import files

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

from tests.api.conftest import bearer, customer_of, mint, world  # noqa: F401  (fixtures)

CDR_SCOPES = ("bank:accounts.basic:read bank:accounts.detail:read bank:transactions:read "
              "common:customer.basic:read")
BANK = "harborline"
BASE = f"/banks/{BANK}/cds-au/v1"
#: Statuses the documents leave out (RFC 6750's): their bodies are held to the 400's shape.
UNDOCUMENTED = (401, 403, 429, 500, 502, 503, 504)


def published(name: str) -> dict:
    """A vendored document, as published."""
    return json.loads((files("sandbox.dialects.cdr") / "documents" / name).read_text())


def _served(name: str) -> OpenAPI:
    """The document with its server set to the test client's bank base URL (in memory)."""
    document = copy.deepcopy(published(name))
    servers = [{"url": "http://localhost/banks/{bank}/cds-au/v1",
                "variables": {"bank": {"default": BANK}}}]
    document["servers"] = servers
    for item in document["paths"].values():
        for operation in [item, *item.values()]:
            if isinstance(operation, dict) and "servers" in operation:
                operation["servers"] = servers
    return OpenAPI.from_dict(document)


DOCUMENTS = (_served("cdr-banking-1.36.0.json"), _served("cdr-common-1.36.0.json"))


class _Sent(WerkzeugOpenAPIRequest):
    """The request of a response: its body was read by the view (answers are what is
    validated here, not requests)."""

    body = None


class _AsDocumented(WerkzeugOpenAPIResponse):
    """A response seen with another status (an undocumented one is held to the 400's)."""

    def __init__(self, response, status: int):
        super().__init__(response)
        self._status = status

    @property
    def status_code(self) -> int:
        return self._status


def conforms(response) -> None:
    """Assert that ``response`` (of the test client) is what the published document says
    its operation answers: status, headers and body."""
    request = _Sent(response.request)
    document = DOCUMENTS[1] if "/common/" in request.path or "/discovery/" in request.path \
        else DOCUMENTS[0]
    wrapped = (_AsDocumented(response, 400) if response.status_code in UNDOCUMENTED
               else WerkzeugOpenAPIResponse(response))
    document.validate_response(request, wrapped)


@pytest.fixture(scope="module")
def cdr_token(mint):  # noqa: F811
    """A CDR access token of user_good at harborline, every CDR scope, every account."""
    return mint(BANK, "user_good", CDR_SCOPES)


@pytest.fixture
def cdr(client, cdr_token):
    """``cdr(path, version=..., token=..., **query)``: GET under the CDR base, validated
    against the published document, answered as the test client's response."""

    def get(path: str, version: str | None = "99", token: str | None = cdr_token,
            headers: dict | None = None, **query):
        sent = {**(bearer(token) if token else {}), **(headers or {})}
        if version is not None:
            sent["x-v"] = version
            sent.setdefault("x-min-v", "1")
        response = client.get(BASE + path, query_string=query, headers=sent)
        conforms(response)
        return response

    return get
