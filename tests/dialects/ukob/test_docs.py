"""The dialect in the docs and in discovery: the published document served with every bank
as its server, offered in Swagger UI's list at ``/docs``, and each bank's base URL in its
discovery document."""
from __future__ import annotations

import json

from sandbox.dialects.ukob import DIALECT
from sandbox.dialects import published as _published


def published() -> dict:
    return _published(DIALECT.documents["ukob.json"][1])


def test_the_published_document_is_served_with_the_banks_as_servers(client):
    served = client.get("/openapi/ukob.json").get_json()
    assert served["paths"] == published()["paths"]
    assert served["info"]["version"] == "4.0.0"
    server = served["servers"][0]
    assert server["url"] == "http://localhost/banks/{bank_id}/open-banking/v4.0/aisp"
    assert "harborline" in server["variables"]["bank_id"]["enum"]
    assert client.get("/openapi/nope.json").status_code == 404


def test_docs_offers_the_dialect_beside_the_sandbox(client):
    page = client.get("/docs").get_data(as_text=True)
    config = json.loads(page.split("data-config='", 1)[1].split("'", 1)[0])
    assert {"url": "/openapi/ukob.json",
            "name": "UK Open Banking Account and Transaction API 4.0.0"} in config["urls"]
    assert "swagger-ui-standalone-preset.js" in page


def test_discovery_lists_the_base_url(client):
    document = client.get("/banks/juniper/.well-known/openid-configuration").get_json()
    assert document["api_dialects"]["ukob"] == {
        "base_url": "http://localhost/banks/juniper/open-banking/v4.0/aisp",
        "standard": "UK Open Banking Account and Transaction API", "version": "4.0.0"}
