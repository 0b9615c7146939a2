"""``GET /banks`` and ``GET /banks/{bank_id}``: the banks, their policies and public test
credentials; each bank's logo."""
import pytest

from sandbox import catalog
from sandbox.errors import PROBLEM_JSON
from sandbox.extensions import db
from sandbox.models import WorldState

BANK_IDS = [bank["id"] for bank in catalog.banks()]
PERSONAS = [persona["username"] for persona in catalog.personas()]


def test_lists_every_bank_in_fixture_order(client):
    response = client.get("/banks")

    assert response.status_code == 200
    assert [bank["id"] for bank in response.get_json()["banks"]] == BANK_IDS


def test_listing_carries_the_fixture_policies_and_brand(client):
    listed = {bank["id"]: bank for bank in client.get("/banks").get_json()["banks"]}

    for fixture in catalog.banks():
        bank = listed[fixture["id"]]
        assert bank["name"] == fixture["name"]
        assert bank["routing_number"] == fixture["routing_number"]
        assert bank["brand"]["primary_color"] == fixture["brand"]["primary_color"]
        assert bank["brand"]["accent_color"] == fixture["brand"]["accent_color"]
        assert bank["brand"]["tagline"] == fixture["brand"]["tagline"]
        assert bank["mfa_policy"] == fixture["mfa_policy"]
        assert bank["page_size_max"] == fixture["page_size_max"]
        assert bank["consent_max_days"] == fixture["consent_max_days"]
        assert bank["token_lifetimes"] == fixture["tokens"]
        assert [p["name"] for p in bank["products"]] == [p["name"] for p in fixture["products"]]


def test_banks_differ_where_integrations_must_cope(client):
    banks = client.get("/banks").get_json()["banks"]

    assert len({bank["page_size_max"] for bank in banks}) == len(banks)
    assert len({bank["consent_max_days"] for bank in banks}) == len(banks)
    assert {bank["mfa_policy"] for bank in banks} == {"always", "enrolled"}


def test_issuer_and_links_follow_the_request_host(client):
    banks = client.get("/banks", base_url="http://sandbox.test:8080").get_json()["banks"]

    for bank in banks:
        issuer = f"http://sandbox.test:8080/banks/{bank['id']}"
        assert bank["issuer"] == issuer
        assert bank["discovery_url"] == f"{issuer}/.well-known/openid-configuration"
        assert bank["brand"]["logo_url"] == f"{issuer}/logo.svg"


def test_configured_base_url_wins_over_the_request_host(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SANDBOX_BASE_URL", "https://sandbank.example.test")

    bank = client.get("/banks/juniper", base_url="http://10.0.0.5:8000").get_json()

    assert bank["issuer"] == "https://sandbank.example.test/banks/juniper"


def test_detail_lists_the_personas_with_their_credentials(client):
    bank = client.get("/banks/harborline").get_json()

    users = {user["username"]: user for user in bank["test_users"]}
    assert list(users) == PERSONAS
    assert {user["password"] for user in users.values()} == {"pass_good"}
    assert users["user_mfa"]["one_time_code"] == "123456"
    assert users["user_good"]["one_time_code"] is None
    assert users["user_locked"]["locked"] is True
    assert users["user_good"]["locked"] is False
    assert all(user["description"] for user in users.values())


def test_a_bank_that_always_asks_gives_everyone_the_code(client):
    bank = client.get("/banks/juniper").get_json()

    assert {user["one_time_code"] for user in bank["test_users"]} == {"123456"}


def test_detail_describes_the_generated_customers(app, client):
    with app.app_context():
        seeded = db.session.get(WorldState, 1).customers

    generated = client.get("/banks/copperleaf").get_json()["generated_customers"]

    assert generated["count"] == seeded
    assert generated["first_username"] == "customer_00001"
    assert generated["last_username"] == f"customer_{seeded:05d}"
    assert generated["password"]


def test_detail_lists_the_demo_clients_with_their_secrets(client):
    listed = client.get("/banks/cobaltpeak").get_json()["demo_clients"]
    clients = {demo["client_id"]: demo for demo in listed}

    assert set(clients) == {"demo-app", "demo-public", "sandbank-chat"}
    assert clients["demo-app"]["client_secret"] == "demo-secret"
    assert clients["demo-app"]["token_endpoint_auth_method"] != "none"
    assert clients["demo-public"]["client_secret"] is None
    assert clients["demo-public"]["token_endpoint_auth_method"] == "none"
    assert clients["sandbank-chat"]["client_secret"] == "chat-secret"
    assert clients["sandbank-chat"]["redirect_uris"] == ["/demo/chat/callback"]
    for demo in (clients["demo-app"], clients["demo-public"]):
        assert any(uri.startswith("http://127.0.0.1/") for uri in demo["redirect_uris"])
        assert "authorization_code" in demo["grant_types"]


def test_the_listing_keeps_credentials_to_the_detail(client):
    for bank in client.get("/banks").get_json()["banks"]:
        assert "test_users" not in bank
        assert "demo_clients" not in bank


@pytest.mark.parametrize("path", ["/banks/nowhere", "/banks/nowhere/logo.svg"])
def test_unknown_bank_is_a_404_problem(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.mimetype == PROBLEM_JSON
    assert "nowhere" in response.get_json()["detail"]


@pytest.mark.parametrize("bank_id", BANK_IDS)
def test_logo_is_the_fixture_svg(client, bank_id):
    logo_url = client.get(f"/banks/{bank_id}").get_json()["brand"]["logo_url"]

    response = client.get(logo_url)

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    fixture = next(bank for bank in catalog.banks() if bank["id"] == bank_id)
    assert response.get_data(as_text=True) == fixture["brand"]["logo_svg"]


def _schema_properties(spec, ref, seen):
    name = ref.rsplit("/", 1)[-1]
    if name in seen:
        return
    seen.add(name)
    schema = spec["components"]["schemas"][name]
    for prop_name, prop in schema.get("properties", {}).items():
        yield name, prop_name, prop
        for nested in (prop, prop.get("items", {})):
            if "$ref" in nested:
                yield from _schema_properties(spec, nested["$ref"], seen)
            for option in nested.get("allOf", []) + nested.get("anyOf", []):
                if "$ref" in option:
                    yield from _schema_properties(spec, option["$ref"], seen)


def test_openapi_documents_every_field_of_the_bank_endpoints(client):
    spec = client.get("/openapi.json").get_json()
    seen: set[str] = set()
    fields = []
    for path in ("/banks", "/banks/{bank_id}"):
        ref = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"]["$ref"]
        fields.extend(_schema_properties(spec, ref, seen))

    assert len(fields) > 30
    assert [(schema, name) for schema, name, prop in fields if not prop.get("description")] == []
