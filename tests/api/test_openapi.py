"""The OpenAPI 3.1 document describes the data API completely, and ``/docs`` renders it from
assets served by the sandbox itself (no CDN)."""
from __future__ import annotations

import re

import pytest

DATA_PREFIX = "/banks/{bank_id}/v1/"
DATA_PATHS = ("accounts", "transactions", "receipts", "shipments", "identity")
SCOPES = {
    "/accounts": "accounts", "/accounts/{account_id}": "accounts",
    "/accounts/{account_id}/balances": "balances",
    "/accounts/{account_id}/transactions": "transactions",
    "/transactions/{transaction_id}": "transactions", "/receipts": "receipts",
    "/receipts/{receipt_id}": "receipts", "/shipments": "shipments",
    "/shipments/{shipment_id}": "shipments", "/identity": "identity",
}


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/openapi.json").get_json()


def data_operations(spec):
    for path, item in spec["paths"].items():
        rest = path.removeprefix("/banks/{bank_id}/v1")
        if rest in SCOPES:
            yield rest, item, item["get"]


def schema_names(spec, node, seen=None) -> set[str]:
    """Names of the component schemas ``node`` refers to, transitively."""
    seen = set() if seen is None else seen
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                schema_names(spec, spec["components"]["schemas"][name], seen)
        for value in node.values():
            schema_names(spec, value, seen)
    elif isinstance(node, list):
        for value in node:
            schema_names(spec, value, seen)
    return seen


def test_the_document_is_openapi_3_1_with_every_data_operation(spec):
    assert spec["openapi"] == "3.1.0"
    assert {rest for rest, _, _ in data_operations(spec)} == set(SCOPES)


def test_every_field_and_parameter_of_the_data_api_is_described(spec):
    used = set()
    for _, item, operation in data_operations(spec):
        used |= schema_names(spec, operation)
        effective = {(p["in"], p["name"]): p for p in item.get("parameters", [])}
        effective |= {(p["in"], p["name"]): p for p in operation.get("parameters", [])}
        for parameter in effective.values():
            assert parameter.get("description"), parameter["name"]
    assert {"Transaction", "Account", "Balances", "Receipt", "Shipment", "Identity"} <= used
    for name in used:
        schema = spec["components"]["schemas"][name]
        assert name.startswith("Problem") or schema.get("description"), name
        for field, definition in schema.get("properties", {}).items():
            assert definition.get("description"), f"{name}.{field}"


def test_every_data_operation_requires_its_scope_and_documents_its_answers(spec):
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearer"]["description"]}
    for rest, item, operation in data_operations(spec):
        assert operation["security"] == [{"bearer": [SCOPES[rest]]}]
        statuses = set(operation["responses"])
        assert {"200", "401", "403", "default"} <= statuses, rest
        assert operation["responses"]["200"]["headers"]["Cache-Control"]
        parameters = [p["name"] for p in operation.get("parameters", [])]
        if rest.endswith("}") or rest == "/identity":
            assert "304" in statuses and "If-None-Match" in parameters, rest
            assert operation["responses"]["200"]["headers"]["ETag"]
        if rest.endswith("}") and rest != "/identity":
            assert "404" in statuses, rest
        if rest in ("/accounts/{account_id}/transactions", "/receipts", "/shipments"):
            assert "422" in statuses, rest
    for name in ("INVALID_TOKEN", "INSUFFICIENT_SCOPE"):
        response = spec["components"]["responses"][name]
        assert response["headers"]["WWW-Authenticate"]
        assert response["content"]["application/problem+json"]["example"]


def test_fields_carry_examples(spec):
    transaction = spec["components"]["schemas"]["Transaction"]["properties"]
    assert transaction["amount"]["example"] == "-42.17"
    assert transaction["authorized_at"]["format"] == "date-time"
    assert transaction["status"]["enum"] == ["pending", "posted"]


def test_docs_render_from_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith(("/docs/assets/", "/static/")) for source in sources)
    assert "/openapi.json" in html
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200
        assert len(asset.data) > (10_000 if source.startswith("/docs/assets/") else 0)
